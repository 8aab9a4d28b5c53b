"""The email adapter's parse side, from the wire: SMTP in → inbox row (the raw bytes) →
parse → attachments in the store → the case; the full original downloadable by those
who may see the case, and unreadable mail quarantined with its reason."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP

from fastapi.testclient import TestClient

from omnicase.channels.attachments import AttachmentStore
from omnicase.config import Settings
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.channels.conftest import run_channels
from tests.channels.email.conftest import ACME_MAILBOX, Mx, inbox_rows, messages_with
from tests.factories import World

PDF = b"%PDF-1.4 facture A-12345\n" * 40


def _with_attachment() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Julie Martin <julie.martin@example.fr>"
    msg["To"] = ACME_MAILBOX
    msg["Subject"] = "Facture manquante"
    msg["Message-ID"] = "<att1@example.fr>"
    msg["Date"] = "Tue, 01 Dec 2026 09:00:00 +0100"
    msg.set_content("Bonjour,\n\nVoici la facture.\n\nJulie\n\n> Le 30 nov. vous avez écrit :\n> …")
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="../../facture.pdf")
    return msg.as_bytes(policy=SMTP)


def test_an_email_with_an_attachment_becomes_a_message_with_its_original(
    db: Database,
    mx: Mx,
    mailboxes: dict[str, int],
    client: TestClient,
    world: World,
    settings: Settings,
) -> None:
    raw = _with_attachment()
    mx.send(raw)
    run_channels(db)
    [message] = messages_with(db, "<att1@example.fr>")
    assert message.text is not None and message.text.startswith("Bonjour,\n\nVoici la facture.")
    assert "vous avez écrit" not in message.text  # the quoted history is cut…
    assert "vous avez écrit" in message.meta["email"]["full_text"]  # …and kept
    [attachment] = message.attachments
    assert attachment["filename"] == "facture.pdf"
    assert attachment["content_type"] == "application/pdf"
    assert attachment["size"] == len(PDF)
    assert AttachmentStore.from_settings(settings).read(attachment["sha256"]) == PDF
    [row] = inbox_rows(db)
    assert message.meta["inbox_id"] == row.id

    agent = auth(world.tokens["acme:agent"])
    got = client.get(
        f"/api/v1/messages/{message.id}/attachments/{attachment['sha256']}", headers=agent
    )
    assert got.status_code == 200 and got.content == PDF

    original = client.get(f"/api/v1/messages/{message.id}/original", headers=agent)
    assert original.status_code == 200
    assert original.headers["content-type"] == "message/rfc822"
    assert original.headers["content-disposition"].startswith("attachment")
    assert original.headers["x-content-type-options"] == "nosniff"
    assert original.content == bytes(row.body)
    assert b"Le 30 nov." in original.content or b"Le 30 nov" in original.content

    other_brand = auth(world.tokens["globex:admin"])
    hidden = client.get(f"/api/v1/messages/{message.id}/original", headers=other_brand)
    assert hidden.status_code == 404
    assert client.get(f"/api/v1/messages/{message.id}/original").status_code == 401


def test_unreadable_mail_is_quarantined_with_its_reason(
    db: Database, mx: Mx, mailboxes: dict[str, int]
) -> None:
    raw = (
        b"To: service@acme.example\r\nSubject: who am I\r\nMessage-ID: <nosender@x>\r\n"
        b"Content-Type: text/plain\r\n\r\nno sender at all\r\n"
    )
    mx.send(raw)
    run_channels(db)
    [row] = inbox_rows(db)
    assert row.status == "quarantined"
    assert row.last_error is not None and "no sender address" in row.last_error
    assert messages_with(db, "<nosender@x>") == []


def test_a_customer_reply_reopens_a_resolved_case_unlike_an_auto_reply(
    db: Database, mx: Mx, mailboxes: dict[str, int]
) -> None:
    """The contrast to test_bounces: a person's answer is a contact."""
    from omnicase.model import Case

    mx.send(
        b"From: Julie Martin <julie.martin@example.fr>\r\nTo: service@acme.example\r\n"
        b"Subject: Commande A-12345\r\nMessage-ID: <first@example.fr>\r\n"
        b"Date: Tue, 01 Dec 2026 09:00:00 +0100\r\n\r\nOu est ma commande A-12345 ?\r\n"
    )
    run_channels(db)
    [first] = messages_with(db, "<first@example.fr>")
    with db.transaction() as s:
        case = s.get(Case, first.case_id)
        assert case is not None
        case.status = "resolved"
        case.resolved_at = first.received_at + timedelta(minutes=30)
    mx.send(
        b"From: Julie Martin <julie.martin@example.fr>\r\nTo: service@acme.example\r\n"
        b"Subject: Re: Commande A-12345\r\nMessage-ID: <second@example.fr>\r\n"
        b"In-Reply-To: <first@example.fr>\r\n"
        b"Date: Tue, 01 Dec 2026 10:00:00 +0100\r\n\r\nToujours rien recu.\r\n"
    )
    run_channels(db)
    [second] = messages_with(db, "<second@example.fr>")
    assert second.case_id == first.case_id
    with db.reading() as s:
        reopened = s.get(Case, first.case_id)
        assert reopened is not None and reopened.status == "open"


def test_a_backlog_processed_in_one_batch_gives_each_row_its_verdict(
    db: Database, mailboxes: dict[str, int], settings: Settings
) -> None:
    """process_inbox_many (a backlog): a person's mail, an auto-reply and unreadable mail
    end as they would row by row; running it again changes nothing."""
    from omnicase.channels.inbox import accept_inbound, process_inbox_many
    from omnicase.model import ChannelAccount
    from omnicase.security.secrets import SecretBox
    from tests.channels.email.conftest import AUTO

    raws = [
        _with_attachment(),
        (AUTO / "ooo_en_out_of_office.eml").read_bytes(),
        b"To: service@acme.example\r\nSubject: ?\r\n\r\nno sender\r\n",
    ]
    with db.transaction() as s:
        account = s.get(ChannelAccount, mailboxes["acme"])
        assert account is not None
        ids = [accept_inbound(s, "email", account, raw).inbox_id for raw in raws]
    box, store = SecretBox.from_settings(settings), AttachmentStore.from_settings(settings)
    outcome = process_inbox_many(db, ids, box, store)
    assert [outcome[i] for i in ids] == ["processed", "processed", "quarantined"]
    assert len(messages_with(db, "<att1@example.fr>")) == 1
    assert process_inbox_many(db, ids[:2], box, store) == {ids[0]: "processed", ids[1]: "processed"}
    assert len(messages_with(db, "<att1@example.fr>")) == 1
