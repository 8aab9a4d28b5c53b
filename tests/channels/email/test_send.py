"""Outbound email against a real SMTP server on loopback (aiosmtpd): headers, threading,
multipart, attachments, authentication with the decrypted password, 4xx retried, 5xx
failed and visible on the message, header injection refused."""

from __future__ import annotations

import base64
import email
import logging
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from omnicase.channels.attachments import AttachmentStore
from omnicase.channels.base import Account, OutboundAttachment, OutboundContext
from omnicase.channels.email.send import HeaderInjection, build_email
from omnicase.ingest.pipeline import ingest
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.channels.conftest import (
    SMTP_PASSWORD,
    SmtpServer,
    email_account,
    message_row,
    run_channels,
    run_channels_until,
)
from tests.factories import World, message


def customer_email(db: Database, **kw: str) -> tuple[str, str]:
    """A customer's email on acme; (case reference, its Message-ID)."""
    msg = message(
        email="julie.martin@example.fr",
        external_id=kw.get("id", "<c1@example.fr>"),
        subject=kw.get("subject", "Commande A-12345 pas arrivée"),
        text="Bonjour, ma commande A-12345 n'est pas arrivée.",
    )
    [result] = ingest(db, [msg])
    assert result.reference is not None
    return result.reference, msg.external_id


def reply(client: TestClient, world: World, ref: str, **body: object) -> dict[str, object]:
    answer = client.post(
        f"/api/v1/cases/{ref}/replies",
        json={"text": "Bonjour Julie,\n\nVotre colis part demain.\n\nSophie", **body},
        headers=auth(world.tokens["acme:agent"]),
    )
    assert answer.status_code == 201, answer.text
    out: dict[str, object] = answer.json()
    return out


def parsed(smtp: SmtpServer, index: int = -1) -> EmailMessage:
    raw = smtp.recorder.messages[index].content
    assert isinstance(raw, bytes)
    msg = email.message_from_bytes(raw, policy=default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_a_reply_goes_out_as_a_threaded_multipart_email(
    db: Database,
    world: World,
    box: SecretBox,
    smtp: SmtpServer,
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    email_account(db, world, box, smtp)
    ref, customer_id = customer_email(db)
    pdf = base64.b64encode(b"%PDF-1.4 bon de retour").decode()
    out = reply(
        client,
        world,
        ref,
        attachments=[
            {
                "filename": "../../bon-retour.pdf",
                "content_type": "application/pdf",
                "content_base64": pdf,
            }
        ],
    )
    assert out["delivery_status"] == "queued"
    our_id = str(out["external_id"])
    assert our_id.startswith("<") and our_id.endswith("@acme.example>")
    run_channels(db)

    [envelope] = smtp.recorder.messages
    assert envelope.mail_from == "service@acme.example"
    assert envelope.rcpt_tos == ["julie.martin@example.fr"]
    assert smtp.recorder.logins == [("acme-mailer", SMTP_PASSWORD)]  # decrypted to log in
    msg = parsed(smtp)
    assert msg["From"] == "Acme Service client <service@acme.example>"
    assert msg["Reply-To"] == "reponses@acme.example"
    assert msg["To"].addresses[0].addr_spec == "julie.martin@example.fr"
    assert msg["Subject"] == f"[{ref}] Re: Commande A-12345 pas arrivée"
    assert msg["Message-ID"] == our_id
    assert msg["In-Reply-To"] == customer_id
    assert msg["References"] == customer_id
    assert msg.get_content_type() == "multipart/mixed"
    body = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert body is not None and "Votre colis part demain." in body.get_content()
    assert html is not None and "<p>Votre colis part demain.</p>" in html.get_content()
    [att] = list(msg.iter_attachments())
    assert att.get_filename() == "bon-retour.pdf"
    assert att.get_content() == b"%PDF-1.4 bon de retour"

    row = message_row(db, int(str(out["id"])))
    assert row.delivery_status == "sent"
    assert row.meta["delivery"]["smtp_response"].startswith("2.0.0 Ok")
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")]
    assert not any(SMTP_PASSWORD in line for line in ours)

    # the customer answers our email: it joins the same case by In-Reply-To
    answer = message(
        email="julie.martin@example.fr",
        external_id="<c2@example.fr>",
        in_reply_to=our_id,
        subject=f"Re: [{ref}] Re: Commande A-12345 pas arrivée",
        text="Merci !",
    )
    [again] = ingest(db, [answer])
    assert again.reference == ref


def test_a_temporary_refusal_is_retried_then_sent(
    db: Database,
    world: World,
    box: SecretBox,
    smtp: SmtpServer,
    client: TestClient,
    fast_retries: None,
) -> None:
    email_account(db, world, box, smtp)
    ref, _ = customer_email(db)
    smtp.recorder.script = ["451 4.3.0 try again later"]
    out = reply(client, world, ref)
    run_channels(db)
    waiting = message_row(db, int(str(out["id"])))
    assert waiting.delivery_status == "queued"
    assert "451" in waiting.meta["delivery"]["last_error"]
    assert run_channels_until(
        db, lambda: message_row(db, int(str(out["id"]))).delivery_status == "sent"
    )
    assert len(smtp.recorder.messages) == 1
    assert message_row(db, int(str(out["id"]))).meta["delivery"]["attempts"] == 2


def test_a_permanent_refusal_fails_the_reply_visibly(
    db: Database,
    world: World,
    box: SecretBox,
    smtp: SmtpServer,
    client: TestClient,
    fast_retries: None,
) -> None:
    email_account(db, world, box, smtp)
    ref, _ = customer_email(db)
    smtp.recorder.script = ["550 5.1.1 mailbox unavailable"]
    out = reply(client, world, ref)
    run_channels(db)
    row = message_row(db, int(str(out["id"])))
    assert row.delivery_status == "failed"
    assert "550" in row.meta["delivery"]["error"]
    assert row.meta["delivery"]["attempts"] == 1  # not retried: it cannot help
    case = client.get(f"/api/v1/cases/{ref}", headers=auth(world.tokens["acme:agent"])).json()
    [shown] = [m for m in case["timeline"] if m["id"] == out["id"]]
    assert shown["delivery_status"] == "failed" and "550" in shown["meta"]["delivery"]["error"]
    assert "message.failed" in [e["kind"] for e in case["events"]]
    assert smtp.recorder.messages == []


@pytest.mark.slow
def test_an_unreachable_server_is_retried_until_the_last_attempt(
    db: Database,
    world: World,
    box: SecretBox,
    smtp: SmtpServer,
    client: TestClient,
    fast_retries: None,
) -> None:
    from tests.channels.conftest import free_port

    smtp.port = free_port()  # nothing listens there
    email_account(db, world, box, smtp)
    ref, _ = customer_email(db)
    out = reply(client, world, ref)
    assert run_channels_until(
        db, lambda: message_row(db, int(str(out["id"]))).delivery_status == "failed"
    )
    row = message_row(db, int(str(out["id"])))
    assert row.meta["delivery"]["attempts"] == 3
    assert "cannot reach the SMTP server" in row.meta["delivery"]["error"]


def test_a_subject_with_a_line_break_is_refused_not_sent(
    db: Database, world: World, box: SecretBox, smtp: SmtpServer, client: TestClient
) -> None:
    email_account(db, world, box, smtp)
    ref, _ = customer_email(db, subject="Commande\r\nBcc: everyone@evil.example")
    out = reply(client, world, ref)
    run_channels(db)
    row = message_row(db, int(str(out["id"])))
    assert row.delivery_status == "failed"
    assert "line break" in row.meta["delivery"]["error"]
    assert smtp.recorder.messages == []
    # an agent's own subject with a line break is refused at once
    answer = client.post(
        f"/api/v1/cases/{ref}/replies",
        json={"text": "x", "subject": "Hi\nBcc: a@evil.example"},
        headers=auth(world.tokens["acme:agent"]),
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "subject"


def _context(tmp_path: Path, **kw: object) -> OutboundContext:
    account = Account(1, "acme", "Acme", "email", "SAV", "service@acme.example", {}, {})
    values: dict[str, object] = {
        "message_id": 1,
        "external_id": "<ours@acme.example>",
        "channel": "email",
        "account": account,
        "recipient": "julie@example.fr",
        "recipient_name": "Julie Martin",
        "case_reference": "AC-000123",
        "subject": "Re: Retour",
        "text": "Texte",
        "html": None,
        "attachments": [],
        "thread": [],
        "in_reply_to": None,
        "author_name": "Sophie",
        "store": AttachmentStore(tmp_path),
    }
    values.update(kw)
    return OutboundContext(**values)  # type: ignore[arg-type]


def test_references_carry_the_last_20_ids_of_the_thread(tmp_path: Path) -> None:
    thread = [f"<m{i}@example.fr>" for i in range(30)] + ["no brackets@example.fr", "bad id"]
    msg = build_email(_context(tmp_path, thread=thread, in_reply_to="<m29@example.fr>"))
    # ids that are no Message-ID (a space, no @) are left out, the rest capped at 20
    assert msg["References"].split() == [f"<m{i}@example.fr>" for i in range(10, 30)]
    assert msg["In-Reply-To"] == "<m29@example.fr>"


def test_given_html_is_sanitised(tmp_path: Path) -> None:
    html = '<p onclick="steal()">Bonjour<script>alert(1)</script><img src="https://t.example/p.gif"></p>'
    msg = build_email(_context(tmp_path, html=html))
    part = msg.get_body(("html",))
    assert part is not None
    content = part.get_content()
    assert "Bonjour" in content
    assert "script" not in content and "onclick" not in content and "<img" not in content


@pytest.mark.parametrize(
    "change",
    [
        {"subject": "Hi\r\nBcc: x@evil.example"},
        {"recipient": "julie@example.fr\r\nBcc: x@evil.example"},
        {"recipient_name": "Julie\nBcc: x@evil.example"},
        {"recipient": "not an address"},
    ],
)
def test_header_injection_is_refused(tmp_path: Path, change: dict[str, object]) -> None:
    with pytest.raises(HeaderInjection):
        build_email(_context(tmp_path, **change))


def test_an_attachment_is_read_from_the_store(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path)
    digest = store.put(b"PNGDATA")
    att = OutboundAttachment(digest, "photo.png", "image/png", 7)
    msg = build_email(_context(tmp_path, attachments=[att], store=store))
    [part] = list(msg.iter_attachments())
    assert part.get_content_type() == "image/png" and part.get_content() == b"PNGDATA"
