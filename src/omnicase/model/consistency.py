"""Approved answers (macros) and the inconsistencies found between answers (issue 8)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from omnicase.model.base import Base, utcnow


class Macro(Base):
    """A brand's approved answer: its text and the facts it states, which answers are
    checked against ({"refund_delay_business_days": 5, "shipping_fee_eur": 4.9})."""

    __tablename__ = "macros"
    __table_args__ = (Index("ix_macros_brand_active", "brand_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    #: Contact reasons and channels it is meant for (empty = any).
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Inconsistency(Base):
    """A sent answer that contradicts an earlier answer of the same request or a macro:
    detected when the reply is sent, then confirmed or dismissed by a person."""

    __tablename__ = "inconsistencies"
    __table_args__ = (
        Index("ix_inconsistencies_brand_detected", "brand_id", "detected_at"),
        Index("ix_inconsistencies_case_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    kind: Mapped[str] = mapped_column(String(16))
    #: slot, value, other_value and where the other was said (message, channel, team, macro)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="detected")
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column()
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
