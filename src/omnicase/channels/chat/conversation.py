"""The database side of one chat conversation (the WebSocket edge's helpers).

A conversation is a visitor id (``Message.conversation_id``) of one brand. The server's
sequence number of a message is its ``Message.id``. What a socket pushes is read from the
tables, never from process memory, so the process holding the socket need not be the one
that sent the reply: the send job marks the agent's message ``sent`` (event
``message.sent``, a NOTIFY on PostgreSQL), every socket of that visitor reads it and
pushes it, and the widget's ``seen`` makes it ``delivered``. A reply still ``sent`` after
``away_minutes`` was seen by nobody: the fallback job emails it (``fallback.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from omnicase.channels.chat.adapter import external_id
from omnicase.channels.inbox import Accepted, accept_inbound
from omnicase.config import Settings, parse_secret_keys
from omnicase.model import Case, ChannelAccount, Customer, Event, Identity, Message, Organisation
from omnicase.services.cases import ActionError, record_event
from omnicase.store.scope import Principal

CHANNEL = "chat"
DEFAULT_AWAY_MINUTES = 5
#: Outbound messages a socket may push: the send job has run.
VISIBLE = ("sent", "delivered")
AGENT_TYPING = "case.agent_typing"
CUSTOMER_TYPING = "case.customer_typing"


@dataclass(frozen=True, slots=True)
class ChatAccount:
    id: int
    brand_id: int
    brand: str
    title: str
    origins: tuple[str, ...]


def find_account(session: Session, key: str) -> ChatAccount | None:
    """The active chat account of a widget key (its ``address``)."""
    row = session.execute(
        select(ChannelAccount, Organisation)
        .join(Organisation, Organisation.id == ChannelAccount.brand_id)
        .where(
            ChannelAccount.channel == CHANNEL,
            ChannelAccount.address == key,
            ChannelAccount.active.is_(True),
        )
    ).first()
    if row is None:
        return None
    account, brand = row
    settings = account.settings or {}
    origins = tuple(
        o.strip().rstrip("/") for o in str(settings.get("allowed_origins", "")).split(",")
    )
    return ChatAccount(
        account.id,
        brand.id,
        brand.slug,
        str(settings.get("title") or brand.name),
        tuple(o for o in origins if o),
    )


def _token_key(settings: Settings) -> bytes:
    keys = parse_secret_keys(settings.secret_keys)
    if not keys:
        raise ActionError("the chat needs OMNICASE_SECRET_KEYS to sign visitors' tokens")
    return hashlib.sha256(b"omnicase-chat-resume\0" + keys[0].encode()).digest()


def resume_token(settings: Settings, account_id: int, visitor: str) -> str:
    """The visitor's proof that the conversation is theirs (kept in localStorage)."""
    mac = hmac.new(_token_key(settings), f"{account_id}:{visitor}".encode(), hashlib.sha256)
    return mac.hexdigest()


def token_ok(settings: Settings, account_id: int, visitor: str, token: str) -> bool:
    return hmac.compare_digest(resume_token(settings, account_id, visitor), token)


def new_visitor() -> str:
    return "v_" + secrets.token_urlsafe(18)


def known_visitor(session: Session, brand_id: int, visitor: str) -> tuple[str | None, str | None]:
    """The name and email a returning visitor gave earlier (from their customer)."""
    customer_id = session.scalar(
        select(Identity.customer_id).where(
            Identity.brand_id == brand_id, Identity.kind == CHANNEL, Identity.value == visitor
        )
    )
    if customer_id is None:
        return None, None
    customer = session.get(Customer, customer_id)
    email = session.scalar(
        select(Identity.value)
        .where(Identity.customer_id == customer_id, Identity.kind == "email")
        .order_by(Identity.id.desc())
        .limit(1)
    )
    return (customer.name if customer is not None else None), email


def store_message(
    session: Session,
    account_id: int,
    visitor: str,
    client_id: str,
    text: str,
    name: str | None,
    email: str | None,
    headers: dict[str, str],
) -> Accepted:
    """Persist first: the inbox row, deduplicated on visitor + client id (a resend after a
    reconnect is the same row)."""
    account = session.get(ChannelAccount, account_id)
    assert account is not None
    body: dict[str, Any] = {"visitor": visitor, "client_id": client_id, "text": text}
    if name:
        body["name"] = name
    if email:
        body["email"] = email
    return accept_inbound(
        session,
        CHANNEL,
        account,
        json.dumps(body, ensure_ascii=False),
        headers,
        dedup_key=external_id(visitor, client_id),
    )


def message_frame(message: Message) -> dict[str, Any]:
    chat = (message.meta or {}).get("chat") or {}
    outbound = message.direction == "outbound"
    return {
        "type": "message",
        "seq": message.id,
        "from": "agent" if outbound else "visitor",
        "author": message.author_name if outbound else None,
        "text": message.text or "",
        "client_id": None if outbound else chat.get("client_id"),
        "at": message.received_at.isoformat(),
    }


def pending_messages(
    session: Session, brand_id: int, visitor: str, after: int, pushed: Collection[int]
) -> list[dict[str, Any]]:
    """What a socket has not pushed yet: messages after ``after``, and every agent
    message not yet seen (a reply that became ``sent`` after a later message)."""
    rows = session.scalars(
        select(Message)
        .where(
            Message.brand_id == brand_id,
            Message.channel == CHANNEL,
            Message.conversation_id == visitor,
            or_(
                Message.direction == "inbound",
                Message.delivery_status.in_(VISIBLE),
            ),
            or_(
                Message.id > after,
                (Message.direction == "outbound") & (Message.delivery_status == "sent"),
            ),
        )
        .order_by(Message.id)
        .limit(500)
    )
    return [message_frame(m) for m in rows if m.id not in pushed]


def mark_seen(session: Session, brand_id: int, visitor: str, seq: int) -> bool:
    """The widget showed agent message ``seq``: it is delivered (no email fallback)."""
    message = session.scalar(
        select(Message).where(
            Message.id == seq,
            Message.brand_id == brand_id,
            Message.conversation_id == visitor,
            Message.channel == CHANNEL,
            Message.direction == "outbound",
        )
    )
    if message is None or message.delivery_status != "sent":
        return False
    message.delivery_status = "delivered"
    return True


def _visitor_cases(brand_id: int, visitor: str) -> Any:
    return (
        select(Message.case_id)
        .where(
            Message.brand_id == brand_id,
            Message.channel == CHANNEL,
            Message.conversation_id == visitor,
        )
        .distinct()
    )


def latest_case(session: Session, brand_id: int, visitor: str) -> int | None:
    return session.scalar(
        select(Message.case_id)
        .where(
            Message.brand_id == brand_id,
            Message.channel == CHANNEL,
            Message.conversation_id == visitor,
        )
        .order_by(Message.id.desc())
        .limit(1)
    )


def last_event_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Event.id))) or 0)


def agent_typing(
    session: Session, brand_id: int, visitor: str, after: int
) -> tuple[list[dict[str, Any]], int]:
    """Agents' typing indicators on the visitor's cases since event ``after``."""
    rows = list(
        session.scalars(
            select(Event)
            .where(
                Event.id > after,
                Event.kind == AGENT_TYPING,
                Event.case_id.in_(_visitor_cases(brand_id, visitor)),
            )
            .order_by(Event.id)
            .limit(100)
        )
    )
    frames = [
        {
            "type": "typing",
            "from": "agent",
            "author": (e.data or {}).get("name"),
            "state": bool((e.data or {}).get("state")),
        }
        for e in rows
    ]
    return frames, (rows[-1].id if rows else after)


def do_customer_typing(session: Session, brand_id: int, visitor: str, state: bool) -> bool:
    """The visitor types: an event on their latest case (agents' live stream shows it)."""
    case_id = latest_case(session, brand_id, visitor)
    if case_id is None:
        return False
    record_event(
        session,
        CUSTOMER_TYPING,
        brand_id=brand_id,
        actor="customer",
        case_id=case_id,
        data={"state": state},
    )
    return True


def do_agent_typing(
    session: Session, case: Case, who: Principal, name: str | None, state: bool
) -> None:
    """An agent types an answer on a chat case: the visitor's widget shows it."""
    if not who.can_write:
        raise ActionError(f"the {who.role} role is read-only", status=403)
    record_event(
        session,
        AGENT_TYPING,
        brand_id=case.brand_id,
        actor=who.actor,
        case_id=case.id,
        data={"state": state, "name": name},
    )
