"""GET /api/v1/events/stream: the user's case events as they are committed (SSE)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session
from sse_starlette import EventSourceResponse

from omnicase.api.deps import bearer, get_db, principal_or_none, require_principal
from omnicase.api.errors import ERRORS
from omnicase.services.live import Hub, LiveStream
from omnicase.store.db import Database
from omnicase.store.scope import Principal

router = APIRouter(prefix="/api/v1/events", tags=["events"])


@router.get(
    "/stream",
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}}},
    response_class=EventSourceResponse,
)
def stream(
    request: Request,
    db: Annotated[Database, Depends(get_db)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    last_event_id: Annotated[int | None, Header(ge=0, alias="Last-Event-ID")] = None,
) -> EventSourceResponse:
    """``id`` = event id, ``event`` = kind, ``data`` = ids only (event, brand, case,
    message, channel, time). Send ``Last-Event-ID`` to resume: missed events are replayed
    from the log. Only the cases the user may read (the case-read access rule); a comment
    line every 15 s keeps proxies from closing the connection. Opens no transaction while
    idle: each read is a short session."""
    hub: Hub = request.app.state.live

    def principal(session: Session) -> Principal | None:
        return principal_or_none(session, creds)

    live = LiveStream(hub, principal)
    with db.reading() as session:
        if "read" not in require_principal(session, creds).scopes:
            raise HTTPException(403, "this API token has no read scope")
        live.begin(session, last_event_id)
    return EventSourceResponse(
        live.messages(),
        ping=hub.heartbeat_seconds,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
