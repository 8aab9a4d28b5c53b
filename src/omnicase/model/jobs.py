"""Background jobs on SQLite (the local runner's queue) and job errors on PostgreSQL.

On PostgreSQL the queue itself is procrastinate's ``procrastinate_jobs`` table; it keeps
no error text, so the failing run's error goes to ``job_errors`` keyed by its job id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from omnicase.model.base import Base, utcnow

BigIntPK = BigInteger().with_variant(Integer, "sqlite")


class JobStatus:
    """The same names as procrastinate's, so both backends read alike."""

    todo = "todo"
    doing = "doing"
    succeeded = "succeeded"
    failed = "failed"  # dead: no retry left
    cancelled = "cancelled"

    ALL = ("todo", "doing", "succeeded", "failed", "cancelled")


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_fetch", "status", "queue", "scheduled_at"),
        Index("ix_jobs_brand_status", "brand_id", "status", "id"),
        # Like procrastinate, enforced by the store: one running job per lock key, one
        # waiting job per queueing lock.
        *(
            Index(name, column, unique=True, sqlite_where=where, postgresql_where=where)
            for name, column, where in (
                ("uq_jobs_running_lock", "lock", text("status = 'doing'")),
                ("uq_jobs_waiting_queueing_lock", "queueing_lock", text("status = 'todo'")),
            )
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    queue: Mapped[str] = mapped_column(String(128), default="default")
    kwargs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The brand the job works for (``kwargs["brand_id"]``); its admins may see it.
    brand_id: Mapped[int | None] = mapped_column(Integer)
    lock: Mapped[str | None] = mapped_column(String(256))
    #: At most one waiting job per key (``JobSpec.unique``).
    queueing_lock: Mapped[str | None] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.todo)
    #: Runs started so far.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    scheduled_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: ``name@timestamp`` for a periodic run: unique, so one period runs once.
    periodic_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(128))
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class JobError(Base):
    """PostgreSQL: the last error of a procrastinate job (procrastinate stores none)."""

    __tablename__ = "job_errors"

    job_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    attempt: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
