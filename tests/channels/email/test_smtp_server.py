"""omnicase's inbound SMTP server, driven by smtplib over loopback: mail for a brand's
mailbox is stored before the 250, unknown recipients get 550 5.1.1, oversized mail
552 5.3.4 (SIZE advertised), several brands' recipients give one inbox row each, and a
crash after the acceptance is retried by the job and ingested once."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest

from omnicase.channels.email.adapter import ADAPTER
from omnicase.model import Message
from omnicase.store.db import Database
from tests.channels.conftest import run_channels, run_channels_until
from tests.channels.email.conftest import (
    ACME_MAILBOX,
    GLOBEX_MAILBOX,
    Mx,
    count,
    customer_mail,
    inbox_rows,
    messages_with,
    start_mx,
)


def test_mail_for_a_mailbox_is_stored_before_the_250_then_becomes_a_case(
    db: Database, mx: Mx, mailboxes: dict[str, int]
) -> None:
    raw = customer_mail("<m1@example.fr>")
    refused = mx.send(raw, to=[ACME_MAILBOX.upper()])  # the local part's case is no excuse
    assert refused == {}
    [row] = inbox_rows(db)  # committed when the client got its 250
    assert row.account_id == mailboxes["acme"]
    assert row.dedup_key == "<m1@example.fr>"
    assert bytes(row.body).replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")
    assert row.headers["x-smtp-mail-from"] == "a@example.fr"
    run_channels(db)
    [message] = messages_with(db, "<m1@example.fr>")
    assert message.meta["inbox_id"] == row.id
    assert message.meta["account_id"] == mailboxes["acme"]
    assert message.text == "Bonjour, ma commande A-12345 n'est pas arrivée."


def test_unknown_recipient_is_550_and_nothing_is_stored(
    db: Database, mx: Mx, mailboxes: dict[str, int]
) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        mx.send(customer_mail("<m2@example.fr>"), to=["nobody@acme.example"])
    code, text = refused.value.recipients["nobody@acme.example"]
    assert code == 550 and text.startswith(b"5.1.1")
    assert inbox_rows(db) == []


def test_a_known_and_an_unknown_recipient_the_known_one_gets_it(
    db: Database, mx: Mx, mailboxes: dict[str, int]
) -> None:
    refused = mx.send(customer_mail("<m3@example.fr>"), to=["nobody@acme.example", ACME_MAILBOX])
    assert list(refused) == ["nobody@acme.example"]
    assert [r.account_id for r in inbox_rows(db)] == [mailboxes["acme"]]


def test_size_is_advertised_and_oversized_mail_is_552(
    db: Database, mailboxes: dict[str, int]
) -> None:
    server = start_mx(db, max_bytes=20_000)
    try:
        with smtplib.SMTP(server.host, server.port, timeout=10) as client:
            client.ehlo()
            assert client.esmtp_features["size"] == "20000"
            big = customer_mail("<big@example.fr>", text=("x" * 70 + "\r\n") * 430)
            # declared too big: refused at MAIL FROM
            with pytest.raises(smtplib.SMTPSenderRefused) as declared:
                client.sendmail("a@example.fr", [ACME_MAILBOX], big, mail_options=["SIZE=30500"])
            assert declared.value.smtp_code == 552
            assert declared.value.smtp_error.startswith(b"5.3.4")
            client.rset()
            # not declared: refused after DATA
            code, text = _send_without_size(client, big)
            assert code == 552 and text.startswith(b"5.3.4"), (code, text)
    finally:
        server.controller.stop()
    assert inbox_rows(db) == []


def _send_without_size(client: smtplib.SMTP, raw: bytes) -> tuple[int, bytes]:
    client.mail("a@example.fr")
    client.rcpt(ACME_MAILBOX)
    return client.data(raw)


def test_recipients_of_two_brands_give_one_inbox_row_each(
    db: Database, mx: Mx, mailboxes: dict[str, int]
) -> None:
    raw = customer_mail("<both@example.fr>", to=f"{ACME_MAILBOX}, {GLOBEX_MAILBOX}")
    assert mx.send(raw, to=[ACME_MAILBOX, GLOBEX_MAILBOX]) == {}
    rows = inbox_rows(db)
    assert sorted(r.account_id for r in rows) == sorted(mailboxes.values())
    run_channels(db)
    brands = sorted(m.brand_id for m in messages_with(db, "<both@example.fr>"))
    assert len(brands) == 2 and brands[0] != brands[1]


def test_the_same_message_sent_again_is_stored_once(
    db: Database, mx: Mx, mailboxes: dict[str, int]
) -> None:
    """A sender that lost our 250 sends again: the Message-ID dedups it."""
    raw = customer_mail("<again@example.fr>")
    mx.send(raw)
    mx.send(raw)
    assert len(inbox_rows(db)) == 1
    run_channels(db)
    assert len(messages_with(db, "<again@example.fr>")) == 1


@pytest.mark.slow
def test_a_crash_after_the_acceptance_is_retried_by_the_job_and_ingested_once(
    db: Database,
    mx: Mx,
    mailboxes: dict[str, int],
    fast_retries: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = type(ADAPTER).parse
    calls: list[int] = []

    def crashing(self: Any, item: Any) -> Any:
        calls.append(item.id)
        if len(calls) == 1:
            raise RuntimeError("the worker died while parsing")
        return real(self, item)

    monkeypatch.setattr(type(ADAPTER), "parse", crashing)
    assert mx.send(customer_mail("<crash@example.fr>")) == {}
    done = run_channels_until(db, lambda: bool(messages_with(db, "<crash@example.fr>")))
    assert done
    [row] = inbox_rows(db)
    assert row.status == "processed" and row.attempts == 2
    assert len(calls) == 2
    assert count(db, Message, Message.external_id == "<crash@example.fr>") == 1
