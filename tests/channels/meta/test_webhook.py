"""The Meta webhook edge: verification GET, signatures, size, nesting, content type,
replays; inbound payloads of every kind to stored cases, on the wire."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omnicase.channels.meta.common import sign
from omnicase.model import Customer, Event, Identity, InboxItem, Message
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.channels.conftest import run_channels
from tests.channels.meta.conftest import (
    ACCESS_TOKEN,
    APP_SECRET,
    IGSID,
    PSID,
    VERIFY_TOKEN,
    WA,
    GraphServer,
    MetaAccounts,
    deliver,
    fixture,
)
from tests.factories import World


def inbox_count(db: Database) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(InboxItem)) or 0)


def messages(db: Database, channel: str) -> list[Message]:
    with db.reading() as s:
        rows = list(
            s.scalars(select(Message).where(Message.channel == channel).order_by(Message.id))
        )
        for r in rows:
            s.expunge(r)
        return rows


def events(db: Database, prefix: str = "channel.") -> list[Event]:
    with db.reading() as s:
        rows = list(
            s.scalars(select(Event).where(Event.kind.startswith(prefix)).order_by(Event.id))
        )
        for r in rows:
            s.expunge(r)
        return rows


def test_verification_returns_the_challenge_for_the_right_token(
    client: TestClient, accounts: MetaAccounts
) -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    ok = client.get("/webhooks/meta", params=params)
    assert ok.status_code == 200 and ok.text == "1158201444"
    assert ok.headers["content-type"].startswith("text/plain")
    wrong = client.get("/webhooks/meta", params={**params, "hub.verify_token": "guess"})
    assert wrong.status_code == 403
    assert client.get("/webhooks/meta", params={"hub.challenge": "x"}).status_code == 400


def test_a_signed_delivery_is_stored_then_becomes_a_case(
    db: Database, client: TestClient, accounts: MetaAccounts
) -> None:
    answer = deliver(client, fixture("messenger_text"))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"stored": 1, "duplicates": 0, "skipped": 0}
    run_channels(db)
    [msg] = messages(db, "messenger")
    assert msg.external_id == "m_text_1" and msg.direction == "inbound"
    assert msg.text and "A-12345" in msg.text
    assert msg.meta["account_id"] == accounts.messenger
    with db.reading() as s:
        ident = s.scalar(select(Identity).where(Identity.kind == "messenger"))
        assert ident is not None and ident.value == PSID and ident.customer_id == msg.customer_id
        row = s.scalar(select(InboxItem))
        assert row is not None and row.dedup_key == "message:m_text_1"
        assert "x-hub-signature-256" not in row.headers


@pytest.mark.parametrize("secret", [None, "not-the-app-secret"])
def test_missing_or_forged_signature_is_401_and_stores_nothing(
    db: Database, client: TestClient, accounts: MetaAccounts, secret: str | None
) -> None:
    answer = deliver(client, fixture("messenger_text"), secret=secret)
    assert answer.status_code == 401
    assert inbox_count(db) == 0


def test_a_signature_over_other_bytes_is_refused(
    db: Database, client: TestClient, accounts: MetaAccounts
) -> None:
    body = json.dumps(fixture("messenger_text")).encode()
    tampered = body.replace(b"Bonjour", b"Bonsoir")
    answer = client.post(
        "/webhooks/meta",
        content=tampered,
        headers={"content-type": "application/json", "x-hub-signature-256": sign(body, APP_SECRET)},
    )
    assert answer.status_code == 401 and inbox_count(db) == 0


def test_hostile_bodies_are_refused_with_the_reason(
    db: Database, client: TestClient, accounts: MetaAccounts
) -> None:
    huge = b'{"object":"page","entry":[' + b" " * (3 * 1024 * 1024) + b"]}"
    assert deliver(client, huge).status_code == 413
    deep = b'{"object":"page","entry":[{"id":"1","x":' + b"[" * 5000 + b"]" * 5000 + b"}]}"
    nested = deliver(client, deep)
    assert nested.status_code == 400 and "nested" in nested.json()["detail"]
    bad = deliver(client, b"{not json")
    assert bad.status_code == 400 and "not JSON" in bad.json()["detail"]
    other = deliver(client, {"object": "user", "entry": []})
    assert other.status_code == 400 and "object" in other.json()["detail"]
    form = deliver(client, fixture("messenger_text"), **{"content-type": "text/plain"})
    assert form.status_code == 415
    assert inbox_count(db) == 0


def test_an_unknown_page_is_404(db: Database, client: TestClient, accounts: MetaAccounts) -> None:
    payload = fixture("messenger_text")
    payload["entry"][0]["id"] = "999"
    assert deliver(client, payload).status_code == 404
    assert inbox_count(db) == 0


def test_a_replay_gives_one_message(
    db: Database, client: TestClient, accounts: MetaAccounts
) -> None:
    assert deliver(client, fixture("messenger_text")).json()["stored"] == 1
    again = deliver(client, fixture("messenger_text")).json()
    assert again == {"stored": 0, "duplicates": 1, "skipped": 0}
    run_channels(db)
    assert len(messages(db, "messenger")) == 1


def test_secrets_never_reach_the_logs(
    db: Database, client: TestClient, accounts: MetaAccounts, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    deliver(client, fixture("whatsapp_text"))
    deliver(client, fixture("whatsapp_text"), secret="forged")
    client.get("/webhooks/meta", params={"hub.mode": "subscribe", "hub.verify_token": "x"})
    run_channels(db)
    for secret in (APP_SECRET, VERIFY_TOKEN, ACCESS_TOKEN):
        assert secret not in caplog.text


# ---- payload kinds, end to end -------------------------------------------------------


def one(db: Database, client: TestClient, name: str, channel: str) -> Message:
    assert deliver(client, fixture(name)).status_code == 200
    run_channels(db)
    [msg] = messages(db, channel)
    return msg


def test_messenger_quick_reply(db: Database, client: TestClient, accounts: MetaAccounts) -> None:
    msg = one(db, client, "messenger_quick_reply", "messenger")
    assert msg.text == "Suivi de commande"
    assert msg.meta["messenger"]["quick_reply"] == {"payload": "TRACK_ORDER"}


def test_messenger_attachments_keep_their_urls(
    db: Database, client: TestClient, accounts: MetaAccounts
) -> None:
    msg = one(db, client, "messenger_attachments", "messenger")
    names = [a["filename"] for a in msg.attachments]
    assert names == ["colis_abime.jpg", "facture.pdf"]
    assert msg.attachments[1]["content_type"] == "application/pdf"
    media = msg.meta["messenger"]["media"]
    assert media[0]["url"].startswith("https://scontent.xx.fbcdn.net/")
    assert media[2]["type"] == "fallback"
    assert msg.meta["messenger"]["location"] == {"lat": 48.8566, "long": 2.3522}
    assert msg.text and "Location: 48.8566, 2.3522" in msg.text


def test_messenger_reply_to_a_message_threads_it(
    db: Database, client: TestClient, accounts: MetaAccounts
) -> None:
    msg = one(db, client, "messenger_reply_to", "messenger")
    assert msg.in_reply_to == "m_earlier_1"


def test_messenger_postback_with_referral(
    db: Database, client: TestClient, accounts: MetaAccounts
) -> None:
    msg = one(db, client, "messenger_postback", "messenger")
    assert msg.external_id == "m_pb_1" and msg.text == "Parler à un conseiller"
    assert msg.meta["messenger"]["postback"] == {"payload": "HUMAN"}
    assert msg.meta["messenger"]["referral"]["ref"] == "promo-noel"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("messenger_referral", "channel.referral"),
        ("messenger_read", "channel.read"),
        ("messenger_optin", "channel.optin"),
        ("whatsapp_reaction", "channel.reaction"),
        ("whatsapp_unsupported", "channel.unsupported"),
    ],
)
def test_other_events_are_kept_as_events_not_errors(
    db: Database, client: TestClient, accounts: MetaAccounts, name: str, kind: str
) -> None:
    assert deliver(client, fixture(name)).status_code == 200
    run_channels(db)
    assert [e.kind for e in events(db)] == [kind]
    with db.reading() as s:
        row = s.scalar(select(InboxItem))
        assert row is not None and row.status == "processed"
        assert s.scalar(select(func.count()).select_from(Message)) == 0


def test_instagram_story_reply_and_mention(
    db: Database, client: TestClient, accounts: MetaAccounts
) -> None:
    deliver(client, fixture("instagram_story_reply"))
    deliver(client, fixture("instagram_story_mention"))
    run_channels(db)
    reply, mention = messages(db, "instagram")
    assert reply.text == "Il est dispo en bleu ?"
    assert reply.meta["instagram"]["story"]["id"] == "17890455837000000"
    assert mention.text == "(story mention)"
    assert mention.meta["instagram"]["story_mention"]["url"].startswith("https://lookaside")
    assert reply.customer_id == mention.customer_id
    with db.reading() as s:
        assert s.scalar(select(Identity.value).where(Identity.kind == "instagram")) == IGSID


def test_whatsapp_text_is_the_same_customer_as_their_phone(
    db: Database, client: TestClient, accounts: MetaAccounts
) -> None:
    msg = one(db, client, "whatsapp_text", "whatsapp")
    assert msg.text == "Bonjour, où en est ma commande A-12345 ?"
    with db.reading() as s:
        kinds = dict(
            s.execute(
                select(Identity.kind, Identity.value).where(Identity.customer_id == msg.customer_id)
            ).all()
        )
        customer = s.get(Customer, msg.customer_id)
    assert kinds["whatsapp"] == f"+{WA}" and kinds["phone"] == f"+{WA}"
    assert customer is not None and customer.name == "Julie Martin"


def test_whatsapp_media_ids_are_kept(
    db: Database, client: TestClient, accounts: MetaAccounts
) -> None:
    for name in ("whatsapp_image", "whatsapp_document", "whatsapp_audio"):
        deliver(client, fixture(name))
    run_channels(db)
    image, document, audio = messages(db, "whatsapp")
    assert image.text == "Le colis est arrivé comme ça"
    assert image.meta["whatsapp"]["media"][0]["id"] == "1479537139650973"
    assert image.attachments[0]["content_type"] == "image/jpeg"
    assert document.attachments[0]["filename"] == "facture-A-12345.pdf"
    assert audio.attachments[0]["content_type"] == "audio/ogg"


def test_whatsapp_media_is_downloaded_when_the_account_says_so(
    db: Database, client: TestClient, accounts: MetaAccounts, graph: GraphServer, world: World
) -> None:
    client.patch(
        f"/api/v1/channel-accounts/{accounts.whatsapp}",
        json={"settings": {"api_base": graph.url, "download_media": True}},
        headers=auth(world.tokens["acme:admin"]),
    ).raise_for_status()
    graph.files["/files/1479537139650973"] = b"\xff\xd8\xff JPEG bytes"
    msg = one(db, client, "whatsapp_image", "whatsapp")
    [att] = msg.attachments
    assert att["size"] == len(b"\xff\xd8\xff JPEG bytes") and len(att["sha256"]) == 64
    first, second = graph.requests
    assert first.method == "GET" and first.path == "/1479537139650973"
    assert second.path == "/files/1479537139650973"
    assert all(r.headers["authorization"] == f"Bearer {ACCESS_TOKEN}" for r in graph.requests)


def test_whatsapp_interactive_replies_and_context(
    db: Database, client: TestClient, accounts: MetaAccounts
) -> None:
    for name in ("whatsapp_button_reply", "whatsapp_list_reply", "whatsapp_context_reply"):
        deliver(client, fixture(name))
    run_channels(db)
    button, listed, context = messages(db, "whatsapp")
    assert button.text == "Oui, remboursement" and button.in_reply_to == "wamid.OURS_MENU"
    assert button.meta["whatsapp"]["interactive"] == {"type": "button_reply", "id": "yes-refund"}
    assert listed.text == "Retard de livraison"
    assert context.in_reply_to == "wamid.OURS_1"


def test_one_delivery_with_several_messages_gives_one_row_each(
    db: Database, client: TestClient, accounts: MetaAccounts
) -> None:
    payload = fixture("whatsapp_text")
    value = payload["entry"][0]["changes"][0]["value"]
    second = {**value["messages"][0], "id": "wamid.SECOND", "text": {"body": "Et aussi A-54321"}}
    value["messages"].append(second)
    assert deliver(client, payload).json()["stored"] == 2
    run_channels(db)
    assert [m.external_id for m in messages(db, "whatsapp")][1] == "wamid.SECOND"
