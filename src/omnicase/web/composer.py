"""The reply composer's macros and consistency warning, and the case's recorded
inconsistencies.

* Macros: the brand's active macros that fit the case (language, reason, the reply's
  channel), searchable (``GET /cases/{ref}/macros``, an HTMX fragment); inserting one
  (``POST /cases/{ref}/macros/{id}/insert``) answers the text area with the macro's text,
  placeholders filled, after the draft already typed. Nothing is written.
* Warning: ``warning_view`` turns ``check_draft``'s findings into lines an agent reads
  ("you wrote 14 days; on email on 28/11 the customer was told 7 days (internal)");
  pages_reply shows them and sends nothing until the agent confirms "send anyway".
* Recorded inconsistencies: listed on the case page; supervisors and admins (of the
  brand or an engaged provider: the case is found through the access rule) confirm or
  dismiss each.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from omnicase.model import Case, CaseReference, Customer, Inconsistency, Macro, Message
from omnicase.quality.consistency import Finding
from omnicase.services.cases import ActionError
from omnicase.services.consistency import (
    do_confirm_inconsistency,
    do_dismiss_inconsistency,
    finding_view,
)
from omnicase.services.macros import can_read_brand, fill_placeholders, macros_for_case
from omnicase.services.replies import default_channel
from omnicase.store.queries import brand_prefixes, find_case
from omnicase.store.references import format_reference
from omnicase.web.deps import Page, PageError, PageReader, PageWriter, require_write_role
from omnicase.web.templating import render

router = APIRouter(include_in_schema=False)
DECISIONS = ("confirm", "dismiss")


def visible_case(page: Page, reference: str) -> Case:
    """The case through the access rule (pages_case's rule; not imported: it imports us)."""
    case = find_case(page.db, page.who, reference)
    if case is None:
        raise PageError(404, "error.not_found")
    return case


def reply_channel(page: Page, case: Case, channel: str | None) -> str | None:
    """The channel the reply will go out on: the one chosen, else the default."""
    if channel:
        return channel
    try:
        return default_channel(page.db, case)
    except ActionError:
        return case.channel


def case_reference(page: Page, case: Case) -> str:
    return format_reference(brand_prefixes(page.db)[case.brand_id][1], case.id)


def placeholder_values(page: Page, case: Case) -> dict[str, str | None]:
    customer = page.db.get(Customer, case.customer_id) if case.customer_id else None
    order = page.db.scalar(
        select(CaseReference.value)
        .where(CaseReference.case_id == case.id, CaseReference.kind == "order")
        .order_by(CaseReference.id)
        .limit(1)
    )
    return {
        "customer_name": customer.name if customer is not None else None,
        "order_number": order,
        "agent_name": page.user.name,
        "case_reference": case_reference(page, case),
    }


def composer_context(page: Page, case: Case, channel: str | None) -> dict[str, Any]:
    """What case.html's composer and side panel need from this module."""
    rows = page.db.scalars(
        select(Inconsistency).where(Inconsistency.case_id == case.id).order_by(Inconsistency.id)
    ).all()
    here = case_reference(page, case)
    return {
        "macros": (
            macros_for_case(page.db, page.who, case, reply_channel(page, case, channel))
            if page.who.can_write  # the composer is shown to those who may answer
            else []
        ),
        "macro_query": "",
        "inconsistencies": [
            {"row": r, "line": finding_line(page, r.kind, r.detail or {}, here)} for r in rows
        ],
        "can_decide": page.has_role("supervisor", "admin") and page.who.can_write,
    }


def warning_view(page: Page, case: Case, findings: list[Finding]) -> list[str]:
    """One readable line per finding of the draft, in the page's language."""
    here = case_reference(page, case)
    return [finding_line(page, f.kind, finding_view(f), here) for f in findings]


def finding_line(page: Page, kind: str, detail: dict[str, Any], here: str) -> str:
    """ "you wrote 14 days; on email on 28/11 the customer was told 7 days (internal)"."""
    raw = detail.get("said")
    said: dict[str, Any] = raw if isinstance(raw, dict) else {}  # a row of another shape
    slot = str(detail.get("slot") or kind)
    values = {
        "value": shown(page, str(detail.get("value", ""))),
        "other": shown(page, str(detail.get("other_value", ""))),
        "what": _label(page, "compose.slot." + slot, slot.replace("_", " ")),
    }
    if said.get("macro_id") is not None:
        line = page.t("compose.finding.macro", title=said.get("macro_title") or "", **values)
        return line[:1].upper() + line[1:]
    message = page.db.get(Message, said["message_id"]) if said.get("message_id") else None
    channel = str(said.get("channel") or (message.channel if message else ""))
    line = page.t(
        "compose.finding.answer",
        channel=_label(page, "channel." + channel, channel),
        when=_day(page, message.received_at) if message is not None else "",
        team=_team(page, str(said.get("team") or "")),
        **values,
    )
    if said.get("case") and said["case"] != here:
        line += " " + page.t("compose.finding.other_case", case=said["case"])
    return line[:1].upper() + line[1:]


_DELAY = re.compile(r"^(\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?) (business days|days)$")
_MONEY = re.compile(r"^(\d+)\.(\d{2}) (EUR|USD|GBP)$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def shown(page: Page, value: str) -> str:
    """The detector's normalised value (``5 business days``, ``49.90 EUR``,
    ``2026-12-05``, ``granted``) in the page's language."""
    decimal = "," if page.lang == "fr" else "."
    if found := _DELAY.match(value):
        unit = "bus" if found.group(2) == "business days" else "cal"
        return page.t("compose.unit." + unit, n=found.group(1).replace(".", decimal))
    if found := _MONEY.match(value):
        units, cents, currency = found.groups()
        symbol = _SYMBOLS[currency]
        if page.lang == "fr":
            return f"{units},{cents} {symbol}"
        return f"{symbol}{units}.{cents}"
    if found := _DATE.match(value):
        return f"{found.group(3)}/{found.group(2)}/{found.group(1)}"
    return _label(page, "compose.value." + value, value)


def _team(page: Page, team: str) -> str:
    if team == "internal" or team.startswith("internal /"):
        return page.t("compose.team.internal") + team[len("internal") :]
    return team or "—"


def _day(page: Page, at: datetime) -> str:
    try:
        zone = ZoneInfo(page.organisation.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(zone).strftime("%d/%m")


def _label(page: Page, key: str, fallback: str) -> str:
    text = page.t(key)
    return fallback if text == key else text


def visible_macro(page: Page, case: Case, macro_id: int) -> Macro:
    """An active macro of the case's brand the user may read, else 404."""
    macro = page.db.get(Macro, macro_id)
    if (
        macro is None
        or not macro.active
        or macro.brand_id != case.brand_id
        or not can_read_brand(page.db, page.who, case.brand_id)
    ):
        raise PageError(404, "error.not_found")
    return macro


@router.get("/cases/{reference}/macros")
def macro_list(
    reference: str,
    request: Request,
    page: PageReader,
    q: Annotated[str, Query(max_length=200)] = "",
    channel: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """The fitting macros matching ``q`` (the composer's search box swaps this in)."""
    case = visible_case(page, reference)
    macros = macros_for_case(page.db, page.who, case, reply_channel(page, case, channel), q)
    return render(
        request,
        "_composer_macros.html",
        page,
        reference=reference,
        macros=macros,
        macro_query=q,
    )


@router.post("/cases/{reference}/macros/{macro_id}/insert")
def insert_macro(
    reference: str,
    macro_id: int,
    request: Request,
    page: PageWriter,
    text: Annotated[str, Form(max_length=100_000)] = "",
) -> Response:
    """The text area with the macro's text (placeholders filled) after the draft."""
    case = visible_case(page, reference)
    macro = visible_macro(page, case, macro_id)
    filled = fill_placeholders(macro.body, placeholder_values(page, case))
    draft = text.rstrip()
    return render(
        request,
        "_composer_text.html",
        page,
        draft=f"{draft}\n\n{filled}" if draft else filled,
    )


@router.post("/cases/{reference}/inconsistencies/{row_id}/{decision}")
def decide(
    reference: str,
    row_id: int,
    decision: str,
    page: Annotated[Page, Depends(require_write_role("supervisor"))],
) -> Response:
    """A supervisor confirms (it counts in the consistency rate) or dismisses one."""
    case = visible_case(page, reference)
    row = page.db.get(Inconsistency, row_id)
    if row is None or row.case_id != case.id or decision not in DECISIONS:
        raise PageError(404, "error.not_found")
    try:
        if decision == "confirm":
            do_confirm_inconsistency(page.db, row, page.who)
        else:
            do_dismiss_inconsistency(page.db, row, page.who)
    except ActionError as exc:
        raise PageError(exc.status, "error.action", str(exc), exc.field or "") from exc
    page.db.commit()
    return RedirectResponse(f"/cases/{reference}#inconsistencies", status_code=303)
