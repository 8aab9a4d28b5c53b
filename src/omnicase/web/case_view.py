"""What the case page shows, read once per page: one timeline of messages (every
channel), notes and status changes; the links (merge / split) with undo; the customer
with identities and other cases (through the access rule); entities and SLA times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.model import Case, CaseLink, CaseNote, Customer, Event, Identity, Message, User
from omnicase.store.queries import brand_prefixes
from omnicase.store.references import format_reference
from omnicase.store.scope import Principal, case_filter

#: Evidence keys shown as the "why linked" terms (the rest stays in the raw detail).
HIDDEN_DETAIL = frozenset({"customer", "ignored_identities"})
#: Keys of ``messages.entities`` that are not things the customer named.
NOT_ENTITIES = frozenset({"reason", "signals"})


@dataclass(frozen=True, slots=True)
class TimelineItem:
    kind: str  # message | note | status | link
    at: datetime
    message: Message | None = None
    note: CaseNote | None = None
    author: str | None = None
    change: tuple[str | None, str | None] | None = None
    link: CaseLink | None = None
    evidence: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class OtherCase:
    reference: str
    status: str
    subject: str | None
    channel: str
    last_message_at: datetime | None


@dataclass(frozen=True, slots=True)
class LinkView:
    link: CaseLink
    source: str
    target: str


@dataclass
class CaseView:
    case: Case
    reference: str
    brand_slug: str
    customer: Customer | None
    identities: list[Identity]
    other_cases: list[OtherCase]
    timeline: list[TimelineItem]
    links: list[LinkView]
    channels: list[str]
    entities: dict[str, list[str]]
    assignee: str | None
    message_count: int = 0


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list | tuple):
        return ", ".join(_fmt(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    return str(value)


def evidence_of(message: Message) -> list[tuple[str, str]]:
    detail = message.link_detail or {}
    return [
        (k, _fmt(v))
        for k, v in detail.items()
        if k not in HIDDEN_DETAIL and v not in (None, [], {})
    ]


def _entities(messages: list[Message], case: Case) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if case.order_numbers:
        out["order_numbers"] = list(case.order_numbers)
    for m in messages:
        for kind, values in (m.entities or {}).items():
            if kind in NOT_ENTITIES:
                continue
            items = values if isinstance(values, list) else [values]
            bucket = out.setdefault(kind, [])
            for v in items:
                text = (
                    f"{v.get('value')} {v.get('currency') or ''}".strip()
                    if isinstance(v, dict) and "value" in v
                    else _fmt(v)
                )
                if text and text not in bucket:
                    bucket.append(text)
    return {k: v[:12] for k, v in out.items() if v}


def build_case_view(session: Session, who: Principal, case: Case) -> CaseView:
    prefixes = brand_prefixes(session)
    slug, prefix = prefixes[case.brand_id]
    messages = list(
        session.scalars(
            select(Message)
            .where(Message.case_id == case.id)
            .order_by(Message.received_at, Message.id)
        )
    )
    notes = list(
        session.scalars(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id))
    )
    links = list(
        session.scalars(
            select(CaseLink)
            .where((CaseLink.source_case_id == case.id) | (CaseLink.target_case_id == case.id))
            .order_by(CaseLink.id)
        )
    )
    status_events = list(
        session.scalars(
            select(Event)
            .where(Event.case_id == case.id, Event.kind == "case.updated")
            .order_by(Event.id)
        )
    )
    user_ids = {n.author_user_id for n in notes} | (
        {case.assignee_id} if case.assignee_id else set()
    )
    users = (
        dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
        if user_ids
        else {}
    )
    items: list[TimelineItem] = [
        TimelineItem("message", m.received_at, message=m, evidence=evidence_of(m)) for m in messages
    ]
    items += [
        TimelineItem("note", n.created_at, note=n, author=users.get(n.author_user_id))
        for n in notes
    ]
    for e in status_events:
        change = (e.data or {}).get("changes", {}).get("status")
        if isinstance(change, list) and len(change) == 2:
            items.append(TimelineItem("status", e.at, change=(change[0], change[1])))
    items += [TimelineItem("link", lk.created_at, link=lk) for lk in links]
    items.sort(key=lambda i: (i.at, {"message": 0, "note": 1, "status": 2, "link": 3}[i.kind]))
    customer = session.get(Customer, case.customer_id)
    identities = list(
        session.scalars(
            select(Identity).where(Identity.customer_id == case.customer_id).order_by(Identity.id)
        )
    )
    # the customer's cases first (their index), then the access rule on those few: with
    # the brand condition first SQLite would walk the brand's every case
    theirs = list(
        session.scalars(
            select(Case.id)
            .where(Case.customer_id == case.customer_id, Case.id != case.id)
            .order_by(Case.id.desc())
            .limit(200)
        )
    )
    others: list[Case] = (
        list(
            session.scalars(
                select(Case)
                .where(
                    Case.id.in_(theirs), Case.merged_into_id.is_(None), case_filter(session, who)
                )
                .order_by(Case.id.desc())
                .limit(20)
            )
        )
        if theirs
        else []
    )
    return CaseView(
        case=case,
        reference=format_reference(prefix, case.id),
        brand_slug=slug,
        customer=customer,
        identities=identities,
        other_cases=[
            OtherCase(
                format_reference(prefixes[o.brand_id][1], o.id),
                o.status,
                o.subject,
                o.channel,
                o.last_message_at,
            )
            for o in others
        ],
        timeline=items,
        links=[
            LinkView(
                lk,
                format_reference(prefix, lk.source_case_id),
                format_reference(prefix, lk.target_case_id),
            )
            for lk in links
        ],
        channels=sorted({m.channel for m in messages}),
        entities=_entities(messages, case),
        assignee=users.get(case.assignee_id) if case.assignee_id else None,
        message_count=len(messages),
    )
