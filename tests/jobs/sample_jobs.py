"""Jobs used by the tests (workers in subprocesses import this with ``--import``).

Each run writes an event, so the tests read what ran, when, in which attempt, from the
database itself, whichever process ran it.
"""

from __future__ import annotations

import time
from typing import Any

from omnicase.jobs import JobContext, RetryPolicy, job, periodic
from omnicase.services.cases import record_event

FAST_RETRY = RetryPolicy(max_attempts=3, backoff=0.3, factor=2.0)


def _note(ctx: JobContext, kind: str, **data: Any) -> None:
    with ctx.db.transaction() as session:
        record_event(
            session,
            kind,
            brand_id=data.get("brand_id"),
            data={**data, "job": ctx.job_id, "attempt": ctx.attempt, "t": time.time()},
        )


@job("test.record", queue="test")
def record(ctx: JobContext, *, value: str, brand_id: int | None = None) -> None:
    _note(ctx, "test.ran", value=value, brand_id=brand_id)


@job("test.fail", queue="test", retry=FAST_RETRY)
def fail(ctx: JobContext, *, fail_times: int = 99, brand_id: int | None = None) -> None:
    _note(ctx, "test.attempt", brand_id=brand_id)
    if ctx.attempt <= fail_times:
        raise RuntimeError(f"boom on attempt {ctx.attempt}")


@job("test.locked", queue="test", lock=lambda kwargs: f"mailbox:{kwargs['mailbox_id']}")
def locked(ctx: JobContext, *, mailbox_id: int, n: int) -> None:
    start = time.time()
    time.sleep(0.25)
    _note(ctx, "test.locked", mailbox=mailbox_id, n=n, start=start, end=time.time())


@periodic(every_seconds=1)
@job("test.tick", queue="tick")
def tick(ctx: JobContext, *, timestamp: int) -> None:
    _note(ctx, "test.tick", timestamp=timestamp)


@job("test.slow", queue="test", retry=FAST_RETRY)
def slow(ctx: JobContext, *, seconds: float) -> None:
    _note(ctx, "test.slow.start")
    time.sleep(seconds)
    _note(ctx, "test.slow.end")


@job("test.poll", queue="test", unique=lambda kwargs: f"poll:{kwargs['mailbox_id']}")
def poll(ctx: JobContext, *, mailbox_id: int) -> None:
    _note(ctx, "test.poll", mailbox=mailbox_id)
