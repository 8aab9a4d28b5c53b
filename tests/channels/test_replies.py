"""Agents' replies and notes: the channel, the case's first response and status, events,
the send job, and who may write on which case."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.ingest.pipeline import ingest
from omnicase.jobs.service import list_jobs
from omnicase.model import Case, Event, Message
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.channels.conftest import SmtpServer, email_account, message_row, run_channels
from tests.factories import World, message


def case_of(db: Database, channel: str = "email", **party: str) -> str:
    party = party or {"email": "julie.martin@example.fr"}
    [r] = ingest(
        db, [message(channel=channel, subject="Retour", text="Je veux retourner A-12345", **party)]
    )
    assert r.reference is not None
    return r.reference


def post(
    client: TestClient, world: World, who: str, ref: str, kind: str = "replies", **body: object
):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/cases/{ref}/{kind}",
        json={"text": "Bonjour, c'est noté.", **body},
        headers=auth(world.tokens[who]),
    )


def test_a_reply_is_queued_answers_the_case_and_is_sent(
    db: Database, world: World, box: SecretBox, smtp: SmtpServer, client: TestClient
) -> None:
    email_account(db, world, box, smtp)
    ref = case_of(db)
    answer = post(client, world, "acme:agent", ref, status_after="pending")
    assert answer.status_code == 201, answer.text
    out = answer.json()
    assert out["channel"] == "email" and out["direction"] == "outbound"
    assert out["delivery_status"] == "queued"
    with db.reading() as s:
        msg = s.get(Message, out["id"])
        assert msg is not None
        assert msg.author_user_id == world.ids["acme:agent"]
        case = s.get(Case, msg.case_id)
        assert case is not None
        assert case.first_response_at == msg.received_at
        assert case.status == "pending" and case.message_count == 2
        kinds = list(s.scalars(select(Event.kind).where(Event.case_id == case.id)))
        [job] = list_jobs(s, None, status="todo")
    assert "message.replied" in kinds and "case.updated" in kinds
    assert job.name == "channels.send" and job.arguments["message_id"] == out["id"]
    assert job.brand_id == world.ids["acme"]
    run_channels(db)
    assert message_row(db, out["id"]).delivery_status == "sent"
    assert len(smtp.recorder.messages) == 1
    # the first response stays the first one
    post(client, world, "acme:agent", ref)
    with db.reading() as s:
        case = s.get(Case, msg.case_id)
        assert case is not None and case.first_response_at == msg.received_at


def test_a_new_case_is_open_once_answered(
    db: Database, world: World, box: SecretBox, smtp: SmtpServer, client: TestClient
) -> None:
    email_account(db, world, box, smtp)
    ref = case_of(db)
    post(client, world, "acme:agent", ref)
    case = client.get(f"/api/v1/cases/{ref}", headers=auth(world.tokens["acme:agent"])).json()
    assert case["status"] == "open"


def test_channels_the_customer_cannot_be_reached_on_are_refused(
    db: Database, world: World, box: SecretBox, smtp: SmtpServer, client: TestClient
) -> None:
    email_account(db, world, box, smtp)
    chat_ref = case_of(db, channel="chat", chat="visitor-9")
    answer = post(client, world, "acme:agent", chat_ref, channel="email")
    assert answer.status_code == 422
    assert "no email identity" in answer.json()["detail"]
    assert answer.json()["errors"][0]["field"] == "channel"
    # the default channel (chat) needs the brand's chat account
    default = post(client, world, "acme:agent", chat_ref)
    assert default.status_code == 409 and "no active chat account" in default.json()["detail"]
    # a channel no adapter sends on is refused with its name
    webform = post(client, world, "acme:agent", chat_ref, channel="webform")
    assert webform.status_code == 422 and "'webform'" in webform.json()["detail"]
    with db.reading() as s:
        assert s.scalar(select(Message.id).where(Message.direction == "outbound")) is None


def test_a_brand_without_an_email_account_cannot_answer_by_email(
    db: Database, world: World, client: TestClient
) -> None:
    ref = case_of(db)
    answer = post(client, world, "acme:agent", ref)
    assert answer.status_code == 409
    assert "no active email account" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("acme:admin", 201),
        ("acme:supervisor", 201),
        ("acme:agent", 201),
        ("acme:viewer", 403),
        ("acme:planner", 403),
        ("callpro:agent", 201),  # engaged on acme's email
        ("callpro:viewer", 403),
        ("callpro:unengaged", 404),
        ("globex:agent", 404),
        ("globex:admin", 404),
    ],
)
def test_who_may_reply_and_note(
    db: Database,
    world: World,
    box: SecretBox,
    smtp: SmtpServer,
    client: TestClient,
    who: str,
    status: int,
) -> None:
    email_account(db, world, box, smtp)
    ref = case_of(db)
    assert post(client, world, who, ref).status_code == status
    assert post(client, world, who, ref, kind="notes").status_code == status


def test_a_provider_agent_cannot_answer_outside_its_engagement(
    db: Database, world: World, client: TestClient
) -> None:
    ref = case_of(db, channel="messenger", messenger="psid-7")
    assert post(client, world, "callpro:agent", ref).status_code == 404
    assert post(client, world, "callpro:agent", ref, kind="notes").status_code == 404
    assert post(client, world, "acme:agent", ref, kind="notes").status_code == 201


def test_notes_are_in_the_timeline_and_never_sent_or_counted(
    db: Database, world: World, client: TestClient
) -> None:
    ref = case_of(db)
    note = post(client, world, "acme:agent", ref, kind="notes", text="Client VIP, rappeler.")
    assert note.status_code == 201
    assert note.json()["text"] == "Client VIP, rappeler."
    case = client.get(f"/api/v1/cases/{ref}", headers=auth(world.tokens["callpro:agent"])).json()
    assert [n["text"] for n in case["notes"]] == ["Client VIP, rappeler."]
    assert case["message_count"] == 1 and case["first_response_at"] is None
    assert case["channels"] == ["email"]
    assert "case.note_added" in [e["kind"] for e in case["events"]]
    with db.reading() as s:
        assert list_jobs(s, None, status="todo") == []
    empty = post(client, world, "acme:agent", ref, kind="notes", text="   ")
    assert empty.status_code == 422
