"""Cases and their messages: one case is one customer request, across every channel."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from omnicase.model.base import Base, utcnow


class CaseStatus(StrEnum):
    new = "new"
    open = "open"
    pending = "pending"
    resolved = "resolved"
    closed = "closed"


OPEN_STATUSES = (CaseStatus.new, CaseStatus.open, CaseStatus.pending)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_customer_status", "customer_id", "status"),
        Index("ix_cases_brand_status_id", "brand_id", "status", "id"),
        Index("ix_cases_brand_last", "brand_id", "last_message_at"),
        # routing: an agent's open cases (load), a queue's waiting cases (backlog, pull)
        Index("ix_cases_assignee_status", "assignee_id", "status", "channel"),
        Index(
            "ix_cases_brand_queue_waiting", "brand_id", "queue", "assignee_id", "status", "team_id"
        ),
        Index("ix_cases_sla_next_check", "sla_next_check_at"),
        # KPIs: a day's requests, resolutions and backlog (omnicase.quality.kpis)
        Index("ix_cases_brand_first_inbound", "brand_id", "first_inbound_at"),
        Index("ix_cases_brand_resolved", "brand_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.new)
    #: The channel the request first came through (routing and KPIs key on it).
    channel: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(String(1000))
    reason: Mapped[str | None] = mapped_column(String(32), index=True)
    #: The classifier's confidence in ``reason``; None when a person set it (confident).
    reason_confidence: Mapped[float | None] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(8))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    #: Why the priority was raised: the urgency signals seen on the case's messages
    #: ("anger", "legal_threat", ...), in order of first appearance.
    signals: Mapped[list[str]] = mapped_column(JSON, default=list)
    queue: Mapped[str | None] = mapped_column(String(64), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: Order/reference numbers seen in the case's messages (threading evidence).
    order_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Content words of the case's customer messages (threading by text similarity).
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    first_inbound_at: Mapped[datetime | None] = mapped_column()
    first_response_at: Mapped[datetime | None] = mapped_column()
    last_inbound_at: Mapped[datetime | None] = mapped_column()
    last_message_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    #: Service level (omnicase.sla): the policy the clocks started on (None: the channel's
    #: built-in default), ok/at_risk/breached, the due times, when the next stage is
    #: reached (what the periodic check looks up), and the clocks themselves (JSON).
    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id"), index=True)
    sla_state: Mapped[str | None] = mapped_column(String(16))
    first_response_due_at: Mapped[datetime | None] = mapped_column()
    next_response_due_at: Mapped[datetime | None] = mapped_column()
    resolution_due_at: Mapped[datetime | None] = mapped_column()
    sla_next_check_at: Mapped[datetime | None] = mapped_column()
    sla_paused_at: Mapped[datetime | None] = mapped_column()
    sla_breached_at: Mapped[datetime | None] = mapped_column()
    sla_clock: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Set when merged into another case; reads of this case redirect there.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    #: Personal data replaced by a marker (retention or erasure); the row still counts.
    anonymised_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Message(Base):
    """One contact: a mail, a chat line, a DM, a call, an SMS, a form.

    ``link_rule``/``link_score``/``link_detail`` are the evidence of the message→case
    decision, so an agent can see why it landed where it did.
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("brand_id", "channel", "external_id", name="uq_messages_external"),
        Index("ix_messages_case_received", "case_id", "received_at"),
        Index("ix_messages_conversation", "brand_id", "channel", "conversation_id"),
        Index("ix_messages_brand_received", "brand_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))
    external_id: Mapped[str] = mapped_column(String(500))
    conversation_id: Mapped[str | None] = mapped_column(String(500))
    in_reply_to: Mapped[str | None] = mapped_column(String(1000))
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(1000))
    text: Mapped[str | None] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    entities: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    language: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(32))
    delivery_status: Mapped[str] = mapped_column(String(16), default="received")
    received_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    link_rule: Mapped[str] = mapped_column(String(32))
    link_score: Mapped[float] = mapped_column(Float, default=1.0)
    link_detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CaseLink(Base):
    """An agent's merge or split, kept so it can be undone and shown in the timeline."""

    __tablename__ = "case_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # merge | split
    source_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    target_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: Message ids moved from source to target, and the source's state before (for undo).
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column()


class CaseReference(Base):
    """An order/reference number seen on a case: finds the case, and its customer, again."""

    __tablename__ = "case_references"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "value", name="uq_case_references"),
        Index("ix_case_references_lookup", "brand_id", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="order")
    value: Mapped[str] = mapped_column(String(100))
