"""Meta fixtures: a page, an Instagram account and a WhatsApp number of acme, a local
Graph API server that records every request, and a helper that delivers a signed
webhook the way Meta does."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from omnicase.channels.meta.common import sign
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.channels.conftest import create_account
from tests.factories import World

FIXTURES = Path(__file__).parent / "fixtures"
APP_SECRET = "app-5ecret-0f-acme-meta-app"
VERIFY_TOKEN = "verify-acme-9f8e7d"
ACCESS_TOKEN = "EAAGacmeAccessTokenValue123"
PAGE, IG, PNID = "1029384756", "17841400000000001", "106540352242922"
PSID, IGSID, WA = "6789012345678901", "5432109876543210", "33612345678"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class GraphServer:
    """Answers each request with the next scripted ``(status, json)`` (default: a
    success shaped like the endpoint's), records it."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    script: list[tuple[int, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)

    def answer(self, req: Recorded) -> tuple[int, Any]:
        if self.script:
            return self.script.pop(0)
        if req.method == "GET" and req.path in self.files:
            return 200, self.files[req.path]
        if req.method == "GET":  # /{media-id}
            media = req.path.strip("/").split("/")[-1]
            return 200, {"url": f"{self.url}/files/{media}", "mime_type": "image/jpeg", "id": media}
        if req.path.endswith("/media"):
            return 200, {"id": "media-up-1"}
        if req.path.startswith(f"/{PNID}/"):
            n = len(self.requests) - 1
            return 200, {
                "messaging_product": "whatsapp",
                "contacts": [{"input": WA, "wa_id": WA}],
                "messages": [{"id": f"wamid.SENT{n}"}],
            }
        return 200, {"recipient_id": PSID, "message_id": f"m_sent_{len(self.requests) - 1}"}


@pytest.fixture
def graph() -> Iterator[GraphServer]:
    server_box: list[GraphServer] = []

    class Handler(BaseHTTPRequestHandler):
        def _do(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            req = Recorded(
                self.command,
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
            )
            graph = server_box[0]
            graph.requests.append(req)
            status, payload = graph.answer(req)
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header(
                "content-type",
                "application/octet-stream" if isinstance(payload, bytes) else "application/json",
            )
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _do

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_box.append(GraphServer(f"http://127.0.0.1:{server.server_address[1]}"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_box[0]
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class MetaAccounts:
    messenger: int
    instagram: int
    whatsapp: int


def meta_account(
    db: Database,
    world: World,
    box: SecretBox,
    channel: str,
    address: str,
    graph: GraphServer,
    **settings: Any,
) -> int:
    return create_account(
        db,
        world,
        box,
        channel=channel,
        name=f"Acme {channel}",
        address=address,
        settings={"api_base": graph.url, "timeout": 5, **settings},
        secrets={
            "app_secret": APP_SECRET,
            "verify_token": VERIFY_TOKEN,
            "access_token": ACCESS_TOKEN,
        },
    )


@pytest.fixture
def accounts(db: Database, world: World, box: SecretBox, graph: GraphServer) -> MetaAccounts:
    return MetaAccounts(
        meta_account(db, world, box, "messenger", PAGE, graph),
        meta_account(db, world, box, "instagram", IG, graph),
        meta_account(db, world, box, "whatsapp", PNID, graph),
    )


def deliver(
    client: TestClient,
    payload: dict[str, Any] | bytes,
    secret: str | None = APP_SECRET,
    **headers: str,
) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    sent = {"content-type": "application/json", **headers}
    if secret is not None:
        sent["x-hub-signature-256"] = sign(body, secret)
    return client.post("/webhooks/meta", content=body, headers=sent)
