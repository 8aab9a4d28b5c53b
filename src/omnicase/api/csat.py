"""``GET /api/v1/csat``: satisfaction results of a brand per team, agent or channel."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from omnicase.api.deps import Reader, check_aware
from omnicase.api.errors import ERRORS, NOT_FOUND
from omnicase.quality.access import brand_for
from omnicase.quality.csat.summary import csat_summary

router = APIRouter(prefix="/api/v1/csat", tags=["quality"])


@router.get("", responses={**ERRORS, **NOT_FOUND})
def get_csat(
    ctx: Reader,
    start: Annotated[datetime, Query(description="inclusive, with an offset")],
    end: Annotated[datetime, Query(description="exclusive, with an offset")],
    by: Literal["team", "agent", "channel"] = "team",
    brand: Annotated[str | None, Query(max_length=64, description="slug; default yours")] = None,
) -> dict[str, Any]:
    """Surveys sent in the period: sent, answered, sum of ratings, satisfied (4–5), the
    response rate and CSAT %. Provider users see their own team's surveys."""
    session, who = ctx
    check_aware(start=start, end=end)
    return csat_summary(session, who, brand_for(session, who, brand), start, end, by)
