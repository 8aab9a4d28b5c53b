"""Replies through the Graph API (checked on a local server), the 24-hour windows,
error mapping, delivery statuses and echoes."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.model import Case, Message, Organisation
from omnicase.store.db import Database
from omnicase.store.references import format_reference
from tests.api.conftest import auth
from tests.channels.conftest import message_row, run_channels, run_channels_until
from tests.channels.meta.conftest import (
    ACCESS_TOKEN,
    IG,
    IGSID,
    PAGE,
    PNID,
    PSID,
    WA,
    GraphServer,
    MetaAccounts,
    deliver,
    fixture,
)
from tests.channels.test_replies import case_of
from tests.factories import World

HOUR = 3600


def aged(name: str, hours: float = 0) -> dict[str, Any]:
    """A fixture as if sent ``hours`` ago."""
    payload = fixture(name)
    at = time.time() - hours * HOUR
    for entry in payload["entry"]:
        for item in entry.get("messaging", []):
            item["timestamp"] = int(at * 1000)
        for change in entry.get("changes", []):
            for m in change["value"].get("messages", []) + change["value"].get("statuses", []):
                m["timestamp"] = str(int(at))
    return payload


def reference(db: Database) -> str:
    with db.reading() as s:
        case = s.scalar(select(Case).order_by(Case.id.desc()))
        assert case is not None
        brand = s.get(Organisation, case.brand_id)
        assert brand is not None
        return format_reference(brand.case_prefix or brand.slug[:2].upper(), case.id)


def reply(client: TestClient, world: World, ref: str, **body: Any) -> Any:
    return client.post(
        f"/api/v1/cases/{ref}/replies",
        json={"text": "Bonjour, votre colis part demain.", **body},
        headers=auth(world.tokens["acme:agent"]),
    )


def inbound(db: Database, client: TestClient, name: str, hours: float = 0) -> str:
    assert deliver(client, aged(name, hours)).status_code == 200
    run_channels(db)
    return reference(db)


def test_a_messenger_reply_reaches_the_send_api_and_its_statuses_follow(
    db: Database, client: TestClient, world: World, accounts: MetaAccounts, graph: GraphServer
) -> None:
    ref = inbound(db, client, "messenger_text")
    answer = reply(client, world, ref)
    assert answer.status_code == 201, answer.text
    run_channels(db)
    [req] = graph.requests
    assert req.method == "POST" and req.path == f"/{PAGE}/messages"
    assert req.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    body = req.json()
    assert body["recipient"] == {"id": PSID} and body["messaging_type"] == "RESPONSE"
    assert body["message"]["text"] == "Bonjour, votre colis part demain."
    assert body["message"]["metadata"].startswith("omnicase:")
    sent = message_row(db, answer.json()["id"])
    assert sent.delivery_status == "sent" and sent.external_id == "m_sent_0"
    # Meta's delivery receipt names the mid it gave us
    delivery = aged("messenger_delivery")
    delivery["entry"][0]["messaging"][0]["delivery"]["mids"] = ["m_sent_0"]
    deliver(client, delivery)
    # and the echo of our own reply is not a second message
    echo = aged("messenger_echo")
    echo["entry"][0]["messaging"][0]["message"].update(
        mid="m_sent_0", metadata=body["message"]["metadata"]
    )
    deliver(client, echo)
    run_channels(db)
    assert message_row(db, sent.id).delivery_status == "delivered"
    with db.reading() as s:
        assert len(list(s.scalars(select(Message.id).where(Message.direction == "outbound")))) == 1


def test_an_instagram_reply_and_its_read_receipt(
    db: Database, client: TestClient, world: World, accounts: MetaAccounts, graph: GraphServer
) -> None:
    ref = inbound(db, client, "instagram_story_reply")
    answer = reply(client, world, ref)
    run_channels(db)
    [req] = graph.requests
    assert req.path == f"/{IG}/messages" and req.json()["recipient"] == {"id": IGSID}
    read = aged("instagram_read")
    read["entry"][0]["messaging"][0]["read"]["mid"] = "m_sent_0"
    deliver(client, read)
    run_channels(db)
    assert message_row(db, answer.json()["id"]).delivery_status == "read"


def test_a_whatsapp_reply_within_the_window_and_its_statuses(
    db: Database, client: TestClient, world: World, accounts: MetaAccounts, graph: GraphServer
) -> None:
    ref = inbound(db, client, "whatsapp_text", hours=23)
    answer = reply(client, world, ref)
    assert answer.status_code == 201, answer.text
    run_channels(db)
    [req] = graph.requests
    assert req.path == f"/{PNID}/messages"
    assert req.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert req.json() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA,
        "type": "text",
        "text": {"preview_url": False, "body": "Bonjour, votre colis part demain."},
    }
    sent = message_row(db, answer.json()["id"])
    assert sent.external_id == "wamid.SENT0" and sent.meta["local_id"].startswith("omnicase-")
    statuses = aged("whatsapp_statuses")
    for status in statuses["entry"][0]["changes"][0]["value"]["statuses"]:
        status["id"] = "wamid.SENT0"
    assert deliver(client, statuses).json()["stored"] == 2
    run_channels(db)
    done = message_row(db, sent.id)
    assert done.delivery_status == "read"
    assert {"delivered", "read"} <= set(done.meta["delivery"])


def test_a_failed_status_marks_our_reply_failed_with_meta_s_reason(
    db: Database, client: TestClient, world: World, accounts: MetaAccounts, graph: GraphServer
) -> None:
    ref = inbound(db, client, "whatsapp_text")
    answer = reply(client, world, ref)
    run_channels(db)
    failed = aged("whatsapp_failed")
    failed["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = "wamid.SENT0"
    deliver(client, failed)
    run_channels(db)
    row = message_row(db, answer.json()["id"])
    assert row.delivery_status == "failed"
    assert "131047" in row.meta["delivery"]["error"]
    assert "24 hours" in row.meta["delivery"]["error"]


def test_whatsapp_outside_24_hours_takes_only_a_template(
    db: Database, client: TestClient, world: World, accounts: MetaAccounts, graph: GraphServer
) -> None:
    ref = inbound(db, client, "whatsapp_text", hours=25)
    refused = reply(client, world, ref)
    assert refused.status_code == 422
    assert "24-hour customer-service window" in refused.json()["detail"]
    assert refused.json()["errors"][0]["field"] == "options.template"
    bad = reply(client, world, ref, options={"template": {"name": "suivi"}})
    assert (
        bad.status_code == 422 and bad.json()["errors"][0]["field"] == "options.template.language"
    )
    template = {"name": "suivi_commande", "language": "fr", "parameters": ["A-12345", "demain"]}
    answer = reply(client, world, ref, options={"template": template})
    assert answer.status_code == 201, answer.text
    run_channels(db)
    [req] = graph.requests
    body = req.json()
    assert body["type"] == "template" and body["to"] == WA
    assert body["template"] == {
        "name": "suivi_commande",
        "language": {"code": "fr"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "A-12345"},
                    {"type": "text", "text": "demain"},
                ],
            }
        ],
    }
    assert message_row(db, answer.json()["id"]).delivery_status == "sent"


def test_messenger_outside_24_hours_needs_the_human_agent_tag(
    db: Database, client: TestClient, world: World, accounts: MetaAccounts, graph: GraphServer
) -> None:
    ref = inbound(db, client, "messenger_text", hours=30)
    refused = reply(client, world, ref)
    assert refused.status_code == 422 and "HUMAN_AGENT" in refused.json()["detail"]
    assert reply(client, world, ref, options={"tag": "SPAM"}).status_code == 422
    assert reply(client, world, ref, options={"template": {}}).status_code == 422
    answer = reply(client, world, ref, options={"tag": "HUMAN_AGENT"})
    assert answer.status_code == 201
    run_channels(db)
    body = graph.requests[0].json()
    assert body["messaging_type"] == "MESSAGE_TAG" and body["tag"] == "HUMAN_AGENT"


def test_messenger_after_7_days_is_closed_even_with_the_tag(
    db: Database, client: TestClient, world: World, accounts: MetaAccounts
) -> None:
    ref = inbound(db, client, "messenger_text", hours=24 * 8)
    refused = reply(client, world, ref, options={"tag": "HUMAN_AGENT"})
    assert refused.status_code == 422 and "7 days" in refused.json()["detail"]


def test_other_channels_take_no_options(
    db: Database, client: TestClient, world: World, accounts: MetaAccounts
) -> None:
    ref = case_of(db)
    answer = reply(client, world, ref, options={"tag": "HUMAN_AGENT"})
    assert answer.status_code == 422 and "take no options" in answer.json()["detail"]


def test_graph_errors_fail_or_retry_and_never_show_the_token(
    db: Database,
    client: TestClient,
    world: World,
    accounts: MetaAccounts,
    graph: GraphServer,
    fast_retries: None,
) -> None:
    ref = inbound(db, client, "messenger_text")
    graph.script = [
        (
            400,
            {
                "error": {
                    "message": f"(#100) No matching user found (token {ACCESS_TOKEN})",
                    "type": "OAuthException",
                    "code": 100,
                    "fbtrace_id": "A1",
                }
            },
        )
    ]
    failed = reply(client, world, ref).json()
    run_channels(db)
    row = message_row(db, failed["id"])
    assert row.delivery_status == "failed"
    assert "No matching user found" in row.meta["delivery"]["error"]
    assert "code 100" in row.meta["delivery"]["error"]
    assert ACCESS_TOKEN not in str(row.meta)
    # 500 then 429 (rate limit): retried, then sent
    graph.script = [(500, {"error": {"message": "Internal", "code": 2}}), (429, {})]
    retried = reply(client, world, ref).json()
    assert run_channels_until(db, lambda: message_row(db, retried["id"]).delivery_status == "sent")
    assert message_row(db, retried["id"]).meta["delivery"]["attempts"] == 3


def test_an_echo_from_the_page_s_own_inbox_is_an_outbound_answer(
    db: Database, client: TestClient, world: World, accounts: MetaAccounts
) -> None:
    inbound(db, client, "messenger_text", hours=1)
    deliver(client, aged("messenger_echo"))
    run_channels(db)
    with db.reading() as s:
        rows = list(s.scalars(select(Message).order_by(Message.id)))
        case = s.get(Case, rows[0].case_id)
        assert case is not None
        assert [(m.direction, m.external_id) for m in rows] == [
            ("inbound", "m_text_1"),
            ("outbound", "m_echo_1"),
        ]
        assert rows[1].case_id == case.id
        assert case.first_response_at is not None


@pytest.mark.parametrize("channel", ["messenger", "whatsapp"])
def test_too_long_text_fails_with_the_limit(
    db: Database, client: TestClient, world: World, accounts: MetaAccounts, channel: str
) -> None:
    ref = inbound(db, client, f"{channel}_text")
    answer = reply(client, world, ref, text="x" * 5000)
    run_channels(db)
    row = message_row(db, answer.json()["id"])
    assert row.delivery_status == "failed" and "characters" in row.meta["delivery"]["error"]


def test_attachments_are_uploaded_to_messenger_and_whatsapp(
    db: Database, client: TestClient, world: World, accounts: MetaAccounts, graph: GraphServer
) -> None:
    pdf = {
        "filename": "facture.pdf",
        "content_type": "application/pdf",
        "content_base64": "JVBERi0xLjQK",
    }
    for name in ("messenger_text", "whatsapp_text"):
        ref = inbound(db, client, name)
        # the channel is named: the two fixtures' senders may thread into one case
        channel = name.split("_")[0]
        assert reply(client, world, ref, attachments=[pdf], channel=channel).status_code == 201
        run_channels(db)
    text, upload, wa_text, wa_media, wa_doc = graph.requests
    assert text.path == upload.path == f"/{PAGE}/messages"
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b'name="filedata"; filename="facture.pdf"' in upload.body and b"%PDF-1.4" in upload.body
    assert b'"type": "file"' in upload.body and PSID.encode() in upload.body
    assert wa_media.path == f"/{PNID}/media" and b"%PDF-1.4" in wa_media.body
    assert wa_doc.json()["document"] == {"id": "media-up-1", "filename": "facture.pdf"}
    assert wa_doc.json()["to"] == WA and wa_text.json()["type"] == "text"
