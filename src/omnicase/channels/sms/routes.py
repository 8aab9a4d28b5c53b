"""``POST /webhooks/sms/{account}``: Twilio's incoming-SMS webhook and its status
callbacks for our replies, authenticated by ``X-Twilio-Signature`` (auth token of the
account); stored first, parsed in the ``channels.process_inbox`` job."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from sqlalchemy.orm import Session

from omnicase.api.deps import write_session
from omnicase.channels.inbox import accept_inbound
from omnicase.channels.sms.edge import (
    account_by_id,
    read_body,
    require_content_type,
    secret_of,
    signed_url,
)
from omnicase.channels.sms.twilio import FormError, form_dict, parse_form, twilio_signature_ok
from omnicase.model import ChannelAccount

router = APIRouter(prefix="/webhooks/sms", tags=["webhooks"])
DB = Annotated[Session, Depends(write_session)]
FORM = "application/x-www-form-urlencoded"
MAX_BODY = 256 * 1024
SIGNATURE = "x-twilio-signature"
#: An empty TwiML answer: Twilio sends nothing back to the customer.
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

RESPONSES: dict[int | str, dict[str, str]] = {
    400: {"description": "not a Twilio form"},
    401: {"description": "missing or wrong X-Twilio-Signature"},
    404: {"description": "no such active account"},
    413: {"description": "body too large"},
    415: {"description": "not a url-encoded form"},
}


async def verified_form(
    request: Request, session: Session, account_id: str, channel: str
) -> tuple[ChannelAccount, bytes, dict[str, str]]:
    """Size, content type, account, signature, form: the account, raw body and fields."""
    raw = await read_body(request, MAX_BODY)
    require_content_type(request, FORM)
    account = account_by_id(session, account_id, channel)
    signature = request.headers.get(SIGNATURE, "")
    if not signature:
        raise HTTPException(401, "missing X-Twilio-Signature")
    try:
        pairs = parse_form(raw)
    except FormError as exc:
        raise HTTPException(400, str(exc)) from None
    token = secret_of(request, account, "auth_token")
    if not twilio_signature_ok(token, signed_url(request, account), pairs, signature):
        raise HTTPException(401, "X-Twilio-Signature does not match")
    return account, raw, form_dict(pairs)


@router.post("/{account_id}", responses=RESPONSES)
async def receive_sms(account_id: str, request: Request, session: DB) -> Response:
    """Store an incoming SMS or a status callback, then an empty TwiML answer."""
    account, raw, form = await verified_form(request, session, account_id, "sms")
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    if not sid:
        raise HTTPException(400, "MessageSid is missing")
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "received").lower()
    key = sid if status == "received" else f"{sid}:{status}"
    headers = {"content-type": FORM}
    accept_inbound(session, "sms", account, raw, headers, key)
    session.commit()
    return Response(EMPTY_TWIML, media_type="text/xml")
