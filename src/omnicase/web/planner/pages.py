"""``/planner``: forecast and staffing; ``/planner/schedule``: the week's shifts;
``/planner/scenarios``: internal vs outsourced vs hybrid. The same wfm functions as the
``/api/v1/wfm/*`` endpoints (:mod:`omnicase.services.planner`), on the brand's history
read through the access rule."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from omnicase.model import Organisation
from omnicase.model.base import utcnow
from omnicase.services.planner import PER_DAY, planner_view, scenario_for, schedule_for
from omnicase.store.scope import visible_brand_ids
from omnicase.web.deps import Page, PageError, require_role
from omnicase.web.planner.chart import daily_chart
from omnicase.web.templating import render

router = APIRouter(prefix="/planner", include_in_schema=False)
Planner = Annotated[Page, Depends(require_role("planner"))]


def _brand(page: Page, slug: str | None) -> Organisation:
    """The brand planned for: the user's own, or (provider staff) one they are engaged
    on; another brand is a 404, as everywhere."""
    ids = visible_brand_ids(page.db, page.who)
    query = select(Organisation).where(Organisation.id.in_(ids), Organisation.kind == "brand")
    if slug:
        query = query.where(Organisation.slug == slug)
    brand = page.db.scalars(query.order_by(Organisation.slug)).first()
    if brand is None:
        raise PageError(404, "error.not_found")
    return brand


def _brands(page: Page) -> list[Organisation]:
    ids = visible_brand_ids(page.db, page.who)
    return list(
        page.db.scalars(
            select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.slug)
        )
    )


def _today(brand: Organisation) -> Any:
    return datetime.now(ZoneInfo(brand.timezone)).date() if brand else utcnow().date()


@router.get("")
def planner(request: Request, page: Planner, brand: str | None = None) -> Response:
    org = _brand(page, brand)
    view = planner_view(page.db, page.who, org.id, _today(org))
    charts = {
        c.channel: daily_chart(c.history_daily, c.forecast_daily, view.start) for c in view.channels
    }
    return render(
        request,
        "planner/planner.html",
        page,
        brand=org,
        brands=_brands(page),
        view=view,
        charts=charts,
        day_intervals=_busy_intervals(view),
    )


def _busy_intervals(view: Any) -> list[int]:
    """The first day's intervals with contacts or agents (the night is left out)."""
    if view.error:
        return []
    need = view.required_total()
    return [
        i for i in range(PER_DAY) if need[i] > 0 or any(c.contacts[i] > 0.05 for c in view.channels)
    ]


@router.get("/schedule")
def schedule(request: Request, page: Planner, brand: str | None = None) -> Response:
    org = _brand(page, brand)
    view = planner_view(page.db, page.who, org.id, _today(org))
    week = None if view.error else schedule_for(view)
    return render(
        request,
        "planner/schedule.html",
        page,
        brand=org,
        brands=_brands(page),
        view=view,
        week=week,
    )


def _number(raw: str | None, field: str, low: float, high: float, default: float) -> float:
    if raw is None or raw == "":
        return default
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise ValueError(field) from None
    if not low <= value <= high:
        raise ValueError(field)
    return value


@router.get("/scenarios")
def scenarios(
    request: Request,
    page: Planner,
    brand: str | None = None,
    growth: str | None = None,
    price: str | None = None,
) -> Response:
    """``growth`` in % a month (−50…100), ``price`` per contact handed to the provider."""
    from omnicase.wfm.errors import WfmInputError

    org = _brand(page, brand)
    errors: dict[str, str] = {}
    answer: dict[str, Any] | None = None
    g = p = 0.0
    try:
        g = _number(growth, "growth", -50, 100, 3.0)
    except ValueError:
        errors["growth"] = "a number of % a month between -50 and 100"
    try:
        p = _number(price, "price", 0.01, 1000, 2.6)
    except ValueError:
        errors["price"] = "a price per contact between 0.01 and 1000"
    if not errors:
        try:
            answer = scenario_for(
                page.db,
                page.who,
                org.id,
                _today(org),
                growth_per_month=g / 100,
                price_per_contact=p,
                timezone=org.timezone,
            )
        except WfmInputError as exc:
            errors[exc.field if exc.field in ("growth", "price") else "history"] = exc.reason
    return render(
        request,
        "planner/scenarios.html",
        page,
        brand=org,
        brands=_brands(page),
        answer=answer,
        form={"growth": growth or f"{g:g}", "price": price or f"{p:g}"},
        errors=errors,
        status=422 if errors.keys() & {"growth", "price"} else 200,
    )
