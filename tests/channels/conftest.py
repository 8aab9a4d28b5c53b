"""Fixtures of the channel tests: keys and attachment directory in the environment (the
job runners read their settings from it), a test-only adapter, a real SMTP server on
loopback, helpers to run the channels queue."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.api.app import create_app
from omnicase.channels.base import (
    Adapter,
    ChannelEvent,
    InboxInput,
    ParseError,
    ParseResult,
    StatusUpdate,
)
from omnicase.channels.registry import registered
from omnicase.config import Settings, load_settings
from omnicase.ingest.schema import InboundMessage
from omnicase.jobs import REGISTRY, RetryPolicy, load_jobs
from omnicase.model import ChannelAccount, User
from omnicase.security.secrets import SecretBox, generate_key
from omnicase.services.channel_accounts import do_create_account
from omnicase.store.db import Database
from omnicase.store.scope import principal_for
from tests.factories import World, make_world
from tests.jobs.helpers import drain, drain_until

KEY = generate_key()
SMTP_PASSWORD = "smtp-Pa55-5ecret-value"


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Settings:
    monkeypatch.setenv("OMNICASE_SECRET_KEYS", KEY)
    monkeypatch.setenv("OMNICASE_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    return load_settings()


@pytest.fixture
def box(settings: Settings) -> SecretBox:
    return SecretBox.from_settings(settings)


@pytest.fixture
def client(db: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(db, settings)) as c:
        yield c


@pytest.fixture
def world(db: Database) -> World:
    return make_world(db)


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The channel jobs' policies with three attempts a fraction of a second apart."""
    for name in ("channels.process_inbox", "channels.send"):
        spec = load_jobs()[name]
        fast = RetryPolicy(max_attempts=3, backoff=0.2, factor=1)
        monkeypatch.setitem(REGISTRY, name, replace(spec, retry=fast))


def run_channels(db: Database) -> None:
    drain(db, ["channels"])


def run_channels_until(db: Database, done: Any, timeout: float = 15) -> bool:
    return drain_until(db, done, timeout=timeout, queues=["channels"])


def create_account(
    db: Database, world: World, box: SecretBox, brand: str = "acme", **values: Any
) -> int:
    with db.transaction() as s:
        user = s.get(User, world.ids[f"{brand}:admin"])
        assert user is not None
        account = do_create_account(s, principal_for(s, user), box, **values)
        return account.id


def get_account(db: Database, account_id: int) -> ChannelAccount:
    with db.reading() as s:
        account = s.get(ChannelAccount, account_id)
        assert account is not None
        s.expunge(account)
        return account


# ---- a tiny adapter of the tests' own ------------------------------------------------


class Loopback(Adapter):
    """JSON in: ``{"messages": [{"id", "visitor", "text"}], "statuses": [...],
    "events": [...]}``. ``crashes`` makes the next parses raise (a bug, not bad input)."""

    channels: ClassVar[tuple[str, ...]] = ("loopback",)
    secrets: ClassVar[tuple[str, ...]] = ("app_secret",)
    settings: ClassVar[dict[str, type]] = {"label": str}

    def __init__(self) -> None:
        self.crashes = 0
        self.parsed = 0

    def parse(self, item: InboxInput) -> ParseResult:
        self.parsed += 1
        if self.crashes > 0:
            self.crashes -= 1
            raise RuntimeError("the adapter crashed half-way")
        try:
            data = json.loads(item.text())
        except json.JSONDecodeError as exc:
            raise ParseError(f"not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ParseError("not a JSON object")
        out = ParseResult()
        for m in data.get("messages", []):
            out.messages.append(
                InboundMessage.model_validate(
                    {
                        "brand": m.get("brand", item.account.brand),
                        "channel": "chat",
                        "external_id": m["id"],
                        "received_at": item.received_at.isoformat(),
                        "from": {"chat": m["visitor"], **m.get("from", {})},
                        "text": m["text"],
                        "thread": {"conversation_id": m["visitor"]},
                    }
                )
            )
        for s in data.get("statuses", []):
            out.statuses.append(StatusUpdate(s["channel"], s["id"], s["status"]))
        for e in data.get("events", []):
            out.events.append(ChannelEvent(e, {"n": 1}))
        return out


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    with registered(Loopback()) as adapter:
        assert isinstance(adapter, Loopback)
        yield adapter


# ---- a real SMTP server on loopback --------------------------------------------------


@dataclass
class Recorder:
    """Records every message accepted; ``script`` answers DATA first (e.g. a 451)."""

    messages: list[Envelope] = field(default_factory=list)
    script: list[str] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if self.script:
            answer = self.script.pop(0)
            if not answer.startswith("250"):
                return answer
        self.messages.append(envelope)
        return "250 2.0.0 Ok: queued as T3ST"

    def authenticate(
        self, server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            login, password = data.login.decode(), data.password.decode()
            self.logins.append((login, password))
            if login == "acme-mailer" and password == SMTP_PASSWORD:
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: Recorder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        authenticator=recorder.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, recorder)
    finally:
        controller.stop()


def email_account(db: Database, world: World, box: SecretBox, smtp: SmtpServer) -> int:
    return create_account(
        db,
        world,
        box,
        channel="email",
        name="Service client",
        address="service@acme.example",
        settings={
            "from_name": "Acme Service client",
            "reply_to": "reponses@acme.example",
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "smtp_user": "acme-mailer",
            "smtp_starttls": False,
            "smtp_timeout": 10,
        },
        secrets={"smtp_password": SMTP_PASSWORD},
    )


def message_row(db: Database, message_id: int) -> Any:
    from omnicase.model import Message

    with db.reading() as s:
        row = s.scalar(select(Message).where(Message.id == message_id))
        assert row is not None
        s.expunge(row)
        return row
