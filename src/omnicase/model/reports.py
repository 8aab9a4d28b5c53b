"""Provider contracts (objectives, penalties and bonuses) and the archive of reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from omnicase.model.base import Base, utcnow


class EngagementContract(Base):
    """What a brand's contract with a provider engagement promises, and what it costs.

    ``objectives``: ``{"response_rate_within_objective": 0.9, "csat": 4.2, ...}``;
    ``rules``: ``{"currency": "EUR", "penalty_cap": 5000, "bonus_cap": 2000, "kpis":
    {"response_rate_within_objective": {"per_point_below": 150, "per_point_above": 50,
    "point": 0.01, "cap": 3000}}}`` (see :mod:`omnicase.reports.contracts`);
    ``recipients``: who gets the engagement's daily report by email.
    """

    __tablename__ = "engagement_contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"), unique=True)
    objectives: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Report(Base):
    """One generated report: brand (and engagement for a provider's), day, kind, files.

    ``(brand, engagement or 0, day, kind)`` is unique: that row is how the daily job runs
    once per day across every worker (the first insert wins). ``files``:
    ``{"pdf": {"path": ..., "sha256": ..., "size": ...}, ...}`` relative to the reports
    directory.
    """

    __tablename__ = "reports"
    __table_args__ = (
        Index(
            "uq_reports_scope_day_kind",
            "brand_id",
            text("coalesce(engagement_id, 0)"),
            "day",
            "kind",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagements.id"), index=True)
    day: Mapped[date] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16), default="daily")
    status: Mapped[str] = mapped_column(String(16), default="generating")  # ready | failed
    files: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    emailed: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
