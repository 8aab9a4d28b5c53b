"""POST /api/v1/wfm/forecast and /api/v1/wfm/schedule: planning for planners,
supervisors and admins. Nothing is written: both read (the store's history at most)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.api.deps import Reader
from omnicase.api.errors import ERRORS, NOT_FOUND
from omnicase.model import Organisation
from omnicase.services.cases import ActionError
from omnicase.store.scope import Principal
from omnicase.wfm.plan_io import ForecastRequest, ScheduleRequest, forecast_json, schedule_json
from omnicase.wfm.shifts import PlanInputError

if TYPE_CHECKING:  # the numeric library loads on the first planning request
    from omnicase.wfm.grid import Series

router = APIRouter(prefix="/api/v1/wfm", tags=["wfm"])

PLANNING_ROLES = frozenset({"planner", "supervisor", "admin"})


def _planner(who: Principal) -> None:
    if who.role not in PLANNING_ROLES:
        raise HTTPException(403, f"the {who.role} role may not plan (planner, supervisor, admin)")


def _invalid(errors: list[tuple[str, str]]) -> HTTPException:
    fields = [{"field": re.sub(r"\[(\d+)\]", r".\1", f), "reason": r} for f, r in errors]
    names = ", ".join(e["field"] for e in fields[:5])
    return HTTPException(422, {"detail": f"invalid input: {names}", "errors": fields})


@router.post("/forecast", responses={**ERRORS, **NOT_FOUND})
def post_forecast(body: ForecastRequest, auth: Reader) -> dict[str, Any]:
    """Contacts and AHT per channel × interval for ``horizon_days``, from inline history or
    the store's inbound messages; each channel says which method it used and why (the
    model is used only when it beats seasonal naive by 10 % WAPE in the backtest)."""
    from omnicase.wfm.forecast import forecast_channels
    from omnicase.wfm.history import HistoryError, read_history_rows

    session, who = auth
    _planner(who)
    try:
        if body.history is not None:
            series = read_history_rows(
                body.history_rows(),
                interval_minutes=body.interval_minutes,
                timezone=body.timezone,
            )
        else:
            series = _store(session, who, body)
        results = forecast_channels(
            series,
            body.horizon_days,
            events=tuple(e.to_event() for e in body.events),
            calendar=body.holidays.calendar(),
        )
    except HistoryError as exc:
        raise _invalid([(f"history[{e.line}].{e.field}", e.reason) for e in exc.errors]) from exc
    except ActionError:
        raise  # no such brand (404), mapped by api/errors.py
    except ValueError as exc:  # the library's "field: reason"
        field, _, reason = str(exc).partition(": ")
        raise _invalid([(field, reason or str(exc))]) from exc
    return forecast_json(results)


def _store(session: Session, who: Principal, body: ForecastRequest) -> dict[str, Series]:
    from omnicase.services.wfm_history import contact_history

    source = body.store
    assert source is not None
    if source.brand is None:
        if not who.is_brand_staff:
            raise _invalid([("store.brand", "provider staff name the brand")])
        brand_id = who.organisation_id
    else:
        found = session.scalar(select(Organisation.id).where(Organisation.slug == source.brand))
        if found is None:
            raise HTTPException(404, "no such brand")
        brand_id = found
    series = contact_history(
        session,
        who,
        brand_id,
        start=source.start,
        end=source.end,
        interval_minutes=body.interval_minutes,
        channels=source.channels,
    )
    if not series:
        raise _invalid([("store", "no inbound contacts in that period")])
    return series


@router.post("/schedule", responses=ERRORS)
def post_schedule(body: ScheduleRequest, auth: Reader) -> dict[str, Any]:
    """The cost-optimal shifts and provider agents for the agents required per interval,
    with under-/over-coverage per interval and what internal staff alone cannot cover."""
    from omnicase.wfm.schedule import solve

    _, who = auth
    _planner(who)
    problem = body.to_problem()
    try:
        result = solve(problem)
    except PlanInputError as exc:
        raise _invalid(exc.errors) from exc
    return schedule_json(problem, result)
