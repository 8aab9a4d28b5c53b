"""The one place that decides which cases, customers and messages a user may see.

Brand staff see their own brand. Provider staff see only what their team is engaged on,
on the day of the request: the engaged brand, narrowed by the engagement's channels,
queues and reasons, and for overflow engagements only the cases handed to their team.
Every read path (API, CLI exports, later the web app, reports and streams) filters
through :func:`case_filter` / :func:`customer_filter`; nothing else decides access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    #: What the credential allows (an API token's scopes; a person logged in has both).
    scopes: frozenset[str] = frozenset({"read", "write"})
    #: The one brand the credential is restricted to (a brand-restricted token), or None.
    brand_id: int | None = None

    @property
    def is_brand_staff(self) -> bool:
        return self.org_kind == "brand"

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES and "write" in self.scopes

    @property
    def can_manage(self) -> bool:
        return self.role in MANAGE_ROLES

    @property
    def actor(self) -> str:
        return f"user:{self.user_id}"


def principal_for(
    session: Session,
    user: User,
    *,
    scopes: frozenset[str] | None = None,
    brand_id: int | None = None,
) -> Principal:
    """The user as a principal, narrowed by the credential's scopes and brand."""
    org = session.get(Organisation, user.organisation_id)
    assert org is not None
    return Principal(
        user.id,
        org.id,
        org.kind,
        user.role,
        user.team_id,
        scopes if scopes is not None else frozenset({"read", "write"}),
        brand_id,
    )


@dataclass(frozen=True, slots=True)
class Grant:
    """One active engagement, as the filter needs it."""

    brand_id: int
    team_id: int
    channels: tuple[str, ...]
    queues: tuple[str, ...]
    reasons: tuple[str, ...]
    overflow_only: bool


def active_grants(
    session: Session, who: Principal, today: date | None = None, *, now: datetime | None = None
) -> list[Grant]:
    """Engagements of the provider user's team (all the organisation's for its admin).

    An engagement runs from ``starts_on`` to the end of ``ends_on`` in the *brand's*
    timezone: with no ``today`` given, the date is taken per brand from ``now`` (default:
    the current instant), so access ends at the brand's midnight with nobody acting."""
    if who.is_brand_staff:
        return []
    moment = now or datetime.now(UTC)
    lo = today if today is not None else moment.date() - timedelta(days=1)
    hi = today if today is not None else moment.date() + timedelta(days=1)
    query = (
        select(Engagement, Organisation.timezone)
        .join(Organisation, Organisation.id == Engagement.brand_id)
        .where(
            engagement_filter(who),
            Engagement.starts_on <= hi,
            or_(Engagement.ends_on.is_(None), Engagement.ends_on >= lo),
        )
    )
    grants = []
    for e, timezone in session.execute(query.order_by(Engagement.id)):
        local = today if today is not None else _local_date(moment, timezone)
        if e.starts_on > local or (e.ends_on is not None and e.ends_on < local):
            continue
        grants.append(
            Grant(
                e.brand_id,
                e.team_id,
                tuple(e.channels or ()),
                tuple(e.queues or ()),
                tuple(e.reasons or ()),
                e.overflow_only,
            )
        )
    return grants


def engagement_filter(who: Principal) -> ColumnElement[bool]:
    """SQL condition on ``Engagement``, whatever its dates: brand staff, their brand's;
    provider staff, their team's (all the organisation's teams for its admin), narrowed
    to the credential's brand. :func:`active_grants` keeps the ones running today."""
    if who.is_brand_staff:
        if _brand_staff_blocked(who):
            return false()
        return Engagement.brand_id == who.organisation_id
    teams = select(Team.id).where(Team.organisation_id == who.organisation_id)
    clause: ColumnElement[bool] = Engagement.team_id.in_(teams)
    if who.role != "admin":
        if who.team_id is None:
            return false()
        clause = and_(clause, Engagement.team_id == who.team_id)
    if who.brand_id is not None:
        clause = and_(clause, Engagement.brand_id == who.brand_id)
    return clause


def _local_date(moment: datetime, timezone: str) -> date:
    try:
        return moment.astimezone(ZoneInfo(timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return moment.astimezone(UTC).date()


def _brand_staff_blocked(who: Principal) -> bool:
    """A brand-restricted token of brand staff naming another brand sees nothing."""
    return who.brand_id is not None and who.brand_id != who.organisation_id


def visible_brand_ids(
    session: Session, who: Principal, today: date | None = None, *, now: datetime | None = None
) -> set[int]:
    if who.is_brand_staff:
        return set() if _brand_staff_blocked(who) else {who.organisation_id}
    return {g.brand_id for g in active_grants(session, who, today, now=now)}


def case_filter(
    session: Session, who: Principal, today: date | None = None, *, now: datetime | None = None
) -> ColumnElement[bool]:
    """SQL condition on ``Case`` that is true exactly for the cases ``who`` may see."""
    if who.is_brand_staff:
        return false() if _brand_staff_blocked(who) else Case.brand_id == who.organisation_id
    clauses = []
    for g in active_grants(session, who, today, now=now):
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
    session: Session, who: Principal, today: date | None = None, *, now: datetime | None = None
) -> ColumnElement[bool]:
    """Brand staff: their brand's customers. Provider staff: customers with a visible case."""
    if who.is_brand_staff:
        if _brand_staff_blocked(who):
            return false()
        return Customer.brand_id == who.organisation_id
    cases = case_filter(session, who, today, now=now)
    if cases is false():
        return false()
    return exists(select(Case.id).where(Case.customer_id == Customer.id, cases))
