"""SMS over Twilio's wire format: the signature, the webhook's refusals, an SMS in to a
case, a reply out to the bytes a local Twilio received, status callbacks, STOP."""

from __future__ import annotations

import base64
import logging
from typing import Any
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omnicase.channels.sms.consent import consent_keyword
from omnicase.channels.sms.twilio import twilio_signature, twilio_signature_ok
from omnicase.model import Case, Customer, Identity, InboxItem, Message
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.channels.conftest import create_account, message_row, run_channels
from tests.channels.sms.helpers import ACCOUNT_SID, AUTH_TOKEN, case_ref, post_twilio
from tests.channels.sms.peer import Peer
from tests.factories import World

NUMBER = "+33757000111"
CUSTOMER = "+33612345678"

# Twilio's published example (docs "Webhooks security"): auth token 12345, this URL,
# these five parameters. Three versions of the page used three caller numbers.
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_VECTORS = [
    ("+14158675309", "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
    ("+12349013030", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
    ("+14158675310", "GvWf1cFY/Q7PnoempGyD5oXAezc="),
]


@pytest.mark.parametrize(("caller", "expected"), DOC_VECTORS)
def test_the_signature_matches_twilios_documented_example(caller: str, expected: str) -> None:
    params = [
        ("To", "+18005551212"),
        ("CallSid", "CA1234567890ABCDE"),
        ("From", caller),
        ("Digits", "1234"),
        ("Caller", caller),
    ]
    assert twilio_signature("12345", DOC_URL, params) == expected
    assert twilio_signature_ok("12345", DOC_URL, params, expected)
    with_port = DOC_URL.replace(".com/", ".com:443/")
    assert twilio_signature_ok("12345", with_port, params, expected)
    assert not twilio_signature_ok("12346", DOC_URL, params, expected)
    assert not twilio_signature_ok("12345", DOC_URL, [*params[:-1], ("Caller", "+1")], expected)


def sms_account(db: Database, world: World, box: SecretBox, api: str = "http://127.0.0.1:9") -> int:
    return create_account(
        db,
        world,
        box,
        channel="sms",
        name="SMS service client",
        address=NUMBER,
        settings={
            "account_sid": ACCOUNT_SID,
            "api_base": api,
            "status_callback": "https://omnicase.acme.example/webhooks/sms/1",
        },
        secrets={"auth_token": AUTH_TOKEN},
    )


def incoming(
    sid: str = "SM1a2b3c", body: str = "Bonjour, ma commande A-12345 n'est pas arrivée"
) -> dict[str, str]:
    return {
        "ToCountry": "FR",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "To": NUMBER,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": CUSTOMER,
        "ApiVersion": "2010-04-01",
    }


def count(db: Database, model: Any) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_an_sms_becomes_a_case_of_the_customers_number(
    db: Database, world: World, box: SecretBox, client: TestClient
) -> None:
    account = sms_account(db, world, box)
    params = incoming()
    params.update(
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC/Messages/SM/Media/ME1",
        MediaContentType0="image/jpeg",
    )
    answer = post_twilio(client, f"/webhooks/sms/{account}", params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/xml")
    assert "<Response>" in answer.text
    run_channels(db)
    with db.reading() as s:
        msg = s.scalar(select(Message).where(Message.external_id == "SM1a2b3c"))
        assert msg is not None and msg.channel == "sms" and msg.direction == "inbound"
        assert "A-12345" in (msg.text or "")
        assert msg.meta["sms"]["media"][0]["content_type"] == "image/jpeg"
        assert msg.meta["account_id"] == account
        case = s.get(Case, msg.case_id)
        assert case is not None and case.channel == "sms"
        kinds = {
            (i.kind, i.value)
            for i in s.scalars(select(Identity).where(Identity.customer_id == msg.customer_id))
        }
    assert ("phone", CUSTOMER) in kinds


def test_refusals_store_nothing(
    db: Database, world: World, box: SecretBox, client: TestClient
) -> None:
    account = sms_account(db, world, box)
    path = f"/webhooks/sms/{account}"
    assert post_twilio(client, path, incoming(), signature="").status_code == 401
    assert post_twilio(client, path, incoming(), token="not-the-token").status_code == 401
    forged = post_twilio(client, path, incoming(), signature="RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert forged.status_code == 401 and "does not match" in forged.text
    wrong_type = client.post(path, json=incoming(), headers={"X-Twilio-Signature": "x"})
    assert wrong_type.status_code == 415
    big = client.post(
        path,
        content=b"Body=" + b"a" * 300_000,
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"},
    )
    assert big.status_code == 413
    no_sid = {k: v for k, v in incoming().items() if "Sid" not in k}
    malformed = post_twilio(client, path, no_sid)
    assert malformed.status_code == 400 and "MessageSid" in malformed.text
    assert post_twilio(client, "/webhooks/sms/99999", incoming()).status_code == 404
    assert post_twilio(client, "/webhooks/sms/../etc", incoming()).status_code == 404
    assert count(db, InboxItem) == 0


def test_a_replayed_sms_is_one_message(
    db: Database, world: World, box: SecretBox, client: TestClient
) -> None:
    account = sms_account(db, world, box)
    for _ in range(3):
        assert post_twilio(client, f"/webhooks/sms/{account}", incoming()).status_code == 200
    run_channels(db)
    assert count(db, InboxItem) == 1
    assert count(db, Message) == 1


def sms_case(
    db: Database,
    client: TestClient,
    account: int,
    sid: str = "SMin1",
    body: str = "Bonjour, où en est ma commande A-12345 ?",
) -> str:
    assert post_twilio(client, f"/webhooks/sms/{account}", incoming(sid, body)).status_code == 200
    run_channels(db)
    return case_ref(db, sid)


def reply(
    client: TestClient, world: World, ref: str, text: str = "Bonjour, votre colis part demain."
) -> Any:
    return client.post(
        f"/api/v1/cases/{ref}/replies",
        json={"text": text},
        headers=auth(world.tokens["acme:agent"]),
    )


def test_a_reply_goes_out_through_twilios_messages_api_and_statuses_follow(
    db: Database, world: World, box: SecretBox, client: TestClient, peer: Peer
) -> None:
    peer.script = [(201, {"sid": "SMout42", "status": "queued"})]
    account = sms_account(db, world, box, api=peer.url)
    ref = sms_case(db, client, account)
    answer = reply(client, world, ref)
    assert answer.status_code == 201, answer.text
    run_channels(db)
    [request] = peer.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
    assert form == {
        "To": CUSTOMER,
        "From": NUMBER,
        "Body": "Bonjour, votre colis part demain.",
        "StatusCallback": "https://omnicase.acme.example/webhooks/sms/1",
    }
    row = message_row(db, answer.json()["id"])
    assert row.delivery_status == "sent" and row.external_id == "SMout42"
    status = {
        "MessageSid": "SMout42",
        "MessageStatus": "delivered",
        "To": CUSTOMER,
        "From": NUMBER,
        "AccountSid": ACCOUNT_SID,
    }
    assert post_twilio(client, f"/webhooks/sms/{account}", status).status_code == 200
    run_channels(db)
    assert message_row(db, row.id).delivery_status == "delivered"
    failed = {**status, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert post_twilio(client, f"/webhooks/sms/{account}", failed).status_code == 200
    run_channels(db)
    row = message_row(db, row.id)
    assert row.delivery_status == "failed" and "30003" in row.meta["delivery"]["error"]


def test_twilio_refusals_and_long_texts_fail_clearly(
    db: Database, world: World, box: SecretBox, client: TestClient, peer: Peer
) -> None:
    peer.script = [
        (400, {"code": 21211, "message": "The 'To' number is not a valid phone number."})
    ]
    account = sms_account(db, world, box, api=peer.url)
    ref = sms_case(db, client, account)
    refused = reply(client, world, ref).json()["id"]
    too_long = reply(client, world, ref, "x" * 1601).json()["id"]
    run_channels(db)
    assert len(peer.requests) == 1  # the long one never left
    row = message_row(db, refused)
    assert row.delivery_status == "failed" and "21211" in row.meta["delivery"]["error"]
    row = message_row(db, too_long)
    assert row.delivery_status == "failed" and "1600" in row.meta["delivery"]["error"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("STOP", "opt_out"), (" stop. ", "opt_out"), ("Arrêt", "opt_out"), ("STOPP", "opt_out"),
     ("BAJA", "opt_out"), ("START", "opt_in"), ("please stop sending", None), ("Bonjour", None)],
)  # fmt: skip
def test_consent_keywords(text: str, expected: str | None) -> None:
    assert consent_keyword(text) == expected


def test_stop_refuses_further_sms_until_start(
    db: Database, world: World, box: SecretBox, client: TestClient, peer: Peer
) -> None:
    peer.script = [(201, {"sid": "SMok", "status": "queued"})]
    account = sms_account(db, world, box, api=peer.url)
    ref = sms_case(db, client, account)
    sms_case(db, client, account, "SMstop", "STOP")
    refused = reply(client, world, ref)
    assert refused.status_code == 409, refused.text
    assert "opted out of SMS" in refused.text and "STOP" in refused.text
    with db.reading() as s:
        stop = s.scalar(select(Message).where(Message.external_id == "SMstop"))
        assert stop is not None and stop.meta["sms"]["consent"] == "opt_out"
        assert s.get(Customer, stop.customer_id) is not None
    sms_case(db, client, account, "SMstart", "START")
    assert reply(client, world, ref).status_code == 201
    run_channels(db)
    assert len(peer.requests) == 1


def test_the_auth_token_is_never_logged_or_shown(
    db: Database, world: World, box: SecretBox, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    account = sms_account(db, world, box)  # api on a closed port: the send is retried
    ref = sms_case(db, client, account)
    reply(client, world, ref)
    run_channels(db)
    post_twilio(client, f"/webhooks/sms/{account}", incoming("SMx"), token="wrong")
    shown = client.get(
        f"/api/v1/channel-accounts/{account}", headers=auth(world.tokens["acme:admin"])
    )
    with db.reading() as s:
        stored = [bytes(r.body) + str(r.headers).encode() for r in s.scalars(select(InboxItem))]
        metas = [str(m.meta) for m in s.scalars(select(Message))]
    assert AUTH_TOKEN not in caplog.text
    assert AUTH_TOKEN not in shown.text and shown.json()["secrets"]["auth_token"] == "set"
    assert not any(AUTH_TOKEN.encode() in b for b in stored)
    assert not any(AUTH_TOKEN in m for m in metas)


def test_behind_a_proxy_the_signature_is_over_the_configured_webhook_url(
    db: Database, world: World, box: SecretBox, client: TestClient
) -> None:
    public = "https://support.acme.example/webhooks/sms/1"
    account = create_account(
        db,
        world,
        box,
        channel="sms",
        name="SMS",
        address=NUMBER,
        settings={"account_sid": ACCOUNT_SID, "webhook_url": public},
        secrets={"auth_token": AUTH_TOKEN},
    )
    path = f"/webhooks/sms/{account}"
    params = incoming()
    as_twilio_signed = twilio_signature(AUTH_TOKEN, public, list(params.items()))
    assert post_twilio(client, path, params, signature=as_twilio_signed).status_code == 200
    assert (
        post_twilio(client, path, incoming("SMother")).status_code == 401
    )  # signed for testserver
