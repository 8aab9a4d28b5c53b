"""``/reports``: the daily reports the user may read (``reports.archive``: brand staff
their brand's, provider staff their engagements'), their files downloaded through the
cookie session (each download an ``access.export`` event, as in the API), and "generate
now for a day" for brand admins and supervisors (the archive's own ``do_generate``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select

from omnicase.api.deps import get_db
from omnicase.model import Engagement, Team
from omnicase.reports.archive import (
    do_generate,
    do_record_export,
    get_report,
    list_reports,
    report_file,
)
from omnicase.reports.render import FORMATS, MEDIA_TYPES
from omnicase.services.cases import ActionError
from omnicase.services.engagements import brand_today
from omnicase.web.auth import csrf_ok
from omnicase.web.deps import CSRF_FIELD, Page, PageError, PageReader
from omnicase.web.quality.common import brand_of, parse_day
from omnicase.web.templating import render

router = APIRouter(include_in_schema=False)
GENERATE_ROLES = frozenset({"admin", "supervisor"})
MAX_BACK_DAYS = 400


def may_generate(page: Page) -> bool:
    return page.who.is_brand_staff and page.who.role in GENERATE_ROLES


def _page(
    request: Request,
    page: Page,
    *,
    errors: dict[str, str] | None = None,
    form_day: str = "",
    notice: str = "",
    status: int = 200,
) -> Response:
    try:
        rows = list_reports(page.db, page.who, limit=200)
    except ActionError:
        raise PageError(403, "error.role") from None
    brand = brand_of(page, None)
    return render(
        request,
        "quality/reports.html",
        page,
        brand=brand,
        reports=rows,
        sides=_sides(page, {r.engagement_id for r in rows if r.engagement_id is not None}),
        formats=FORMATS,
        may_generate=may_generate(page),
        errors=errors or {},
        # the day a supervisor most often asks for: the brand's yesterday
        form_day=form_day or (brand_today(brand) - timedelta(days=1)).isoformat(),
        notice=notice,
        status=status,
    )


def _sides(page: Page, engagement_ids: set[int]) -> dict[int, str]:
    """Engagement id → its provider team's name (the report's side)."""
    if not engagement_ids:
        return {}
    rows = page.db.execute(
        select(Engagement.id, Team.name)
        .join(Team, Team.id == Engagement.team_id)
        .where(Engagement.id.in_(engagement_ids))
    )
    return {int(i): str(n) for i, n in rows}


@router.get("/reports")
def reports(request: Request, page: PageReader, made: str = "") -> Response:
    notice = {"1": "reports.made", "0": "reports.already"}.get(made, "")
    return _page(request, page, notice=notice)


@router.get("/reports/{report_id}/{fmt}")
def download(report_id: int, fmt: str, request: Request, page: PageReader) -> Response:
    try:
        row = get_report(page.db, page.who, report_id)
        path, info = report_file(request.app.state.settings, row, fmt)
    except ActionError as exc:
        raise PageError(exc.status, "error.not_found", str(exc)) from None
    client = request.client.host if request.client else None
    do_record_export(get_db(request), page.who, row, fmt, client)
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[fmt],
        filename=info["name"],
        headers={"X-Content-SHA256": info["sha256"]},
    )


@router.post("/reports/generate")
def generate(
    request: Request,
    page: PageReader,
    day: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)] = "",
) -> Response:
    """A read session (the archive writes in transactions of its own) with the CSRF
    token checked here, as the writers' dependency would."""
    if not csrf_ok(page.web_session, csrf_token or request.headers.get("X-CSRF-Token")):
        raise PageError(403, "error.csrf")
    if not may_generate(page):
        raise PageError(403, "error.role")
    brand = brand_of(page, None)
    today = brand_today(brand)
    try:
        wanted = parse_day(day)
    except ValueError:
        wanted = None
    reason = ""
    if wanted is None:
        reason = page.t("reports.day_invalid")
    elif wanted > today:
        reason = page.t("reports.day_future")
    elif wanted < today - timedelta(days=MAX_BACK_DAYS):
        reason = page.t("reports.day_old", n=MAX_BACK_DAYS)
    if reason or wanted is None:
        return _page(request, page, errors={"day": reason}, form_day=day, status=422)
    made = _generate(request, brand.id, wanted)
    return RedirectResponse(f"/reports?made={int(made)}", status_code=303)


def _generate(request: Request, brand_id: int, day: date) -> bool:
    row, _ = do_generate(get_db(request), request.app.state.settings, brand_id, day)
    return row is not None
