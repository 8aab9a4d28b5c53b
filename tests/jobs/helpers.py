"""Helpers to run jobs on the test's backend: drain the queue in this process, or start
real ``omnicase worker`` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

import tests.jobs.sample_jobs  # noqa: F401  (registers the test jobs)
from omnicase.jobs.local import LocalRunner
from omnicase.jobs.service import list_jobs
from omnicase.model import Event
from omnicase.store.db import Database

ROOT = Path(__file__).resolve().parents[2]
OMNICASE = Path(sys.executable).parent / "omnicase"


def drain(
    db: Database, queues: list[str] | None = None, concurrency: int = 1, periodic: bool = True
) -> None:
    """Run every job due now, then return (procrastinate's worker with ``wait=False``).

    ``periodic=False``: procrastinate's worker also defers, at start, each periodic task
    whose tick fell in the last 10 minutes of the *real* clock; a test whose jobs read a
    day of its own (the daily reports) must not get the real day's runs too."""
    if db.dialect == "sqlite":
        runner = LocalRunner(
            db, queues=queues or ["test"], concurrency=concurrency, poll_interval=0.05
        )
        if concurrency == 1:
            runner.run_until_idle()
            return
        runner.start()
        try:
            assert wait_for(lambda: not _pending(db, queues), timeout=20)
        finally:
            runner.stop()
        return
    from omnicase.jobs.pg import build_app

    app = build_app(db)
    if not periodic:
        app.periodic_registry.periodic_tasks.clear()
    deadline = time.monotonic() + 20
    while True:  # with wait=False the worker stops as soon as nothing is free *now*
        app.run_worker(
            queues=queues or ["test"],
            concurrency=concurrency,
            wait=False,
            install_signal_handlers=False,
            listen_notify=False,
        )
        if concurrency == 1 or not _pending(db, queues) or time.monotonic() > deadline:
            return
        time.sleep(0.05)


def _pending(db: Database, queues: list[str] | None = None) -> bool:
    """Jobs of ``queues`` still to run (periodic runs of other queues do not count)."""
    with db.reading() as session:
        return any(
            job.queue in (queues or ["test"])
            for status in ("todo", "doing")
            for job in list_jobs(session, None, status=status, limit=500)
        )


def events(db: Database, kind: str) -> list[dict[str, Any]]:
    with db.reading() as session:
        return [
            e.data
            for e in session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id))
        ]


def drain_until(
    db: Database, done: Callable[[], bool], timeout: float = 10.0, queues: list[str] | None = None
) -> bool:
    """Drain again and again (retries come due later) until ``done()``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        drain(db, queues)
        if done():
            return True
        time.sleep(0.05)
    return done()


def failed_ids(db: Database) -> set[int]:
    with db.reading() as session:
        return {j.id for j in list_jobs(session, None, status="failed")}


def wait_for(predicate: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@contextmanager
def workers(db: Database, count: int, *args: str) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` real ``omnicase worker`` processes on ``db``; SIGTERM'd at the end, and
    each must then exit cleanly."""
    env = {**os.environ, "OMNICASE_DATABASE_URL": db.url, "PYTHONPATH": str(ROOT)}
    command = [str(OMNICASE), "worker", "--import", "tests.jobs.sample_jobs", *args]
    procs = [
        subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.PIPE) for _ in range(count)
    ]
    try:
        yield procs
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                _, err = proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
            assert proc.returncode == 0, err.decode()[-3000:]
