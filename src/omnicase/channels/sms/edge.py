"""What the SMS, phone and X webhook routes share: a bounded body read, the account of
the URL, its decrypted secret, the URL the provider signed.

A webhook route checks, in this order: the size (413), the content type (415), the
account (404), the signature (401), the body's shape (400); only then does it store
(``accept_inbound``) and commit. Nothing is stored for a refused request.
"""

from __future__ import annotations

import logging

from fastapi import HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.model import ChannelAccount
from omnicase.security.secrets import SecretBox, SecretError

log = logging.getLogger(__name__)


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it passes ``limit`` bytes."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise HTTPException(413, f"body over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise HTTPException(413, f"body over {limit} bytes")
    return bytes(body)


def content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def require_content_type(request: Request, *allowed: str) -> str:
    kind = content_type(request)
    if kind not in allowed:
        raise HTTPException(415, f"Content-Type must be {' or '.join(allowed)}")
    return kind


def account_by_id(session: Session, account_id: str, channel: str) -> ChannelAccount:
    """The active account of the webhook URL (``/webhooks/<channel>/<id>``), else 404."""
    account = None
    if account_id.isdigit() and len(account_id) < 12:
        account = session.get(ChannelAccount, int(account_id))
    if account is None or account.channel != channel or not account.active:
        raise HTTPException(404, f"no active {channel} channel account {account_id[:20]!r}")
    return account


def account_by_address(session: Session, channel: str, address: str) -> ChannelAccount | None:
    return session.scalar(
        select(ChannelAccount).where(
            ChannelAccount.channel == channel,
            ChannelAccount.address == address,
            ChannelAccount.active.is_(True),
        )
    )


def secret_of(request: Request, account: ChannelAccount, name: str) -> str:
    """The decrypted secret, or "" (unset or undecryptable: every signature then fails;
    the log names the account and the secret, never its value)."""
    token = (account.secrets or {}).get(name)
    if not token:
        return ""
    try:
        return SecretBox.from_settings(request.app.state.settings).decrypt(token)
    except SecretError:
        log.warning("the %s secret of channel account %s cannot be decrypted", name, account.id)
        return ""


def signed_url(request: Request, account: ChannelAccount) -> str:
    """The URL the provider called and signed: the account's ``webhook_url`` setting when
    set (behind a proxy the request's own URL differs), else the request's URL."""
    configured = (account.settings or {}).get("webhook_url")
    if isinstance(configured, str) and configured:
        query = request.url.query
        return configured + (f"?{query}" if query and "?" not in configured else "")
    return str(request.url)
