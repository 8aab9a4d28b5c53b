"""The live dashboard: queues, SLA risk, agents by state and load, internal vs provider
side by side, contact reasons now vs usual (:mod:`omnicase.services.dashboard`).

``/supervisor/stream`` is SSE: woken by every commit (the events hub the API's stream
uses: a presence change writes an ``agent.presence`` event, routing writes ``case.*``),
it recomputes the figures and sends the panels' HTML (event ``panels``, swapped by HTMX's
sse extension) only when what they show changed. The web session is re-checked at each
read, so a logout or an ended engagement stops the stream.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sse_starlette import EventSourceResponse

from omnicase.model.base import utcnow
from omnicase.services.dashboard import Dashboard, dashboard_fingerprint, live_dashboard
from omnicase.services.live import Hub
from omnicase.store.db import Database
from omnicase.store.scope import Principal, principal_for
from omnicase.web.auth import COOKIE, lookup_session
from omnicase.web.deps import (
    LoginRequired,
    Page,
    PageError,
    page_language,
    require_role,
    timeouts,
)
from omnicase.web.i18n import translator
from omnicase.web.templating import env, labeller, render

router = APIRouter(include_in_schema=False)


def wait_text(seconds: int | None) -> str:
    """A wait as a supervisor reads it: 45 s, 12 min, 1 h 05."""
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d}"


env.filters["wait"] = wait_text

Supervisor = Annotated[Page, Depends(require_role("supervisor"))]
#: a stream re-reads at least this often (waits tick; a lost wake-up costs this much)
REFRESH_SECONDS = 15.0
#: ... and at most once a second: a read costs ~0.2 s on a 20,000-case floor
#: (docs/benchmarks.md), and a busy floor commits many times a second
MIN_INTERVAL_SECONDS = 1.0
SUPERVISION = frozenset({"supervisor", "admin"})


@router.get("/supervisor")
def dashboard_page(request: Request, page: Supervisor) -> Response:
    board = live_dashboard(page.db, page.who, utcnow())
    return render(request, "supervisor/dashboard.html", page, board=board)


@router.get("/supervisor/panels")
def dashboard_panels(request: Request, page: Supervisor) -> Response:
    """The panels alone (HTMX polling fallback, and what the stream sends)."""
    board = live_dashboard(page.db, page.who, utcnow())
    return render(request, "supervisor/_panels.html", page, board=board)


def _principal(db: Database, request: Request, token: str | None) -> Principal | None:
    with db.reading() as session:
        found = lookup_session(session, token, utcnow(), timeouts(request.app.state.settings))
        if found is None:
            return None
        who = principal_for(session, found[1])
        return who if who.role in SUPERVISION else None


def _read(db: Database, request: Request, token: str | None) -> Dashboard | None:
    who = _principal(db, request, token)
    if who is None:
        return None
    with db.reading() as session:
        return live_dashboard(session, who, utcnow())


@router.get("/supervisor/stream")
def dashboard_stream(request: Request) -> EventSourceResponse:
    db: Database = request.app.state.db
    hub: Hub = request.app.state.live
    token = request.cookies.get(COOKIE)
    who = _principal(db, request, token)
    if who is None:
        if _principal_any(db, request, token):
            raise PageError(403, "error.role")
        raise LoginRequired()
    lang = page_language(request, None)
    t = translator(lang)
    template = env.get_template("supervisor/_panels.html")

    async def panels() -> AsyncIterator[dict[str, str]]:
        last: tuple[object, ...] | None = None
        async with hub.waiter() as woken:
            while True:
                woken.clear()
                board = await asyncio.to_thread(_read, db, request, token)
                if board is None:
                    return
                seen = dashboard_fingerprint(board)
                if seen != last:
                    last = seen
                    html = template.render(
                        request=request, t=t, label=labeller(t), lang=lang, board=board
                    )
                    yield {"event": "panels", "data": html}
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), REFRESH_SECONDS)
                await asyncio.sleep(MIN_INTERVAL_SECONDS)  # a burst of commits: one read

    return EventSourceResponse(
        panels(),
        ping=hub.heartbeat_seconds,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _principal_any(db: Database, request: Request, token: str | None) -> bool:
    with db.reading() as session:
        settings = request.app.state.settings
        return lookup_session(session, token, utcnow(), timeouts(settings)) is not None
