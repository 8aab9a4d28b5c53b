"""``GET /forms/{brand}``: the brand's contact form; ``POST /forms/{brand}``: one request.

The POST checks, in order: the body's size (413), the content type (415), the per-IP
rate limit (429 + Retry-After; counted from the inbox rows of the last window, so every
process shares it), the honeypot (filled: 200 as if accepted, nothing stored, a
``webform.spam`` event), the render token (400: forged or expired), each field (422
naming it; 413 for the attachment). Then persist first (``accept_inbound`` with the
multipart bytes, deduplicated on the render token: a replayed post is stored once).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import secrets
import time
from datetime import timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from omnicase.channels.inbox import accept_inbound
from omnicase.channels.webform.form import HONEYPOT, MAX_BODY, FormError, check_form, read_form
from omnicase.config import Settings, parse_secret_keys
from omnicase.model import ChannelAccount, InboxItem, Organisation
from omnicase.model.base import utcnow
from omnicase.services.cases import record_event
from omnicase.understand import DEFAULT_REASONS

log = logging.getLogger(__name__)
router = APIRouter(tags=["webform"], include_in_schema=False)

CHANNEL = "webform"
RATE_LIMIT = 5
RATE_WINDOW = timedelta(minutes=10)
TOKEN_MAX_AGE = 24 * 3600


def _account(session: Session, brand: str) -> tuple[Organisation, ChannelAccount]:
    row = session.execute(
        select(Organisation, ChannelAccount)
        .join(ChannelAccount, ChannelAccount.brand_id == Organisation.id)
        .where(
            Organisation.slug == brand,
            ChannelAccount.channel == CHANNEL,
            ChannelAccount.active.is_(True),
        )
        .order_by(ChannelAccount.id)
        .limit(1)
    ).first()
    if row is None:
        raise HTTPException(404, "this brand has no web form")
    return row[0], row[1]


def _reasons(account: ChannelAccount) -> tuple[str, ...]:
    given = str((account.settings or {}).get("reasons") or "")
    listed = tuple(r.strip() for r in given.split(",") if r.strip())
    return listed or tuple(DEFAULT_REASONS)


def _key(settings: Settings) -> bytes | None:
    keys = parse_secret_keys(settings.secret_keys)
    return hashlib.sha256(b"omnicase-webform\0" + keys[0].encode()).digest() if keys else None


def render_token(settings: Settings, brand: str, now: float | None = None) -> str:
    """Signed per render: a post must come from a page we served, once."""
    key = _key(settings)
    stamp, nonce = str(int(now or time.time())), secrets.token_urlsafe(12)
    if key is None:
        return f"{stamp}.{nonce}."
    mac = hmac.new(key, f"{brand}:{stamp}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{stamp}.{nonce}.{mac}"


def check_token(settings: Settings, brand: str, token: str) -> None:
    key = _key(settings)
    if key is None:  # no keys: tokens are not signed, nothing to check
        return
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit():
        raise FormError("token", "missing or malformed: reload the form", 400)
    stamp, nonce, mac = parts
    want = hmac.new(key, f"{brand}:{stamp}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]
    if not hmac.compare_digest(want, mac):
        raise FormError("token", "not a token of this form: reload the form", 400)
    if not 0 <= time.time() - int(stamp) <= TOKEN_MAX_AGE:
        raise FormError("token", "expired: reload the form", 400)


def _ip_key(request: Request) -> str:
    """The sender's address as a short digest (the inbox never keeps the IP itself)."""
    ip = request.client.host if request.client else "unknown"
    return "ip" + hashlib.sha256(ip.encode()).hexdigest()[:20]


def _retry_after(session: Session, account_id: int, ip_key: str) -> int | None:
    """Seconds until this address may post again, or None under the limit."""
    since = utcnow() - RATE_WINDOW
    where = (
        InboxItem.channel == CHANNEL,
        InboxItem.account_id == account_id,
        InboxItem.dedup_key.like(f"{ip_key}:%"),
        InboxItem.received_at > since,
    )
    count, oldest = session.execute(
        select(func.count(InboxItem.id), func.min(InboxItem.received_at)).where(*where)
    ).one()
    if count < RATE_LIMIT or oldest is None:
        return None
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=since.tzinfo)
    return max(1, int((oldest + RATE_WINDOW - utcnow()).total_seconds()) + 1)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>{title}</h1>
<form method="post" enctype="multipart/form-data" action="/forms/{brand}">
<input type="hidden" name="token" value="{token}">
<p><label>Name <input name="name" required maxlength="200"></label></p>
<p><label>Email <input name="email" type="email" required maxlength="320"></label></p>
<p><label>Order number <input name="order_number" maxlength="64"></label></p>
<p><label>Reason <select name="reason">{options}</select></label></p>
<p><label>Message <textarea name="message" required maxlength="20000"></textarea></label></p>
<p><label>Attachment <input name="attachment" type="file"></label></p>
<p style="position:absolute;left:-10000px" aria-hidden="true"><label>Leave empty
<input name="{honeypot}" tabindex="-1" autocomplete="off"></label></p>
<p><button type="submit">Send</button></p>
</form></body></html>
"""

THANKS = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Thank you</title>
</head><body><h1>Thank you</h1><p>We received your message and will answer by email.</p>
</body></html>"""

HEADERS = {"Cache-Control": "no-store", "Content-Security-Policy": "default-src 'self'"}


@router.get("/forms/{brand}", response_class=HTMLResponse)
def form_page(brand: str, request: Request) -> HTMLResponse:
    with request.app.state.db.reading() as s:
        org, account = _account(s, brand)
        reasons = _reasons(account)
        title = str((account.settings or {}).get("title") or f"Contact {org.name}")
    options = "".join(
        f'<option value="{html.escape(r)}">{html.escape(r)}</option>' for r in reasons
    )
    page = PAGE.format(
        title=html.escape(title),
        brand=html.escape(brand),
        token=html.escape(render_token(request.app.state.settings, brand)),
        options=options,
        honeypot=HONEYPOT,
    )
    return HTMLResponse(page, headers=HEADERS)


def _error(exc: FormError, extra: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"detail": str(exc), "errors": [{"field": exc.field, "reason": exc.reason}]},
        status_code=exc.status,
        headers=extra,
    )


async def _body(request: Request) -> bytes:
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
        raise FormError("body", f"at most {MAX_BODY} bytes", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise FormError("body", f"at most {MAX_BODY} bytes", 413)
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/forms/{brand}")
async def post_form(brand: str, request: Request) -> Response:
    try:
        body = await _body(request)
        content_type = request.headers.get("content-type", "")
        form = read_form(body, content_type)
    except FormError as exc:
        return _error(exc)
    db = request.app.state.db
    ip_key = _ip_key(request)
    with db.transaction() as s:
        org, account = _account(s, brand)
        wait = _retry_after(s, account.id, ip_key)
        if wait is not None:
            limited = FormError("rate", f"at most {RATE_LIMIT} posts per 10 minutes", 429)
            return _error(limited, {"Retry-After": str(wait)})
        if form.get(HONEYPOT):
            record_event(s, "webform.spam", brand_id=org.id, data={"reason": "honeypot"})
            log.info("web form post dropped as spam (honeypot) for brand %s", org.id)
            return HTMLResponse(THANKS, headers=HEADERS)
        try:
            check_token(request.app.state.settings, brand, form.get("token"))
            check_form(form, _reasons(account))
        except FormError as exc:
            return _error(exc)
        token = form.get("token") or hashlib.sha256(body).hexdigest()
        accept_inbound(
            s,
            CHANNEL,
            account,
            body,
            {"content-type": content_type, "user-agent": request.headers.get("user-agent", "")},
            dedup_key=f"{ip_key}:{token}"[:500],
        )
    return HTMLResponse(THANKS, headers=HEADERS)
