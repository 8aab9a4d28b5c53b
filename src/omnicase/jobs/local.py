"""The SQLite backend: a ``jobs`` table and a runner of threads over it.

Every claim is one ``BEGIN IMMEDIATE`` transaction (the writer lock, shared by every
process on the file), so two threads or two processes never take the same job, nor two
jobs of one lock key (the partial unique index ``uq_jobs_running_lock`` backs that up).
A periodic run is a row whose ``periodic_key`` (``name@timestamp``) is unique: whichever
runner inserts it first wins, the others insert nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from croniter import croniter
from sqlalchemy import Select, and_, exists, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, object_session

from omnicase.config import Settings, load_settings
from omnicase.jobs.registry import JobContext, JobSpec, load_jobs
from omnicase.jobs.run import brand_of, describe_error, run_job
from omnicase.model import Job, JobStatus
from omnicase.model.base import utcnow
from omnicase.store.db import Database

log = logging.getLogger(__name__)

#: A periodic run more than this late (runner down) is skipped, as procrastinate does.
PERIODIC_MAX_DELAY = 600.0


def defer_on(
    session: Session, spec: JobSpec, kwargs: Mapping[str, Any], run_at: datetime | None
) -> int:
    """Insert the job in the caller's transaction: it exists only if that commits."""
    unique = spec.unique_for(kwargs)
    if unique is not None:
        waiting = _waiting(session, unique)
        if waiting is not None:
            return waiting
    row = Job(
        name=spec.name,
        queue=spec.queue,
        kwargs=dict(kwargs),
        brand_id=brand_of(kwargs),
        lock=spec.lock_for(kwargs),
        queueing_lock=unique,
        status=JobStatus.todo,
        attempts=0,
        scheduled_at=run_at or utcnow(),
    )
    if unique is None:  # nothing can conflict: no SAVEPOINT (a flush is enough)
        session.add(row)
        session.flush()
        return row.id
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another process queued the same key meanwhile
        found = _waiting(session, unique) if unique else None
        if found is None:
            raise
        return found
    return row.id


def _waiting(session: Session, unique: str) -> int | None:
    return session.scalar(
        select(Job.id).where(Job.queueing_lock == unique, Job.status == JobStatus.todo)
    )


def defer_periodic(session: Session, spec: JobSpec, timestamp: int) -> bool:
    """The run of ``spec`` for the period starting at ``timestamp``; False if some runner
    already inserted it."""
    kwargs = {"timestamp": timestamp}
    now = utcnow()
    stmt = (
        sqlite_insert(Job)
        .values(
            name=spec.name,
            queue=spec.queue,
            kwargs=kwargs,
            lock=spec.lock_for({}),
            status=JobStatus.todo,
            attempts=0,
            scheduled_at=now,
            periodic_key=f"{spec.name}@{timestamp}",
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["periodic_key"])
        .returning(Job.id)
    )
    return session.execute(stmt).scalar() is not None


def due_period(cron: str, now: float) -> int | None:
    """Start of the latest period of ``cron`` at ``now``, unless it is too late for it."""
    start = int(croniter(cron, now).get_prev(float))
    return start if now - start <= PERIODIC_MAX_DELAY else None


class LocalRunner:
    """Threads running the jobs of a SQLite database: ``start()``/``stop()`` around
    ``omnicase serve``, or ``run_forever()`` for ``omnicase worker``."""

    def __init__(
        self,
        db: Database,
        *,
        queues: Iterable[str] | None = None,
        concurrency: int = 2,
        poll_interval: float = 0.5,
        stall_after: float = 60.0,
        settings: Settings | None = None,
    ) -> None:
        if db.dialect != "sqlite":
            raise ValueError("the local runner is for SQLite; PostgreSQL uses `omnicase worker`")
        self.db = db
        self.queues = tuple(queues) if queues else None
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.stall_after = stall_after
        self.settings = settings or load_settings()
        self.name = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.specs = load_jobs()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._last_period: dict[str, int] = {}

    # --- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._threads = [
            threading.Thread(target=self._work_loop, name=f"job-runner-{i}", daemon=True)
            for i in range(self.concurrency)
        ]
        self._threads.append(
            threading.Thread(target=self._clock_loop, name="job-clock", daemon=True)
        )
        for thread in self._threads:
            thread.start()

    def request_stop(self) -> None:
        """Ask the threads to stop after their current job (safe from a signal handler)."""
        self._stop.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop taking jobs; wait for the running ones to finish."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def run_forever(self) -> None:
        self.start()
        try:
            while not self._stop.wait(1.0):
                pass
        finally:
            self.stop()

    # --- one step each (the loops, and tests, call these) ------------------------------
    def tick(self, now: datetime | None = None) -> None:
        """Insert due periodic runs, beat the heart of running jobs, requeue stalled ones."""
        now = now or utcnow()
        with self.db.transaction() as session:
            for spec in self.specs.values():
                if spec.cron is None or (self.queues and spec.queue not in self.queues):
                    continue
                start = due_period(spec.cron, now.timestamp())
                if start is None or self._last_period.get(spec.name) == start:
                    continue
                defer_periodic(session, spec, start)
                self._last_period[spec.name] = start
            session.execute(
                update(Job)
                .where(Job.status == JobStatus.doing, Job.worker == self.name)
                .values(heartbeat_at=now)
            )
            self._requeue_stalled(session, now)

    def run_one(self) -> bool:
        """Claim and run one due job; False when there is none."""
        claimed = self._claim()
        if claimed is None:
            return False
        self._execute(*claimed)
        return True

    def run_until_idle(self, limit: int = 1000) -> int:
        done = 0
        while done < limit and self.run_one():
            done += 1
        return done

    # --- internals ---------------------------------------------------------------------
    def _work_loop(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.run_one():
                    self._stop.wait(self.poll_interval)
            except Exception:  # the database went away for a moment: log, wait, go on
                log.exception("job runner: could not claim or finish a job")
                self._stop.wait(self.poll_interval)

    def _clock_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("job runner: periodic tick failed")
            self._stop.wait(min(1.0, self.poll_interval * 2))

    def _due(self, now: datetime) -> Select[Job]:
        running = aliased(Job)
        stmt = select(Job).where(
            Job.status == JobStatus.todo,
            Job.scheduled_at <= now,
            Job.name.in_(list(self.specs)),
            ~and_(
                Job.lock.is_not(None),
                exists().where(running.lock == Job.lock, running.status == JobStatus.doing),
            ),
        )
        if self.queues:
            stmt = stmt.where(Job.queue.in_(self.queues))
        return stmt.order_by(Job.scheduled_at, Job.id).limit(1)

    def _claim(self) -> tuple[int, str, dict[str, Any], int] | None:
        now = utcnow()
        # Look first without the writer lock: an idle runner never blocks ingestion.
        with self.db.reading() as session:
            if session.scalar(self._due(now)) is None:
                return None
        with self.db.transaction() as session:
            row = session.scalar(self._due(now))
            if row is None:
                return None
            row.status = JobStatus.doing
            row.attempts += 1
            row.worker = self.name
            row.started_at = row.heartbeat_at = now
            return row.id, row.name, dict(row.kwargs), row.attempts

    def _execute(self, job_id: int, name: str, kwargs: dict[str, Any], attempt: int) -> None:
        spec = self.specs[name]
        ctx = JobContext(self.db, self.settings, job_id, attempt)
        error: BaseException | None = None
        try:
            run_job(spec, ctx, kwargs)
        except Exception as exc:
            error = exc
        with self.db.transaction() as session:
            row = session.get(Job, job_id)
            if row is None:  # deleted meanwhile
                return
            self._finish(row, spec, error)

    def _finish(self, row: Job, spec: JobSpec, error: BaseException | None) -> None:
        """Succeeded, back to ``todo`` after the policy's delay, or failed (dead)."""
        now = utcnow()
        row.worker = None
        row.heartbeat_at = None
        if error is None:
            row.status = JobStatus.succeeded
            row.finished_at = now
            return
        row.last_error = describe_error(error)
        delay = spec.retry.delay(row.attempts)
        if delay is None:
            row.status = JobStatus.failed
            row.finished_at = now
            log.error("job %s #%s failed for good: %s", row.name, row.id, row.last_error)
        else:
            session = object_session(row)
            if row.queueing_lock and session and _waiting(session, row.queueing_lock):
                row.queueing_lock = None  # a twin already waits: both stay, neither is lost
            row.status = JobStatus.todo
            row.scheduled_at = now + timedelta(seconds=delay)
            log.warning("job %s #%s failed, retry in %.1f s", row.name, row.id, delay)

    def _requeue_stalled(self, session: Session, now: datetime) -> None:
        """A job whose runner stopped beating (killed process) counts as a failed run."""
        cutoff = now - timedelta(seconds=self.stall_after)
        stalled = session.scalars(
            select(Job).where(Job.status == JobStatus.doing, Job.heartbeat_at < cutoff)
        ).all()
        for row in stalled:
            spec = self.specs.get(row.name)
            if spec is None:
                continue
            self._finish(row, spec, RuntimeError(f"runner {row.worker} stopped during the run"))
