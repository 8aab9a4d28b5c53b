"""Fault test: ``kill -9`` a web process and the worker in the middle of an HTTP load on
PostgreSQL, restart them; nothing is lost, nothing is stored twice, a job deferred before
the kill runs once after the restart. Real processes, the real database, no mocks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from omnicase.benchmarks.cluster import bench_messages, bench_start, seed_brands, stored_twice
from omnicase.benchmarks.load import LoadResult, send_all
from omnicase.benchmarks.procs import (
    Proc,
    free_port,
    kill_hard,
    start_web,
    start_worker,
    stop_all,
    wait_ready,
)
from omnicase.jobs import defer
from omnicase.model.base import utcnow
from omnicase.store.db import Database
from tests.conftest import PG_URL, _truncate
from tests.jobs.helpers import ROOT, events, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not PG_URL, reason="needs OMNICASE_TEST_DATABASE_URL (PostgreSQL)"),
]

MESSAGES = 1200
KILL_AFTER = 400  # stored messages
WORKER_ARGS = ("--import", "tests.jobs.sample_jobs", "--queues", "test", "--poll-interval", "0.2")
ENV = {"PYTHONPATH": str(ROOT)}


@pytest.fixture
def pg(pg_database: Database) -> Iterator[Database]:
    _truncate(pg_database)
    yield pg_database


def stored(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM messages")).scalar_one())


def test_kill_9_of_a_web_process_and_the_worker_loses_and_duplicates_nothing(
    pg: Database,
) -> None:
    started = time.monotonic()
    tokens = seed_brands(pg)
    messages = bench_messages(MESSAGES, 11, bench_start())
    ports = [free_port(), free_port()]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    webs = [start_web(pg.url, port, env=ENV) for port in ports]
    worker = start_worker(pg.url, *WORKER_ARGS, env=ENV)
    everything: list[Proc] = [*webs, worker]
    try:
        for base, web in zip(bases, webs, strict=True):
            wait_ready(base, web)
        defer(pg, "test.record", value="ran before")
        assert wait_for(lambda: len(events(pg, "test.ran")) == 1, timeout=15)

        box: list[LoadResult] = []
        load = threading.Thread(
            target=lambda: box.append(
                send_all(bases, tokens, messages, clients=6, retry_for=20.0, deadline_s=100.0)
            )
        )
        load.start()
        assert wait_for(lambda: stored(pg) >= KILL_AFTER, timeout=25)
        # Deferred before the kill, due after it: only the restarted worker can run it.
        defer(pg, "test.record", value="due after", run_at=utcnow() + timedelta(seconds=2))
        kill_hard(webs[0])
        kill_hard(worker)
        at_kill = stored(pg)
        time.sleep(1.0)  # senders on the dead port meet refused connections meanwhile
        webs[0] = start_web(pg.url, ports[0], env=ENV)
        worker = start_worker(pg.url, *WORKER_ARGS, env=ENV)
        everything += [webs[0], worker]
        wait_ready(bases[0], webs[0])
        load.join(110.0)
        assert not load.is_alive() and box, "the load did not finish in time"
        result = box[0]

        assert KILL_AFTER <= at_kill < MESSAGES, "the kill must fall in the middle of the load"
        assert result.retries > 0, "no sender met the dead process"
        assert result.errors == 0, result.error_samples
        assert result.duplicates_ok == result.duplicates_sent > 0, result.error_samples
        assert stored(pg) == MESSAGES
        assert stored_twice(pg) == 0
        with pg.engine.connect() as conn:
            keys = {
                (slug, channel, external_id)
                for slug, channel, external_id in conn.execute(
                    text(
                        "SELECT o.slug, m.channel, m.external_id FROM messages m "
                        "JOIN organisations o ON o.id = m.brand_id"
                    )
                )
            }
        assert keys == {(m["brand"], m["channel"], m["external_id"]) for m in messages}

        assert wait_for(lambda: len(events(pg, "test.ran")) == 2, timeout=15)
        time.sleep(1.0)  # a second run, if there were one, would show now
        ran = sorted(e["value"] for e in events(pg, "test.ran"))
        assert ran == ["due after", "ran before"]
    finally:
        stop_all(everything)
    # Bounded: a loaded CI machine runs this at a fraction of a quiet one's speed.
    assert time.monotonic() - started < 150
