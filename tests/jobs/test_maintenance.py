"""Runs lost with a killed worker come back; old finished jobs are pruned, dead ones kept."""

from __future__ import annotations

import signal
import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from omnicase.config import load_settings
from omnicase.jobs import JobContext, defer
from omnicase.jobs.local import LocalRunner
from omnicase.jobs.maintenance import jobs_maintenance
from omnicase.jobs.service import get_job, list_jobs
from omnicase.model import Job
from omnicase.model.base import utcnow
from omnicase.store.db import Database
from tests.jobs.helpers import drain, drain_until, events, wait_for, workers


def _requeue_stalled(db: Database) -> None:
    if db.dialect == "sqlite":
        LocalRunner(db, queues=["test"], stall_after=0.5).tick()
        return
    from omnicase.jobs import pg

    with db.transaction() as session:
        pg.requeue_stalled(session, 0.5)


@pytest.mark.slow
def test_a_job_running_in_a_killed_worker_runs_again(db: Database) -> None:
    job_id = defer(db, "test.slow", seconds=3.0)
    with workers(db, 1, "--queues", "test", "--poll-interval", "0.2") as (proc,):
        assert wait_for(lambda: len(events(db, "test.slow.start")) == 1, timeout=15)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        proc.returncode = 0  # killed on purpose: the fixture checks the others' exits
    time.sleep(1.0)
    _requeue_stalled(db)
    with db.reading() as s:
        info = get_job(s, None, job_id)
    assert info.status == "todo" and info.last_error is not None
    assert "stopped during" in info.last_error
    assert drain_until(db, lambda: bool(events(db, "test.slow.end")))
    assert [e["attempt"] for e in events(db, "test.slow.end")] == [2]
    with db.reading() as s:
        assert get_job(s, None, job_id).status == "succeeded"


def test_maintenance_prunes_old_finished_jobs_and_keeps_dead_ones(db: Database) -> None:
    old = defer(db, "test.record", value="old")
    fresh = defer(db, "test.record", value="fresh")
    dead = defer(db, "test.record", value="dead")  # marked failed below
    drain(db)
    with db.transaction() as s:
        if db.dialect == "sqlite":
            row = s.get(Job, old)
            assert row is not None
            row.finished_at = utcnow() - timedelta(days=8)
            s.execute(text("UPDATE jobs SET status = 'failed' WHERE id = :id"), {"id": dead})
        else:
            s.execute(
                text("UPDATE procrastinate_events SET at = now() - interval '8 days'"),
            )
            s.execute(
                text("UPDATE procrastinate_events SET at = now() WHERE job_id = :id"),
                {"id": fresh},
            )
            s.execute(
                text("UPDATE procrastinate_jobs SET status = 'failed' WHERE id = :id"),
                {"id": dead},
            )
    out = jobs_maintenance(JobContext(db, load_settings(), 0, 1), timestamp=0)
    assert out == {"requeued": 0, "pruned": 1}
    with db.reading() as s:
        assert sorted(j.id for j in list_jobs(s, None) if j.queue == "test") == [fresh, dead]
