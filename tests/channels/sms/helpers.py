"""Building signed Twilio requests for the SMS and phone tests."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from omnicase.channels.sms.twilio import twilio_signature
from omnicase.model import Case, Message, Organisation
from omnicase.store.db import Database
from omnicase.store.references import format_reference

AUTH_TOKEN = "twilio-auth-T0ken-5ecret"
ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
BASE = "http://testserver"
FORM = "application/x-www-form-urlencoded"


def post_twilio(
    client: TestClient,
    path: str,
    params: dict[str, str],
    token: str = AUTH_TOKEN,
    signature: str | None = None,
    **headers: Any,
) -> Response:
    pairs = list(params.items())
    sig = twilio_signature(token, BASE + path, pairs) if signature is None else signature
    sent = {"Content-Type": FORM, **headers}
    if sig:
        sent["X-Twilio-Signature"] = sig
    return client.post(path, content=urlencode(pairs), headers=sent)


def message_by_external_id(db: Database, external_id: str) -> Message:
    with db.reading() as s:
        msg = s.scalar(select(Message).where(Message.external_id == external_id))
        assert msg is not None, external_id
        s.expunge(msg)
        return msg


def case_ref(db: Database, external_id: str) -> str:
    """The reference (AC-000123) of the case a message went to."""
    msg = message_by_external_id(db, external_id)
    with db.reading() as s:
        case = s.get(Case, msg.case_id)
        brand = s.get(Organisation, msg.brand_id)
        assert case is not None and brand is not None
        return format_reference(brand.case_prefix, case.id)
