"""Automatic mail is no customer contact: an out-of-office answering our reply on a
resolved case leaves the case resolved, its counts and timestamps untouched, nothing to
answer; it is kept as an event on the case. A bounce (DSN) of our reply marks that reply
failed with the remote server's diagnostic. All from the wire: SMTP in, SMTP out."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.model import Case, Job, Message
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.channels.conftest import SmtpServer, email_account, message_row, run_channels
from tests.channels.email.conftest import (
    AUTO,
    Mx,
    case_row,
    count,
    customer_mail,
    events_of,
    inbox_rows,
    messages_with,
    reference_of,
)
from tests.factories import World


def _answered_and_resolved(
    db: Database, world: World, box: SecretBox, smtp: SmtpServer, mx: Mx, client: TestClient
) -> tuple[Case, dict[str, Any]]:
    """A customer's email, our reply sent over SMTP, the case resolved."""
    email_account(db, world, box, smtp)
    mx.send(customer_mail("<c1@example.fr>"))
    run_channels(db)
    [inbound] = messages_with(db, "<c1@example.fr>")
    ref = reference_of(db, inbound.case_id)
    answer = client.post(
        f"/api/v1/cases/{ref}/replies",
        json={"text": "Bonjour Julie,\n\nVotre colis part demain.", "status_after": "resolved"},
        headers=auth(world.tokens["acme:agent"]),
    )
    assert answer.status_code == 201, answer.text
    run_channels(db)
    reply: dict[str, Any] = answer.json()
    assert message_row(db, reply["id"]).delivery_status == "sent"
    case = case_row(db, inbound.case_id)
    assert case.status == "resolved"
    return case, reply


def _kpis(case: Case) -> tuple[Any, ...]:
    return (
        case.status,
        case.message_count,
        case.first_inbound_at,
        case.last_inbound_at,
        case.first_response_at,
        case.last_message_at,
        case.resolved_at,
    )


def _send_jobs(db: Database) -> int:
    return count(db, Job, Job.name == "channels.send")


def test_an_out_of_office_reply_never_reopens_counts_or_gets_answered(
    db: Database, world: World, box: SecretBox, smtp: SmtpServer, mx: Mx, client: TestClient
) -> None:
    case, reply = _answered_and_resolved(db, world, box, smtp, mx, client)
    before, jobs, sent = _kpis(case), _send_jobs(db), len(smtp.recorder.messages)
    ooo = customer_mail(
        "<ooo1@example.fr>",
        subject="Réponse automatique : Re: Commande A-12345",
        text="Je suis absente jusqu'au 20 décembre.",
        extra=f"In-Reply-To: {reply['external_id']}\r\nAuto-Submitted: auto-replied\r\n",
    )
    mx.send(ooo)
    run_channels(db)
    assert _kpis(case_row(db, case.id)) == before  # resolved, same counts and times
    assert messages_with(db, "<ooo1@example.fr>") == []  # no contact, nothing to answer
    assert _send_jobs(db) == jobs and len(smtp.recorder.messages) == sent
    [event] = events_of(db, "channel.email.auto_reply")
    assert event.case_id == case.id
    assert event.data["reason"] == "out_of_office"
    assert event.data["thread"][0] == reply["external_id"]
    assert not any("absente" in str(v) for v in event.data.values())  # ids and flags only
    [row] = [r for r in inbox_rows(db) if r.id == event.data["inbox"]]
    assert row.status == "processed" and b"absente" in bytes(row.body)  # original kept
    # the case shows it in its timeline
    shown = client.get(
        f"/api/v1/cases/{reference_of(db, case.id)}", headers=auth(world.tokens["acme:agent"])
    ).json()
    assert "channel.email.auto_reply" in [e["kind"] for e in shown["events"]]


def test_an_auto_reply_for_no_known_case_creates_nothing(
    db: Database, mx: Mx, mailboxes: dict[str, int]
) -> None:
    raw = (AUTO / "ooo_en_out_of_office.eml").read_bytes()
    mx.send(raw)
    run_channels(db)
    assert count(db, Case) == 0 and count(db, Message) == 0
    [event] = events_of(db, "channel.email.auto_reply")
    assert event.case_id is None


def test_a_bounce_marks_our_reply_failed_with_the_diagnostic(
    db: Database, world: World, box: SecretBox, smtp: SmtpServer, mx: Mx, client: TestClient
) -> None:
    case, reply = _answered_and_resolved(db, world, box, smtp, mx, client)
    before = _kpis(case)
    dsn = (AUTO / "bounce_postfix.eml").read_bytes()
    dsn = dsn.replace(b"<case-123.reply-9@acme.example>", reply["external_id"].encode())
    dsn = dsn.replace(b"support@acme.example", b"service@acme.example")
    mx.send(dsn)
    run_channels(db)
    failed = message_row(db, reply["id"])
    assert failed.delivery_status == "failed"
    assert "5.1.1" in failed.meta["delivery"]["error"]
    assert "User unknown" in failed.meta["delivery"]["error"]
    assert failed.meta["delivery"]["error"].startswith("bounced: ")
    assert _kpis(case_row(db, case.id)) == before
    [event] = events_of(db, "channel.email.bounce")
    assert event.case_id == case.id
    assert event.data["bounce"]["status"] == "5.1.1"
    with db.reading() as s:
        kinds = list(s.scalars(select(Message.direction).where(Message.case_id == case.id)))
    assert sorted(kinds) == ["inbound", "outbound"]  # the DSN is no message
    # the same DSN again (a retry of the sender): nothing more happens
    mx.send(dsn)
    run_channels(db)
    assert len(events_of(db, "channel.email.bounce")) == 1


def test_a_delay_warning_leaves_our_reply_sent(
    db: Database, world: World, box: SecretBox, smtp: SmtpServer, mx: Mx, client: TestClient
) -> None:
    case, reply = _answered_and_resolved(db, world, box, smtp, mx, client)
    dsn = (AUTO / "bounce_delayed.eml").read_bytes()
    original = _original_in(dsn)
    mx.send(dsn.replace(original, reply["external_id"].encode()), to=["service@acme.example"])
    run_channels(db)
    assert message_row(db, reply["id"]).delivery_status == "sent"
    [event] = events_of(db, "channel.email.bounce")
    assert event.data["bounce"]["failed"] is False
    assert event.case_id == case.id


def _original_in(dsn: bytes) -> bytes:
    import re

    found = re.findall(rb"Message-ID:\s*(<[^>]+>)", dsn, re.IGNORECASE)
    assert len(found) >= 2, found
    return bytes(found[-1])
