"""The Meta webhook: ``GET /webhooks/meta`` (subscription check) and ``POST
/webhooks/meta`` (deliveries of Messenger, Instagram and WhatsApp).

No bearer token: a POST is authenticated by ``X-Hub-Signature-256`` with the app secret
of the account each entry is for, checked before anything is stored. Then one inbox row
per message/event (the provider's mid/wamid as dedup key), committed, and a 200 at
once: parsing happens in the ``channels.process_inbox`` job.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.api.deps import write_session
from omnicase.channels.inbox import accept_inbound
from omnicase.channels.meta.common import (
    CHANNELS,
    MAX_BODY,
    PayloadError,
    load_payload,
    signature_ok,
    split,
)
from omnicase.model import ChannelAccount
from omnicase.security.secrets import SecretBox, SecretError

log = logging.getLogger(__name__)

router = APIRouter(prefix="/webhooks/meta", tags=["webhooks"])
DB = Annotated[Session, Depends(write_session)]
SIGNATURE = "x-hub-signature-256"


def _box(request: Request) -> SecretBox:
    return SecretBox.from_settings(request.app.state.settings)


def _secret(box: SecretBox, account: ChannelAccount, name: str) -> str:
    token = (account.secrets or {}).get(name)
    if not token:
        return ""
    try:
        return box.decrypt(token)
    except SecretError:
        log.warning("the %s secret of channel account %s cannot be decrypted", name, account.id)
        return ""


@router.get(
    "",
    response_class=PlainTextResponse,
    responses={
        400: {"description": "not a subscription check (hub.mode, hub.verify_token)"},
        403: {"description": "wrong token"},
    },
)
def verify(request: Request, session: DB) -> PlainTextResponse:
    """Meta's subscription check: ``hub.challenge`` back when ``hub.verify_token`` is the
    ``verify_token`` secret of one of the Meta accounts."""
    query = request.query_params
    mode, token = query.get("hub.mode"), query.get("hub.verify_token") or ""
    challenge = query.get("hub.challenge") or ""
    if mode != "subscribe" or not token:
        raise HTTPException(400, "expected hub.mode=subscribe with hub.verify_token")
    box = _box(request)
    accounts = session.scalars(
        select(ChannelAccount).where(
            ChannelAccount.channel.in_(CHANNELS), ChannelAccount.active.is_(True)
        )
    )
    matched = False
    for account in accounts:  # compare with every one: the time says nothing
        expected = _secret(box, account, "verify_token")
        matched |= bool(expected) and hmac.compare_digest(token.encode(), expected.encode())
    if not matched:
        raise HTTPException(403, "hub.verify_token does not match")
    return PlainTextResponse(challenge[:200])


@router.post(
    "",
    responses={
        400: {"description": "not a Meta webhook payload"},
        401: {"description": "missing or wrong X-Hub-Signature-256"},
        404: {"description": "no channel account for the page or number"},
        413: {"description": "body too large"},
        415: {"description": "not JSON"},
    },
)
async def receive(request: Request, session: DB) -> JSONResponse:
    """Store each message/event of a signed delivery, then 200."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY:
        raise HTTPException(413, f"body over {MAX_BODY} bytes")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise HTTPException(415, "Content-Type must be application/json")
    signature = request.headers.get(SIGNATURE)
    if not signature or not signature.startswith("sha256="):
        raise HTTPException(401, "missing X-Hub-Signature-256")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY:
            raise HTTPException(413, f"body over {MAX_BODY} bytes")
    raw = bytes(body)
    try:
        units = split(load_payload(raw))
    except PayloadError as exc:
        raise HTTPException(400, str(exc)) from None
    box = _box(request)
    accounts: dict[tuple[str, str], ChannelAccount] = {}
    for channel, address in {(u.channel, u.address) for u in units}:
        account = session.scalar(
            select(ChannelAccount).where(
                ChannelAccount.channel == channel,
                ChannelAccount.address == address,
                ChannelAccount.active.is_(True),
            )
        )
        if account is not None:
            accounts[(channel, address)] = account
    if units and not accounts:
        raise HTTPException(404, "no active channel account for this page or number")
    # every account named must have signed it (one app's secret cannot feed another's page)
    for account in accounts.values():
        if not signature_ok(raw, signature, _secret(box, account, "app_secret")):
            raise HTTPException(401, "X-Hub-Signature-256 does not match")
    headers = {k: v for k, v in request.headers.items() if k.lower() != SIGNATURE}
    stored = duplicates = skipped = 0
    for unit in units:
        account = accounts.get((unit.channel, unit.address))
        if account is None:
            skipped += 1
            continue
        accepted = accept_inbound(
            session,
            unit.channel,
            account,
            json.dumps(unit.body, ensure_ascii=False, separators=(",", ":")),
            headers,
            unit.dedup_key,
        )
        duplicates += accepted.duplicate
        stored += not accepted.duplicate
    session.commit()
    return JSONResponse({"stored": stored, "duplicates": duplicates, "skipped": skipped})
