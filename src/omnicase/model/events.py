"""The append-only event / audit log, and the quarantine for input that could not be parsed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from omnicase.model.base import Base, utcnow

BigIntPK = BigInteger().with_variant(Integer, "sqlite")


class Event(Base):
    """Something happened: a message arrived, a case was created, merged, patched...

    Rows are only ever inserted. ``actor`` is ``system`` or ``user:<id>``.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_case", "case_id", "id"),
        Index("ix_events_brand_at", "brand_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(Integer)
    message_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64), default="system")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class QuarantinedInput(Base):
    """Input that could not be turned into a message, kept verbatim with its error."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    error: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
