"""Service-level policies and the business-hours calendars they count time on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from omnicase.model.base import Base, utcnow

#: ``sla_policies.priority`` of a policy that applies to every priority of its channel.
ANY_PRIORITY = -1


class Calendar(Base):
    """When a brand's team works: timezone, weekly hours, holidays, closures, openings.

    ``weekly`` is ``{"mon": [["09:00", "12:30"], ["14:00", "18:00"]], ...}``; holidays come
    from the ``holidays`` package for ``country``/``subdivision``; ``closures`` and
    ``openings`` are one-off days (see :mod:`omnicase.sla.calendar`).
    """

    __tablename__ = "calendars"
    __table_args__ = (UniqueConstraint("brand_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    weekly: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    country: Mapped[str | None] = mapped_column(String(2))
    subdivision: Mapped[str | None] = mapped_column(String(16))
    closures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    openings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: The brand's calendar for business-time policies that name none.
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SlaPolicy(Base):
    """Response and resolution targets for a brand's cases of one channel and priority.

    Targets are seconds, counted in business time on ``calendar_id`` (or the brand's
    default calendar) when ``business_hours``, else in calendar time. ``escalations``:
    ``[{"on": "at_risk"|"breached", "action": "raise_priority"|"notify"|"reassign"|
    "overflow", ...}]`` (see :mod:`omnicase.sla.escalations`).
    """

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("brand_id", "channel", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(16))
    #: 0-3, or ANY_PRIORITY.
    priority: Mapped[int] = mapped_column(Integer, default=ANY_PRIORITY)
    first_response_seconds: Mapped[int] = mapped_column(Integer)
    next_response_seconds: Mapped[int | None] = mapped_column(Integer)
    resolution_seconds: Mapped[int | None] = mapped_column(Integer)
    business_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("calendars.id"), index=True)
    #: Share of a target elapsed at which the case is at risk.
    at_risk_percent: Mapped[int] = mapped_column(Integer, default=80)
    escalations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
