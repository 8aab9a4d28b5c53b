"""Channels: the accounts a brand connects (mailboxes, pages, numbers), the raw inbox,
and agents' internal notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from omnicase.model.base import Base, utcnow


class ChannelAccount(Base):
    """One connected account of a brand on one channel: a mailbox, a Facebook page, a
    WhatsApp number, an X user, a chat widget.

    ``address`` identifies it on the wire (the mailbox address, the page id…) and is
    unique per channel, so inbound traffic finds its brand. ``secrets`` maps a secret's
    name to its Fernet token (:mod:`omnicase.security.secrets`); plain values are never
    stored, and never shown (only "set").
    """

    __tablename__ = "channel_accounts"
    __table_args__ = (UniqueConstraint("channel", "address", name="uq_channel_accounts_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(320))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secrets: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboxStatus:
    received = "received"
    processed = "processed"
    failed = "failed"  # processing crashed on every attempt; an admin may retry
    quarantined = "quarantined"  # the adapter could not read it; see quarantine_id

    ALL = ("received", "processed", "failed", "quarantined")


class InboxItem(Base):
    """Raw inbound input, stored before anything reads it (persist first).

    ``dedup_key`` is the provider's own id of the delivery (Message-ID, webhook event id):
    unique per (channel, account), so a replay or a provider retry stores nothing twice.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "account_id", "dedup_key", name="uq_inbox_dedup"),
        Index("ix_inbox_brand_status", "brand_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    dedup_key: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default=InboxStatus.received)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    quarantine_id: Mapped[int | None] = mapped_column(ForeignKey("quarantine.id"))
    #: What processing produced: message ids, statuses applied, events recorded.
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    processed_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CaseNote(Base):
    """An agent's internal note on a case: shown in the timeline, never sent.

    A table of its own rather than a message: notes must never count as a contact, an
    answer (first response) or threading evidence.
    """

    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    author_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
