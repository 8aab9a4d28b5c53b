"""Page dependencies: who is logged in (the web session cookie), their ``Principal``
(the access rule's, so pages filter exactly like the API), the CSRF check of every
non-GET request, and role checks.

* ``PageReader``: a GET page; no session → redirect to ``/login`` (``LoginRequired``).
* ``PageWriter``: a POST/PUT/DELETE; checks the CSRF token (form field ``csrf_token`` or
  ``X-CSRF-Token`` header, as HTMX sends it from ``hx-headers`` on ``<body>``) → 403, and
  that the role may write; one transaction the endpoint commits as its last step.
* ``require_role("supervisor", "admin")``: a dependency giving the ``Page`` or a 403 page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from omnicase.api.deps import get_db
from omnicase.config import Settings
from omnicase.model import AgentProfile, Organisation, User, WebSession
from omnicase.model.base import utcnow
from omnicase.store.db import Database
from omnicase.store.scope import Principal, principal_for
from omnicase.web.auth import (
    COOKIE,
    TOUCH_EVERY,
    Timeouts,
    csrf_ok,
    do_touch_session,
    lookup_session,
)
from omnicase.web.i18n import LANG_COOKIE, choose_language, translator
from omnicase.web.nav import NavItem, nav_for

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class LoginRequired(Exception):
    """No live session: the handler redirects to /login (HX-Redirect for HTMX)."""


class PageError(Exception):
    """An error page (403, 404, 409, 422) with a translated message key."""

    def __init__(self, status: int, key: str, detail: str = "", field: str = "") -> None:
        super().__init__(key)
        self.status, self.key, self.detail, self.field = status, key, detail, field


def timeouts(settings: Settings) -> Timeouts:
    return Timeouts(
        idle=timedelta(hours=settings.web_session_idle_hours),
        absolute=timedelta(hours=settings.web_session_absolute_hours),
    )


@dataclass
class Page:
    """A logged-in request: the database session, who, and what the layout shows."""

    db: Session
    who: Principal
    user: User
    web_session: WebSession
    lang: str
    request: Request
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def csrf(self) -> str:
        return self.web_session.csrf_secret

    @cached_property
    def t(self) -> Callable[..., str]:
        return translator(self.lang)

    @cached_property
    def nav(self) -> list[NavItem]:
        return nav_for(self.who.role)

    @cached_property
    def organisation(self) -> Organisation:
        org = self.db.get(Organisation, self.who.organisation_id)
        assert org is not None
        return org

    @cached_property
    def presence(self) -> str | None:
        """The user's presence (agents, supervisors and admins take cases)."""
        if not self.who.can_write:
            return None
        profile = self.db.get(AgentProfile, self.user.id)
        return profile.presence if profile is not None else "offline"

    def has_role(self, *roles: str) -> bool:
        return self.who.role in roles


def page_language(request: Request, brand_language: str | None) -> str:
    return choose_language(
        request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"), brand_language
    )


def _page(request: Request, session: Session, db: Database) -> Page:
    settings: Settings = request.app.state.settings
    limits = timeouts(settings)
    now = utcnow()
    found = lookup_session(session, request.cookies.get(COOKIE), now, limits)
    if found is None:
        raise LoginRequired()
    row, user = found
    if now - row.last_seen_at >= TOUCH_EVERY:
        # the idle deadline moves in a short transaction of its own (a page is a read)
        with db.transaction() as touch:
            do_touch_session(touch, row, now)
    who = principal_for(session, user)
    org = session.get(Organisation, who.organisation_id)
    return Page(
        db=session,
        who=who,
        user=user,
        web_session=row,
        lang=page_language(request, org.language if org is not None else None),
        request=request,
    )


def page_reader(request: Request, db: Annotated[Database, Depends(get_db)]) -> Iterator[Page]:
    with db.sessions() as session:
        yield _page(request, session, db)


async def _csrf_token(request: Request) -> str | None:
    given = request.headers.get(CSRF_HEADER)
    if given:
        return given
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def csrf_token_of(request: Request) -> str | None:
    """The CSRF token the request carries (read before the page's session opens)."""
    return await _csrf_token(request)


def page_writer(
    request: Request,
    db: Annotated[Database, Depends(get_db)],
    given: Annotated[str | None, Depends(csrf_token_of)],
) -> Iterator[Page]:
    with db.write_sessions() as session:
        page = _page(request, session, db)
        if not csrf_ok(page.web_session, given):
            raise PageError(403, "error.csrf")
        if not page.who.can_write:
            raise PageError(403, "error.read_only")
        yield page


PageReader = Annotated[Page, Depends(page_reader)]
PageWriter = Annotated[Page, Depends(page_writer)]


def require_role(*roles: str) -> Callable[[Page], Page]:
    """``page: Annotated[Page, Depends(require_role("supervisor", "admin"))]``; admin
    always passes."""
    allowed = frozenset(roles) | {"admin"}

    def check(page: PageReader) -> Page:
        if page.who.role not in allowed:
            raise PageError(403, "error.role")
        return page

    return check


def require_write_role(*roles: str) -> Callable[[Page], Page]:
    """As :func:`require_role` for non-GET requests (CSRF checked first)."""
    allowed = frozenset(roles) | {"admin"}

    def check(page: PageWriter) -> Page:
        if page.who.role not in allowed:
            raise PageError(403, "error.role")
        return page

    return check
