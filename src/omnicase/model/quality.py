"""Satisfaction surveys and QA scorecards (issue 8)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from omnicase.model.base import Base, utcnow


class SurveyStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    answered = "answered"
    expired = "expired"
    suppressed = "suppressed"


class Survey(Base):
    """One satisfaction survey per case at most (``case_id`` unique).

    ``pending`` when the case is resolved (the send job then decides), ``sent`` once the
    outbound message is queued, ``answered`` with the rating, ``suppressed`` with the
    reason when it must not go out (quiet days, channel off, messaging window closed).
    """

    __tablename__ = "surveys"
    __table_args__ = (
        # the after-ingest hook: "has this customer a sent, unanswered survey?"
        Index("ix_surveys_customer_status", "customer_id", "status"),
        Index("ix_surveys_brand_sent", "brand_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[str | None] = mapped_column(String(16))
    #: Random, for the email link ``/csat/{token}`` (a capability to answer this survey).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=SurveyStatus.pending)
    reason: Mapped[str | None] = mapped_column(String(200))
    #: Who answered the case (the agent and team the rating is credited to).
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    answer_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    #: The case's resolution when the survey went out (kept so an answer never reopens it).
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    answered_at: Mapped[datetime | None] = mapped_column()


class QaGrid(Base):
    """A brand's scorecard: criteria ``[{key, label, weight}]``."""

    __tablename__ = "qa_grids"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QaReview(Base):
    """A supervisor's grading of one outbound answer, with the automatic pre-checks."""

    __tablename__ = "qa_reviews"
    __table_args__ = (
        Index("ix_qa_reviews_brand_created", "brand_id", "created_at"),
        Index("ix_qa_reviews_agent", "agent_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    grid_id: Mapped[int] = mapped_column(ForeignKey("qa_grids.id"))
    #: criterion key → 0–100 (a 1–5 score is scaled on the way in).
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    total: Mapped[float] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    auto_checks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
