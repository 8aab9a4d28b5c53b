"""Declaring jobs: one registry of names → functions, retry policy, queue, lock, period.

Both backends (procrastinate on PostgreSQL, the local runner on SQLite) read the same
:class:`JobSpec`, so a job is written once and behaves the same on both: JSON kwargs in,
its own database session through :class:`JobContext`, the same backoff, the same lock key.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from omnicase.config import Settings
from omnicase.store.db import Database

#: Modules that declare jobs; imported before a worker or runner starts so that every
#: name it may fetch is known. Each issue adds its module here (IMAP polls, SLA checks…).
JOB_MODULES = (
    "omnicase.jobs.maintenance",
    "omnicase.services.housekeeping",
    "omnicase.routing.jobs",
    "omnicase.channels.inbox",
    "omnicase.channels.delivery",
    "omnicase.sla.check",
    "omnicase.sla.notify",
    "omnicase.services.reason_models",
    "omnicase.channels.chat.fallback",
    "omnicase.channels.email.imap",
    "omnicase.quality.csat.jobs",
    "omnicase.reports.jobs",
    "omnicase.quality.kpis.dirty",
    "omnicase.services.retention",
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``max_attempts`` runs in all; the n-th retry waits ``backoff * factor**(n-1)`` s,
    capped at ``max_delay``."""

    max_attempts: int = 5
    backoff: float = 2.0
    factor: float = 2.0
    max_delay: float = 3600.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def delay(self, attempts: int) -> float | None:
        """Seconds to wait after ``attempts`` failed runs, or None: give up (dead)."""
        if attempts >= self.max_attempts:
            return None
        return float(min(self.max_delay, self.backoff * self.factor ** (attempts - 1)))


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a job function gets besides its kwargs: open sessions through ``db``."""

    db: Database
    settings: Settings
    job_id: int
    attempt: int


JobFunction = Callable[..., Any]
LockFunction = Callable[[Mapping[str, Any]], str | None]


@dataclass(frozen=True, slots=True)
class JobSpec:
    name: str
    fn: JobFunction
    queue: str = "default"
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: Jobs with the same lock key never run at the same time (e.g. ``mailbox:3``).
    lock: LockFunction | None = None
    #: Cron expression (5 fields, or 6 with seconds) for periodic jobs.
    cron: str | None = None
    #: At most one *waiting* job per key (procrastinate's queueing lock): deferring
    #: another returns the waiting one's id (e.g. one pending poll per mailbox).
    unique: LockFunction | None = None

    def lock_for(self, kwargs: Mapping[str, Any]) -> str | None:
        return self.lock(kwargs) if self.lock else None

    def unique_for(self, kwargs: Mapping[str, Any]) -> str | None:
        return self.unique(kwargs) if self.unique else None


REGISTRY: dict[str, JobSpec] = {}


def job(
    name: str,
    *,
    queue: str = "default",
    retry: RetryPolicy | None = None,
    lock: LockFunction | None = None,
    unique: LockFunction | None = None,
) -> Callable[[JobFunction], JobFunction]:
    """Register ``fn(ctx: JobContext, **kwargs)`` under ``name`` (unique, stable: it is
    stored with every deferred job)."""

    def register(fn: JobFunction) -> JobFunction:
        existing = REGISTRY.get(name)
        if existing is not None and existing.fn is not fn:
            raise ValueError(f"job {name!r} is registered twice")
        REGISTRY[name] = JobSpec(name, fn, queue, retry or RetryPolicy(), lock, unique=unique)
        return fn

    return register


def every(seconds: int) -> str:
    """A cron expression for "every N seconds", N dividing a minute or an hour."""
    if 0 < seconds < 60 and 60 % seconds == 0:
        return f"* * * * * */{seconds}"
    if seconds % 60 == 0 and 0 < seconds // 60 < 60 and 60 % (seconds // 60) == 0:
        return f"*/{seconds // 60} * * * *"
    if seconds == 3600:
        return "0 * * * *"
    raise ValueError(f"every {seconds} s is not a whole division of a minute or an hour")


def periodic(
    *, cron: str | None = None, every_seconds: int | None = None
) -> Callable[[JobFunction], JobFunction]:
    """Mark a registered job (put it above ``@job``) as periodic: one run per period
    across every worker; the function gets ``timestamp`` (the period's start, epoch s)."""
    if (cron is None) == (every_seconds is None):
        raise ValueError("give either cron or every_seconds")
    expression = cron or every(every_seconds or 0)

    def mark(fn: JobFunction) -> JobFunction:
        spec = next((s for s in REGISTRY.values() if s.fn is fn), None)
        if spec is None:
            raise ValueError("@periodic goes above @job (the job must be registered)")
        REGISTRY[spec.name] = replace(spec, cron=expression)
        return fn

    return mark


def load_jobs() -> dict[str, JobSpec]:
    """Import every module that declares jobs; the full registry."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    return REGISTRY


def get_spec(name: str) -> JobSpec:
    load_jobs()
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"no job named {name!r}") from None
