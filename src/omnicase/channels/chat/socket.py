"""One visitor's WebSocket: hello → (prechat) → messages, typing, seen; pushes what the
database holds for the conversation. Every database call runs in a thread."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from omnicase.channels.chat import conversation as conv
from omnicase.channels.chat.protocol import Frame, FrameError, parse_frame
from omnicase.config import Settings
from omnicase.services.cases import ActionError
from omnicase.services.live import Hub
from omnicase.store.db import Database

log = logging.getLogger(__name__)

HELLO_TIMEOUT = 30.0
#: At most one typing event written per socket in this many seconds.
TYPING_EVERY = 3.0
POLICY_VIOLATION = 1008
TOO_BIG = 1009


def origin_allowed(origin: str | None, allowed: tuple[str, ...], ws: WebSocket) -> bool:
    """A browser always sends Origin: it must be listed, or be this server (the demo
    page). Non-browser clients send none (they could forge any)."""
    if origin is None:
        return True
    origin = origin.rstrip("/")
    scheme = "https" if ws.url.scheme == "wss" else "http"
    own = f"{scheme}://{ws.headers.get('host', '')}"
    return origin == own or "*" in allowed or origin in allowed


class ChatSocket:
    def __init__(self, ws: WebSocket, account: conv.ChatAccount) -> None:
        self.ws = ws
        self.account = account
        self.db: Database = ws.app.state.db
        self.hub: Hub = ws.app.state.live
        self.settings: Settings = ws.app.state.settings
        self.visitor: str | None = None
        self.name: str | None = None
        self.email: str | None = None
        self.after = 0
        self.pushed: set[int] = set()
        self.events_after = 0
        self.typed_at = 0.0
        self.lock = asyncio.Lock()

    async def send(self, frame: dict[str, Any]) -> None:
        async with self.lock:
            if self.ws.application_state == WebSocketState.CONNECTED:
                await self.ws.send_json(frame)

    async def run(self) -> None:
        pusher: asyncio.Task[None] | None = None
        try:
            while True:
                raw = await self.receive()
                if raw is None:
                    return
                try:
                    frame = parse_frame(raw)
                    if self.visitor is None and frame.type != "hello":
                        raise FrameError("hello_first", "say hello first")
                    await self.handle(frame)
                except FrameError as exc:
                    await self.send(exc.frame())
                    if exc.code == "too_large":
                        await self.ws.close(TOO_BIG)
                        return
                    continue
                if frame.type == "hello" and pusher is None:
                    pusher = asyncio.create_task(self.push(), name="chat-push")
        except WebSocketDisconnect:
            return
        finally:
            if pusher is not None:
                pusher.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await pusher

    async def receive(self) -> str | bytes | None:
        timeout = HELLO_TIMEOUT if self.visitor is None else None
        try:
            message = await asyncio.wait_for(self.ws.receive(), timeout)
        except TimeoutError:
            await self.ws.close(POLICY_VIOLATION)
            return None
        if message["type"] == "websocket.disconnect":
            return None
        text: str | None = message.get("text")
        return text if text is not None else bytes(message.get("bytes") or b"")

    async def handle(self, frame: Frame) -> None:
        data = frame.data
        if frame.type == "hello":
            await self.hello(data)
        elif frame.type == "prechat":
            self.name, self.email = data["name"], data["email"]
            await self.send({"type": "prechat_ok", "name": self.name, "email": self.email})
        elif frame.type == "message":
            await self.message(data["client_id"], data["text"])
        elif frame.type == "typing":
            await self.typing(data["state"])
        elif frame.type == "seen":
            if data["seq"] is not None:
                await asyncio.to_thread(self._seen, data["seq"])
        elif frame.type == "ping":
            await self.send({"type": "pong"})

    async def hello(self, data: dict[str, Any]) -> None:
        if self.visitor is not None:
            raise FrameError("bad_frame", "hello was already said")
        visitor, token = data["visitor"], data["token"]
        try:
            if visitor and token and conv.token_ok(self.settings, self.account.id, visitor, token):
                self.after = data["last_seq"] or 0
            else:
                visitor, self.after = conv.new_visitor(), 0
            token = conv.resume_token(self.settings, self.account.id, visitor)
        except ActionError as exc:
            raise FrameError("unavailable", str(exc)) from None
        self.visitor = visitor
        self.name, self.email = await asyncio.to_thread(self._known)
        await self.send(
            {
                "type": "welcome",
                "visitor": visitor,
                "token": token,
                "title": self.account.title,
                "name": self.name,
                "email": self.email,
                "prechat": self.name is None,
            }
        )

    def _known(self) -> tuple[str | None, str | None]:
        assert self.visitor is not None
        with self.db.reading() as s:
            self.events_after = conv.last_event_id(s)
            return conv.known_visitor(s, self.account.brand_id, self.visitor)

    async def message(self, client_id: str, text: str) -> None:
        if self.name is None:
            raise FrameError("prechat_required", "send the pre-chat form (your name) first")
        try:
            accepted = await asyncio.to_thread(self._store, client_id, text)
        except Exception as exc:  # the database is away: the widget keeps it and resends
            log.warning("chat message not stored: %s", type(exc).__name__)
            raise FrameError("retry_later", "not stored yet: it will be sent again") from None
        await self.send(
            {
                "type": "ack",
                "client_id": client_id,
                "id": accepted.inbox_id,
                "duplicate": accepted.duplicate,
            }
        )

    def _store(self, client_id: str, text: str) -> Any:
        assert self.visitor is not None
        headers = {"user-agent": self.ws.headers.get("user-agent", "")[:300]}
        with self.db.transaction() as s:
            return conv.store_message(
                s, self.account.id, self.visitor, client_id, text, self.name, self.email, headers
            )

    async def typing(self, state: bool) -> None:
        now = asyncio.get_running_loop().time()
        if state and now - self.typed_at < TYPING_EVERY:
            return
        self.typed_at = now if state else 0.0
        assert self.visitor is not None
        visitor = self.visitor

        def write() -> None:
            with self.db.transaction() as s:
                conv.do_customer_typing(s, self.account.brand_id, visitor, state)

        await asyncio.to_thread(write)

    def _seen(self, seq: int) -> None:
        assert self.visitor is not None
        with self.db.transaction() as s:
            conv.mark_seen(s, self.account.brand_id, self.visitor, seq)

    def _read(self) -> list[dict[str, Any]]:
        assert self.visitor is not None
        with self.db.reading() as s:
            frames = conv.pending_messages(
                s, self.account.brand_id, self.visitor, self.after, self.pushed
            )
            typing, self.events_after = conv.agent_typing(
                s, self.account.brand_id, self.visitor, self.events_after
            )
        for frame in frames:
            self.pushed.add(frame["seq"])
        return frames + typing

    async def push(self) -> None:
        """Wake on every committed event (NOTIFY / commit hook), else poll."""
        async with self.hub.waiter() as woken:
            while True:
                woken.clear()
                try:
                    frames = await asyncio.to_thread(self._read)
                except Exception as exc:  # the database went away: keep the socket
                    log.warning("chat push read failed: %s", type(exc).__name__)
                    frames = []
                for frame in frames:
                    await self.send(frame)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), self.hub.poll_seconds)
