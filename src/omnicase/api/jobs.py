"""GET /api/v1/jobs and POST /api/v1/jobs/{id}/retry: the dead-letter queue of a brand."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from omnicase.api.deps import Reader, Writer
from omnicase.api.errors import CONFLICT, ERRORS, NOT_FOUND
from omnicase.api.paging import before_id
from omnicase.jobs.service import JobInfo, do_retry_job, list_jobs
from omnicase.store.queries import encode_cursor

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])

Status = Literal["todo", "doing", "succeeded", "failed", "cancelled"]


class JobOut(BaseModel):
    id: int
    name: str = Field(examples=["cases.autoclose"])
    queue: str
    status: Status = Field(description="failed = dead: no retry left; see last_error")
    attempts: int = Field(description="runs started so far")
    brand_id: int | None
    arguments: dict[str, Any] = Field(description="the job's JSON kwargs")
    lock: str | None
    scheduled_at: datetime | None
    last_error: str | None
    error_at: datetime | None

    @classmethod
    def of(cls, info: JobInfo) -> JobOut:
        return cls.model_validate(info, from_attributes=True)


class JobPage(BaseModel):
    items: list[JobOut]
    next_cursor: str | None


@router.get("", response_model=JobPage, responses=ERRORS)
def get_jobs(
    auth: Reader,
    status: Status | None = None,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> JobPage:
    """The brand's background jobs, newest first (brand admins only)."""
    session, who = auth
    rows = list_jobs(session, who, status=status, before=before_id(cursor), limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return JobPage(
        items=[JobOut.of(r) for r in rows],
        next_cursor=encode_cursor(rows[-1].id) if more and rows else None,
    )


@router.post(
    "/{job_id}/retry", response_model=JobOut, responses={**ERRORS, **NOT_FOUND, **CONFLICT}
)
def retry_job(job_id: int, auth: Writer) -> JobOut:
    """Put a failed job back in its queue for one more run now."""
    session, who = auth
    info = do_retry_job(session, who, job_id)
    session.commit()
    return JobOut.of(info)
