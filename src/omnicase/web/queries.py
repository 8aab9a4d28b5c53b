"""The inbox's reads: filters, search and row data, all on top of
:func:`omnicase.store.queries.case_select` (so the access rule of ``store/scope.py`` is
always the first condition) and keyset paging by case id (newest first)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import Session

from omnicase.ingest.identities import normalise_email, normalise_phone
from omnicase.model import (
    Case,
    CaseReference,
    Customer,
    Identity,
    Message,
    Organisation,
    User,
)
from omnicase.store.queries import (
    CaseQuery,
    brand_prefixes,
    case_select,
    channels_of,
    escape_like,
)
from omnicase.store.references import format_reference, parse_reference
from omnicase.store.scope import Principal, visible_brand_ids
from omnicase.understand.taxonomy import DEFAULT_TAXONOMY, TRIAGE, Taxonomy

VIEWS = ("mine", "team", "all")
ACTIVE = ("new", "open", "pending")
STATUSES = ("active", "new", "open", "pending", "resolved", "closed", "any")
SLA_STATES = ("ok", "at_risk", "breached")
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class InboxFilters:
    view: str = "all"
    status: str = "active"
    channel: str | None = None
    reason: str | None = None
    sla: str | None = None
    q: str | None = None

    def as_query(self) -> dict[str, str]:
        """The non-default filters, for links and the live stream's URL."""
        out = {"view": self.view, "status": self.status}
        for name in ("channel", "reason", "sla", "q"):
            value = getattr(self, name)
            if value:
                out[name] = value
        return out


def _of_customers(session: Session, owners: Select[Any]) -> ColumnElement[bool]:
    """The cases of a few customers, read as a list first: with a sub-query SQLite walks
    the cases newest first testing each one."""
    ids = sorted(set(session.scalars(owners.limit(1000))))
    return Case.customer_id.in_(ids) if ids else false()


def _phone_condition(session: Session, brands: set[int], text: str) -> ColumnElement[bool]:
    regions = {
        r or "FR"
        for (r,) in session.execute(select(Organisation.region).where(Organisation.id.in_(brands)))
    }
    phones: set[str] = set()
    for region in regions or {"FR"}:
        try:
            phones.add(normalise_phone(text, region))
        except ValueError:
            continue
    if not phones:
        return false()
    owners = select(Identity.customer_id).where(
        Identity.kind.in_(("phone", "whatsapp", "sms")),
        Identity.value.in_(phones),
        Identity.brand_id.in_(brands),
    )
    return _of_customers(session, owners)


def _phone_like(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 6 and digits >= len(text.replace(" ", "").replace(".", "")) - 2


def narrow_search(text: str | None) -> bool:
    """An email, phone or reference: a handful of cases, best read from their customers'
    index rather than by walking every case newest first."""
    if not text or len(text.strip()) < 2:
        return False
    text = text.strip()
    return "@" in text or _phone_like(text) or parse_reference(text) is not None


def _search_condition(session: Session, who: Principal, text: str) -> ColumnElement[bool]:
    """Reference, order number, customer email / phone / name, or words of the subject or
    the messages. (The access rule is applied by the caller's ``case_select``; the brand
    conditions here only keep the sub-queries small.)"""
    text = text.strip()
    brands = visible_brand_ids(session, who)
    conditions: list[ColumnElement[bool]] = []
    parsed = parse_reference(text)
    if parsed is not None:
        prefix, case_id = parsed
        brand = select(Organisation.id).where(Organisation.case_prefix == prefix)
        conditions.append((Case.id == case_id) & Case.brand_id.in_(brand.scalar_subquery()))
    ordered = select(CaseReference.case_id).where(
        CaseReference.brand_id.in_(brands), CaseReference.value == text.upper()
    )
    conditions.append(Case.id.in_(ordered))
    if "@" in text:
        try:
            email = normalise_email(text)
        except ValueError:
            email = text.lower()
        owners = select(Identity.customer_id).where(
            Identity.kind == "email", Identity.value == email, Identity.brand_id.in_(brands)
        )
        conditions.append(_of_customers(session, owners))
    elif _phone_like(text):
        conditions.append(_phone_condition(session, brands, text))
    else:
        pattern = f"%{escape_like(text)}%"
        named = select(Customer.id).where(
            Customer.brand_id.in_(brands), Customer.name.ilike(pattern, escape="\\")
        )
        written = select(Message.id).where(
            Message.case_id == Case.id, Message.text.ilike(pattern, escape="\\")
        )
        conditions += [
            Case.customer_id.in_(named),
            Case.subject.ilike(pattern, escape="\\"),
            written.exists(),
        ]
    return or_(*conditions)


def inbox_select(session: Session, who: Principal, f: InboxFilters) -> Select[Case]:
    status = f.status if f.status in STATUSES else "active"
    q = CaseQuery(
        status=status if status not in ("active", "any") else None,
        channel=f.channel or None,
        reason=f.reason or None,
    )
    stmt = case_select(session, who, q)
    if status == "active":
        stmt = stmt.where(Case.status.in_(ACTIVE))
    if f.view == "mine":
        stmt = stmt.where(Case.assignee_id == who.user_id)
    elif f.view == "team":
        if who.team_id is not None:
            stmt = stmt.where(Case.team_id == who.team_id)
        else:  # brand staff without a team: the brand's own (not a provider's) queue
            stmt = stmt.where(Case.team_id.is_(None) | (Case.assignee_id == who.user_id))
    if f.sla in SLA_STATES:
        stmt = stmt.where(Case.sla_state == f.sla)
    if f.q and len(f.q.strip()) >= 2:
        stmt = stmt.where(_search_condition(session, who, f.q))
    return stmt


def inbox_page(
    session: Session,
    who: Principal,
    f: InboxFilters,
    before_id: int | None,
    limit: int = PAGE_SIZE,
) -> tuple[list[Case], int | None]:
    stmt = inbox_select(session, who, f)
    if before_id is not None:
        stmt = stmt.where(Case.id < before_id)
    # "+ 0" keeps SQLite off the primary key's index for the few cases of a narrow search
    order = (Case.id + 0).desc() if narrow_search(f.q) else Case.id.desc()
    rows = list(session.scalars(stmt.order_by(order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def visible_inbox_case(
    session: Session, who: Principal, f: InboxFilters, case_id: int
) -> Case | None:
    """The case if it is in ``who``'s inbox with these filters (live rows re-check)."""
    stmt = inbox_select(session, who, replace(f)).where(Case.id == case_id)
    return session.scalar(stmt)


@dataclass(frozen=True, slots=True)
class InboxRow:
    case: Case
    reference: str
    brand: str
    customer: str
    preview: str
    channels: list[str]
    assignee: str | None
    due_at: datetime | None


def rows_for(session: Session, cases: list[Case]) -> list[InboxRow]:
    """What each row shows, in five queries whatever the page size."""
    if not cases:
        return []
    ids = [c.id for c in cases]
    brands = brand_prefixes(session)
    channels = channels_of(session, ids)
    customers = dict(
        session.execute(
            select(Customer.id, Customer.name).where(
                Customer.id.in_({c.customer_id for c in cases})
            )
        ).all()
    )
    assignee_ids = {c.assignee_id for c in cases if c.assignee_id is not None}
    assignees = (
        dict(session.execute(select(User.id, User.name).where(User.id.in_(assignee_ids))).all())
        if assignee_ids
        else {}
    )
    latest = (
        select(func.max(Message.id))
        .where(Message.case_id.in_(ids), Message.direction == "inbound")
        .group_by(Message.case_id)
    )
    previews: dict[int, str | None] = dict(
        session.execute(
            select(Message.case_id, func.substr(Message.text, 1, 160)).where(
                Message.id.in_(latest.scalar_subquery())
            )
        ).all()
    )
    out = []
    for c in cases:
        dues = [d for d in (c.first_response_due_at, c.next_response_due_at) if d is not None]
        out.append(
            InboxRow(
                case=c,
                reference=format_reference(brands[c.brand_id][1], c.id),
                brand=brands[c.brand_id][0],
                customer=customers.get(c.customer_id) or "—",
                preview=" ".join((previews.get(c.id) or "").split()),
                channels=channels.get(c.id, [c.channel]),
                assignee=assignees.get(c.assignee_id) if c.assignee_id else None,
                due_at=min(dues) if dues else c.resolution_due_at,
            )
        )
    return out


def reasons_for(session: Session, who: Principal) -> list[str]:
    """Reasons for the filter menu and the reason editor: the visible brands' labels."""
    labels: list[str] = []
    for org in session.scalars(
        select(Organisation).where(Organisation.id.in_(visible_brand_ids(session, who)))
    ):
        try:
            brand_labels = Taxonomy.from_settings(org.settings).labels()
        except ValueError:
            brand_labels = DEFAULT_TAXONOMY.labels()
        labels.extend(label for label in brand_labels if label not in labels)
    return [*labels, TRIAGE]
