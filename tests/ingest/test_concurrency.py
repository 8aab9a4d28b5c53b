"""Two processes ingesting one customer's messages at the same instant end in one case.

Real OS processes (spawn), released together by a barrier, on SQLite (BEGIN IMMEDIATE)
and PostgreSQL (advisory locks per identity).
"""

from __future__ import annotations

import multiprocessing as mp
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from omnicase.ingest.pipeline import IngestStatus, ingest
from omnicase.ingest.schema import InboundMessage
from omnicase.model import Case, Customer, Identity, Message
from omnicase.store.db import Database
from tests.factories import make_world

ROUNDS = 15


def _messages(worker: int) -> list[list[InboundMessage]]:
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    rounds = []
    for r in range(ROUNDS):
        identity = (
            {"email": f"race{r}@example.fr"}
            if worker == 0
            else {"email": f"race{r}@example.fr", "phone": f"+3361234{r:04d}"}
        )
        rounds.append(
            [
                InboundMessage.model_validate(
                    {
                        "brand": "acme",
                        "channel": "email" if worker == 0 else "webform",
                        "external_id": f"race-{r}-{worker}",
                        "received_at": (t0 + timedelta(seconds=r)).isoformat(),
                        "from": identity,
                        "subject": f"Commande A-{20000 + r}",
                        "text": f"Bonjour, ma commande A-{20000 + r} n'est toujours pas arrivée.",
                    }
                )
            ]
        )
    return rounds


def _worker(url: str, worker: int, barrier: mp.synchronize.Barrier, out: mp.Queue[object]) -> None:
    db = Database(url)
    try:
        for batch in _messages(worker):
            barrier.wait(timeout=30)
            result = ingest(db, batch)[0]
            out.put((worker, result.status.value, result.case_id))
    finally:
        db.dispose()


@pytest.mark.slow
def test_two_processes_one_customer_one_case(db: Database) -> None:
    make_world(db)
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    out: mp.Queue[object] = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(db.url, w, barrier, out)) for w in (0, 1)]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in range(2 * ROUNDS)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert all(status == IngestStatus.created.value for _, status, _ in results)
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 2 * ROUNDS
        assert s.scalar(select(func.count()).select_from(Case)) == ROUNDS
        assert s.scalar(select(func.count()).select_from(Customer)) == ROUNDS
        per_case = s.execute(select(Message.case_id, func.count()).group_by(Message.case_id))
        assert sorted(n for _, n in per_case) == [2] * ROUNDS
        assert s.scalar(select(func.count()).select_from(Identity)) == 2 * ROUNDS


# Real processes on two cores: `make test` runs these after the parallel part, alone,
# so nothing else starves their deadlines.
pytestmark = pytest.mark.processes
