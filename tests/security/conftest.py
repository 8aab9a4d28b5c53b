"""A customer with a real history, to export, erase and age: an email with an attachment
through the raw inbox, an SMS by the API, an agent's reply, a note, a reason correction;
and a second customer who shares one attachment and must keep everything."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.api.app import create_app
from omnicase.channels.attachments import AttachmentStore
from omnicase.channels.inbox import accept_inbound, process_inbox
from omnicase.config import Settings, load_settings
from omnicase.model import ChannelAccount, Identity, Message
from omnicase.security.secrets import SecretBox, generate_key
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.channels.conftest import create_account
from tests.factories import World, make_world

KEY = generate_key()
NAME = "Gwendoline Marchetti-Vasseur"
EMAIL = "gwendoline.marchetti@example.fr"
PHONE_E164 = "+33671829304"
PHONE_WRITTEN = "06 71 82 93 04"
SECRET_TEXT = "mon code portail est Zebulon-4417"
#: What must never be found anywhere after erasure (lowercase substrings).
PERSONAL = (
    EMAIL,
    "marchetti",
    "gwendoline",
    PHONE_E164,
    "671829304",
    PHONE_WRITTEN,
    "zebulon-4417",
)
PDF = b"%PDF-1.4 facture de Gwendoline Marchetti-Vasseur " + b"x" * 2000
SHARED = b"%PDF-1.4 conditions generales de vente " + b"y" * 500
OTHER_EMAIL = "bernard.quiles@example.fr"


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Settings:
    monkeypatch.setenv("OMNICASE_SECRET_KEYS", KEY)
    monkeypatch.setenv("OMNICASE_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    return load_settings()


@pytest.fixture
def world(db: Database) -> World:
    return make_world(db)


@pytest.fixture
def client(db: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(db, settings)) as c:
        yield c


@dataclass
class Journey:
    customer_id: int
    other_id: int
    reference: str
    sha_private: str
    sha_shared: str


def email_bytes(sender: str, name: str, text: str, attachments: list[tuple[str, bytes]]) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"{name} <{sender}>"
    mail["To"] = "service@acme.example"
    mail["Subject"] = f"Facture pour {name}"
    mail["Message-ID"] = f"<{abs(hash(sender + text))}@mail.example.fr>"
    mail["Date"] = "Tue, 01 Dec 2026 09:00:00 +0100"
    mail.set_content(text)
    for filename, data in attachments:
        mail.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return mail.as_bytes()


def deliver_email(db: Database, settings: Settings, raw: bytes) -> list[int]:
    with db.transaction() as s:
        account = s.scalar(select(ChannelAccount).where(ChannelAccount.channel == "email"))
        assert account is not None
        accepted = accept_inbound(s, "email", account, raw)
    outcome = process_inbox(
        db,
        accepted.inbox_id,
        SecretBox.from_settings(settings),
        AttachmentStore.from_settings(settings),
    )
    assert outcome == "processed", outcome
    with db.reading() as s:
        return list(s.scalars(select(Message.id).order_by(Message.id)))


@pytest.fixture
def journey(db: Database, world: World, settings: Settings, client: TestClient) -> Journey:
    box = SecretBox.from_settings(settings)
    create_account(
        db,
        world,
        box,
        channel="email",
        name="Service client",
        address="service@acme.example",
        settings={"smtp_host": "127.0.0.1", "smtp_port": 2525},
    )
    text = (
        f"Bonjour, je n'ai pas reçu ma commande A-12345. {SECRET_TEXT}.\n"
        f"Rappelez-moi au {PHONE_WRITTEN}.\n--\n{NAME}\n"
    )
    deliver_email(
        db, settings, email_bytes(EMAIL, NAME, text, [("facture.pdf", PDF), ("cgv.pdf", SHARED)])
    )
    deliver_email(
        db,
        settings,
        email_bytes(OTHER_EMAIL, "Bernard Quiles", "Voici les CGV.", [("cgv.pdf", SHARED)]),
    )
    admin = auth(world.tokens["acme:admin"])
    sms = {
        "brand": "acme",
        "channel": "sms",
        "external_id": "SM-gdpr-1",
        "received_at": "2026-12-01T10:00:00+01:00",
        "direction": "inbound",
        "text": f"C'est {NAME}, toujours rien pour A-12345, mon mail {EMAIL}",
        "from": {"phone": PHONE_E164, "name": NAME},
    }
    answer = client.post("/api/v1/messages", json=sms, headers=admin)
    assert answer.status_code in (200, 201), answer.text
    with db.reading() as s:
        customer_id = s.scalar(select(Identity.customer_id).where(Identity.value == EMAIL))
        other_id = s.scalar(select(Identity.customer_id).where(Identity.value == OTHER_EMAIL))
        assert customer_id is not None and other_id is not None
    found = client.get(f"/api/v1/customers/{customer_id}", headers=admin).json()
    assert {i["value"] for i in found["identities"]} >= {EMAIL, PHONE_E164}
    reference = found["cases"][0]["reference"]
    reply = client.post(
        f"/api/v1/cases/{reference}/replies",
        json={
            "text": f"Bonjour {NAME}, nous vous rappelons au {PHONE_WRITTEN}.",
            "channel": "email",
        },
        headers=admin,
    )
    assert reply.status_code == 201, reply.text
    note = client.post(
        f"/api/v1/cases/{reference}/notes",
        json={"text": f"Cliente {NAME} très patiente"},
        headers=admin,
    )
    assert note.status_code == 201, note.text
    patched = client.patch(f"/api/v1/cases/{reference}", json={"reason": "account"}, headers=admin)
    assert patched.status_code == 200, patched.text
    store = AttachmentStore.from_settings(settings)
    return Journey(customer_id, other_id, reference, store.put(PDF), store.put(SHARED))
