"""Service levels of the brand (``/supervisor/config/sla``): SLA policies (create, edit,
delete, with their escalation steps: ``config_sla_steps``) and business-hours calendars
(create, edit, delete: opening hours per weekday, time zone, public holidays of a country,
closed dates and exceptional openings).

Supervisors read; the brand's admins write, as ``sla.admin`` decides (it refuses anyone
else with a 403). The form is turned into the service's shape here (``09:00-12:30,
14:00-18:00`` → ranges; one closed date per line); the service checks it and its
refusal is shown next to the field it names — ``weekly.tue[0]`` on Tuesday's hours —
with what was typed kept (422); a step's refusal (``escalations[1].priority``) is shown on
its row. Nothing is written on a refusal.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from omnicase.model import Calendar, SlaPolicy
from omnicase.model.sla import ANY_PRIORITY
from omnicase.services.cases import ActionError
from omnicase.sla.admin import (
    do_create_calendar,
    do_create_policy,
    do_delete_calendar,
    do_delete_policy,
    do_update_calendar,
    do_update_policy,
)
from omnicase.sla.calendar import WEEKDAYS
from omnicase.web.deps import Page, PageError
from omnicase.web.supervisor.config import CHANNELS, Reader, Writer, _int_or_text, brand_row
from omnicase.web.supervisor.config_sla_steps import (
    read_steps,
    rows_from_form,
    rows_from_policy,
    step_choices,
    step_errors,
)
from omnicase.web.templating import render

router = APIRouter(prefix="/supervisor/config", include_in_schema=False)
HOME = "/supervisor/config/sla"
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_DAY = r"\d{4}-\d{2}-\d{2}"
_DAY_LINE = re.compile(rf"^({_DAY})(?:\s*(?:\.\.|→|to|au)\s*({_DAY}))?(?:\s+(.+))?$")


# ---- the page ---------------------------------------------------------------------------


def _page(
    request: Request,
    page: Page,
    *,
    policy: SlaPolicy | None = None,
    calendar: Calendar | None = None,
    pol: dict[str, Any] | None = None,
    cal: dict[str, Any] | None = None,
    row_errors: dict[str, str] | None = None,
) -> Response:
    """``pol`` / ``cal``: the policy's and the calendar's form (``form`` values, ``errors``;
    the policy's escalation ``rows`` too)."""
    brand = page.who.organisation_id
    pol = pol or {
        "form": _policy_values(policy) if policy else {},
        "errors": {},
        "rows": rows_from_policy(page.db, policy) if policy else [],
    }
    cal = cal or {"form": _calendar_values(calendar) if calendar else {}, "errors": {}}
    failed = bool(pol["errors"] or cal["errors"] or row_errors)
    return render(
        request,
        "supervisor/config_sla.html",
        page,
        policies=list(
            page.db.scalars(
                select(SlaPolicy)
                .where(SlaPolicy.brand_id == brand)
                .order_by(SlaPolicy.channel, SlaPolicy.priority)
            )
        ),
        calendars=list(
            page.db.scalars(
                select(Calendar).where(Calendar.brand_id == brand).order_by(Calendar.id)
            )
        ),
        channels=CHANNELS,
        weekdays=WEEKDAYS,
        steps=step_choices(page.db, brand),
        editing_policy=policy,
        editing_calendar=calendar,
        pol=pol,
        cal=cal,
        row_errors=row_errors or {},
        status=422 if failed else 200,
    )


def _forbidden(exc: ActionError) -> None:
    """The SLA service lets only the brand's admins write: its 403 is the page's 403."""
    if exc.status == 403:
        raise PageError(403, "error.role") from exc


@router.get("/sla")
def sla(request: Request, page: Reader) -> Response:
    return _page(request, page)


# ---- policies ---------------------------------------------------------------------------


def _minutes(value: Any) -> Any:
    """Targets are typed in minutes; the service takes seconds (and refuses the rest)."""
    number = _int_or_text(value)
    return number * 60 if isinstance(number, int) else number


def read_policy(page: Page, form: FormData) -> dict[str, Any]:
    """Raises the steps' :class:`ActionError` (an email that is no user of the brand)."""
    at_risk = _int_or_text(form.get("at_risk_percent"))
    return {
        "name": str(form.get("name") or "").strip() or None,
        "channel": form.get("channel"),
        "priority": _int_or_text(form.get("priority")),
        "first_response_seconds": _minutes(form.get("first_response_minutes")),
        "next_response_seconds": _minutes(form.get("next_response_minutes")),
        "resolution_seconds": _minutes(form.get("resolution_minutes")),
        "business_hours": form.get("business_hours") == "on",
        "calendar_id": _int_or_text(form.get("calendar_id")),
        "at_risk_percent": 80 if at_risk is None else at_risk,
        "escalations": read_steps(page.db, page.who.organisation_id, rows_from_form(form)),
    }


def _policy_values(policy: SlaPolicy) -> dict[str, str]:
    def minutes(seconds: int | None) -> str:
        return "" if seconds is None else str(seconds // 60)

    return {
        "name": policy.name,
        "channel": policy.channel,
        "priority": "" if policy.priority == ANY_PRIORITY else str(policy.priority),
        "first_response_minutes": minutes(policy.first_response_seconds),
        "next_response_minutes": minutes(policy.next_response_seconds),
        "resolution_minutes": minutes(policy.resolution_seconds),
        "at_risk_percent": str(policy.at_risk_percent),
        "business_hours": "on" if policy.business_hours else "",
        "calendar_id": "" if policy.calendar_id is None else str(policy.calendar_id),
    }


def _policy_refused(exc: ActionError, form: FormData) -> dict[str, Any]:
    name = (exc.field or "form").replace("_seconds", "_minutes")
    errors = step_errors(exc.field, str(exc)) or {name: str(exc)}
    return {"form": dict(form), "errors": errors, "rows": rows_from_form(form)}


@router.post("/sla/policies")
async def create_policy(request: Request, page: Writer) -> Response:
    form = await request.form()
    try:
        do_create_policy(page.db, page.who, read_policy(page, form))
    except ActionError as exc:
        page.db.rollback()
        _forbidden(exc)
        return _page(request, page, pol=_policy_refused(exc, form))
    page.db.commit()
    return RedirectResponse(HOME, status_code=303)


@router.get("/sla/policies/{policy_id}")
def edit_policy(policy_id: int, request: Request, page: Reader) -> Response:
    return _page(request, page, policy=brand_row(page, SlaPolicy, policy_id))


@router.post("/sla/policies/{policy_id}")
async def update_policy(policy_id: int, request: Request, page: Writer) -> Response:
    """Clocks already started keep their targets; the change applies to the next ones."""
    policy = brand_row(page, SlaPolicy, policy_id)
    form = await request.form()
    try:
        do_update_policy(page.db, page.who, policy, read_policy(page, form))
    except ActionError as exc:
        page.db.rollback()
        _forbidden(exc)
        policy = brand_row(page, SlaPolicy, policy_id)
        return _page(request, page, policy=policy, pol=_policy_refused(exc, form))
    page.db.commit()
    return RedirectResponse(HOME, status_code=303)


@router.post("/sla/policies/{policy_id}/delete")
async def delete_policy(policy_id: int, page: Writer) -> Response:
    """Cases that started on it keep their targets (copied on the case)."""
    policy = brand_row(page, SlaPolicy, policy_id)
    try:
        do_delete_policy(page.db, page.who, policy)
    except ActionError as exc:
        page.db.rollback()
        _forbidden(exc)
        raise PageError(exc.status, "error.action", str(exc), exc.field or "") from exc
    page.db.commit()
    return RedirectResponse(HOME, status_code=303)


# ---- calendars --------------------------------------------------------------------------


def _time(text: str) -> str:
    """``9:00`` → ``09:00`` (the service wants HH:MM and says why when it is not)."""
    found = _TIME.match(text.strip())
    return f"{int(found.group(1)):02d}:{found.group(2)}" if found else text.strip()


def parse_hours(text: str, field: str) -> list[list[str]]:
    """``09:00-12:30, 14:00-18:00`` → ``[["09:00", "12:30"], ["14:00", "18:00"]]``; empty:
    closed that day."""
    ranges = []
    for part in (p.strip() for p in re.split(r"[,;]", text)):
        if not part:
            continue
        pieces = re.split(r"\s*(?:-|–|à|to)\s*", part)
        if len(pieces) != 2 or not all(pieces):
            raise ActionError(f"{part!r}: write the hours as HH:MM-HH:MM", field=field, status=422)
        ranges.append([_time(pieces[0]), _time(pieces[1])])
    return ranges


def parse_day_lines(text: str, field: str) -> list[dict[str, Any]]:
    """One date a line: ``2026-12-24``, ``2026-12-24 14:00-24:00`` (part of the day) or
    ``2026-12-24..2026-12-31`` (whole days). Closed dates (``closures``) and exceptional
    openings (``openings``, hours required: the service says so) are written alike."""
    days: list[dict[str, Any]] = []
    for line in (x.strip() for x in text.splitlines()):
        if not line:
            continue
        found = _DAY_LINE.match(line)
        if found is None:
            raise ActionError(
                f"{line!r}: write a date as YYYY-MM-DD (or YYYY-MM-DD..YYYY-MM-DD)",
                field=field,
                status=422,
            )
        item: dict[str, Any] = {"date": found.group(1)}
        if found.group(2):
            item["until"] = found.group(2)
        if found.group(3):
            item["hours"] = parse_hours(found.group(3), field)
        days.append(item)
    return days


def read_calendar(form: FormData) -> dict[str, Any]:
    weekly = {}
    for day in WEEKDAYS:
        if ranges := parse_hours(str(form.get(f"hours_{day}") or ""), f"hours_{day}"):
            weekly[day] = ranges
    country = str(form.get("country") or "").strip().upper() or None
    return {
        "name": str(form.get("name") or "").strip(),
        "timezone": str(form.get("timezone") or "").strip(),
        "weekly": weekly,
        "country": country,
        "subdivision": str(form.get("subdivision") or "").strip() or None,
        "closures": parse_day_lines(str(form.get("closures") or ""), "closures"),
        "openings": parse_day_lines(str(form.get("openings") or ""), "openings"),
        "is_default": form.get("cal_default") == "on",
    }


def _day_line(item: dict[str, Any]) -> str:
    text = str(item.get("date", ""))
    if item.get("until"):
        text += f"..{item['until']}"
    if item.get("hours"):
        text += " " + ", ".join(f"{a}-{b}" for a, b in item["hours"])
    return text


def _calendar_values(calendar: Calendar) -> dict[str, str]:
    values = {
        "name": calendar.name,
        "timezone": calendar.timezone,
        "country": calendar.country or "",
        "subdivision": calendar.subdivision or "",
        "closures": "\n".join(_day_line(c) for c in calendar.closures or []),
        "openings": "\n".join(_day_line(c) for c in calendar.openings or []),
        "cal_default": "on" if calendar.is_default else "",
    }
    for day in WEEKDAYS:
        spans = (calendar.weekly or {}).get(day) or []
        values[f"hours_{day}"] = ", ".join(f"{a}-{b}" for a, b in spans)
    return values


def calendar_field(field: str | None) -> str:
    """The form field a refusal names: ``weekly.tue[0]`` → ``hours_tue``,
    ``closures[2].date`` → ``closures``, ``openings[0].hours`` → ``openings``; ``weekly``
    (never open) stays."""
    name = field or "form"
    if name.startswith("weekly."):
        return "hours_" + name.split(".", 1)[1].split("[", 1)[0]
    return name.split("[", 1)[0].split(".", 1)[0]


async def _calendar_form(
    request: Request,
) -> tuple[FormData, dict[str, Any] | None, dict[str, str]]:
    form = await request.form()
    try:
        return form, read_calendar(form), {}
    except ActionError as exc:  # a field the service could not even be given
        return form, None, {exc.field or "form": str(exc)}


@router.get("/sla/calendars/{calendar_id}")
def edit_calendar(calendar_id: int, request: Request, page: Reader) -> Response:
    return _page(request, page, calendar=brand_row(page, Calendar, calendar_id))


@router.post("/sla/calendars")
async def create_calendar(request: Request, page: Writer) -> Response:
    form, data, errors = await _calendar_form(request)
    if data is not None:
        try:
            do_create_calendar(page.db, page.who, data)
        except ActionError as exc:
            page.db.rollback()
            _forbidden(exc)
            errors = {calendar_field(exc.field): str(exc)}
    if errors:
        return _page(request, page, cal={"form": dict(form), "errors": errors})
    page.db.commit()
    return RedirectResponse(HOME, status_code=303)


@router.post("/sla/calendars/{calendar_id}")
async def update_calendar(calendar_id: int, request: Request, page: Writer) -> Response:
    calendar = brand_row(page, Calendar, calendar_id)
    form, data, errors = await _calendar_form(request)
    if data is not None:
        try:
            do_update_calendar(page.db, page.who, calendar, data)
        except ActionError as exc:
            page.db.rollback()
            _forbidden(exc)
            errors = {calendar_field(exc.field): str(exc)}
    if errors:
        calendar = brand_row(page, Calendar, calendar_id)
        return _page(request, page, calendar=calendar, cal={"form": dict(form), "errors": errors})
    page.db.commit()
    return RedirectResponse(HOME, status_code=303)


@router.post("/sla/calendars/{calendar_id}/delete")
async def delete_calendar(calendar_id: int, request: Request, page: Writer) -> Response:
    """Refused while a policy counts time on it (the refusal is shown in its row)."""
    calendar = brand_row(page, Calendar, calendar_id)
    try:
        do_delete_calendar(page.db, page.who, calendar)
    except ActionError as exc:
        page.db.rollback()
        _forbidden(exc)
        return _page(request, page, row_errors={f"calendars.{calendar_id}": str(exc)})
    page.db.commit()
    return RedirectResponse(HOME, status_code=303)
