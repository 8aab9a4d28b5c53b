"""Several real web processes on one PostgreSQL: live events cross processes through
LISTEN/NOTIFY, and ``serve --workers N`` answers from every process. Bounded in time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from omnicase.cli import app
from omnicase.store.db import Database
from tests.api.sse import Background
from tests.conftest import _truncate
from tests.factories import make_world, message
from tests.ops.test_serve import free_port, stop, wait_until_up


@pytest.fixture
def pg(pg_database: Database) -> Database:
    _truncate(pg_database)
    return pg_database


@contextmanager
def server(db: Database, tmp_path: Path, *extra: str) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "OMNICASE_LOG_LEVEL": "WARNING"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = (tmp_path / f"serve-{port}.log").open("w")
    cmd = [sys.executable, "-m", "omnicase.cli", "serve", "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--database", db.url, *extra], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, base)
        yield base
    finally:
        stop(proc)


@pytest.mark.slow
@pytest.mark.postgres
def test_a_stream_on_one_process_gets_a_message_ingested_through_another(
    pg: Database, tmp_path: Path
) -> None:
    world = make_world(pg)
    token = world.tokens["acme:agent"]
    with server(pg, tmp_path) as a, server(pg, tmp_path) as b:
        stream = Background(
            f"{a}/api/v1/events/stream",
            token,
            seconds=15,
            until=lambda s: any(kind == "message.received" for _, kind, _ in s.events),
        )
        body = json.loads(message(text="Commande A-30001").model_dump_json(by_alias=True))
        sent_at = time.monotonic()
        posted = httpx.post(
            f"{b}/api/v1/messages", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert posted.status_code == 201, posted.text
        got = stream.result()
        waited = time.monotonic() - sent_at
    received = [d for _, kind, d in got.events if kind == "message.received"]
    assert [d["message_id"] for d in received] == [posted.json()["message_id"]]
    assert {kind for _, kind, _ in got.events} >= {"case.created", "message.received"}
    # the backstop poll is 5 s: arriving well before it is the notification's doing
    assert waited < 3.0


@pytest.mark.slow
@pytest.mark.postgres
def test_serve_workers_answers_from_every_process(pg: Database, tmp_path: Path) -> None:
    with server(pg, tmp_path, "--workers", "2") as base:
        pids: set[int] = set()
        deadline = time.monotonic() + 30
        while len(pids) < 2 and time.monotonic() < deadline:
            with httpx.Client() as fresh:  # a new connection each time
                answer = fresh.get(f"{base}/healthz", timeout=2)
            assert answer.status_code == 200
            pids.add(answer.json()["pid"])
        assert len(pids) == 2
        assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_serve_workers_refuses_sqlite(db: Database) -> None:
    """One process is the embedded mode: it writes and runs the jobs."""
    result = CliRunner().invoke(app, ["serve", "--workers", "2", "--database", db.url])
    assert result.exit_code == 2
    assert "need PostgreSQL" in result.output


# Real processes on two cores: `make test` runs these after the parallel part, alone,
# so nothing else starves their deadlines.
pytestmark = pytest.mark.processes
