"""The survey jobs: ``csat.send`` (deferred when a case is resolved) and the daily expiry."""

from __future__ import annotations

from typing import Any

from omnicase.jobs import JobContext, RetryPolicy, job, periodic
from omnicase.model.base import utcnow
from omnicase.quality.csat.service import SEND_JOB, do_expire_surveys, do_send_survey


@job(
    SEND_JOB,
    queue="channels",
    retry=RetryPolicy(max_attempts=5, backoff=30, factor=2, max_delay=3600),
    lock=lambda kwargs: f"csat:{kwargs['survey_id']}",
)
def csat_send_job(ctx: JobContext, survey_id: int, brand_id: int | None = None) -> str:
    """Decide and queue one survey (the wire work is the ``channels.send`` job's)."""
    with ctx.db.transaction() as session:
        return do_send_survey(session, survey_id)


@periodic(cron="17 3 * * *")
@job("csat.expire", queue="maintenance", retry=RetryPolicy(max_attempts=3, backoff=60))
def csat_expire_job(ctx: JobContext, timestamp: int | None = None, **_: Any) -> int:
    total = 0
    while True:
        with ctx.db.transaction() as session:
            done = do_expire_surveys(session, utcnow())
        total += done
        if done < 500:
            return total
