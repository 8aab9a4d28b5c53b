"""Hostile input on every webhook route (Meta, X, SMS, phone, web form): forged signatures,
replays, huge bodies (refused without being read to the end, on a real server), JSON
nested 10,000 levels deep, wrong content types. None stores anything or crashes.

Replay protection differs by provider (checked against each one's documentation):
the phone webhook's own scheme signs a timestamp (``t=…,v1=…``, 300 s window), so an old
delivery is a 401; Twilio (``X-Twilio-Signature``: URL + parameters), Meta
(``X-Hub-Signature-256``: body) and X (``x-twitter-webhooks-signature``: body) sign no
timestamp, so a replayed delivery is stored once by its dedup key (MessageSid, mid,
event id) and never becomes a second message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import select as io_select
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omnicase.api.app import create_app
from omnicase.channels.phone.routes import sign as phone_sign
from omnicase.channels.sms.twilio import twilio_signature
from omnicase.config import Settings
from omnicase.model import InboxItem, Message
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.api.sse import serving
from tests.channels.conftest import create_account
from tests.factories import World

APP_SECRET = "meta-app-5ecret"
X_SECRET = "x-consumer-5ecret"
TWILIO_TOKEN = "twilio-auth-T0ken"
PHONE_SECRET = "phone-webhook-5ecret"
PAGE, X_ID, SMS_NUMBER, LINE = "1122334455", "4337869213", "+33757000111", "+33140000000"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
DEEP = b'{"a":' * 10_000 + b"1" + b"}" * 10_000


@dataclass
class Hook:
    """One webhook route: how a well-formed, well-signed delivery is made."""

    name: str
    path: str
    content_type: str
    body: Callable[[], bytes]
    sign: Callable[[str, bytes], dict[str, str]]  # (url, body) → headers
    forged: dict[str, str]


def _meta_body() -> bytes:
    entry = {
        "id": PAGE,
        "time": 1764000000000,
        "messaging": [
            {
                "sender": {"id": "psid-1"},
                "recipient": {"id": PAGE},
                "timestamp": 1764000000000,
                "message": {"mid": "m-hostile-1", "text": "bonjour"},
            }
        ],
    }
    return json.dumps({"object": "page", "entry": [entry]}).encode()


def _x_body() -> bytes:
    event = {
        "type": "message_create",
        "id": "x-event-1",
        "created_timestamp": "1764000000000",
        "message_create": {
            "target": {"recipient_id": X_ID},
            "sender_id": "3001969357",
            "message_data": {"text": "hello", "entities": {}},
        },
    }
    return json.dumps({"for_user_id": X_ID, "direct_message_events": [event]}).encode()


def _sms_params() -> list[tuple[str, str]]:
    return [("MessageSid", "SMhostile1"), ("From", "+33612345678"), ("To", SMS_NUMBER),
            ("Body", "bonjour"), ("NumMedia", "0")]  # fmt: skip


def _mac256(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def hooks(ids: dict[str, int]) -> list[Hook]:
    import base64

    def x_sig(_: str, body: bytes) -> dict[str, str]:
        mac = hmac.new(X_SECRET.encode(), body, hashlib.sha256).digest()
        return {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(mac).decode()}

    def sms_sig(url: str, body: bytes) -> dict[str, str]:
        from urllib.parse import parse_qsl

        pairs = parse_qsl(body.decode(), keep_blank_values=True)
        return {"X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, url, pairs)}

    return [
        Hook("meta", "/webhooks/meta", JSON, _meta_body,
             lambda _, b: {"x-hub-signature-256": "sha256=" + _mac256(APP_SECRET, b)},
             {"x-hub-signature-256": "sha256=" + "0" * 64}),
        Hook("x", "/webhooks/x", JSON, _x_body, x_sig,
             {"x-twitter-webhooks-signature": "sha256=AAAA"}),
        Hook("sms", f"/webhooks/sms/{ids['sms']}", FORM,
             lambda: urlencode(_sms_params()).encode(), sms_sig,
             {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}),
        Hook("phone", f"/webhooks/phone/{ids['phone']}", JSON,
             lambda: json.dumps({"call_id": "c-1", "state": "ended", "from": "+33612345678",
                                 "to": LINE, "direction": "inbound", "outcome": "missed",
                                 "at": "2026-11-02T09:00:00+01:00"}).encode(),
             lambda _, b: {"X-Omnicase-Signature": phone_sign(PHONE_SECRET, b, int(time.time()))},
             {"X-Omnicase-Signature": f"t={int(time.time())},v1={'0' * 64}"}),
    ]  # fmt: skip


@pytest.fixture
def accounts(db: Database, world: World, box: SecretBox) -> dict[str, int]:
    return {
        "meta": create_account(
            db, world, box, channel="messenger", name="page", address=PAGE,
            settings={"api_base": "http://127.0.0.1:9"},
            secrets={"app_secret": APP_SECRET, "verify_token": "v", "access_token": "a"},
        ),
        "x": create_account(
            db, world, box, channel="x", name="@acme", address=X_ID,
            settings={"api_base": "http://127.0.0.1:9", "handle": "acme"},
            secrets={"consumer_secret": X_SECRET, "access_token": "a"},
        ),
        "sms": create_account(
            db, world, box, channel="sms", name="sms", address=SMS_NUMBER,
            settings={"account_sid": "AC" + "0" * 32, "api_base": "http://127.0.0.1:9"},
            secrets={"auth_token": TWILIO_TOKEN},
        ),
        "phone": create_account(
            db, world, box, channel="phone", name="line", address=LINE, settings={},
            secrets={"webhook_secret": PHONE_SECRET, "auth_token": TWILIO_TOKEN},
        ),
    }  # fmt: skip


def stored(db: Database) -> tuple[int, int]:
    with db.reading() as s:
        inbox = int(s.scalar(select(func.count(InboxItem.id))) or 0)
        messages = int(s.scalar(select(func.count(Message.id))) or 0)
    return inbox, messages


NAMES = ["meta", "x", "sms", "phone"]


def _hook(accounts: dict[str, int], name: str) -> Hook:
    return next(h for h in hooks(accounts) if h.name == name)


@pytest.mark.parametrize("name", NAMES)
def test_a_good_delivery_is_stored_and_a_replay_is_not_stored_twice(
    db: Database, client: TestClient, accounts: dict[str, int], name: str
) -> None:
    """The control: what the other tests refuse is otherwise accepted."""
    hook = _hook(accounts, name)
    body = hook.body()
    headers = {
        "Content-Type": hook.content_type,
        **hook.sign("http://testserver" + hook.path, body),
    }
    first = client.post(hook.path, content=body, headers=headers)
    assert first.status_code == 200, first.text
    assert stored(db)[0] == 1
    again = client.post(hook.path, content=body, headers=headers)
    assert again.status_code in (200, 401)
    assert stored(db)[0] == 1, "a replay is never a second delivery"


def test_a_phone_delivery_signed_outside_the_window_is_a_replay(
    db: Database, client: TestClient, accounts: dict[str, int]
) -> None:
    hook = _hook(accounts, "phone")
    body = hook.body()
    old = phone_sign(PHONE_SECRET, body, int(time.time()) - 301)
    r = client.post(hook.path, content=body,
                    headers={"Content-Type": JSON, "X-Omnicase-Signature": old})  # fmt: skip
    assert r.status_code == 401 and "window" in r.text
    assert stored(db) == (0, 0)


@pytest.mark.parametrize("name", NAMES)
def test_forged_missing_signatures_and_wrong_content_types_store_nothing(
    db: Database, client: TestClient, accounts: dict[str, int], name: str
) -> None:
    hook = _hook(accounts, name)
    body = hook.body()
    forged = client.post(hook.path, content=body,
                         headers={"Content-Type": hook.content_type, **hook.forged})  # fmt: skip
    assert forged.status_code == 401, forged.text
    unsigned = client.post(hook.path, content=body, headers={"Content-Type": hook.content_type})
    assert unsigned.status_code == 401
    signed = hook.sign("http://testserver" + hook.path, body)
    for wrong in ("text/plain", "application/xml", "multipart/form-data; boundary=x"):
        r = client.post(hook.path, content=body, headers={"Content-Type": wrong, **signed})
        assert r.status_code in (400, 415), (wrong, r.status_code)
    assert stored(db) == (0, 0)


@pytest.mark.parametrize("name", ["meta", "x", "phone"])
def test_json_nested_ten_thousand_levels_is_a_fast_400(
    db: Database, client: TestClient, accounts: dict[str, int], name: str
) -> None:
    hook = _hook(accounts, name)
    started = time.perf_counter()
    signed = hook.sign("http://testserver" + hook.path, DEEP)
    r = client.post(hook.path, content=DEEP, headers={"Content-Type": JSON, **signed})
    assert r.status_code == 400, r.text
    assert time.perf_counter() - started < 5.0  # a hang or a deep recursion takes far longer
    assert stored(db) == (0, 0)


@pytest.fixture
def server(db: Database, settings: Settings, accounts: dict[str, int]) -> Iterator[str]:
    with serving(create_app(db, settings)) as url:
        yield url


def _raw_post(
    base: str, path: str, headers: dict[str, str], chunks: Iterator[bytes]
) -> tuple[int, int]:
    """POST over a raw socket; (status, bytes sent before the answer came)."""
    host = urlsplit(base)
    sock = socket.create_connection((host.hostname or "127.0.0.1", host.port or 80), timeout=10)
    head = f"POST {path} HTTP/1.1\r\nHost: {host.netloc}\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sock.sendall(head.encode())
    sent = 0
    answer = b""
    try:
        for chunk in chunks:
            if io_select.select([sock], [], [], 0)[0]:
                break  # the server answered before the body was complete
            sock.sendall(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError, TimeoutError):
        pass
    try:
        while b"\r\n" not in answer:
            more = sock.recv(65536)
            if not more:
                break
            answer += more
    except (ConnectionResetError, TimeoutError):
        pass
    finally:
        sock.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, sent


@pytest.mark.slow
@pytest.mark.parametrize("name", [*NAMES, "webform"])
def test_a_huge_body_is_refused_without_being_read(
    db: Database, server: str, accounts: dict[str, int], name: str
) -> None:
    path = "/forms/acme" if name == "webform" else _hook(accounts, name).path
    kind = "multipart/form-data; boundary=abc" if name == "webform" else JSON
    chunk = b"x" * 65536
    # a declared length of 1 GB: answered 413 from the headers alone
    status, sent = _raw_post(
        server, path, {"Content-Type": kind, "Content-Length": str(1 << 30)}, iter([chunk] * 16)
    )
    assert status == 413, (name, status)  # answered though 1 GB was never sent
    assert sent <= 16 * 65536

    # no declared length (chunked): the read stops at the limit, long before 64 MB
    def chunked() -> Iterator[bytes]:
        for _ in range(1024):
            yield b"10000\r\n" + chunk + b"\r\n"

    forged = {} if name == "webform" else _hook(accounts, name).forged
    status, sent = _raw_post(
        server, path, {"Content-Type": kind, "Transfer-Encoding": "chunked", **forged}, chunked()
    )
    assert status == 413, (name, status)
    assert sent < 32 * 1024 * 1024
    assert stored(db) == (0, 0)
