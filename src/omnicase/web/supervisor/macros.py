"""Macros and knowledge-base answers of the brand (``/supervisor/config/macros``): list,
create, edit, deactivate (macros are never deleted: recorded inconsistencies point at
them). Brand supervisors and admins only, like the other configuration screens.

The facts a macro states are key/value rows (``refund_delay_business_days`` = ``5``,
``delivery_delay_days`` = ``3-5``); the form reads numbers and ranges, the service
(``services.macros``) decides whether the detector knows the fact. A refusal is shown
next to its field (422) and nothing is written.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from omnicase.model import Macro
from omnicase.services.cases import ActionError
from omnicase.services.macros import PLACEHOLDERS, do_create_macro, do_update_macro, macros_of
from omnicase.web.deps import Page, PageError
from omnicase.web.supervisor.config import CHANNELS, Reader, Writer, _words, brand_row
from omnicase.web.templating import render

router = APIRouter(prefix="/supervisor/config", include_in_schema=False)
LANGUAGES = ("", "fr", "en")
#: Empty fact rows offered under the macro's own.
BLANK_ROWS = 3
_NUMBER = r"\d+(?:[.,]\d+)?"
_RANGE = re.compile(rf"^\[?\s*({_NUMBER})\s*(?:-|–|\bto\b|\bà\b|;|,\s+)\s*({_NUMBER})\s*\]?$")


def _number(text: str) -> int | float:
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() else value


def parse_fact_value(text: str) -> Any:
    """``5`` → 5, ``4,90`` → 4.9, ``3-5`` / ``[3, 5]`` → [3, 5]; anything else as typed
    (the service refuses it, naming the fact)."""
    text = text.strip()
    if found := _RANGE.match(text):
        return [_number(found.group(1)), _number(found.group(2))]
    if re.fullmatch(_NUMBER, text):
        return _number(text)
    return text


def fact_text(value: Any) -> str:
    if isinstance(value, list | tuple) and len(value) == 2:
        return f"{fact_text(value[0])}-{fact_text(value[1])}"
    return str(value)


def read_form(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """The macro's fields from the form, and the refusals the form itself finds."""
    errors: dict[str, str] = {}
    facts: dict[str, Any] = {}
    keys, values = form.getlist("fact_key"), form.getlist("fact_value")
    for index, (key, value) in enumerate(zip(keys, values, strict=False)):
        key, value = str(key).strip(), str(value).strip()
        if not key and not value:
            continue
        name = f"facts.{key or index}"
        if not key:
            errors[name] = "a fact needs its name"
        elif not value:
            errors[name] = "a fact needs its value"
        elif key in facts:
            errors[name] = "stated twice"
        else:
            facts[key] = parse_fact_value(value)
    language = str(form.get("language") or "")
    if language not in LANGUAGES:
        errors["language"] = f"one of {', '.join(x for x in LANGUAGES if x)} or any"
    channels = _words(form.get("channels"))
    if unknown := [c for c in channels if c not in CHANNELS]:
        errors["channels"] = f"not a channel: {', '.join(unknown)}"
    fields = {
        "title": str(form.get("title") or ""),
        "body": str(form.get("body") or ""),
        "language": language or None,
        "reasons": _words(form.get("reasons")),
        "channels": channels,
        "facts": facts,
    }
    return fields, errors


def _form_of(macro: Macro) -> dict[str, Any]:
    return {
        "title": macro.title,
        "body": macro.body,
        "language": macro.language or "",
        "reasons": " ".join(macro.reasons or []),
        "channels": " ".join(macro.channels or []),
    }


def _rows_of(form: FormData | None, macro: Macro | None) -> list[tuple[str, str]]:
    if form is not None:
        rows = [
            (str(k), str(v))
            for k, v in zip(form.getlist("fact_key"), form.getlist("fact_value"), strict=False)
        ]
    elif macro is not None:
        rows = [(k, fact_text(v)) for k, v in (macro.facts or {}).items()]
    else:
        rows = []
    return [*[r for r in rows if r[0] or r[1]], *[("", "")] * BLANK_ROWS]


def _page(
    request: Request,
    page: Page,
    *,
    macro: Macro | None = None,
    errors: dict[str, str] | None = None,
    form: FormData | None = None,
) -> Response:
    values: dict[str, Any] = dict(form) if form is not None else {}
    if form is None and macro is not None:
        values = _form_of(macro)
    return render(
        request,
        "supervisor/config_macros.html",
        page,
        macros=macros_of(page.db, page.who.organisation_id),
        editing=macro,
        errors=errors or {},
        form=values,
        fact_rows=_rows_of(form, macro),
        languages=LANGUAGES,
        placeholders=PLACEHOLDERS,
        status=422 if errors else 200,
    )


def _brand_macro(page: Page, macro_id: int) -> Macro:
    return brand_row(page, Macro, macro_id)


def _field(exc: ActionError) -> str:
    return exc.field or "form"


@router.get("/macros")
def macros(request: Request, page: Reader) -> Response:
    return _page(request, page)


@router.get("/macros/{macro_id}")
def edit_macro(macro_id: int, request: Request, page: Reader) -> Response:
    return _page(request, page, macro=_brand_macro(page, macro_id))


@router.post("/macros")
async def create_macro(request: Request, page: Writer) -> Response:
    form = await request.form()
    fields, errors = read_form(form)
    if not errors:
        try:
            do_create_macro(page.db, page.who, **fields)
        except ActionError as exc:
            errors = {_field(exc): str(exc)}
    if errors:
        page.db.rollback()
        return _page(request, page, errors=errors, form=form)
    page.db.commit()
    return RedirectResponse("/supervisor/config/macros", status_code=303)


@router.post("/macros/{macro_id}")
async def update_macro(macro_id: int, request: Request, page: Writer) -> Response:
    macro = _brand_macro(page, macro_id)
    form = await request.form()
    fields, errors = read_form(form)
    if not errors:
        try:
            do_update_macro(page.db, macro, page.who, fields)
        except ActionError as exc:
            errors = {_field(exc): str(exc)}
    if errors:
        page.db.rollback()
        return _page(request, page, macro=_brand_macro(page, macro_id), errors=errors, form=form)
    page.db.commit()
    return RedirectResponse("/supervisor/config/macros", status_code=303)


@router.post("/macros/{macro_id}/active")
async def set_active(macro_id: int, request: Request, page: Writer) -> Response:
    """Deactivate (``active=0``: agents no longer see it) or reactivate (``active=1``)."""
    macro = _brand_macro(page, macro_id)
    form = await request.form()
    try:
        do_update_macro(page.db, macro, page.who, {"active": form.get("active") == "1"})
    except ActionError as exc:
        raise PageError(exc.status, "error.action", str(exc), exc.field or "") from exc
    page.db.commit()
    return RedirectResponse("/supervisor/config/macros", status_code=303)
