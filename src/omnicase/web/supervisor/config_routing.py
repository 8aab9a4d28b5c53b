"""The brand's routing configuration screens: overflow rules, team hours, engagements.

Same rules as the JSON API (:mod:`omnicase.api.routing`): the brand's supervisors and
admins read and write overflow rules and team hours; engagements are written by the
brand's admins only (:mod:`omnicase.services.engagements`), supervisors see them.
Provider staff get 403. Every form posts to the ``do_*`` service the API calls; a
refusal is shown next to the field it names (422, typed values kept), nothing written.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from omnicase.model import Engagement, Organisation, OverflowKind, OverflowRule, Team, TeamHours
from omnicase.routing.configure import (
    do_create_overflow_rule,
    do_delete_overflow_rule,
    do_set_team_hours,
    do_update_overflow_rule,
)
from omnicase.routing.hours import DAYS
from omnicase.services.cases import ActionError
from omnicase.services.engagements import (
    brand_today,
    do_end_engagement,
    do_engage_team,
    do_update_engagement,
)
from omnicase.web.deps import Page, PageError
from omnicase.web.supervisor.config import (
    Reader,
    Writer,
    _int_or_text,
    _words,
    brand_row,
    swapped_positions,
)
from omnicase.web.templating import render

router = APIRouter(prefix="/supervisor/config", include_in_schema=False)
BASE = "/supervisor/config"
KINDS = tuple(k.value for k in OverflowKind)


def _done(request: Request, url: str) -> Response:
    """A form post → 303; an HTMX post (a confirmed delete) → HX-Redirect."""
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _brand(page: Page) -> Organisation:
    return page.organisation


def _today(page: Page) -> date:
    return brand_today(page.organisation)


def _engagements(page: Page) -> list[tuple[Engagement, Team, Organisation]]:
    rows = page.db.execute(
        select(Engagement, Team, Organisation)
        .join(Team, Team.id == Engagement.team_id)
        .join(Organisation, Organisation.id == Team.organisation_id)
        .where(Engagement.brand_id == page.who.organisation_id)
        .order_by(Engagement.starts_on, Engagement.id)
    ).all()
    return [(e, t, o) for e, t, o in rows]


# -- overflow rules --------------------------------------------------------------------


def _rules(page: Page) -> list[OverflowRule]:
    return list(
        page.db.scalars(
            select(OverflowRule)
            .where(OverflowRule.brand_id == page.who.organisation_id)
            .order_by(OverflowRule.position, OverflowRule.id)
        )
    )


def _rule(page: Page, rule_id: int) -> OverflowRule:
    return brand_row(page, OverflowRule, rule_id)


def _rule_form(rule: OverflowRule) -> dict[str, str]:
    """A rule as the form's typed values (for editing)."""
    p = rule.params
    seconds = p.get("seconds")
    return {
        "kind": rule.kind,
        "engagement_id": str(rule.engagement_id),
        "wait_minutes": str(seconds // 60) if isinstance(seconds, int) else "",
        "cases": str(p.get("cases", "")),
        "percent": str(p.get("percent", "")),
        "own_team": str(p.get("team_id") or ""),
        **{k: " ".join(p.get(k) or []) for k in ("channels", "queues", "reasons")},
        "position": str(rule.position),
        "active": "on" if rule.active else "",
    }


def _overflow_page(
    request: Request,
    page: Page,
    *,
    editing: OverflowRule | None = None,
    errors: dict[str, str] | None = None,
    form: Any = None,
    hours_team: int | None = None,
    hours_form: dict[str, Any] | None = None,
) -> Response:
    brand = page.who.organisation_id
    engaged = _engagements(page)
    teams = list(page.db.scalars(select(Team).where(Team.organisation_id == brand)))
    hours = {
        h.team_id: h
        for h in page.db.scalars(
            select(TeamHours).where(TeamHours.team_id.in_([t.id for t in teams]))
        )
    }
    if form is None:
        form = _rule_form(editing) if editing is not None else {"active": "on"}
    return render(
        request,
        "supervisor/config_overflow.html",
        page,
        rules=_rules(page),
        engaged={e.id: f"{o.name} · {t.name}" for e, t, o in engaged},
        engagement_options=[
            (e.id, f"{o.name} · {t.name} ({e.starts_on} → {e.ends_on or '…'})")
            for e, t, o in engaged
            if e.ends_on is None or e.ends_on >= _today(page)
        ],
        kinds=KINDS,
        teams=teams,
        hours=hours,
        days=DAYS,
        editing=editing,
        errors=errors or {},
        form=form,
        hours_team=hours_team,
        hours_form=hours_form or {},
        status=422 if errors else 200,
    )


def _overflow_body(form: Any) -> dict[str, Any]:
    """The form as the API's body: only the parameter the chosen kind reads."""
    kind = str(form.get("kind") or "")
    params: dict[str, Any] = {k: _words(form.get(k)) for k in ("channels", "queues", "reasons")}
    if kind == OverflowKind.wait_over:
        minutes = _int_or_text(form.get("wait_minutes"))
        params["seconds"] = minutes * 60 if isinstance(minutes, int) else minutes
    elif kind == OverflowKind.backlog_over:
        params["cases"] = _int_or_text(form.get("cases"))
    elif kind == OverflowKind.share:
        if (percent := _int_or_text(form.get("percent"))) is not None:
            params["percent"] = percent
    elif kind == OverflowKind.outside_hours:
        params["team_id"] = _int_or_text(form.get("own_team"))
    body: dict[str, Any] = {
        "kind": kind,
        "params": params,
        "engagement_id": _int_or_text(form.get("engagement_id")),
        "active": form.get("active") == "on",
    }
    if (position := _int_or_text(form.get("position"))) is not None:
        body["position"] = position
    return body


def _overflow_field(exc: ActionError, kind: str) -> str:
    """The form field a refusal names (``params.seconds`` → ``wait_minutes``,
    ``params.team_id`` → ``own_team``)."""
    name = exc.field or "form"
    if name == "params":
        return "channels" if kind == OverflowKind.channel_or_reason else "form"
    name = name.removeprefix("params.")
    return {"seconds": "wait_minutes", "team_id": "own_team"}.get(name, name)


@router.get("/overflow")
def overflow(request: Request, page: Reader) -> Response:
    return _overflow_page(request, page)


@router.get("/overflow/{rule_id}/edit")
def edit_overflow(request: Request, rule_id: int, page: Reader) -> Response:
    return _overflow_page(request, page, editing=_rule(page, rule_id))


async def _save_rule(request: Request, page: Page, rule: OverflowRule | None) -> Response:
    form = await request.form()
    body = _overflow_body(form)
    try:
        if rule is None:
            do_create_overflow_rule(page.db, _brand(page), body, page.who)
        else:
            do_update_overflow_rule(page.db, _brand(page), rule, body, page.who)
    except ActionError as exc:
        page.db.rollback()
        field = _overflow_field(exc, body["kind"])
        editing = _rule(page, rule.id) if rule is not None else None
        return _overflow_page(
            request, page, editing=editing, errors={field: str(exc)}, form=dict(form)
        )
    page.db.commit()
    return RedirectResponse(f"{BASE}/overflow", status_code=303)


@router.post("/overflow")
async def create_overflow(request: Request, page: Writer) -> Response:
    return await _save_rule(request, page, None)


@router.post("/overflow/{rule_id}")
async def update_overflow(request: Request, rule_id: int, page: Writer) -> Response:
    return await _save_rule(request, page, _rule(page, rule_id))


@router.post("/overflow/{rule_id}/active")
async def toggle_overflow(request: Request, rule_id: int, page: Writer) -> Response:
    """Switch a rule on or off without touching the rest."""
    form = await request.form()
    rule = _rule(page, rule_id)
    try:
        do_update_overflow_rule(
            page.db, _brand(page), rule, {"active": form.get("active") == "on"}, page.who
        )
    except ActionError as exc:  # e.g. its engagement is over: say so on the list
        page.db.rollback()
        return _overflow_page(request, page, errors={"list": str(exc)})
    page.db.commit()
    return _done(request, f"{BASE}/overflow")


@router.post("/overflow/{rule_id}/delete")
async def delete_overflow(request: Request, rule_id: int, page: Writer) -> Response:
    do_delete_overflow_rule(page.db, _rule(page, rule_id), page.who)
    page.db.commit()
    return _done(request, f"{BASE}/overflow")


@router.post("/overflow/{rule_id}/move")
async def move_overflow(request: Request, rule_id: int, page: Writer) -> Response:
    """Up or down one place: the rule and its neighbour swap positions."""
    form = await request.form()
    moves = swapped_positions(_rules(page), rule_id, form.get("direction"))
    if moves:
        try:
            for rule, position in moves:
                do_update_overflow_rule(
                    page.db, _brand(page), rule, {"position": position}, page.who
                )
        except ActionError as exc:
            page.db.rollback()
            return _overflow_page(request, page, errors={"list": str(exc)})
        page.db.commit()
    return RedirectResponse(f"{BASE}/overflow", status_code=303)


# -- team hours ------------------------------------------------------------------------


def _weekly(form: Any) -> dict[str, list[list[str]]]:
    """``09:00-12:00 14:00-18:00`` per day → ``[["09:00", "12:00"], ...]``; anything
    else is passed as typed so the service's refusal names the day."""
    weekly: dict[str, list[list[str]]] = {}
    for day in DAYS:
        spans = _words(form.get(f"hours_{day}"))
        if spans:
            weekly[day] = [s.split("-") for s in spans]
    return weekly


@router.post("/teams/{team_id}/hours")
async def set_team_hours(request: Request, team_id: int, page: Writer) -> Response:
    form = await request.form()
    timezone = str(form.get("timezone") or "").strip() or None
    try:
        do_set_team_hours(page.db, _brand(page), team_id, timezone, _weekly(form), page.who)
    except ActionError as exc:
        page.db.rollback()
        if exc.status == 404:
            raise PageError(404, "error.not_found") from exc
        field = exc.field or "weekly"
        day = str(exc).removeprefix("weekly: ")[:3]
        if field == "weekly" and day in DAYS:
            field = f"hours_{day}"
        return _overflow_page(
            request,
            page,
            errors={field: str(exc)},
            hours_team=team_id,
            hours_form=dict(form),
        )
    page.db.commit()
    return RedirectResponse(f"{BASE}/overflow#hours-{team_id}", status_code=303)


# -- engagements -----------------------------------------------------------------------


def _provider_teams(page: Page) -> list[tuple[int, str]]:
    rows = page.db.execute(
        select(Team, Organisation)
        .join(Organisation, Organisation.id == Team.organisation_id)
        .where(Organisation.kind == "provider")
        .order_by(Organisation.name, Team.name)
    ).all()
    return [(t.id, f"{o.name} · {t.name}") for t, o in rows]


def _engagement(page: Page, engagement_id: int) -> Engagement:
    return brand_row(page, Engagement, engagement_id)


def _engagement_form(e: Engagement) -> dict[str, str]:
    return {
        **{k: " ".join(getattr(e, k) or []) for k in ("channels", "queues", "reasons")},
        "overflow_only": "on" if e.overflow_only else "",
        "share_percent": "" if e.share_percent is None else str(e.share_percent),
    }


def _engagements_page(
    request: Request,
    page: Page,
    *,
    editing: Engagement | None = None,
    errors: dict[str, str] | None = None,
    form: Any = None,
    ending: int | None = None,
) -> Response:
    if form is None:
        form = _engagement_form(editing) if editing is not None else {}
    today = _today(page)
    return render(
        request,
        "supervisor/config_engagements.html",
        page,
        engagements=_engagements(page),
        provider_teams=_provider_teams(page),
        today=today,
        can_write=page.who.role == "admin",
        editing=editing,
        ending=ending,
        errors=errors or {},
        form=form,
        **_refusal(request, errors),
    )


def _refusal(request: Request, errors: dict[str, str] | None) -> dict[str, Any]:
    """422 for a form post; a confirmed HTMX post (ending) is shown as a whole page
    instead (HTMX does not swap error responses)."""
    if not errors:
        return {"status": 200}
    if request.headers.get("hx-request"):
        return {"status": 200, "headers": {"HX-Retarget": "body", "HX-Reswap": "innerHTML"}}
    return {"status": 422}


def _date(form: Any, name: str, errors: dict[str, str]) -> date | None:
    text = str(form.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = f"{name}: a date (YYYY-MM-DD)"
        return None


def _scope_body(form: Any) -> dict[str, Any]:
    return {
        **{k: _words(form.get(k)) for k in ("channels", "queues", "reasons")},
        "overflow_only": form.get("overflow_only") == "on",
        "share_percent": _int_or_text(form.get("share_percent")),
    }


def brand_admin_writer(page: Writer) -> Page:
    """Engagements open the brand's cases to a provider: the brand's admins only."""
    if page.who.role != "admin":
        raise PageError(403, "error.role")
    return page


AdminWriter = Annotated[Page, Depends(brand_admin_writer)]


def _refused(exc: ActionError, default: str) -> dict[str, str]:
    """The refusal keyed by the field it names (a 403 stays a 403 page)."""
    if exc.status == 403:
        raise PageError(403, "error.role") from exc
    return {exc.field or default: str(exc)}


@router.get("/engagements")
def engagements(request: Request, page: Reader) -> Response:
    return _engagements_page(request, page)


@router.get("/engagements/{engagement_id}/edit")
def edit_engagement(request: Request, engagement_id: int, page: Reader) -> Response:
    return _engagements_page(request, page, editing=_engagement(page, engagement_id))


@router.post("/engagements")
async def create_engagement(request: Request, page: AdminWriter) -> Response:
    form = await request.form()
    errors: dict[str, str] = {}
    body = _scope_body(form)
    body["starts_on"] = _date(form, "starts_on", errors) or (
        None if form.get("starts_on") else _today(page)
    )
    body["ends_on"] = _date(form, "ends_on", errors)
    if not errors:
        try:
            do_engage_team(page.db, page.who, _brand(page), _int_or_text(form.get("team_id")), body)
        except ActionError as exc:
            page.db.rollback()
            errors = _refused(exc, "form")
    if errors:
        return _engagements_page(request, page, errors=errors, form=dict(form))
    page.db.commit()
    return RedirectResponse(f"{BASE}/engagements", status_code=303)


@router.post("/engagements/{engagement_id}")
async def update_engagement(request: Request, engagement_id: int, page: AdminWriter) -> Response:
    form = await request.form()
    engagement = _engagement(page, engagement_id)
    try:
        do_update_engagement(page.db, page.who, engagement, _scope_body(form))
    except ActionError as exc:
        page.db.rollback()
        return _engagements_page(
            request,
            page,
            editing=_engagement(page, engagement_id),
            errors=_refused(exc, "form"),
            form=dict(form),
        )
    page.db.commit()
    return RedirectResponse(f"{BASE}/engagements", status_code=303)


@router.post("/engagements/{engagement_id}/end")
async def end_engagement(request: Request, engagement_id: int, page: AdminWriter) -> Response:
    """The last day served (default today): the provider's access stops after it."""
    form = await request.form()
    engagement = _engagement(page, engagement_id)
    errors: dict[str, str] = {}
    ends_on = _date(form, "ends_on", errors) if form.get("ends_on") else _today(page)
    if not errors:
        try:
            do_end_engagement(page.db, page.who, engagement, ends_on)
        except ActionError as exc:
            page.db.rollback()
            errors = _refused(exc, "ends_on")
    if errors:
        return _engagements_page(
            request, page, errors=errors, form=dict(form), ending=engagement_id
        )
    page.db.commit()
    return _done(request, f"{BASE}/engagements")
