"""Jinja2 environment (autoescaped: message text is data, never markup) and ``render``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from omnicase.model.base import utcnow
from omnicase.web.i18n import translator

if TYPE_CHECKING:
    from omnicase.web.deps import Page

env = Environment(
    loader=PackageLoader("omnicase.web", "templates"),
    autoescape=select_autoescape(["html"], default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@pass_context
def _when(context: Context, value: datetime | None, fmt: str = "%d/%m %H:%M") -> str:
    """In the organisation's timezone (``tz`` in the context), else UTC."""
    if value is None:
        return ""
    try:
        zone = ZoneInfo(str(context.get("tz") or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return value.astimezone(zone).strftime(fmt)


def _effective_sla(state: str | None, due: datetime | None) -> str | None:
    """A due time already passed is breached, even before the SLA checker's next round
    writes it."""
    if state in ("ok", "at_risk") and due is not None and due <= utcnow():
        return "breached"
    return state


def _duration(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h {minutes % 60:02d}" if hours < 10 else f"{hours} h"
    return f"{hours // 24} d"


def _until(due: datetime, t: Callable[..., str]) -> str:
    """``in 2 h 05`` / ``35 min late`` from now."""
    seconds = (due - utcnow()).total_seconds()
    key = "time.in" if seconds >= 0 else "time.late"
    return t(key, d=_duration(seconds))


env.filters["when"] = _when
env.globals["until"] = _until
env.globals["effective_sla"] = _effective_sla


def labeller(t: Callable[..., str]) -> Callable[[str, str | None], str]:
    """``label("reason", key)``: a stored key's name in the page's language; a key with no
    translation (a brand's own reason, queue or rule added later) is shown as stored."""

    def label(prefix: str, key: str | None) -> str:
        if not key:
            return "—"
        name = f"{prefix}.{key}"
        text = t(name)
        return key if text == name else text

    return label


def render(
    request: Request,
    template: str,
    page: Page | None,
    *,
    lang: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    """The template with ``t`` (translations), ``page`` (who is logged in, csrf, nav) and
    ``request`` in its context."""
    language = page.lang if page is not None else (lang or "en")
    values.setdefault("tz", page.organisation.timezone if page is not None else "UTC")
    t = translator(language)
    html = env.get_template(template).render(
        request=request, page=page, lang=language, t=t, label=labeller(t), **values
    )
    return HTMLResponse(html, status_code=status, headers=headers)
