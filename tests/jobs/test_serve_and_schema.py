"""``omnicase serve`` runs the SQLite jobs and stops them cleanly; ``omnicase db upgrade``
is idempotent with procrastinate's schema on PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import httpx
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from omnicase.cli import app
from omnicase.jobs import defer
from omnicase.jobs.pg import install_procrastinate_schema
from omnicase.jobs.service import get_job
from omnicase.store.db import Database
from tests.jobs.helpers import OMNICASE, ROOT, wait_for


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_runs_sqlite_jobs_and_stops_cleanly(sqlite_db: Database) -> None:
    db = sqlite_db
    port = _free_port()
    env = {**os.environ, "OMNICASE_DATABASE_URL": db.url}
    proc = subprocess.Popen(
        [str(OMNICASE), "serve", "--port", str(port), "--jobs", "2"],
        env=env,
        cwd=ROOT,
        stderr=subprocess.PIPE,
    )
    try:
        assert wait_for(lambda: _healthy(port), timeout=15)
        job_id = defer(db, "cases.autoclose", timestamp=0)

        def done() -> bool:
            with db.reading() as s:
                return get_job(s, None, job_id).status == "succeeded"

        assert wait_for(done, timeout=15)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    # uvicorn re-raises SIGTERM once shut down; the runner stopped before that
    assert proc.returncode in (0, -signal.SIGTERM), err.decode()[-2000:]
    assert "background jobs stopped" in err.decode()


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        time.sleep(0.1)
        return False


def test_db_upgrade_twice_keeps_the_job_schema(db: Database) -> None:
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(app, ["db", "upgrade"], env={"OMNICASE_DATABASE_URL": db.url})
        assert result.exit_code == 0, result.stderr
    if db.dialect == "postgresql":
        with db.engine.begin() as conn:
            install_procrastinate_schema(conn)  # present already: nothing to do
            assert conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar()
    assert defer(db, "cases.autoclose", timestamp=0) > 0


# Real processes on two cores: `make test` runs these after the parallel part, alone,
# so nothing else starves their deadlines.
pytestmark = pytest.mark.processes
