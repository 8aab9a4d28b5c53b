"""Real ``omnicase worker`` processes: they run what the web side defers, and two of them
run a periodic job once per period (SQLite: one file; PostgreSQL: procrastinate)."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from omnicase.jobs import defer
from omnicase.store.db import Database
from tests.jobs.helpers import events, wait_for, workers


@pytest.mark.slow
def test_a_worker_process_runs_deferred_jobs(db: Database) -> None:
    with workers(db, 1, "--queues", "test", "--poll-interval", "0.2"):
        for n in range(5):
            defer(db, "test.record", value=f"v{n}")
        assert wait_for(lambda: len(events(db, "test.ran")) == 5, timeout=20)
    assert sorted(e["value"] for e in events(db, "test.ran")) == [f"v{n}" for n in range(5)]


@pytest.mark.slow
def test_two_worker_processes_run_each_period_once(db: Database) -> None:
    with workers(db, 2, "--queues", "tick", "--poll-interval", "0.2"):
        assert wait_for(lambda: len({e["timestamp"] for e in events(db, "test.tick")}) >= 4, 25)
        time.sleep(1.5)  # let both processes see the last periods too
    runs = Counter(e["timestamp"] for e in events(db, "test.tick"))
    assert len(runs) >= 4
    assert set(runs.values()) == {1}, runs
