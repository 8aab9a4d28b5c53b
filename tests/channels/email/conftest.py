"""Fixture paths of the email tests; omnicase's own SMTP server on loopback (the inbound
edge), two brands' mailboxes, small readers of what got stored."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from omnicase.channels.email.smtpd import InboundController, make_controller
from omnicase.model import Case, Event, InboxItem, Message
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.channels.conftest import create_account, free_port
from tests.factories import World

FIXTURES = Path(__file__).parent / "fixtures"
REPLIES = FIXTURES / "replies"
AUTO = FIXTURES / "auto"
HOSTILE = FIXTURES / "hostile"


# ---- the inbound edge: omnicase's own SMTP server on loopback -----------------------


ACME_MAILBOX = "service@acme.example"
GLOBEX_MAILBOX = "support@globex.example"


@dataclass
class Mx:
    """omnicase's inbound SMTP server, listening on loopback."""

    host: str
    port: int
    controller: InboundController

    def send(self, raw: bytes, to: list[str] | None = None, sender: str = "a@example.fr") -> Any:
        with smtplib.SMTP(self.host, self.port, timeout=10) as client:
            return client.sendmail(sender, to or [ACME_MAILBOX], raw)


def start_mx(db: Database, **kwargs: Any) -> Mx:
    port = free_port()
    controller = make_controller(db, "127.0.0.1", port, **kwargs)
    controller.start()
    return Mx("127.0.0.1", port, controller)


@pytest.fixture
def mx(db: Database) -> Iterator[Mx]:
    server = start_mx(db)
    try:
        yield server
    finally:
        server.controller.stop()


@pytest.fixture
def mailboxes(db: Database, world: World, box: SecretBox) -> dict[str, int]:
    """acme's and globex's email accounts (no SMTP out needed to receive)."""
    return {
        "acme": create_account(
            db, world, box, channel="email", name="Service client", address=ACME_MAILBOX
        ),
        "globex": create_account(
            db, world, box, brand="globex", channel="email", name="Support", address=GLOBEX_MAILBOX
        ),
    }


def count(db: Database, model: Any, *where: Any) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def inbox_rows(db: Database) -> list[InboxItem]:
    with db.reading() as s:
        rows = list(s.scalars(select(InboxItem).order_by(InboxItem.id)))
        s.expunge_all()
        return rows


def messages_with(db: Database, external_id: str) -> list[Message]:
    with db.reading() as s:
        rows = list(s.scalars(select(Message).where(Message.external_id == external_id)))
        s.expunge_all()
        return rows


def case_row(db: Database, case_id: int) -> Case:
    with db.reading() as s:
        case = s.get(Case, case_id)
        assert case is not None
        s.expunge(case)
        return case


def events_of(db: Database, kind: str) -> list[Event]:
    with db.reading() as s:
        rows = list(s.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))
        s.expunge_all()
        return rows


def customer_mail(
    message_id: str,
    *,
    subject: str = "Commande A-12345 pas arrivée",
    text: str = "Bonjour, ma commande A-12345 n'est pas arrivée.",
    sender: str = "julie.martin@example.fr",
    to: str = ACME_MAILBOX,
    extra: str = "",
) -> bytes:
    return (
        f"From: Julie Martin <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Date: Tue, 01 Dec 2026 09:00:00 +0100\r\nMessage-ID: {message_id}\r\n{extra}"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n"
    ).encode()


def reference_of(db: Database, case_id: int) -> str:
    from omnicase.model import Organisation
    from omnicase.store.references import format_reference

    with db.reading() as s:
        case = s.get(Case, case_id)
        assert case is not None
        brand = s.get(Organisation, case.brand_id)
        assert brand is not None
        return format_reference(brand.case_prefix or "", case.id)
