"""A visitor who left and gave an email gets the agent's chat reply by email (to a real
SMTP server on loopback), and their answer to that email continues the same case."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.channels.chat import conversation as conv
from omnicase.channels.chat.fallback import email_unseen_replies
from omnicase.channels.email.parse import parse_email, to_inbound
from omnicase.ingest.pipeline import ingest
from omnicase.model import Message
from omnicase.model.base import utcnow
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.channels.chat.test_socket import chat_messages, reference
from tests.channels.conftest import SmtpServer, email_account, run_channels
from tests.factories import World

pytestmark = pytest.mark.usefixtures("chat_account")
VISITOR = "v_visitor-left-0001"


def visitor_wrote(db: Database, account_id: int, email: str | None) -> Message:
    with db.transaction() as s:
        conv.store_message(
            s,
            account_id,
            VISITOR,
            "c_left000001",
            "Ma commande A-12345 n'est pas arrivée",
            "Ana Lopez",
            email,
            {},
        )
    run_channels(db)
    [message] = chat_messages(db)
    return message


def agent_answers(db: Database, client: TestClient, world: World, case_id: int) -> int:
    r = client.post(
        f"/api/v1/cases/{reference(db, case_id)}/replies",
        json={"text": "Elle part demain, désolé du retard."},
        headers=auth(world.tokens["acme:agent"]),
    )
    assert r.status_code == 201, r.text
    run_channels(db)
    reply_id: int = r.json()["id"]
    return reply_id


def test_a_reply_nobody_saw_goes_by_email_and_the_answer_threads_back(
    db: Database,
    world: World,
    box: SecretBox,
    smtp: SmtpServer,
    client: TestClient,
    chat_account: int,
) -> None:
    email_account(db, world, box, smtp)
    first = visitor_wrote(db, chat_account, "ana@example.com")
    reply_id = agent_answers(db, client, world, first.case_id)
    assert email_unseen_replies(db) == 0  # not away long enough yet
    later = utcnow() + timedelta(minutes=6)
    assert email_unseen_replies(db, now=later) == 1
    assert email_unseen_replies(db, now=later) == 0  # once
    run_channels(db)
    [envelope] = smtp.recorder.messages
    assert envelope.rcpt_tos == ["ana@example.com"]
    sent = message_from_bytes(envelope.original_content or b"", policy=policy.default)
    assert isinstance(sent, EmailMessage)
    assert "Your chat with" in str(sent["Subject"])
    body = sent.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Elle part demain" in text and "You: Ma commande A-12345" in text
    with db.reading() as s:
        chat_reply = s.get(Message, reply_id)
        assert chat_reply is not None
        emailed = chat_reply.meta["chat_fallback"]["email_message_id"]
        email_reply = s.get(Message, emailed)
        assert email_reply is not None and email_reply.case_id == first.case_id
        assert email_reply.external_id == str(sent["Message-ID"])
    # the customer answers the email: In-Reply-To is our Message-ID → the same case
    answer = EmailMessage()
    answer["From"] = "Ana Lopez <ana@example.com>"
    answer["To"] = "service@acme.example"
    answer["Subject"] = "Re: " + str(sent["Subject"])
    answer["Message-ID"] = "<answer-1@example.com>"
    answer["In-Reply-To"] = str(sent["Message-ID"])
    answer["References"] = str(sent["Message-ID"])
    answer.set_content("Merci, j'attends donc demain.")
    parsed = parse_email(answer.as_bytes(), brand="acme", mailbox="service@acme.example")
    inbound = to_inbound(parsed)
    assert inbound.thread.in_reply_to == str(sent["Message-ID"])
    [result] = ingest(db, [inbound])
    assert result.case_id == first.case_id


def test_no_email_or_seen_reply_is_not_emailed(
    db: Database,
    world: World,
    box: SecretBox,
    smtp: SmtpServer,
    client: TestClient,
    chat_account: int,
) -> None:
    email_account(db, world, box, smtp)
    first = visitor_wrote(db, chat_account, None)
    reply_id = agent_answers(db, client, world, first.case_id)
    later = utcnow() + timedelta(minutes=6)
    assert email_unseen_replies(db, now=later) == 0
    with db.reading() as s:
        note = s.get(Message, reply_id)
        assert note is not None
        assert note.meta["chat_fallback"]["skipped"] == "the visitor gave no email"
    # a second reply the widget showed (delivered) is left alone
    second = agent_answers(db, client, world, first.case_id)
    with db.transaction() as s:
        assert conv.mark_seen(s, first.brand_id, VISITOR, second)
    assert email_unseen_replies(db, now=later) == 0
    run_channels(db)
    assert smtp.recorder.messages == []
    with db.reading() as s:
        statuses = list(s.scalars(select(Message.delivery_status).where(Message.id == second)))
    assert statuses == ["delivered"]
