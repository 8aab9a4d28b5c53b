"""Account protection state: login throttles, TOTP recovery codes, shared rate windows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from omnicase.model.base import Base, utcnow


class LoginThrottle(Base):
    """Failed logins of one account or one IP (``key`` = ``account:<sha256>`` or
    ``ip:<sha256>``: no address in the clear), and how long it is locked."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    last_failure_at: Mapped[datetime | None] = mapped_column()


class RecoveryCode(Base):
    """A one-time second-factor code, stored as SHA-256 (64 random bits each, used once)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column()


class RateWindow(Base):
    """Requests of one caller (token or IP) in one fixed window: the counter every web
    process shares on PostgreSQL (``INSERT … ON CONFLICT DO UPDATE``)."""

    __tablename__ = "rate_windows"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer, default=0)
