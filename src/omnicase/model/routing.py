"""Routing configuration and agents' routing state: queues, overflow rules, team hours,
agent profiles (skills, capacity, presence).

The decisions themselves (which queue, team and agent a case got, and why) are events
(``case.routed``, ``case.assigned``, ``case.requeued``) with the explanation in ``data``:
the append-only log already is the history, and ``omnicase routing explain`` reads it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from omnicase.model.base import Base, utcnow


class Presence(StrEnum):
    online = "online"
    away = "away"
    offline = "offline"


class OverflowKind(StrEnum):
    wait_over = "wait_over"
    backlog_over = "backlog_over"
    outside_hours = "outside_hours"
    channel_or_reason = "channel_or_reason"
    share = "share"


class RoutingQueue(Base):
    """A brand's queue. Queues are tried in ``position`` order; a queue matches when any
    of its ``rules`` does (a rule: channels / reasons / languages / customer_tags lists,
    empty = any, and ``min_priority``). The brand's ``is_default`` queue takes the rest."""

    __tablename__ = "routing_queues"
    __table_args__ = (
        UniqueConstraint("brand_id", "key", name="uq_routing_queues_brand_key"),
        Index("ix_routing_queues_brand_position", "brand_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Lowest agent level that may take this queue's cases.
    min_level: Mapped[int] = mapped_column(Integer, default=0)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OverflowRule(Base):
    """Ordered per brand: when the rule fires for a case its engagement covers, the case
    goes to the engagement's provider team. ``params``: ``queues``/``channels``/
    ``reasons`` (which cases the rule looks at, empty = any) and the kind's own figure
    (``seconds``, ``cases``, ``team_id``, ``percent``)."""

    __tablename__ = "overflow_rules"
    __table_args__ = (Index("ix_overflow_rules_brand_position", "brand_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamHours(Base):
    """A team's weekly opening hours in its timezone: ``weekly`` maps ``mon``..``sun`` to
    ``[["09:00", "18:00"], ...]``. Public holidays and closures are the SLA calendars'
    (``omnicase.routing.hours.is_open`` is where they plug in)."""

    __tablename__ = "team_hours"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    weekly: Mapped[dict[str, list[list[str]]]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AgentProfile(Base):
    """What routing knows of an agent: skills (lists, empty = any), level, capacity
    overrides per channel kind, presence since when, and when they last got a case."""

    __tablename__ = "agent_profiles"
    __table_args__ = (Index("ix_agent_profiles_presence", "presence", "presence_since"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    #: {"languages": [...], "reasons": [...], "channels": [...], "brands": [brand ids]}
    skills: Mapped[dict[str, list[Any]]] = mapped_column(JSON, default=dict)
    level: Mapped[int] = mapped_column(Integer, default=1)
    #: {"call": 1, "chat": 3, "async": 10}: overrides of the brand's defaults.
    capacity: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    presence: Mapped[str] = mapped_column(String(16), default=Presence.offline)
    presence_since: Mapped[datetime] = mapped_column(default=utcnow)
    last_assigned_at: Mapped[datetime | None] = mapped_column()


class AgentLoad(Base):
    """An agent's open cases (new / open / pending) per channel kind, kept by database
    triggers on ``cases`` (migration 0014) in the transaction of every write that assigns,
    unassigns, moves or closes a case, whichever code path makes it; ``omnicase routing
    recount`` checks them against a count. Routing reads them instead of counting."""

    __tablename__ = "agent_loads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    load_call: Mapped[int] = mapped_column(Integer, default=0)
    load_chat: Mapped[int] = mapped_column(Integer, default=0)
    load_async: Mapped[int] = mapped_column(Integer, default=0)


class RoutingState(Base):
    """One row: ``version`` is bumped by database triggers on every change to what a
    routing snapshot caches (agents' profiles and presence, users' side and role, queues,
    overflow rules, engagements, team hours, brands' settings), and ``stamp`` redrawn at
    random with it: a process's cached snapshot is used only while the stamp it was read
    at is still current (a stamp from a rolled-back bump or an emptied database never
    comes back; a counter alone could)."""

    __tablename__ = "routing_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    stamp: Mapped[int] = mapped_column(BigInteger)
