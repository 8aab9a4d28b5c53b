"""``POST /webhooks/phone/{account}``: call events, as generic signed JSON or as Twilio
voice callbacks (form, ``X-Twilio-Signature``).

The generic JSON webhook is signed like this (our design, documented in
docs/channels.md): header ``X-Omnicase-Signature: t=<unix seconds>,v1=<hex>``, where
``hex`` is HMAC-SHA256, keyed by the account's ``webhook_secret``, of
``"<t>." + raw body``. A ``t`` more than :data:`WINDOW` seconds from our clock is a
replay (401), as is a missing or wrong signature.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from sqlalchemy.orm import Session

from omnicase.api.deps import write_session
from omnicase.channels.base import ParseError
from omnicase.channels.inbox import accept_inbound
from omnicase.channels.phone.parse import parse_json_event
from omnicase.channels.sms.edge import (
    account_by_id,
    content_type,
    read_body,
    require_content_type,
    secret_of,
)
from omnicase.channels.sms.routes import EMPTY_TWIML, FORM, RESPONSES, verified_form

router = APIRouter(prefix="/webhooks/phone", tags=["webhooks"])
DB = Annotated[Session, Depends(write_session)]
MAX_BODY = 512 * 1024
SIGNATURE = "x-omnicase-signature"
WINDOW = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value for ``body`` at ``timestamp`` (for senders and tests)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def signature_ok(secret: str, body: bytes, header: str, now: float) -> str | None:
    """None when good, else why not (missing, stale, wrong)."""
    parts = dict(p.strip().partition("=")[::2] for p in header.split(",") if "=" in p)
    stamp, given = parts.get("t", ""), parts.get("v1", "")
    if not stamp.isdigit() or not given:
        return "X-Omnicase-Signature must be t=<unix seconds>,v1=<hex HMAC-SHA256>"
    if abs(now - int(stamp)) > WINDOW:
        return f"X-Omnicase-Signature is outside the {WINDOW} s window (replay?)"
    expected = sign(secret, body, int(stamp)).rpartition("v1=")[2]
    if not secret or not hmac.compare_digest(expected.encode(), given.encode()):
        return "X-Omnicase-Signature does not match"
    return None


@router.post("/{account_id}", responses=RESPONSES)
async def receive_call_event(account_id: str, request: Request, session: DB) -> Response:
    """Store one call event, then 200 (TwiML for Twilio)."""
    if content_type(request) == FORM:
        account, raw, form = await verified_form(request, session, account_id, "phone")
        if not form.get("CallSid"):
            raise HTTPException(400, "CallSid is missing")
        key = ":".join(
            (form["CallSid"], form.get("CallStatus", ""), form.get("TranscriptionSid", ""))
        )
        accept_inbound(session, "phone", account, raw, {"content-type": FORM}, key)
        session.commit()
        return Response(EMPTY_TWIML, media_type="text/xml")
    raw = await read_body(request, MAX_BODY)
    require_content_type(request, "application/json", FORM)
    account = account_by_id(session, account_id, "phone")
    header = request.headers.get(SIGNATURE, "")
    if not header:
        raise HTTPException(401, "missing X-Omnicase-Signature")
    problem = signature_ok(secret_of(request, account, "webhook_secret"), raw, header, time.time())
    if problem is not None:
        raise HTTPException(401, problem)
    try:
        event = parse_json_event(raw)  # the shape is checked here: a 400 stores nothing
    except ParseError as exc:
        raise HTTPException(400, str(exc)) from None
    key = f"{event.call_id}:{event.state}:{hashlib.sha256(raw).hexdigest()[:16]}"
    accept_inbound(session, "phone", account, raw, {"content-type": "application/json"}, key)
    session.commit()
    return Response('{"stored": true}', media_type="application/json")
