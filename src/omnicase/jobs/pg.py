"""The PostgreSQL backend: procrastinate, with the registry's jobs as its tasks.

Deferring uses the caller's own connection (the SQLAlchemy session's psycopg
connection), so the job row is part of the request's transaction: a request that rolls
back enqueues nothing, with no outbox table to forward. The worker is procrastinate's
(LISTEN/NOTIFY, ``FOR UPDATE SKIP LOCKED``, locks, periodic deferrer deduplicated by a
unique constraint); each task wraps the job function, writes the failing run's error to
``job_errors`` (procrastinate keeps none) and re-raises so procrastinate retries it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import procrastinate
import procrastinate.exceptions
from procrastinate import jobs as pjobs
from procrastinate.schema import SchemaManager
from sqlalchemy import BigInteger, Column, Connection, DateTime, Integer, MetaData, String, Table
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from omnicase.config import Settings, load_settings
from omnicase.jobs.registry import JobContext, JobSpec, RetryPolicy, load_jobs
from omnicase.jobs.run import describe_error, run_job
from omnicase.model import JobError
from omnicase.model.base import utcnow
from omnicase.store.db import Database

#: procrastinate's tables as our queries read them (its own schema, not our models).
PROCRASTINATE = MetaData()
procrastinate_jobs = Table(
    "procrastinate_jobs",
    PROCRASTINATE,
    Column("id", BigInteger, primary_key=True),
    Column("queue_name", String),
    Column("task_name", String),
    Column("lock", String),
    Column("args", JSONB),
    Column("status", String),
    Column("scheduled_at", DateTime(timezone=True)),
    Column("attempts", Integer),
)
PROCRASTINATE_TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)


def conninfo(url: str) -> str:
    """The libpq URL of a SQLAlchemy one (keeps ``options=-csearch_path=…``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def install_procrastinate_schema(bind: Connection) -> None:
    """Create procrastinate's schema in the current schema, unless it exists (migration
    0003). Later procrastinate versions' SQL deltas go in later migrations."""
    if bind.execute(sql_text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None:
        return
    driver = bind.connection.driver_connection
    assert driver is not None
    driver.execute(SchemaManager.get_schema())


class PolicyRetry(procrastinate.BaseRetryStrategy):
    """Our :class:`RetryPolicy` for procrastinate (``job.attempts`` = retries so far)."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def get_retry_decision(
        self, *, exception: BaseException, job: pjobs.Job
    ) -> procrastinate.RetryDecision | None:
        delay = self.policy.delay(job.attempts + 1)
        if delay is None:
            return None
        return procrastinate.RetryDecision(retry_at=utcnow() + timedelta(seconds=delay))


#: Used only to defer through a caller's connection: never opened, needs no pool.
_DEFER_APP = procrastinate.App(connector=procrastinate.SyncPsycopgConnector())


def defer_on(
    session: Session, spec: JobSpec, kwargs: Mapping[str, Any], run_at: datetime | None
) -> int:
    """procrastinate's defer, on the session's connection, inside its transaction (in a
    savepoint: a waiting job with the same queueing lock must not abort the caller's)."""
    unique = spec.unique_for(kwargs)
    job = pjobs.Job(
        id=None,
        queue=spec.queue,
        lock=spec.lock_for(kwargs),
        queueing_lock=unique,
        task_name=spec.name,
        task_kwargs=dict(kwargs),
        scheduled_at=run_at,
    )
    try:
        with session.begin_nested():
            driver = session.connection().connection.driver_connection
            deferred = _DEFER_APP.job_manager.defer_job(job, connection=driver)
    except procrastinate.exceptions.AlreadyEnqueued:
        waiting = session.scalar(
            sql_text(
                "SELECT id FROM procrastinate_jobs WHERE queueing_lock = :key AND status = 'todo'"
            ),
            {"key": unique},
        )
        if waiting is None:  # it started meanwhile: queue this one after all
            return defer_on(session, spec, kwargs, run_at)
        return int(waiting)
    assert deferred.id is not None
    return deferred.id


def record_error(db: Database, job_id: int, attempt: int, exc: BaseException) -> None:
    error = describe_error(exc)
    with db.transaction() as session:
        stmt = pg_insert(JobError).values(job_id=job_id, attempt=attempt, error=error, at=utcnow())
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["job_id"],
                set_={"attempt": attempt, "error": error, "at": stmt.excluded.at},
            )
        )


def _task(spec: JobSpec, db: Database, settings: Settings) -> Any:
    def run(context: procrastinate.JobContext, **kwargs: Any) -> Any:
        job = context.job
        assert job.id is not None
        attempt = job.attempts + 1
        try:
            return run_job(spec, JobContext(db, settings, job.id, attempt), kwargs)
        except Exception as exc:
            record_error(db, job.id, attempt, exc)
            raise

    run.__name__ = spec.name.replace(".", "_")
    return run


def build_app(
    db: Database, settings: Settings | None = None, concurrency: int = 1
) -> procrastinate.App:
    """A procrastinate app whose tasks are the registry's jobs, on ``db``'s database."""
    settings = settings or load_settings()
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(db.url), min_size=1, max_size=concurrency + 3
    )
    app = procrastinate.App(connector=connector)
    for spec in load_jobs().values():
        task = app.task(
            name=spec.name,
            queue=spec.queue,
            retry=PolicyRetry(spec.retry),
            pass_context=True,
        )(_task(spec, db, settings))
        if spec.cron:
            app.periodic(cron=spec.cron, lock=spec.lock_for({}))(task)
    return app


def run_worker(
    db: Database,
    *,
    queues: Iterable[str] | None = None,
    concurrency: int = 1,
    poll_interval: float = 1.0,
) -> None:
    """``omnicase worker`` on PostgreSQL: procrastinate's worker until SIGINT/SIGTERM."""
    app = build_app(db, concurrency=concurrency)
    app.run_worker(
        queues=list(queues) if queues else None,
        concurrency=concurrency,
        fetch_job_polling_interval=poll_interval,
        name=f"{socket.gethostname()}:{os.getpid()}",
    )


def requeue_stalled(session: Session, stalled_after: float) -> int:
    """Jobs left ``doing`` by a worker that stopped beating (killed): the lost run counts
    as a failed attempt, then retried or dead by the job's policy, as on SQLite."""
    rows = session.execute(
        sql_text(
            "SELECT j.id, j.task_name, j.attempts FROM procrastinate_jobs j "
            "LEFT JOIN procrastinate_workers w ON w.id = j.worker_id "
            "WHERE j.status = 'doing' AND (j.worker_id IS NULL "
            "OR w.last_heartbeat < now() - make_interval(secs => :secs)) "
            "FOR UPDATE OF j SKIP LOCKED"
        ),
        {"secs": stalled_after},
    ).all()
    specs = load_jobs()
    for job_id, name, attempts in rows:
        spec = specs.get(name)
        policy = spec.retry if spec else RetryPolicy(max_attempts=1)
        error = f"RuntimeError: the worker stopped during run {attempts + 1}"
        stmt = pg_insert(JobError).values(job_id=job_id, attempt=attempts + 1, error=error)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["job_id"], set_={"attempt": attempts + 1, "error": error}
            )
        )
        delay = policy.delay(attempts + 1)
        if delay is None:
            query = "SELECT procrastinate_finish_job_v1(:id, 'failed', false)"
            session.execute(sql_text(query), {"id": job_id})
        else:
            at = utcnow() + timedelta(seconds=delay)
            query = "SELECT procrastinate_retry_job_v2(:id, :at, NULL, NULL, NULL)"
            session.execute(sql_text(query), {"id": job_id, "at": at})
    return len(rows)


def prune_finished(session: Session, days: int) -> int:
    """Delete succeeded and cancelled jobs finished over ``days`` ago (failed ones stay:
    they are the dead-letter queue)."""
    old = (
        "SELECT j.id FROM procrastinate_jobs j WHERE j.status IN ('succeeded', 'cancelled') "
        "AND NOT EXISTS (SELECT 1 FROM procrastinate_events e WHERE e.job_id = j.id "
        "AND e.at >= now() - make_interval(days => :days))"
    )
    ids = list(session.scalars(sql_text(old), {"days": days}))
    if ids:
        params = {"ids": ids}
        session.execute(
            sql_text(
                "UPDATE procrastinate_periodic_defers SET job_id = NULL WHERE job_id = ANY(:ids)"
            ),
            params,
        )
        session.execute(sql_text("DELETE FROM job_errors WHERE job_id = ANY(:ids)"), params)
        session.execute(sql_text("DELETE FROM procrastinate_jobs WHERE id = ANY(:ids)"), params)
    return len(ids)
