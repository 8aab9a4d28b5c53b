"""Twilio SMS webhooks → canonical: an incoming message (``Body``, ``From``, ``To``,
``MessageSid``, ``NumMedia``/``MediaUrlN``) or a status callback of ours
(``MessageStatus``)."""

from __future__ import annotations

from omnicase.channels.base import ChannelEvent, InboxInput, ParseError, ParseResult, StatusUpdate
from omnicase.channels.sms.consent import consent_keyword
from omnicase.channels.sms.twilio import FormError, form_dict, parse_form
from omnicase.ingest.schema import InboundMessage

#: Twilio's MessageStatus → our delivery status (the others are events only).
STATUSES = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
}
MAX_MEDIA = 10


def parse_sms(item: InboxInput) -> ParseResult:
    try:
        form = form_dict(parse_form(item.body))
    except FormError as exc:
        raise ParseError(str(exc)) from None
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    if not sid:
        raise ParseError("MessageSid is missing")
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
    out = ParseResult()
    if status and status != "received":
        return _status(out, sid, status, form)
    sender = form.get("From", "")
    if not sender:
        raise ParseError("From is missing")
    body = form.get("Body", "")
    media = _media(form)
    meta: dict[str, object] = {"sms": {"sid": sid, "to": form.get("To", ""), "media": media}}
    consent = consent_keyword(body)
    if consent is not None:
        meta["sms"] = {**meta["sms"], "consent": consent}  # type: ignore[dict-item]
        out.events.append(ChannelEvent(f"sms.{consent}", {"sid": sid}))
    text = body or ("\n".join(f"[media] {m['url']}" for m in media) if media else None)
    try:
        message = InboundMessage.model_validate(
            {
                "brand": item.account.brand,
                "channel": "sms",
                "external_id": sid,
                "received_at": item.received_at.isoformat(),
                "from": {"phone": sender},
                "text": text or "(empty SMS)",
                "thread": {"conversation_id": f"sms:{item.account.address}:{sender}"[:500]},
                "meta": meta,
            }
        )
    except ValueError as exc:
        raise ParseError(f"the SMS cannot be read: {exc}") from None
    out.messages.append(message)
    return out


def _status(out: ParseResult, sid: str, status: str, form: dict[str, str]) -> ParseResult:
    ours = STATUSES.get(status)
    if ours is None:  # queued, accepted, sending, scheduled…
        out.events.append(ChannelEvent("sms.status", {"sid": sid, "status": status[:20]}))
        return out
    error = None
    if ours == "failed":
        code = form.get("ErrorCode", "")
        error = f"Twilio reports the SMS {status}" + (f" (error {code[:10]})" if code else "")
    out.statuses.append(StatusUpdate("sms", sid, ours, error=error))
    return out


def _media(form: dict[str, str]) -> list[dict[str, str]]:
    count = form.get("NumMedia", "0")
    n = int(count) if count.isdigit() else 0
    media = []
    for i in range(min(n, MAX_MEDIA)):
        url = form.get(f"MediaUrl{i}")
        if url:
            media.append({"url": url[:1000], "content_type": form.get(f"MediaContentType{i}", "")})
    return media
