"""KPI daily roll-ups and what the incremental job has still to recompute."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from omnicase.model.base import Base, utcnow

BigIntPK = BigInteger().with_variant(Integer, "sqlite")


class KpiDaily(Base):
    """Additive KPI components of one brand-local day and one breakdown.

    ``grain`` is ``detail`` (one row per channel × team × agent × reason × queue seen that
    day) or ``total`` (the brand's day, every dimension null: trends read only these).
    The component columns are ``definitions.COMPONENTS``; ``hist`` holds the duration
    histograms, ``extra`` the components of plugged-in sources (CSAT, consistency, QA).
    """

    __tablename__ = "kpi_daily"
    __table_args__ = (Index("ix_kpi_daily_brand_day", "brand_id", "grain", "day"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    day: Mapped[date] = mapped_column(Date)
    grain: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str | None] = mapped_column(String(16))
    team_id: Mapped[int | None] = mapped_column(Integer)
    agent_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(32))
    queue: Mapped[str | None] = mapped_column(String(64))
    hist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the components (omnicase.quality.kpis.definitions.COMPONENTS, same order)
    cases: Mapped[int] = mapped_column(BigInteger, default=0)
    contacts: Mapped[int] = mapped_column(BigInteger, default=0)
    case_contacts: Mapped[int] = mapped_column(BigInteger, default=0)
    answered: Mapped[int] = mapped_column(BigInteger, default=0)
    answered_in_objective: Mapped[int] = mapped_column(BigInteger, default=0)
    fr_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    fr_bsum: Mapped[int] = mapped_column(BigInteger, default=0)
    nr_started: Mapped[int] = mapped_column(BigInteger, default=0)
    nr_count: Mapped[int] = mapped_column(BigInteger, default=0)
    nr_in_objective: Mapped[int] = mapped_column(BigInteger, default=0)
    nr_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    nr_bsum: Mapped[int] = mapped_column(BigInteger, default=0)
    resolved_ever: Mapped[int] = mapped_column(BigInteger, default=0)
    resolved: Mapped[int] = mapped_column(BigInteger, default=0)
    resolution_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    reopened: Mapped[int] = mapped_column(BigInteger, default=0)
    repeat_cross_channel: Mapped[int] = mapped_column(BigInteger, default=0)
    repeat_after_answer: Mapped[int] = mapped_column(BigInteger, default=0)
    repeat_unanswered: Mapped[int] = mapped_column(BigInteger, default=0)
    backlog: Mapped[int] = mapped_column(BigInteger, default=0)
    backlog_age_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    chat_sessions: Mapped[int] = mapped_column(BigInteger, default=0)
    chat_abandoned: Mapped[int] = mapped_column(BigInteger, default=0)
    calls_inbound: Mapped[int] = mapped_column(BigInteger, default=0)
    calls_unanswered: Mapped[int] = mapped_column(BigInteger, default=0)


class KpiDirtyDay(Base):
    """A (brand, day) whose roll-up is stale: the job recomputes it and deletes the row."""

    __tablename__ = "kpi_dirty_days"

    brand_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)


class KpiWatermark(Base):
    """How far the job has read the event log (one row, ``name = 'events'``)."""

    __tablename__ = "kpi_watermarks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    last_run_at: Mapped[datetime | None] = mapped_column()
