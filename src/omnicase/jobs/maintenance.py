"""The jobs' own upkeep, a periodic job like any other: requeue runs lost with their
worker (PostgreSQL; the SQLite runner does it on its clock) and prune old finished jobs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from omnicase.jobs.registry import JobContext, RetryPolicy, job, periodic
from omnicase.model import Job, JobStatus
from omnicase.model.base import utcnow

#: Succeeded and cancelled jobs are kept this long; failed ones until retried.
KEEP_DAYS = 7
#: A PostgreSQL worker silent this long is gone (procrastinate beats every 10 s).
STALLED_AFTER = 60.0


@periodic(cron="* * * * *")
@job("jobs.maintenance", queue="maintenance", retry=RetryPolicy(max_attempts=1))
def jobs_maintenance(ctx: JobContext, timestamp: int | None = None, **_: Any) -> dict[str, int]:
    """No lock on purpose: a lock held by a run lost with its worker would block the
    very job that frees lost runs. Two overlapping runs are harmless (SKIP LOCKED)."""
    with ctx.db.transaction() as session:
        if ctx.db.dialect == "postgresql":
            from omnicase.jobs import pg

            return {
                "requeued": pg.requeue_stalled(session, STALLED_AFTER),
                "pruned": pg.prune_finished(session, KEEP_DAYS),
            }
        cutoff = utcnow() - timedelta(days=KEEP_DAYS)
        result = session.execute(
            delete(Job)
            .where(
                Job.status.in_((JobStatus.succeeded, JobStatus.cancelled)),
                Job.finished_at < cutoff,
            )
            .returning(Job.id)
        )
        return {"requeued": 0, "pruned": len(result.all())}
