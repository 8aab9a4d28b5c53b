"""Web sessions: a browser logged in as a user (the web app's cookie)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from omnicase.model.base import Base


class WebSession(Base):
    """Only the SHA-256 of the cookie's 256-bit token is stored (as for API tokens), so a
    copy of the table logs nobody in."""

    __tablename__ = "web_sessions"

    #: sha256 hex of the cookie value.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    #: Absolute end (created_at + absolute timeout); the idle end is last_seen_at + idle.
    expires_at: Mapped[datetime]
    #: Compared with the form field / X-CSRF-Token header of every non-GET request.
    csrf_secret: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(400))
