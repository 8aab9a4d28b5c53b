"""Chat fixtures: a chat account, the app served by a real uvicorn on 127.0.0.1, and a
small real WebSocket client (the ``websockets`` package)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from omnicase.api.app import create_app
from omnicase.config import Settings
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.channels.conftest import create_account
from tests.factories import World
from tests.live_server import served

KEY = "acme-site-widget"
ORIGIN = "https://www.acme.example"


@pytest.fixture
def chat_account(db: Database, world: World, box: SecretBox) -> int:
    return create_account(
        db,
        world,
        box,
        channel="chat",
        name="Site chat",
        address=KEY,
        settings={"allowed_origins": ORIGIN, "away_minutes": 5, "title": "Acme help"},
    )


@dataclass
class Server:
    base: str  # http://127.0.0.1:PORT

    @property
    def ws(self) -> str:
        return self.base.replace("http://", "ws://") + f"/chat/ws/{KEY}"


@pytest.fixture
def server(db: Database, settings: Settings) -> Iterator[Server]:
    """The whole app on a real socket (its own event loop in a thread)."""
    with served(create_app(db, settings), ws="websockets-sansio") as url:
        yield Server(url)


class Visitor:
    """One browser tab: a socket, the frames received, helpers to wait for one."""

    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn
        self.frames: list[dict[str, Any]] = []

    async def send(self, **frame: Any) -> None:
        await self.conn.send(json.dumps(frame))

    async def expect(self, kind: str, timeout: float = 10, **match: Any) -> dict[str, Any]:
        """The next frame of ``kind`` (matching ``match``), skipping others."""
        for frame in self.frames:
            if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
                self.frames.remove(frame)
                return frame
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            assert left > 0, f"no {kind} frame {match} in {timeout}s; got {self.frames}"
            frame = json.loads(await asyncio.wait_for(self.conn.recv(), left))
            if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
                return frame
            self.frames.append(frame)


async def open_visitor(server: Server, origin: str | None = ORIGIN, **hello: Any) -> Visitor:
    conn = await connect(server.ws, origin=origin, max_size=2**20, proxy=None)  # type: ignore[arg-type]
    visitor = Visitor(conn)
    await visitor.send(type="hello", **hello)
    return visitor
