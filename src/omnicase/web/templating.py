"""Jinja2 environment (autoescaped: message text is data, never markup) and ``render``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

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


def _when(value: datetime | None, fmt: str = "%d/%m %H:%M") -> str:
    return value.strftime(fmt) if value is not None else ""


env.filters["when"] = _when


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
    html = env.get_template(template).render(
        request=request, page=page, lang=language, t=translator(language), **values
    )
    return HTMLResponse(html, status_code=status, headers=headers)
