"""Organisations (brands and providers), their teams, users, API tokens and engagements."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from omnicase.model.base import Base, utcnow


class OrgKind(StrEnum):
    brand = "brand"
    provider = "provider"


class Role(StrEnum):
    admin = "admin"
    supervisor = "supervisor"
    agent = "agent"
    planner = "planner"
    viewer = "viewer"


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    #: Default region for phone numbers written without a country code (ISO 3166 alpha-2).
    region: Mapped[str] = mapped_column(String(2), default="FR")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    language: Mapped[str] = mapped_column(String(8), default="fr")
    #: Prefix of human case references (``AC`` → ``AC-000123``); brands only.
    case_prefix: Mapped[str | None] = mapped_column(String(8), unique=True)
    #: Brand settings: order_patterns (list of regexes), thread_window_days, email_domain.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    teams: Mapped[list[Team]] = relationship(back_populates="organisation")


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="teams")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: TOTP shared secret, a Fernet token under OMNICASE_SECRET_KEYS (never in the clear).
    totp_secret: Mapped[str | None] = mapped_column(String(400))
    totp_enabled_at: Mapped[datetime | None] = mapped_column()
    #: The last TOTP time step accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    team: Mapped[Team | None] = relationship()


class ApiToken(Base):
    """A per-user bearer token; only its SHA-256 is stored (tokens carry 256 random bits)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()
    #: What the token may do: ``read`` (GET) and/or ``write``.
    scopes: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["read", "write"])
    #: A brand the token is restricted to (null = every brand the user may see).
    brand_id: Mapped[int | None] = mapped_column(Integer)

    user: Mapped[User] = relationship()


class Engagement(Base):
    """A provider team serves a brand: on which channels/queues/reasons, from when to when.

    Empty lists mean "any". With ``overflow_only`` the provider sees only the cases handed
    to its team, not every case of the engaged queues.
    """

    __tablename__ = "engagements"
    __table_args__ = (Index("ix_engagements_team_brand", "team_id", "brand_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    queues: Mapped[list[str]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    overflow_only: Mapped[bool] = mapped_column(Boolean, default=False)
    share_percent: Mapped[int | None] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    team: Mapped[Team] = relationship()
    brand: Mapped[Organisation] = relationship()
