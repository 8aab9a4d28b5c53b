"""Background jobs: one abstraction, two backends.

Declare with :func:`job` (and :func:`periodic`), enqueue with :func:`defer`. On
PostgreSQL jobs run in procrastinate workers (``omnicase worker``); on SQLite in the
local runner's threads (``omnicase serve``, or ``omnicase worker`` in the foreground).
See docs/architecture.md, "Jobs".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from omnicase.jobs.registry import (
    REGISTRY,
    JobContext,
    JobSpec,
    RetryPolicy,
    every,
    get_spec,
    job,
    load_jobs,
    periodic,
)
from omnicase.jobs.run import check_kwargs
from omnicase.store.db import Database

__all__ = [
    "REGISTRY",
    "JobContext",
    "JobSpec",
    "RetryPolicy",
    "defer",
    "every",
    "get_spec",
    "job",
    "load_jobs",
    "periodic",
]


def defer(
    target: Session | Database, name: str, /, *, run_at: datetime | None = None, **kwargs: Any
) -> int:
    """Enqueue job ``name`` with ``kwargs``; its id.

    Given a session, the job is written in that session's transaction (it is enqueued
    only if the transaction commits); given a database, in a transaction of its own.
    """
    spec = get_spec(name)
    clean = check_kwargs(kwargs)
    if isinstance(target, Database):
        with target.transaction() as session:
            return defer(session, name, run_at=run_at, **clean)
    if target.get_bind().dialect.name == "postgresql":
        from omnicase.jobs import pg

        return pg.defer_on(target, spec, clean, run_at)
    from omnicase.jobs import local

    return local.defer_on(target, spec, clean, run_at)
