"""The agent's inbox: my cases, my team's queues, filters, search, cursor paging, and
new rows live over SSE (the event log's stream, re-checked against the access rule and
the page's filters for every event)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from sse_starlette import EventSourceResponse

from omnicase.api.deps import get_db
from omnicase.ingest.schema import Channel
from omnicase.model import Organisation
from omnicase.model.base import utcnow
from omnicase.services.audit import do_record_access
from omnicase.services.live import Hub, LiveStream
from omnicase.store.db import Database
from omnicase.store.queries import decode_cursor, encode_cursor
from omnicase.store.scope import Principal, principal_for
from omnicase.web.auth import COOKIE, lookup_session
from omnicase.web.deps import (
    LoginRequired,
    Page,
    PageError,
    PageReader,
    page_language,
    timeouts,
)
from omnicase.web.i18n import translator
from omnicase.web.nav import home_for
from omnicase.web.queries import (
    SLA_STATES,
    STATUSES,
    VIEWS,
    InboxFilters,
    inbox_page,
    reasons_for,
    rows_for,
    visible_inbox_case,
)
from omnicase.web.templating import env, labeller, render

router = APIRouter(include_in_schema=False)
CHANNELS = tuple(c.value for c in Channel)


def inbox_filters(
    view: Annotated[str, Query(max_length=8)] = "all",
    status: Annotated[str, Query(max_length=12)] = "active",
    channel: Annotated[str, Query(max_length=16)] = "",
    reason: Annotated[str, Query(max_length=32)] = "",
    sla: Annotated[str, Query(max_length=12)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
) -> InboxFilters:
    """Unknown values are refused by name (a hand-edited URL gets a clear 422)."""
    for name, value, allowed in (
        ("view", view, VIEWS),
        ("status", status, STATUSES),
        ("channel", channel, ("", *CHANNELS)),
        ("sla", sla, ("", *SLA_STATES)),
    ):
        if value not in allowed:
            raise PageError(422, "error.filter", f"{name}: {value}", name)
    return InboxFilters(view, status, channel or None, reason or None, sla or None, q or None)


Filters = Annotated[InboxFilters, Depends(inbox_filters)]


def _before(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        return decode_cursor(cursor)
    except ValueError as exc:
        raise PageError(422, "error.cursor", str(exc), "cursor") from exc


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _rows_context(page: Page, f: InboxFilters, cursor: str | None) -> dict[str, Any]:
    cases, last = inbox_page(page.db, page.who, f, _before(cursor))
    do_record_access(
        page.request.app.state.db,
        page.who,
        "cases_listed",
        case_ids=[c.id for c in cases],
        client=_client(page.request),
    )
    more = None
    if last is not None:
        more = "/inbox/rows?" + urlencode({**f.as_query(), "cursor": encode_cursor(last)})
    return {"rows": rows_for(page.db, cases), "more": more, "filters": f}


@router.get("/")
def home(page: PageReader) -> Response:
    return RedirectResponse(home_for(page.who.role), status_code=303)


@router.get("/inbox")
def inbox(request: Request, page: PageReader, f: Filters) -> Response:
    context = _rows_context(page, f, None)
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "inbox-list":
        return render(request, "_inbox_list.html", page, **context)
    return render(
        request,
        "inbox.html",
        page,
        channels=CHANNELS,
        reasons=reasons_for(page.db, page.who),
        sla_states=SLA_STATES,
        statuses=STATUSES,
        views=VIEWS,
        live_url="/inbox/live?" + urlencode(f.as_query()),
        **context,
    )


@router.get("/inbox/rows")
def inbox_rows(
    request: Request,
    page: PageReader,
    f: Filters,
    cursor: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The next page of rows (the "more" button)."""
    return render(request, "_inbox_rows.html", page, **_rows_context(page, f, cursor))


class _WebPrincipal:
    """The stream's principal, re-read from the session cookie at every read: logout,
    expiry, a deactivated user or an ended engagement stops the stream."""

    def __init__(self, request: Request) -> None:
        self.token = request.cookies.get(COOKIE)
        self.limits = timeouts(request.app.state.settings)

    def __call__(self, session: Session) -> Principal | None:
        found = lookup_session(session, self.token, utcnow(), self.limits)
        return None if found is None else principal_for(session, found[1])


@router.get("/inbox/live")
def inbox_live(
    request: Request, db: Annotated[Database, Depends(get_db)], f: Filters
) -> EventSourceResponse:
    """SSE: ``event: row`` with the HTML of a case row each time a case of this inbox
    (same filters) gets an event; each event's case is read again through the access
    rule with the principal of the moment."""
    hub: Hub = request.app.state.live
    principal = _WebPrincipal(request)
    live = LiveStream(hub, principal)
    with db.reading() as session:
        if principal(session) is None:
            raise LoginRequired()
        live.begin(session, None)
    language = page_language(request, None)

    def render_row(case_id: int) -> str | None:
        with db.reading() as session:
            who = principal(session)
            if who is None:
                return None
            case = visible_inbox_case(session, who, f, case_id)
            if case is None:
                return None
            rows = rows_for(session, [case])
            template = env.get_template("_inbox_row.html")
            org = session.get(Organisation, who.organisation_id)
            t = translator(language)
            return template.render(
                row=rows[0],
                t=t,
                label=labeller(t),
                live=True,
                tz=org.timezone if org is not None else "UTC",
            )

    async def rows() -> AsyncIterator[dict[str, str]]:
        async for message in live.messages():
            data = json.loads(message["data"])
            case_id = data.get("case_id")
            if not isinstance(case_id, int) or message["event"].startswith("access."):
                continue
            html = await asyncio.to_thread(render_row, case_id)
            if html is None:
                continue
            yield {"event": "row", "id": message["id"], "data": html}

    return EventSourceResponse(
        rows(),
        ping=hub.heartbeat_seconds,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
