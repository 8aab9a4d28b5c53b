"""``GET /webhooks/x?crc_token=…`` (X's challenge-response check) and ``POST
/webhooks/x`` (Account Activity deliveries), authenticated by
``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256 of the raw body>`` with the
app's consumer secret.

One app serves all the brand's X accounts: the CRC is answered with the consumer secret
of the active X accounts (they must share it; an account with another secret cannot be
checked by X at the same URL). A delivery is for one subscribed user (``for_user_id`` =
an account's address) and is stored whole; X signs no timestamp, so there is no replay
window: a delivery X sends again is the same body (same dedup key), and the pipeline is
idempotent on each event's id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.api.deps import write_session
from omnicase.channels.base import ParseError
from omnicase.channels.inbox import accept_inbound
from omnicase.channels.sms.edge import (
    account_by_address,
    read_body,
    require_content_type,
    secret_of,
)
from omnicase.channels.x.parse import load_delivery
from omnicase.model import ChannelAccount

router = APIRouter(prefix="/webhooks/x", tags=["webhooks"])
DB = Annotated[Session, Depends(write_session)]
SIGNATURE = "x-twitter-webhooks-signature"
MAX_BODY = 5 * 1024 * 1024


def crc_response(consumer_secret: str, crc_token: str) -> str:
    mac = hmac.new(consumer_secret.encode(), crc_token.encode(), hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(mac).decode("ascii")


def signature_ok(consumer_secret: str, body: bytes, header: str) -> bool:
    if not consumer_secret or not header.startswith("sha256="):
        return False
    mac = hmac.new(consumer_secret.encode(), body, hashlib.sha256).digest()
    expected = base64.b64encode(mac).decode("ascii")
    return hmac.compare_digest(expected.encode(), header.removeprefix("sha256=").encode())


@router.get(
    "", responses={400: {"description": "no crc_token"}, 404: {"description": "no X account"}}
)
def crc(request: Request, session: DB) -> JSONResponse:
    """X's challenge: ``{"response_token": "sha256=" + base64(HMAC-SHA256(consumer
    secret, crc_token))}``."""
    token = request.query_params.get("crc_token", "")
    if not token or len(token) > 500:
        raise HTTPException(400, "crc_token is required")
    accounts = session.scalars(
        select(ChannelAccount)
        .where(ChannelAccount.channel == "x", ChannelAccount.active.is_(True))
        .order_by(ChannelAccount.id)
    )
    for account in accounts:
        secret = secret_of(request, account, "consumer_secret")
        if secret:
            return JSONResponse({"response_token": crc_response(secret, token)})
    raise HTTPException(404, "no active X account with a consumer_secret")


@router.post(
    "",
    responses={
        400: {"description": "not an Account Activity delivery"},
        401: {"description": "missing or wrong x-twitter-webhooks-signature"},
        404: {"description": "no account for for_user_id"},
        413: {"description": "body too large"},
        415: {"description": "not JSON"},
    },
)
async def receive(request: Request, session: DB) -> JSONResponse:
    """Store a signed delivery for one of our accounts, then 200."""
    raw = await read_body(request, MAX_BODY)
    require_content_type(request, "application/json")
    header = request.headers.get(SIGNATURE, "")
    if not header:
        raise HTTPException(401, "missing x-twitter-webhooks-signature")
    try:
        data = load_delivery(raw)
    except ParseError as exc:
        raise HTTPException(400, str(exc)) from None
    account = account_by_address(session, "x", str(data["for_user_id"]))
    if account is None:
        raise HTTPException(404, "no active X account for for_user_id")
    if not signature_ok(secret_of(request, account, "consumer_secret"), raw, header):
        raise HTTPException(401, "x-twitter-webhooks-signature does not match")
    accepted = accept_inbound(session, "x", account, raw, {"content-type": "application/json"})
    session.commit()
    return JSONResponse({"stored": not accepted.duplicate, "duplicate": accepted.duplicate})
