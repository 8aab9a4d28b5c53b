"""``/kpis``: the KPIs of docs/kpis.md for a period, internal teams and each provider's
teams side by side, a breakdown, and the 30-day trend. Only ``quality.kpis.query`` and
``trend`` read the figures, so a provider supervisor sees its own team's rows only."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from omnicase.model import User
from omnicase.quality.kpis import KpiQueryError, query, trend
from omnicase.web.deps import Page, PageError, require_role
from omnicase.web.quality.common import brand_of, brands_of, parse_day
from omnicase.web.quality.trend_chart import trend_chart
from omnicase.web.templating import render

router = APIRouter(include_in_schema=False)
Supervisor = Annotated[Page, Depends(require_role("supervisor"))]

TREND_DAYS = 30
PERIODS = ("day", "7d", "30d", "custom")
BREAKDOWNS = ("channel", "team", "agent", "reason", "queue")
#: (KPI key in a query row, how to show it): the table's rows, in docs/kpis.md's order.
KPI_ROWS: tuple[tuple[str, str], ...] = (
    ("cases", "count"),
    ("contacts", "count"),
    ("response_rate", "pct"),
    ("response_rate_in_objective", "pct"),
    ("fr_median_s", "duration"),
    ("fr_p90_s", "duration"),
    ("resolution_median_s", "duration"),
    ("reopen_rate", "pct"),
    ("contacts_per_case", "ratio"),
    ("cross_channel_repeat_rate", "pct"),
    ("backlog", "count"),
    ("chat_abandonment_rate", "pct"),
    ("phone_abandonment_rate", "pct"),
    ("csat_average", "ratio"),
    ("consistency_rate", "pct"),
    ("qa_score", "ratio"),
)
COUNTS = frozenset({"cases", "contacts", "backlog"})
#: The breakdown table's columns (a subset: the full list is the side-by-side table).
BREAKDOWN_COLUMNS = ("cases", "response_rate_in_objective", "fr_median_s", "reopen_rate")


def value_of(row: dict[str, Any], key: str) -> Any:
    return row["components"].get(key) if key in COUNTS else row["kpis"].get(key)


def show(value: Any, kind: str) -> str:
    """A KPI as a person reads it (``—`` when there is nothing to measure)."""
    if value is None:
        return "—"
    if kind == "pct":
        return f"{float(value) * 100:.1f} %"
    if kind == "duration":
        minutes = float(value) / 60
        return f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"
    if kind == "count":
        return f"{float(value):.0f}"
    return f"{float(value):.2f}"


def period_dates(
    period: str, today: date, day: date | None, start: date | None, end: date | None
) -> tuple[date, date]:
    if period == "7d":
        return today - timedelta(days=6), today
    if period == "30d":
        return today - timedelta(days=29), today
    if period == "custom":
        if start is None:
            raise KpiQueryError("from", "give the first day (YYYY-MM-DD)")
        return start, end or today
    return (day or today), (day or today)


def side_order(row: dict[str, Any]) -> tuple[bool, str, str]:
    """Internal teams first (no team: the brand's own agents), then each provider's."""
    internal = row.get("side") == "internal" or row.get("team_id") is None
    return (not internal, str(row.get("side")), str(row.get("team_name")))


def agent_names(page: Page, ids: list[Any]) -> dict[Any, str]:
    wanted = [i for i in ids if isinstance(i, int)]
    if not wanted:
        return {}
    rows = page.db.execute(select(User.id, User.name).where(User.id.in_(wanted)))
    return {i: str(n) for i, n in rows}


@router.get("/kpis")
def kpis(
    request: Request,
    page: Supervisor,
    brand: str | None = None,
    period: str = "7d",
    day: str | None = None,
    start: str | None = None,
    end: str | None = None,
    by: str = "channel",
) -> Response:
    org = brand_of(page, brand)
    today = datetime.now(ZoneInfo(org.timezone)).date()
    errors: dict[str, str] = {}
    if period not in PERIODS:
        errors["period"] = f"one of {', '.join(PERIODS)}"
    if by not in BREAKDOWNS:
        errors["by"] = f"one of {', '.join(BREAKDOWNS)}"
    parsed: dict[str, date | None] = {}
    for name, raw in (("day", day), ("start", start), ("end", end)):
        try:
            parsed[name] = parse_day(raw)
        except ValueError:
            errors[name] = "a date YYYY-MM-DD"
    totals: dict[str, Any] | None = None
    teams: list[dict[str, Any]] = []
    breakdown: list[dict[str, Any]] = []
    chart = None
    first = last = today
    if not errors:
        try:
            first, last = period_dates(period, today, parsed["day"], parsed["start"], parsed["end"])
            whole = query(page.db, page.who, org.id, first, last, [])
            totals = whole["rows"][0] if whole["rows"] else None
            teams = sorted(
                query(page.db, page.who, org.id, first, last, ["team"])["rows"],
                key=side_order,
            )
            breakdown = query(page.db, page.who, org.id, first, last, [by])["rows"]
            if by == "agent":
                names = agent_names(page, [r.get("agent_id") for r in breakdown])
                for r in breakdown:
                    r["agent_name"] = names.get(r.get("agent_id"))
            recent = trend(page.db, page.who, org.id, TREND_DAYS)
            chart = trend_chart(
                recent["rows"],
                date.fromisoformat(recent["to"]),
                TREND_DAYS,
                page.t("kpis.trend_label"),
            )
        except KpiQueryError as exc:
            if exc.status == 404:
                raise PageError(404, "error.not_found") from None
            errors[{"from": "start", "to": "end"}.get(exc.field, exc.field)] = str(exc)
    return render(
        request,
        "quality/kpis.html",
        page,
        brand=org,
        brands=brands_of(page),
        form={"period": period, "day": day or "", "start": start or "", "end": end or "", "by": by},
        periods=PERIODS,
        breakdowns=BREAKDOWNS,
        first=first,
        last=last,
        errors=errors,
        totals=totals,
        teams=teams,
        breakdown=breakdown,
        chart=chart,
        kpi_rows=KPI_ROWS,
        breakdown_columns=[(k, dict(KPI_ROWS)[k]) for k in BREAKDOWN_COLUMNS],
        value_of=value_of,
        show=show,
        status=422 if errors else 200,
    )
