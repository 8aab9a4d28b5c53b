"""Where the IMAP poller of each mailbox account stands (UIDVALIDITY and the last UID
imported), so a restart resumes without loss or duplicate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from omnicase.model.base import Base, utcnow


class ImapState(Base):
    __tablename__ = "imap_state"

    account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id"), primary_key=True)
    folder: Mapped[str] = mapped_column(Text, default="INBOX")
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    polled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
