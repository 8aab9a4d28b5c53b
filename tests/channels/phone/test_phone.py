"""Call events: the generic signed JSON webhook and Twilio's voice callbacks, from the
wire to the case: missed call → call-back, answered call + later notes, voicemail, and
one customer across WhatsApp, SMS and phone."""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omnicase.channels.phone.routes import sign
from omnicase.ingest.pipeline import ingest
from omnicase.model import Case, InboxItem, Message
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.channels.conftest import create_account, run_channels
from tests.channels.sms.helpers import AUTH_TOKEN, message_by_external_id, post_twilio
from tests.channels.sms.test_sms import incoming, sms_account
from tests.factories import World, message

SECRET = "phone-webhook-5ecret-value"
LINE = "+33140000000"
CALLER = "+33612345678"


def phone_account(db: Database, world: World, box: SecretBox) -> int:
    return create_account(
        db,
        world,
        box,
        channel="phone",
        name="Standard",
        address=LINE,
        settings={},
        secrets={"webhook_secret": SECRET, "auth_token": AUTH_TOKEN},
    )


def post_event(
    client: TestClient,
    account: int,
    event: dict[str, Any],
    stamp: int | None = None,
    secret: str = SECRET,
) -> Any:
    body = json.dumps(event).encode()
    header = sign(secret, body, int(time.time()) if stamp is None else stamp)
    return client.post(
        f"/webhooks/phone/{account}",
        content=body,
        headers={"Content-Type": "application/json", "X-Omnicase-Signature": header},
    )


def call(state: str, outcome: str | None = None, **more: Any) -> dict[str, Any]:
    return {
        "call_id": "c-1001",
        "from": CALLER,
        "to": LINE,
        "direction": "inbound",
        "state": state,
        "outcome": outcome,
        **more,
    }


def count(db: Database, model: Any) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_missed_call_is_a_case_with_a_call_back_requested(
    db: Database, world: World, box: SecretBox, client: TestClient
) -> None:
    account = phone_account(db, world, box)
    assert post_event(client, account, call("ringing")).status_code == 200
    assert (
        post_event(
            client, account, call("ended", "missed", duration=0, at="2026-12-01T09:14:00+01:00")
        ).status_code
        == 200
    )
    run_channels(db)
    msg = message_by_external_id(db, "call:c-1001")
    assert msg.channel == "phone" and msg.direction == "inbound" and msg.text is None
    assert msg.subject == "Missed call"
    assert (
        msg.meta["call"]["outcome"] == "missed" and msg.meta["call"]["callback_requested"] is True
    )
    with db.reading() as s:
        case = s.get(Case, msg.case_id)
        assert case is not None and case.channel == "phone"
    assert count(db, Message) == 1  # ringing is an event, not a message


def test_an_answered_call_and_its_later_notes_never_duplicate(
    db: Database, world: World, box: SecretBox, client: TestClient
) -> None:
    account = phone_account(db, world, box)
    ended = call(
        "ended",
        "answered",
        duration=192,
        recording_url="https://pbx.example/rec/1001.mp3",
        transcript="Bonjour, je voudrais changer l'adresse de livraison.",
    )
    notes = call(
        "notes", notes="Adresse de livraison changée pour la commande A-12345.", agent="alice"
    )
    for event in (ended, ended, notes, notes):  # the PBX retries each one
        assert post_event(client, account, event).status_code == 200
    run_channels(db)
    the_call = message_by_external_id(db, "call:c-1001")
    assert the_call.text == ended["transcript"]
    assert the_call.meta["call"] == {
        "id": "c-1001", "direction": "inbound", "outcome": "answered", "duration": 192,
        "recording_url": "https://pbx.example/rec/1001.mp3", "transcript": ended["transcript"],
    }  # fmt: skip
    added = message_by_external_id(db, "call:c-1001:notes")
    assert added.text == notes["notes"] and added.case_id == the_call.case_id
    assert count(db, Message) == 2
    # notes given with the end of the call are its text: one message
    with_notes = call("ended", "answered", call_id="c-2002", duration=40, notes="Rappel demain.")
    post_event(client, account, with_notes)
    run_channels(db)
    assert message_by_external_id(db, "call:c-2002").text == "Rappel demain."
    assert count(db, Message) == 3


def test_a_voicemail_transcript_is_its_text(
    db: Database, world: World, box: SecretBox, client: TestClient
) -> None:
    account = phone_account(db, world, box)
    post_event(
        client,
        account,
        call("ended", "voicemail", transcript="Rappelez-moi au sujet du remboursement."),
    )
    run_channels(db)
    msg = message_by_external_id(db, "call:c-1001")
    assert msg.text == "Rappelez-moi au sujet du remboursement." and msg.subject == "Voicemail"
    assert msg.meta["call"]["callback_requested"] is True


def test_the_json_webhook_refuses_forged_stale_and_malformed_events(
    db: Database, world: World, box: SecretBox, client: TestClient
) -> None:
    account = phone_account(db, world, box)
    path = f"/webhooks/phone/{account}"
    body = json.dumps(call("ended", "missed")).encode()
    unsigned = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401
    assert post_event(client, account, call("ended", "missed"), secret="guess").status_code == 401
    stale = post_event(client, account, call("ended", "missed"), stamp=int(time.time()) - 3600)
    assert stale.status_code == 401 and "window" in stale.text
    bad = post_event(client, account, call("ended", "lost"))
    assert bad.status_code == 400 and "outcome" in bad.text
    deep = b'{"call_id": "c", "state": "ended", "from": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    header = sign(SECRET, deep, int(time.time()))
    refused = client.post(
        path,
        content=deep,
        headers={"Content-Type": "application/json", "X-Omnicase-Signature": header},
    )
    assert refused.status_code == 400
    assert (
        client.post(path, content=b"<xml/>", headers={"Content-Type": "text/xml"}).status_code
        == 415
    )
    huge = client.post(
        path, content=b"{" + b" " * 600_000 + b"}", headers={"Content-Type": "application/json"}
    )
    assert huge.status_code == 413
    assert post_event(client, 424242, call("ended", "missed")).status_code == 404
    assert count(db, InboxItem) == 0


def twilio_call(status: str, **more: str) -> dict[str, str]:
    return {
        "AccountSid": "AC0123456789abcdef0123456789abcdef",
        "ApiVersion": "2010-04-01",
        "CallSid": "CA5f2a6f1c0d2e3f4a5b6c7d8e9f0a1b2c",
        "CallStatus": status,
        "Called": LINE,
        "Caller": CALLER,
        "Direction": "inbound",
        "From": CALLER,
        "To": LINE,
        **more,
    }


def test_twilio_voice_callbacks(
    db: Database, world: World, box: SecretBox, client: TestClient
) -> None:
    account = phone_account(db, world, box)
    path = f"/webhooks/phone/{account}"
    assert post_twilio(client, path, twilio_call("ringing")).status_code == 200
    answered = post_twilio(client, path, twilio_call("completed", CallDuration="75"))
    assert answered.status_code == 200 and "<Response>" in answered.text
    voicemail = twilio_call(
        "completed",
        TranscriptionSid="TR1",
        TranscriptionStatus="completed",
        TranscriptionText="C'est Julie, rappelez-moi.",
        RecordingUrl="https://api.twilio.com/rec/RE1",
    )
    assert post_twilio(client, path, voicemail).status_code == 200
    assert post_twilio(client, path, twilio_call("no-answer"), token="wrong").status_code == 401
    run_channels(db)
    sid = "CA5f2a6f1c0d2e3f4a5b6c7d8e9f0a1b2c"
    the_call = message_by_external_id(db, f"call:{sid}")
    assert (
        the_call.meta["call"]["outcome"] == "answered" and the_call.meta["call"]["duration"] == 75
    )
    vm = message_by_external_id(db, f"call:{sid}:voicemail")
    assert vm.text == "C'est Julie, rappelez-moi." and vm.meta["call"]["callback_requested"] is True
    assert vm.meta["call"]["recording_url"] == "https://api.twilio.com/rec/RE1"


def test_one_customer_across_whatsapp_sms_and_phone(
    db: Database, world: World, box: SecretBox, client: TestClient
) -> None:
    [whatsapp] = ingest(
        db,
        [
            message(
                channel="whatsapp", whatsapp="33612345678", text="Bonjour, ma commande A-12345 ?"
            )
        ],
    )
    assert whatsapp.customer_id is not None
    sms = sms_account(db, world, box)
    post_twilio(client, f"/webhooks/sms/{sms}", incoming("SMsame", "C'est encore moi pour A-12345"))
    phone = phone_account(db, world, box)
    post_event(client, phone, call("ended", "missed"))
    run_channels(db)
    customers = {
        message_by_external_id(db, "SMsame").customer_id,
        message_by_external_id(db, "call:c-1001").customer_id,
    }
    assert customers == {whatsapp.customer_id}
