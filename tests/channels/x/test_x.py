"""X: the CRC check, signed Account Activity deliveries, DMs and mentions to one
customer, our own posts as outbound, replies by DM or public post to a local X API."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omnicase.model import Identity, InboxItem, Message
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.channels.conftest import create_account, message_row, run_channels
from tests.channels.sms.helpers import case_ref, message_by_external_id
from tests.channels.sms.peer import Peer
from tests.factories import World

FIXTURES = Path(__file__).parent / "fixtures"
CONSUMER_SECRET = "x-consumer-5ecret-value"
ACCESS_TOKEN = "x-user-access-T0ken"
OURS = "4337869213"
BETH = "3001969357"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def x_account(
    db: Database, world: World, box: SecretBox, api: str = "http://127.0.0.1:9", **settings: Any
) -> int:
    return create_account(
        db,
        world,
        box,
        channel="x",
        name="@AcmeSAV",
        address=OURS,
        settings={"api_base": api, "handle": "AcmeSAV", **settings},
        secrets={"consumer_secret": CONSUMER_SECRET, "access_token": ACCESS_TOKEN},
    )


def signature(body: bytes, secret: str = CONSUMER_SECRET) -> str:
    mac = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(mac).decode()


def deliver(client: TestClient, payload: dict[str, Any] | bytes, sig: str | None = None) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    headers["x-twitter-webhooks-signature"] = signature(body) if sig is None else sig
    return client.post("/webhooks/x", content=body, headers=headers)


def count(db: Database, model: Any) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_the_crc_check(db: Database, world: World, box: SecretBox, client: TestClient) -> None:
    assert client.get("/webhooks/x", params={"crc_token": "abc"}).status_code == 404
    x_account(db, world, box)
    answer = client.get("/webhooks/x", params={"crc_token": "challenge-42"})
    assert answer.status_code == 200
    mac = hmac.new(CONSUMER_SECRET.encode(), b"challenge-42", hashlib.sha256).digest()
    assert answer.json() == {"response_token": "sha256=" + base64.b64encode(mac).decode()}
    assert client.get("/webhooks/x").status_code == 400


def test_a_mention_then_a_dm_are_one_customer(
    db: Database, world: World, box: SecretBox, client: TestClient
) -> None:
    x_account(db, world, box)
    assert deliver(client, fixture("mention.json")).status_code == 200
    assert deliver(client, fixture("dm.json")).status_code == 200
    run_channels(db)
    mention = message_by_external_id(db, "tweet:1995000000000000001")
    dm = message_by_external_id(db, "dm:954491830116155396")
    assert mention.direction == dm.direction == "inbound"
    assert mention.customer_id == dm.customer_id
    assert dm.conversation_id == f"x-dm:{BETH}"
    assert dm.meta["x"]["handle"] == "beth_crane88" and dm.author_name == "Bethany Crane"
    assert "A-12345" in (dm.text or "")
    with db.reading() as s:
        kinds = {
            (i.kind, i.value)
            for i in s.scalars(select(Identity).where(Identity.customer_id == dm.customer_id))
        }
    assert kinds == {("x", BETH)}


def test_a_reply_post_threads_and_our_own_messages_are_outbound(
    db: Database, world: World, box: SecretBox, client: TestClient
) -> None:
    x_account(db, world, box)
    deliver(client, fixture("mention.json"))
    reply = fixture("mention.json")
    tweet = reply["tweet_create_events"][0]
    tweet.update(
        id_str="1995000000000000009",
        in_reply_to_status_id_str="1995000000000000001",
        text="@AcmeSAV toujours rien",
    )
    ours = fixture("mention.json")
    own = ours["tweet_create_events"][0]
    own.update(
        id_str="1995000000000000005",
        in_reply_to_status_id_str="1995000000000000001",
        in_reply_to_user_id_str=BETH,
        in_reply_to_screen_name="beth_crane88",
        text="@beth_crane88 Nous regardons !",
    )
    own["user"] = {"id_str": OURS, "name": "Acme Service client", "screen_name": "AcmeSAV"}
    own_dm = fixture("dm.json")
    event = own_dm["direct_message_events"][0]
    event["id"] = "954491830116155999"
    event["message_create"]["sender_id"] = OURS
    event["message_create"]["target"]["recipient_id"] = BETH
    own_post = copy.deepcopy(ours)
    own_post["tweet_create_events"][0].update(
        id_str="1995000000000000077", in_reply_to_user_id_str=None, in_reply_to_status_id_str=None
    )
    for payload in (ours, reply, own_dm, own_post):
        assert deliver(client, payload).status_code == 200
    run_channels(db)
    first = message_by_external_id(db, "tweet:1995000000000000001")
    answer = message_by_external_id(db, "tweet:1995000000000000005")
    follow_up = message_by_external_id(db, "tweet:1995000000000000009")
    dm = message_by_external_id(db, "dm:954491830116155999")
    assert answer.direction == dm.direction == "outbound"
    assert answer.customer_id == dm.customer_id == first.customer_id
    assert follow_up.in_reply_to == "tweet:1995000000000000001"
    assert follow_up.case_id == first.case_id
    with db.reading() as s:
        assert (
            s.scalar(select(Message).where(Message.external_id == "tweet:1995000000000000077"))
            is None
        )


def test_refusals_store_nothing(
    db: Database, world: World, box: SecretBox, client: TestClient
) -> None:
    x_account(db, world, box)
    body = json.dumps(fixture("dm.json")).encode()
    assert deliver(client, body, sig="").status_code == 401
    assert deliver(client, body, sig=signature(body, "guess")).status_code == 401
    assert deliver(client, body, sig=signature(body + b" ")).status_code == 401
    assert deliver(client, b"{not json").status_code == 400
    assert deliver(client, b"[" * 5000 + b"]" * 5000).status_code == 400
    deep: dict[str, Any] = {"for_user_id": OURS}
    node = deep
    for _ in range(50):
        node["a"] = {}
        node = node["a"]
    assert deliver(client, deep).status_code == 400
    other = fixture("dm.json")
    other["for_user_id"] = "1"
    assert deliver(client, other).status_code == 404
    wrong_type = client.post(
        "/webhooks/x",
        content=body,
        headers={"Content-Type": "text/plain", "x-twitter-webhooks-signature": signature(body)},
    )
    assert wrong_type.status_code == 415
    huge = client.post(
        "/webhooks/x",
        content=b" " * (6 * 1024 * 1024),
        headers={"Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    assert count(db, InboxItem) == 0
    # a replayed delivery is stored once
    for _ in range(2):
        assert deliver(client, body).status_code == 200
    run_channels(db)
    assert count(db, InboxItem) == 1 and count(db, Message) == 1


def reply(
    client: TestClient,
    world: World,
    ref: str,
    text: str = "Bonjour Bethany, votre colis arrive demain.",
) -> Any:
    answer = client.post(
        f"/api/v1/cases/{ref}/replies",
        json={"text": text},
        headers=auth(world.tokens["acme:agent"]),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_dm_is_answered_by_dm(
    db: Database, world: World, box: SecretBox, client: TestClient, peer: Peer
) -> None:
    peer.script = [
        (201, {"data": {"dm_conversation_id": f"{BETH}-{OURS}", "dm_event_id": "1582838223456"}})
    ]
    x_account(db, world, box, api=peer.url)
    deliver(client, fixture("dm.json"))
    run_channels(db)
    out = reply(client, world, case_ref(db, "dm:954491830116155396"))
    run_channels(db)
    [request] = peer.requests
    assert request.method == "POST" and request.path == f"/2/dm_conversations/with/{BETH}/messages"
    assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body) == {"text": "Bonjour Bethany, votre colis arrive demain."}
    row = message_row(db, out["id"])
    assert row.delivery_status == "sent" and row.external_id == "dm:1582838223456"
    # the echo of our DM in the next delivery is the same message, and its read receipt marks it
    echo = fixture("dm.json")
    event = echo["direct_message_events"][0]
    event["id"] = "1582838223456"
    event["message_create"].update(sender_id=OURS, target={"recipient_id": BETH})
    echo["direct_message_mark_read_events"] = [
        {
            "created_timestamp": "1764580500000",
            "sender_id": BETH,
            "target": {"recipient_id": OURS},
            "last_read_event_id": "1582838223456",
        }
    ]
    deliver(client, echo)
    run_channels(db)
    assert message_row(db, out["id"]).delivery_status == "read"
    with db.reading() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(Message)
                .where(Message.external_id == "dm:1582838223456")
            )
            == 1
        )


def test_a_mention_is_answered_publicly_or_by_dm_as_configured(
    db: Database, world: World, box: SecretBox, client: TestClient, peer: Peer
) -> None:
    peer.script = [(201, {"data": {"id": "1995000000000000100", "text": "..."}})]
    account = x_account(db, world, box, api=peer.url)
    deliver(client, fixture("mention.json"))
    run_channels(db)
    ref = case_ref(db, "tweet:1995000000000000001")
    out = reply(client, world, ref)
    too_long = reply(client, world, ref, "x" * 281)
    run_channels(db)
    [request] = peer.requests
    assert (
        request.path == "/2/tweets" and request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    )
    assert json.loads(request.body) == {
        "text": "Bonjour Bethany, votre colis arrive demain.",
        "reply": {"in_reply_to_tweet_id": "1995000000000000001"},
    }
    assert message_row(db, out["id"]).external_id == "tweet:1995000000000000100"
    failed = message_row(db, too_long["id"])
    assert failed.delivery_status == "failed" and "280" in failed.meta["delivery"]["error"]
    # reply_mode "dm": the same case is answered in private
    patched = client.patch(
        f"/api/v1/channel-accounts/{account}",
        json={"settings": {"api_base": peer.url, "reply_mode": "dm"}},
        headers=auth(world.tokens["acme:admin"]),
    )
    assert patched.status_code == 200, patched.text
    peer.script = [(201, {"data": {"dm_conversation_id": "c", "dm_event_id": "77"}})]
    reply(client, world, ref)
    run_channels(db)
    assert peer.requests[-1].path == f"/2/dm_conversations/with/{BETH}/messages"


@pytest.mark.parametrize(("status", "outcome"), [(429, "queued"), (403, "failed")])
def test_x_api_errors(
    db: Database,
    world: World,
    box: SecretBox,
    client: TestClient,
    peer: Peer,
    status: int,
    outcome: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    peer.script = [
        (status, {"title": "Forbidden", "detail": "You are not permitted to send this DM."})
    ]
    x_account(db, world, box, api=peer.url)
    deliver(client, fixture("dm.json"))
    run_channels(db)
    out = reply(client, world, case_ref(db, "dm:954491830116155396"))
    run_channels(db)
    row = message_row(db, out["id"])
    assert row.delivery_status == outcome
    assert str(status) in str(row.meta["delivery"])
    assert ACCESS_TOKEN not in caplog.text and CONSUMER_SECRET not in caplog.text
