"""Email the visitor an agent's chat reply nobody saw (they left before it came).

A reply the send job marked ``sent`` becomes ``delivered`` as soon as a widget shows it;
one still ``sent`` after the account's ``away_minutes`` reached no socket. If the
customer gave an email, the answer goes out again by email (``do_reply`` on channel
email, with the chat transcript), so the customer's answer to that email threads into the
same case (its In-Reply-To is our Message-ID). Checked every minute.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.channels.chat.conversation import CHANNEL, DEFAULT_AWAY_MINUTES
from omnicase.jobs import JobContext, RetryPolicy, job, periodic
from omnicase.model import Case, ChannelAccount, Message, Organisation, User
from omnicase.model.base import utcnow
from omnicase.services.cases import ActionError
from omnicase.services.replies import do_reply, recipient_identity
from omnicase.store.db import Database
from omnicase.store.scope import principal_for

log = logging.getLogger(__name__)

JOB = "chat.email_fallback"
#: Older unseen replies are left alone (the conversation is over).
HORIZON = timedelta(days=2)
TRANSCRIPT_MESSAGES = 20


def transcript(session: Session, message: Message) -> str:
    rows = list(
        session.scalars(
            select(Message)
            .where(
                Message.case_id == message.case_id,
                Message.channel == CHANNEL,
                Message.conversation_id == message.conversation_id,
                Message.id < message.id,
            )
            .order_by(Message.id.desc())
            .limit(TRANSCRIPT_MESSAGES)
        )
    )
    lines = []
    for m in reversed(rows):
        who = (m.author_name or "Agent") if m.direction == "outbound" else "You"
        lines.append(f"{who}: {m.text or ''}")
    return "\n".join(lines)


def _away(session: Session, message: Message, now: datetime) -> bool:
    account_id = (message.meta or {}).get("account_id")
    account = session.get(ChannelAccount, account_id) if isinstance(account_id, int) else None
    minutes = (account.settings or {}).get("away_minutes") if account else None
    return message.received_at <= now - timedelta(minutes=minutes or DEFAULT_AWAY_MINUTES)


def _mark(message: Message, **values: object) -> None:
    meta = dict(message.meta or {})
    meta["chat_fallback"] = {**values, "at": utcnow().isoformat()}
    message.meta = meta


def email_one(session: Session, message: Message) -> int | None:
    """The email reply's id, or None (no email given, no email account…: noted)."""
    case = session.get(Case, message.case_id)
    author = session.get(User, message.author_user_id) if message.author_user_id else None
    if case is None or author is None:
        _mark(message, skipped="no case or author")
        return None
    if recipient_identity(session, case, "email") is None:
        _mark(message, skipped="the visitor gave no email")
        return None
    brand = session.get(Organisation, case.brand_id)
    history = transcript(session, message)
    text = message.text or ""
    if history:
        text += "\n\n--- Your chat with us ---\n" + history
    try:
        reply = do_reply(
            session,
            case,
            principal_for(session, author),
            "email",
            text,
            subject=f"Your chat with {brand.name if brand else 'us'}",
        )
    except ActionError as exc:
        _mark(message, skipped=str(exc))
        return None
    _mark(message, email_message_id=reply.id)
    return reply.id


def email_unseen_replies(db: Database, now: datetime | None = None) -> int:
    """One transaction per reply (one failing never holds the others back)."""
    now = now or utcnow()
    with db.reading() as s:
        ids = list(
            s.scalars(
                select(Message.id).where(
                    Message.channel == CHANNEL,
                    Message.direction == "outbound",
                    Message.delivery_status == "sent",
                    Message.received_at > now - HORIZON,
                )
            )
        )
    emailed = 0
    for message_id in ids:
        with db.transaction() as s:
            message = s.scalar(select(Message).where(Message.id == message_id).with_for_update())
            if message is None or message.delivery_status != "sent":
                continue
            if (message.meta or {}).get("chat_fallback") or not _away(s, message, now):
                continue
            if email_one(s, message) is not None:
                emailed += 1
    if emailed:
        log.info("chat replies emailed to visitors who left: %d", emailed)
    return emailed


@periodic(every_seconds=60)
@job(JOB, queue="channels", retry=RetryPolicy(max_attempts=1))
def email_fallback_job(ctx: JobContext, timestamp: int | None = None, **_: Any) -> str:
    return f"{email_unseen_replies(ctx.db)} emailed"
