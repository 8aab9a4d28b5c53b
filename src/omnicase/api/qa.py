"""QA scorecards: ``/api/v1/qa/grids``, ``/sample``, ``/reviews``, ``/summary``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from omnicase.api.deps import Reader, Writer, check_aware
from omnicase.api.errors import CONFLICT, ERRORS, NOT_FOUND
from omnicase.model import Message, QaGrid, QaReview
from omnicase.quality.access import brand_for
from omnicase.quality.qa import service

router = APIRouter(prefix="/api/v1/qa", tags=["quality"])


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=40, examples=["accuracy"])
    label: str = Field(default="", max_length=200, examples=["Accuracy"])
    weight: float = Field(default=1, gt=0, le=100, examples=[30])


class GridIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["Email answers 2027"])
    criteria: list[Criterion] | None = Field(
        default=None, description="none: accuracy, tone, spelling, procedure, personalisation"
    )


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: int = Field(description="the agent's outbound answer graded")
    scores: dict[str, float] = Field(examples=[{"accuracy": 80, "tone": 100}])
    scale: Literal["100", "5"] = Field(default="100", description="0–100, or 1–5 (scaled)")
    comment: str | None = Field(default=None, max_length=5000)
    grid_id: int | None = Field(default=None, description="default: the brand's first grid")


def grid_out(grid: QaGrid) -> dict[str, Any]:
    return {"id": grid.id, "name": grid.name, "criteria": grid.criteria}


def review_out(r: QaReview) -> dict[str, Any]:
    return {
        "id": r.id,
        "case_id": r.case_id,
        "message_id": r.message_id,
        "agent_id": r.agent_id,
        "team_id": r.team_id,
        "reviewer_id": r.reviewer_id,
        "grid_id": r.grid_id,
        "scores": r.scores,
        "total": r.total,
        "comment": r.comment,
        "auto_checks": r.auto_checks,
        "created_at": r.created_at.isoformat(),
    }


@router.get("/grids", responses={**ERRORS, **NOT_FOUND})
def list_grids(ctx: Reader, brand: str | None = None) -> list[dict[str, Any]]:
    session, who = ctx
    org = brand_for(session, who, brand)
    return [grid_out(g) for g in service.grids_of(session, org.id)]


@router.post("/grids", status_code=201, responses={**ERRORS, **CONFLICT})
def create_grid(body: GridIn, ctx: Writer) -> dict[str, Any]:
    """A grid of your brand (brand supervisors and admins)."""
    session, who = ctx
    criteria = [c.model_dump() for c in body.criteria] if body.criteria else None
    grid = service.do_create_grid(session, who, body.name, criteria)
    out = grid_out(grid)
    session.commit()
    return out


@router.get("/sample", responses={**ERRORS, **NOT_FOUND})
def get_sample(
    ctx: Reader,
    week: Annotated[date, Query(description="any day of the ISO week (UTC)")],
    per_agent: Annotated[int, Query(ge=1, le=service.MAX_SAMPLE)] = 3,
    seed: int = 0,
    brand: str | None = None,
) -> dict[str, Any]:
    """Answers to grade: up to ``per_agent`` per agent you may grade, reproducible per seed."""
    session, who = ctx
    org = brand_for(session, who, brand)
    picked = service.sample(session, who, org.id, week, per_agent, seed)
    ids = [m for ms in picked.values() for m in ms]
    rows = session.execute(
        select(Message.id, Message.case_id, Message.channel, Message.received_at).where(
            Message.id.in_(ids)
        )
    ).all() if ids else []  # fmt: skip
    info = {r.id: r for r in rows}
    return {
        "brand": org.slug,
        "week": week.isoformat(),
        "seed": seed,
        "agents": [
            {
                "agent_id": agent,
                "answers": [
                    {
                        "message_id": m,
                        "case_id": info[m].case_id,
                        "channel": info[m].channel,
                        "sent_at": info[m].received_at.isoformat(),
                    }
                    for m in ms
                ],
            }
            for agent, ms in sorted(picked.items())
        ],
    }


@router.post("/reviews", status_code=201, responses={**ERRORS, **NOT_FOUND, **CONFLICT})
def grade(body: ReviewIn, ctx: Writer) -> dict[str, Any]:
    session, who = ctx
    review = service.do_grade(
        session, who, body.message_id, body.scores, body.scale, body.comment, body.grid_id
    )
    out = review_out(review)
    session.commit()
    return out


@router.get("/reviews", responses={**ERRORS, **NOT_FOUND})
def get_reviews(
    ctx: Reader,
    brand: str | None = None,
    agent_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    session, who = ctx
    check_aware(start=start, end=end)
    org = brand_for(session, who, brand)
    rows = service.list_reviews(
        session, who, org.id, agent_id=agent_id, start=start, end=end, limit=limit
    )
    return [review_out(r) for r in rows]


@router.get("/summary", responses={**ERRORS, **NOT_FOUND})
def get_summary(
    ctx: Reader,
    start: datetime,
    end: datetime,
    by: Literal["agent", "team"] = "agent",
    brand: str | None = None,
) -> dict[str, Any]:
    """QA scores per agent or team (provider users: their own team's)."""
    session, who = ctx
    check_aware(start=start, end=end)
    org = brand_for(session, who, brand)
    rows = service.qa_summary(session, who, org.id, start, end, by)
    return {"brand": org.slug, "by": by, "rows": rows}


@router.get("/checks/{message_id}", responses={**ERRORS, **NOT_FOUND})
def get_checks(message_id: int, ctx: Reader) -> dict[str, Any]:
    """The automatic pre-checks of one answer, before grading it."""
    session, who = ctx
    message, case, _agent = service._answer(session, who, message_id)
    return service.pre_checks(session, message, case)
