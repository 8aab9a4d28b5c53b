"""The one place that decides which cases, customers and messages a user may see.

Brand staff see their own brand. Provider staff see only what their team is engaged on,
on the day of the request: the engaged brand, narrowed by the engagement's channels,
queues and reasons, and for overflow engagements only the cases handed to their team.
Every read path (API, CLI exports, later the web app, reports and streams) filters
through :func:`case_filter` / :func:`customer_filter`; nothing else decides access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from omnicase.model import Case, Customer, Engagement, Organisation, Team, User

WRITE_ROLES = frozenset({"admin", "supervisor", "agent"})
MANAGE_ROLES = frozenset({"admin", "supervisor"})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: the user and what their organisation is."""

    user_id: int
    organisation_id: int
    org_kind: str
    role: str
    team_id: int | None

    @property
    def is_brand_staff(self) -> bool:
        return self.org_kind == "brand"

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    @property
    def can_manage(self) -> bool:
        return self.role in MANAGE_ROLES

    @property
    def actor(self) -> str:
        return f"user:{self.user_id}"


def principal_for(session: Session, user: User) -> Principal:
    org = session.get(Organisation, user.organisation_id)
    assert org is not None
    return Principal(user.id, org.id, org.kind, user.role, user.team_id)


@dataclass(frozen=True, slots=True)
class Grant:
    """One active engagement, as the filter needs it."""

    brand_id: int
    team_id: int
    channels: tuple[str, ...]
    queues: tuple[str, ...]
    reasons: tuple[str, ...]
    overflow_only: bool


def active_grants(session: Session, who: Principal, today: date) -> list[Grant]:
    """Engagements of the provider user's team (all the organisation's for its admin)."""
    if who.is_brand_staff:
        return []
    query = (
        select(Engagement)
        .join(Team, Team.id == Engagement.team_id)
        .where(
            Team.organisation_id == who.organisation_id,
            Engagement.starts_on <= today,
            or_(Engagement.ends_on.is_(None), Engagement.ends_on >= today),
        )
    )
    if who.role != "admin":
        if who.team_id is None:
            return []
        query = query.where(Engagement.team_id == who.team_id)
    return [
        Grant(
            e.brand_id,
            e.team_id,
            tuple(e.channels or ()),
            tuple(e.queues or ()),
            tuple(e.reasons or ()),
            e.overflow_only,
        )
        for e in session.scalars(query.order_by(Engagement.id))
    ]


def visible_brand_ids(session: Session, who: Principal, today: date | None = None) -> set[int]:
    if who.is_brand_staff:
        return {who.organisation_id}
    return {g.brand_id for g in active_grants(session, who, today or date.today())}


def case_filter(session: Session, who: Principal, today: date | None = None) -> ColumnElement[bool]:
    """SQL condition on ``Case`` that is true exactly for the cases ``who`` may see."""
    if who.is_brand_staff:
        return Case.brand_id == who.organisation_id
    clauses = []
    for g in active_grants(session, who, today or date.today()):
        parts: list[ColumnElement[bool]] = [Case.brand_id == g.brand_id]
        if g.channels:
            parts.append(Case.channel.in_(g.channels))
        if g.queues:
            parts.append(Case.queue.in_(g.queues))
        if g.reasons:
            parts.append(Case.reason.in_(g.reasons))
        if g.overflow_only:
            parts.append(Case.team_id == g.team_id)
        clauses.append(and_(*parts) if len(parts) > 1 else parts[0])
    if not clauses:
        return false()
    return or_(*clauses) if len(clauses) > 1 else clauses[0]


def customer_filter(
    session: Session, who: Principal, today: date | None = None
) -> ColumnElement[bool]:
    """Brand staff: their brand's customers. Provider staff: customers with a visible case."""
    if who.is_brand_staff:
        return Customer.brand_id == who.organisation_id
    cases = case_filter(session, who, today)
    if cases is false():
        return false()
    return exists(select(Case.id).where(Case.customer_id == Customer.id, cases))
