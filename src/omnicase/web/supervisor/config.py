"""The brand's configuration screens: queues (ordered rules), SLA policies and calendars,
users and teams, channel accounts (overflow rules, team hours and engagements:
:mod:`omnicase.web.supervisor.config_routing`).

Brand supervisors and admins only (a provider's staff configure nothing of a brand: 403).
Forms post to the same ``do_*`` services as the API (routing/configure.py, sla/admin.py,
services/orgs.py); a refusal is shown next to its field (422) and nothing is written.
Channel accounts show whether each secret is set, never a value.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from omnicase.model import (
    Calendar,
    Organisation,
    RoutingQueue,
    SlaPolicy,
    Team,
    User,
)
from omnicase.routing.configure import brand_queues, do_create_queue, do_update_queue
from omnicase.services.cases import ActionError
from omnicase.services.channel_accounts import list_accounts, secret_status
from omnicase.services.orgs import do_create_user
from omnicase.sla.admin import do_create_policy
from omnicase.web.deps import Page, PageError, require_role, require_write_role
from omnicase.web.templating import render

router = APIRouter(prefix="/supervisor/config", include_in_schema=False)


def _brand_staff(page: Page) -> Page:
    if not page.who.is_brand_staff:
        raise PageError(403, "error.role")
    return page


def brand_supervisor(page: Annotated[Page, Depends(require_role("supervisor"))]) -> Page:
    return _brand_staff(page)


def brand_supervisor_writer(
    page: Annotated[Page, Depends(require_write_role("supervisor"))],
) -> Page:
    return _brand_staff(page)


Reader = Annotated[Page, Depends(brand_supervisor)]
Writer = Annotated[Page, Depends(brand_supervisor_writer)]

CHANNELS = ("email", "chat", "messenger", "instagram", "whatsapp", "x", "phone", "sms", "webform")


def _words(value: Any) -> list[str]:
    """A comma/space separated form field as a list (empty = any)."""
    text = value if isinstance(value, str) else ""
    return [w for w in text.replace(",", " ").split() if w]


def _int_or_text(value: Any) -> Any:
    """Numbers as numbers (the services check types); anything else as typed, so the
    service's refusal names the field."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    return int(text) if text.isdigit() else text


def _brand(page: Page) -> Organisation:
    return page.organisation


@router.get("")
def config_home(page: Reader) -> Response:
    return RedirectResponse("/supervisor/config/queues", status_code=303)


# -- queues --------------------------------------------------------------------------


def _queues_page(
    request: Request, page: Page, *, errors: dict[str, str] | None = None, form: Any = None
) -> Response:
    return render(
        request,
        "supervisor/config_queues.html",
        page,
        queues=brand_queues(page.db, page.who.organisation_id),
        channels=CHANNELS,
        errors=errors or {},
        form=form or {},
        status=422 if errors else 200,
    )


@router.get("/queues")
def queues(request: Request, page: Reader) -> Response:
    return _queues_page(request, page)


@router.post("/queues")
async def create_queue(request: Request, page: Writer) -> Response:
    form = await request.form()
    rule: dict[str, Any] = {}
    for key in ("channels", "reasons", "languages", "customer_tags"):
        if words := _words(form.get(key)):
            rule[key] = words
    if (prio := _int_or_text(form.get("min_priority"))) is not None:
        rule["min_priority"] = prio
    body: dict[str, Any] = {
        "key": str(form.get("key") or "").strip(),
        "name": str(form.get("name") or "").strip() or str(form.get("key") or "").strip(),
        "rules": [rule] if rule else [],
        "is_default": form.get("is_default") == "on",
    }
    try:
        do_create_queue(page.db, _brand(page), body, page.who)
    except ActionError as exc:
        page.db.rollback()
        return _queues_page(request, page, errors={_field(exc): str(exc)}, form=dict(form))
    page.db.commit()
    return RedirectResponse("/supervisor/config/queues", status_code=303)


def _field(exc: ActionError) -> str:
    """The form field a refusal names (``rules[0].reasons[1]`` → ``reasons``)."""
    name = exc.field or "form"
    if name.startswith("rules"):
        name = name.split(".", 1)[1] if "." in name else "rules"
    return name.split("[", 1)[0]


@router.post("/queues/{queue_id}/move")
async def move_queue(request: Request, queue_id: int, page: Writer) -> Response:
    """Up or down one place: positions are swapped with the neighbour."""
    form = await request.form()
    ordered = brand_queues(page.db, page.who.organisation_id)
    index = next((i for i, q in enumerate(ordered) if q.id == queue_id), None)
    if index is None:
        raise PageError(404, "error.not_found")
    other = index - 1 if form.get("direction") == "up" else index + 1
    if 0 <= other < len(ordered):
        a, b = ordered[index], ordered[other]
        pa, pb = a.position, b.position
        if pa == pb:
            pb = pa + (1 if other > index else -1)
        brand = _brand(page)
        try:
            do_update_queue(page.db, brand, a, {"position": max(pb, 0)}, page.who)
            do_update_queue(page.db, brand, b, {"position": max(pa, 0)}, page.who)
        except ActionError as exc:  # an earlier rule would then hide this queue
            page.db.rollback()
            return _queues_page(request, page, errors={"order": str(exc)})
        page.db.commit()
    return RedirectResponse("/supervisor/config/queues", status_code=303)


# -- SLA -------------------------------------------------------------------------------


def _sla_page(
    request: Request, page: Page, *, errors: dict[str, str] | None = None, form: Any = None
) -> Response:
    brand = page.who.organisation_id
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
        errors=errors or {},
        form=form or {},
        status=422 if errors else 200,
    )


@router.get("/sla")
def sla(request: Request, page: Reader) -> Response:
    return _sla_page(request, page)


def _minutes(value: Any) -> Any:
    """Targets are typed in minutes; the service takes seconds (and refuses the rest)."""
    number = _int_or_text(value)
    return number * 60 if isinstance(number, int) else number


@router.post("/sla/policies")
async def create_policy(request: Request, page: Writer) -> Response:
    form = await request.form()
    data: dict[str, Any] = {
        "name": str(form.get("name") or "").strip() or None,
        "channel": form.get("channel"),
        "priority": _int_or_text(form.get("priority")),
        "first_response_seconds": _minutes(form.get("first_response_minutes")),
        "next_response_seconds": _minutes(form.get("next_response_minutes")),
        "resolution_seconds": _minutes(form.get("resolution_minutes")),
        "business_hours": form.get("business_hours") == "on",
        "calendar_id": _int_or_text(form.get("calendar_id")),
        "at_risk_percent": _int_or_text(form.get("at_risk_percent")) or 80,
    }
    try:
        do_create_policy(page.db, page.who, data)
    except ActionError as exc:
        page.db.rollback()
        if exc.status == 403:  # the SLA service lets only the brand's admins write
            raise PageError(403, "error.role") from exc
        name = (exc.field or "form").replace("_seconds", "_minutes")
        return _sla_page(request, page, errors={name: str(exc)}, form=dict(form))
    page.db.commit()
    return RedirectResponse("/supervisor/config/sla", status_code=303)


# -- users and teams ---------------------------------------------------------------------


def _users_page(
    request: Request, page: Page, *, errors: dict[str, str] | None = None, form: Any = None
) -> Response:
    org = page.who.organisation_id
    return render(
        request,
        "supervisor/config_users.html",
        page,
        users=list(
            page.db.scalars(
                select(User).where(User.organisation_id == org).order_by(User.role, User.name)
            )
        ),
        teams={t.id: t for t in page.db.scalars(select(Team).where(Team.organisation_id == org))},
        roles=("admin", "supervisor", "agent", "planner", "viewer"),
        errors=errors or {},
        form=form or {},
        status=422 if errors else 200,
    )


@router.get("/users")
def users(request: Request, page: Reader) -> Response:
    return _users_page(request, page)


@router.post("/users")
async def create_user(request: Request, page: Writer) -> Response:
    """Admins create users (supervisors see the list); the user sets a password through
    the password reset the admin gives them (none is set here)."""
    if page.who.role != "admin":
        raise PageError(403, "error.role")
    form = await request.form()
    email, name = str(form.get("email") or "").strip(), str(form.get("name") or "").strip()
    errors: dict[str, str] = {}
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        errors["email"] = "an email address"
    if not name:
        errors["name"] = "a non-empty name"
    if not errors:
        try:
            do_create_user(
                page.db, _brand(page), email=email, name=name, role=str(form.get("role") or "")
            )
        except ActionError as exc:
            page.db.rollback()
            errors[exc.field or "form"] = str(exc)
    if errors:
        return _users_page(request, page, errors=errors, form=dict(form))
    page.db.commit()
    return RedirectResponse("/supervisor/config/users", status_code=303)


# -- channel accounts ------------------------------------------------------------------


@router.get("/channels")
def channels(request: Request, page: Reader) -> Response:
    try:
        listed = list_accounts(page.db, page.who)
    except ActionError as exc:  # the brand's admins only, as in the API
        raise PageError(403, "error.role") from exc
    accounts = [(a, secret_status(a)) for a in listed]
    return render(request, "supervisor/config_channels.html", page, accounts=accounts)


__all__ = ["RoutingQueue", "router"]
