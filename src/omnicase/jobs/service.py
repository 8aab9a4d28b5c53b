"""The dead-letter view: list jobs and retry a failed one, on either backend.

Who sees what: a brand's admins see the jobs of their brand (``brand_id`` in the job's
kwargs); provider staff and other roles see none. ``who=None`` is the platform operator
(the CLI, run with the database's credentials): every job, brand or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, select, text
from sqlalchemy.orm import Session

from omnicase.model import Job, JobError, JobStatus
from omnicase.model.base import utcnow
from omnicase.services.cases import ActionError, record_event
from omnicase.store.scope import Principal


@dataclass(frozen=True, slots=True)
class JobInfo:
    id: int
    name: str
    queue: str
    status: str
    #: Runs started so far (both backends count alike).
    attempts: int
    brand_id: int | None
    arguments: dict[str, Any]
    lock: str | None
    scheduled_at: datetime | None
    last_error: str | None
    error_at: datetime | None


def check_may_see_jobs(who: Principal | None) -> None:
    if who is not None and not (who.is_brand_staff and who.role == "admin"):
        raise ActionError("only the brand's admins see its background jobs", status=403)


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def list_jobs(
    session: Session,
    who: Principal | None,
    *,
    status: str | None = None,
    before: int | None = None,
    limit: int = 100,
) -> list[JobInfo]:
    """Newest first, ``limit`` jobs with an id below ``before`` (keyset paging)."""
    check_may_see_jobs(who)
    if status is not None and status not in JobStatus.ALL:
        raise ActionError(f"status is one of {', '.join(JobStatus.ALL)}", "status", 422)
    brand = who.organisation_id if who is not None else None
    if _is_pg(session):
        return _list_pg(session, brand, status, before, limit)
    stmt = select(Job)
    if status:
        stmt = stmt.where(Job.status == status)
    if brand is not None:
        stmt = stmt.where(Job.brand_id == brand)
    if before is not None:
        stmt = stmt.where(Job.id < before)
    rows = session.scalars(stmt.order_by(Job.id.desc()).limit(limit))
    return [
        JobInfo(
            r.id,
            r.name,
            r.queue,
            r.status,
            r.attempts,
            r.brand_id,
            r.kwargs,
            r.lock,
            r.scheduled_at,
            r.last_error,
            r.finished_at if r.last_error else None,
        )
        for r in rows
    ]


def _list_pg(
    session: Session, brand: int | None, status: str | None, before: int | None, limit: int
) -> list[JobInfo]:
    from omnicase.jobs.pg import procrastinate_jobs as pj

    stmt = select(pj, JobError.error, JobError.at).outerjoin(JobError, JobError.job_id == pj.c.id)
    if status:
        stmt = stmt.where(cast(pj.c.status, String) == status)
    if brand is not None:
        stmt = stmt.where(pj.c.args["brand_id"].astext == str(brand))
    if before is not None:
        stmt = stmt.where(pj.c.id < before)
    out = []
    for row in session.execute(stmt.order_by(pj.c.id.desc()).limit(limit)):
        args = dict(row.args or {})
        brand_id = args.get("brand_id")
        out.append(
            JobInfo(
                row.id,
                row.task_name,
                row.queue_name,
                # procrastinate's aborting/aborted: stopped on request, i.e. cancelled
                row.status if row.status in JobStatus.ALL else JobStatus.cancelled,
                # procrastinate counts finished runs; the running one counts here too
                row.attempts + (1 if row.status == JobStatus.doing else 0),
                brand_id if isinstance(brand_id, int) else None,
                args,
                row.lock,
                row.scheduled_at,
                row.error,
                row.at,
            )
        )
    return out


def get_job(session: Session, who: Principal | None, job_id: int) -> JobInfo:
    """One job visible to ``who``; 404 otherwise (no existence leak)."""
    check_may_see_jobs(who)
    found = [j for j in list_jobs(session, who, before=job_id + 1, limit=1) if j.id == job_id]
    if not found:
        raise ActionError("no such job", status=404)
    return found[0]


def _waiting_twin(session: Session, job_id: int) -> int | None:
    """A waiting job with the same queueing lock (the retried one would collide)."""
    table = "procrastinate_jobs" if _is_pg(session) else "jobs"
    found = session.scalar(
        text(
            f"SELECT other.id FROM {table} other JOIN {table} me ON me.id = :id "
            "WHERE other.queueing_lock = me.queueing_lock AND other.status = 'todo'"
        ),
        {"id": job_id},
    )
    return int(found) if found is not None else None


def do_retry_job(session: Session, who: Principal | None, job_id: int) -> JobInfo:
    """Put a failed (dead) job back in its queue for one more run, now."""
    info = get_job(session, who, job_id)
    if info.status != JobStatus.failed:
        raise ActionError(f"only a failed job can be retried; this one is {info.status}")
    waiting = _waiting_twin(session, job_id)
    if waiting is not None:
        raise ActionError(f"job {waiting}, with the same unique key, is already waiting")
    if _is_pg(session):
        # Not procrastinate_retry_job_v2: it counts the retry as an attempt, and the
        # runs would no longer match the policy's max_attempts. Its trigger still
        # records the 'retried' event of this failed → todo change.
        session.execute(
            text(
                "UPDATE procrastinate_jobs SET status = 'todo', scheduled_at = now() "
                "WHERE id = :id AND status = 'failed'"
            ),
            {"id": job_id},
        )
    else:
        row = session.get(Job, job_id)
        assert row is not None
        row.status = JobStatus.todo
        row.scheduled_at = utcnow()
        row.finished_at = None
    record_event(
        session,
        "job.retried",
        brand_id=info.brand_id,
        actor=who.actor if who else "operator",
        data={"job": job_id, "name": info.name, "attempts": info.attempts},
    )
    return get_job(session, who, job_id)
