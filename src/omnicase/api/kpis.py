"""KPIs: a period's figures by breakdown, and the daily trend (docs/kpis.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Query

from omnicase.api.deps import Reader
from omnicase.api.errors import ERRORS, NOT_FOUND
from omnicase.model import Organisation
from omnicase.quality.kpis.query import KpiQueryError, query, trend

router = APIRouter(prefix="/api/v1/kpis", tags=["kpis"])


def _refused(exc: KpiQueryError) -> HTTPException:
    return HTTPException(
        exc.status, {"detail": str(exc), "errors": [{"field": exc.field, "reason": str(exc)}]}
    )


def _brand(auth: Reader, brand: str | None) -> str | int:
    if brand:
        return brand
    session, who = auth
    if not who.is_brand_staff:
        raise _refused(KpiQueryError("brand", "provider staff name the brand"))
    org = session.get(Organisation, who.organisation_id)
    assert org is not None
    return org.slug


@router.get("", responses={**ERRORS, **NOT_FOUND})
def get_kpis(
    auth: Reader,
    start: date = Query(alias="from", description="first brand-local day"),
    end: date = Query(alias="to", description="last brand-local day (inclusive)"),
    brand: str | None = Query(default=None, description="brand slug (default: yours)"),
    by: str = Query(default="", description="comma-separated: channel,team,agent,reason,queue,day"),
) -> dict[str, Any]:
    """Roll-ups for past days, live figures for today; provider staff see their team's rows."""
    session, who = auth
    dims = [d.strip() for d in by.split(",") if d.strip()]
    try:
        return query(session, who, _brand(auth, brand), start, end, dims)
    except KpiQueryError as exc:
        raise _refused(exc) from exc


@router.get("/trend", responses={**ERRORS, **NOT_FOUND})
def get_trend(
    auth: Reader,
    days: int = Query(default=30, ge=1, le=400),
    brand: str | None = Query(default=None),
) -> dict[str, Any]:
    """One row per brand-local day, the last ``days`` days (today included, live)."""
    session, who = auth
    try:
        return trend(session, who, _brand(auth, brand), days)
    except KpiQueryError as exc:
        raise _refused(exc) from exc
