"""The chat's routes: the visitor's WebSocket, the widget script, a demo page, and the
agents' typing indicator. The socket is public (a widget key names the account; browsers'
Origin is checked against the account's ``allowed_origins``)."""

from __future__ import annotations

import asyncio
import html
from importlib import resources

from fastapi import APIRouter, HTTPException, Request, Response, WebSocket
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict

from omnicase.api.cases import _visible_case
from omnicase.api.deps import Writer
from omnicase.api.errors import ERRORS, NOT_FOUND
from omnicase.channels.chat import conversation as conv
from omnicase.channels.chat.socket import POLICY_VIOLATION, ChatSocket, origin_allowed
from omnicase.model import User
from omnicase.store.db import Database

router = APIRouter(tags=["chat"])

WIDGET = resources.files("omnicase.channels.chat").joinpath("static/widget.js")


def _account(db: Database, key: str) -> conv.ChatAccount | None:
    with db.reading() as s:
        return conv.find_account(s, key)


@router.websocket("/chat/ws/{key}")
async def chat_socket(ws: WebSocket, key: str) -> None:
    """The visitor's conversation (protocol: :mod:`omnicase.channels.chat.protocol`).
    An unknown key or a foreign Origin is refused at the handshake (HTTP 403)."""
    account = await asyncio.to_thread(_account, ws.app.state.db, key)
    if account is None or not origin_allowed(ws.headers.get("origin"), account.origins, ws):
        await ws.close(POLICY_VIOLATION)
        return
    await ws.accept()
    await ChatSocket(ws, account).run()


@router.get("/chat/widget.js", include_in_schema=False)
def widget_script() -> Response:
    """The embeddable widget: plain JS, cached for an hour by browsers and proxies."""
    return Response(
        WIDGET.read_text(encoding="utf-8"),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


DEMO = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} — chat demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>{title}</h1><p>A page of the brand's site with the chat widget.</p>
<script src="/chat/widget.js" data-key="{key}" data-open="true"></script>
</body></html>
"""


@router.get("/chat/demo/{key}", response_class=HTMLResponse, include_in_schema=False)
def demo_page(key: str, request: Request) -> HTMLResponse:
    """A page with the widget, to try a key (no inline script: a strict CSP holds)."""
    account = _account(request.app.state.db, key)
    if account is None:
        raise HTTPException(404, "no active chat account with this key")
    page = DEMO.format(title=html.escape(account.title), key=html.escape(key))
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": "default-src 'self'; script-src 'self'; "
            "connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'",
            "Cache-Control": "no-store",
        },
    )


class TypingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: bool = True


@router.post(
    "/api/v1/cases/{reference}/typing",
    status_code=204,
    responses={**ERRORS, **NOT_FOUND},
    tags=["replies"],
)
def post_typing(reference: str, body: TypingIn, auth: Writer) -> Response:
    """The agent is typing an answer: the visitor's chat widget shows it with their name."""
    session, who = auth
    case = _visible_case(session, who, reference)
    user = session.get(User, who.user_id)
    conv.do_agent_typing(session, case, who, user.name if user else None, body.state)
    session.commit()
    return Response(status_code=204)


__all__ = ["router"]
