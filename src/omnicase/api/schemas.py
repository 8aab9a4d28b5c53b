"""Response shapes of the REST API (request shapes are the canonical message and small
patch bodies declared next to their routes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class FieldError(BaseModel):
    field: str = Field(examples=["from.email"])
    reason: str = Field(examples=["The email address is not valid."])


class ErrorBody(BaseModel):
    """Every 4xx: a sentence for people, and the offending fields when there are any."""

    detail: str
    errors: list[FieldError] = Field(default_factory=list)


class IngestOut(BaseModel):
    status: Literal["created", "duplicate"]
    message_id: int
    case: str = Field(description="human case reference, e.g. AC-000123")
    case_id: int
    customer_id: int
    rule: str | None = Field(default=None, description="why the message joined this case")


class BatchItemOut(BaseModel):
    index: int
    status: Literal["created", "duplicate", "invalid"]
    message_id: int | None = None
    case: str | None = None
    case_id: int | None = None
    customer_id: int | None = None
    rule: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


class BatchOut(BaseModel):
    created: int
    duplicate: int
    invalid: int
    results: list[BatchItemOut]


class CaseSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    brand: str
    customer_id: int
    status: str
    channel: str
    channels: list[str]
    subject: str | None
    reason: str | None = Field(
        description='the contact reason; "triage" while the classifier was not sure '
        "enough and an agent has to set it (PATCH reason)"
    )
    reason_confidence: float | None = Field(
        default=None, description="the classifier's confidence; null when a person set it"
    )
    triage: bool = Field(default=False, description='reason == "triage": awaiting an agent')
    language: str | None
    priority: int
    signals: list[str] = Field(
        default_factory=list,
        description="why the priority was raised: anger, churn_threat, legal_threat, "
        "repeat_contact, negative",
    )
    queue: str | None
    team_id: int | None
    assignee_id: int | None
    message_count: int
    first_inbound_at: datetime | None
    first_response_at: datetime | None
    last_message_at: datetime | None
    resolved_at: datetime | None
    created_at: datetime
    sla_state: str | None = Field(
        default=None, description="ok, at_risk or breached; null: no clock started yet"
    )
    first_response_due_at: datetime | None = None
    next_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    sla_paused_at: datetime | None = Field(
        default=None, description="set while the case waits on the customer or is resolved"
    )


class CasePage(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page")


class MessageOut(BaseModel):
    id: int
    case_id: int
    customer_id: int
    channel: str
    direction: str
    external_id: str
    received_at: datetime
    author_name: str | None
    subject: str | None
    text: str | None
    html: str | None
    attachments: list[dict[str, Any]]
    meta: dict[str, Any]
    entities: dict[str, Any]
    language: str | None
    reason: str | None
    delivery_status: str
    link: dict[str, Any] = Field(description="evidence: rule, score and detail of the link")

    @classmethod
    def of(cls, m: Any) -> MessageOut:
        """From a ``model.Message`` row."""
        return cls(
            id=m.id,
            case_id=m.case_id,
            customer_id=m.customer_id,
            channel=m.channel,
            direction=m.direction,
            external_id=m.external_id,
            received_at=m.received_at,
            author_name=m.author_name,
            subject=m.subject,
            text=m.text,
            html=m.html,
            attachments=m.attachments or [],
            meta=m.meta or {},
            entities=m.entities or {},
            language=m.language,
            reason=m.reason,
            delivery_status=m.delivery_status,
            link={"rule": m.link_rule, "score": m.link_score, "detail": m.link_detail},
        )


class LinkOut(BaseModel):
    id: int
    kind: str
    source_case: str
    target_case: str
    created_at: datetime
    undone_at: datetime | None
    actor_user_id: int | None


class EventOut(BaseModel):
    id: int
    kind: str
    at: datetime
    actor: str
    message_id: int | None
    data: dict[str, Any]

    @classmethod
    def of(cls, event: Any) -> EventOut:
        return cls(
            id=event.id,
            kind=event.kind,
            at=event.at,
            actor=event.actor,
            message_id=event.message_id,
            data=event.data or {},
        )


class NoteOut(BaseModel):
    """An agent's internal note: never sent to the customer."""

    id: int
    case_id: int
    author_user_id: int
    text: str
    created_at: datetime


class CaseDetail(CaseSummary):
    order_numbers: list[str]
    timeline: list[MessageOut]
    links: list[LinkOut]
    events: list[EventOut]
    notes: list[NoteOut] = Field(default_factory=list, description="internal notes, oldest first")


class IdentityOut(BaseModel):
    kind: str
    value: str
    rule: str
    score: float
    created_at: datetime


class CustomerOut(BaseModel):
    id: int
    brand: str
    name: str | None
    merged_into_id: int | None
    identities: list[IdentityOut]
    cases: list[CaseSummary]


class CustomerPage(BaseModel):
    items: list[CustomerOut]
    next_cursor: str | None
