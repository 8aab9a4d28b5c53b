"""The email adapter's parse side: an inbox row holding the raw RFC 5322 bytes (from the
SMTP server or the IMAP poller) → a canonical message, or, for an automatic email, an
event on the case and maybe a delivery status.

The rule for automatic mail (auto-replies, out-of-office, newsletters, read receipts,
bounces): it is **no customer contact**. It never becomes a message, so it is never
counted (message count, first/last inbound, service level), never answered (a reply goes
to the customer's latest message) and never reopens or moves a case. It is kept as a
``channel.email.auto_reply`` / ``channel.email.bounce`` event attached to the case its
thread names (``thread``: the Message-IDs it refers to); the raw bytes stay in the inbox
row (``inbox`` in the event). A bounce (DSN) that reports a permanent failure of one of
our replies marks that reply ``failed`` with the remote server's diagnostic.
"""

from __future__ import annotations

from typing import Any

from omnicase.channels.base import ChannelEvent, InboxInput, ParseError, ParseResult, StatusUpdate
from omnicase.channels.email.autoreply import Classification, EmailKind, classify
from omnicase.channels.email.parse import EmailError, ParsedEmail, parse_email, to_inbound
from omnicase.ingest.schema import Attachment

#: Evidence entries that quote the sender's words or address stay out of events.
_PERSONAL_EVIDENCE = ("subject ", "sender ")


def parse_inbox(item: InboxInput) -> ParseResult:
    """One raw email → :class:`ParseResult`; unreadable mail raises ``ParseError``."""
    try:
        parsed = parse_email(
            item.body,
            brand=item.account.brand,
            mailbox=item.account.address,
            now=item.received_at,
        )
    except EmailError as exc:
        raise ParseError(exc.reason) from None
    verdict = classify(parsed)
    if verdict.kind is not EmailKind.human:
        return _automatic(parsed, verdict)
    try:
        message = to_inbound(parsed)
    except EmailError as exc:
        raise ParseError(exc.reason) from None
    stored = [
        item.attachments.add(a.data, a.filename, a.content_type)
        for a in parsed.attachments[: len(message.attachments)]
    ]
    if stored:
        message = message.model_copy(
            update={"attachments": [Attachment.model_validate(a) for a in stored]}
        )
    return ParseResult(messages=[message])


def _automatic(parsed: ParsedEmail, verdict: Classification) -> ParseResult:
    thread = [i for i in (parsed.in_reply_to, *reversed(parsed.references)) if i]
    data: dict[str, Any] = {
        "kind": verdict.kind.value,
        "reason": verdict.reason,
        "message_id": parsed.message_id,
        "evidence": [e for e in verdict.evidence if not e.startswith(_PERSONAL_EVIDENCE)],
    }
    out = ParseResult()
    bounce = verdict.bounce
    if bounce is not None:
        original = bounce.original_message_id
        thread = ([original] if original else []) + thread
        data["bounce"] = {
            "original_message_id": original,
            "action": bounce.action,
            "status": bounce.status,
            "failed": bounce.failed,
        }
        if original and bounce.failed:
            error = " ".join(x for x in (bounce.status, bounce.diagnostic) if x)
            out.statuses.append(
                StatusUpdate(
                    "email",
                    original,
                    "failed",
                    at=parsed.received_at,
                    error=f"bounced: {error or 'delivery failed'}",
                )
            )
    data["thread"] = list(dict.fromkeys(thread))[:20]
    kind = "email.bounce" if verdict.kind is EmailKind.bounce else "email.auto_reply"
    out.events.append(ChannelEvent(kind, data))
    return out
