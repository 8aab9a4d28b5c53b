"""The SQLite runner's own duties: periodic rows, stalled runs, a clean stop."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from omnicase.jobs import defer
from omnicase.jobs.local import LocalRunner
from omnicase.model import Job
from omnicase.model.base import utcnow
from omnicase.store.db import Database
from tests.jobs.helpers import events, wait_for


def test_two_runners_insert_one_run_per_period(sqlite_db: Database) -> None:
    other = Database(sqlite_db.url)
    try:
        first = LocalRunner(sqlite_db, queues=["tick"])
        second = LocalRunner(other, queues=["tick"])
        now = utcnow()
        for runner in (first, second, first):
            runner.tick(now)
        second.tick(now + timedelta(seconds=1))
        with sqlite_db.reading() as s:
            keys = s.scalars(select(Job.periodic_key).where(Job.name == "test.tick")).all()
        assert len(keys) == 2 and len(set(keys)) == 2
    finally:
        other.dispose()


def test_a_stalled_run_is_requeued_as_a_failed_attempt(sqlite_db: Database) -> None:
    job_id = defer(sqlite_db, "test.fail", fail_times=0)
    runner = LocalRunner(sqlite_db, queues=["test"], stall_after=5)
    claimed = runner._claim()  # a runner that then dies: never finishes nor beats
    assert claimed is not None and claimed[0] == job_id
    survivor = LocalRunner(sqlite_db, queues=["test"], stall_after=5)
    survivor.tick(utcnow() + timedelta(seconds=6))
    with sqlite_db.reading() as s:
        row = s.get(Job, job_id)
        assert row is not None
        assert row.status == "todo" and row.attempts == 1
        assert row.last_error is not None and "stopped during the run" in row.last_error


def test_started_runner_works_and_stops_cleanly(sqlite_db: Database) -> None:
    runner = LocalRunner(sqlite_db, queues=["test"], concurrency=2, poll_interval=0.05)
    runner.start()
    try:
        defer(sqlite_db, "test.record", value="x")
        assert wait_for(lambda: len(events(sqlite_db, "test.ran")) == 1, timeout=10)
    finally:
        began = time.monotonic()
        runner.stop()
        assert time.monotonic() - began < 5
    with sqlite_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Job).where(Job.status == "doing")) == 0


def test_runner_refuses_postgresql() -> None:
    with pytest.raises(ValueError, match="SQLite"):
        LocalRunner(Database("postgresql://nobody@127.0.0.1:1/none"))


def test_a_failing_unique_job_retries_beside_its_waiting_twin(sqlite_db: Database) -> None:
    first = defer(sqlite_db, "test.poll", mailbox_id=7)
    runner = LocalRunner(sqlite_db, queues=["test"])
    claimed = runner._claim()
    assert claimed is not None and claimed[0] == first
    twin = defer(sqlite_db, "test.poll", mailbox_id=7)  # the first one runs: a new one waits
    assert twin != first
    with sqlite_db.transaction() as s:
        row = s.get(Job, first)
        assert row is not None
        runner._finish(row, runner.specs["test.poll"], RuntimeError("mailbox offline"))
    with sqlite_db.reading() as s:
        rows = {j.id: (j.status, j.queueing_lock) for j in s.query(Job)}
    assert rows == {first: ("todo", None), twin: ("todo", "poll:7")}
