"""The supervisor's live figures: queues, sides (internal vs each provider team), agents
and contact reasons now vs usual.

Everything is read through the access rule (:mod:`omnicase.store.scope`): case counts use
``case_filter``; agents are those of the sides the user may see (brand staff: their own
agents and every provider team engaged on the brand; provider staff: their own team, all
the organisation's engaged teams for its admin). An agent's load is counted from the cases
the user may see, so a brand never learns how busy a shared provider agent is elsewhere.
Read only; no event is written (the page is refreshed every few seconds).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from omnicase.model import (
    AgentProfile,
    Case,
    Engagement,
    Organisation,
    RoutingQueue,
    Team,
    User,
)
from omnicase.routing.snapshot import OPEN, WAITING
from omnicase.store.scope import Principal, active_grants, case_filter

USUAL_WEEKS = 4
PRESENCES = ("online", "away", "offline")


@dataclass(slots=True)
class QueueFigures:
    """One brand queue: what waits (unassigned), the oldest wait, SLA at risk / breached
    among its open cases, split by side (``None`` = the brand's own team)."""

    brand: str
    key: str
    name: str
    waiting: int = 0
    oldest_wait_seconds: int | None = None
    open: int = 0
    at_risk: int = 0
    breached: int = 0
    waiting_by_side: dict[int | None, int] = field(default_factory=dict)


@dataclass(slots=True)
class AgentFigures:
    user_id: int
    name: str
    presence: str
    presence_since: datetime | None
    load: int


@dataclass(slots=True)
class SideFigures:
    """The brand's own team (``team_id`` None) or one provider team."""

    team_id: int | None
    label: str
    agents: list[AgentFigures] = field(default_factory=list)
    open: int = 0
    waiting: int = 0
    at_risk: int = 0
    breached: int = 0

    @property
    def by_presence(self) -> dict[str, int]:
        counts = Counter(a.presence for a in self.agents)
        return {p: counts.get(p, 0) for p in PRESENCES}

    @property
    def load(self) -> int:
        return sum(a.load for a in self.agents)


@dataclass(slots=True)
class ReasonFigures:
    """Cases opened with this reason in the last hour and today (local day so far), and
    the usual: the average of the same windows on the same weekday of the last 4 weeks."""

    reason: str
    last_hour: int = 0
    usual_hour: float = 0.0
    today: int = 0
    usual_today: float = 0.0

    @property
    def trend(self) -> str:
        """ "up" when today is clearly above the usual (+50 % and 3 more), "down" below."""
        if self.today >= max(self.usual_today * 1.5, self.usual_today + 3):
            return "up"
        if self.usual_today >= 3 and self.today <= self.usual_today * 0.5:
            return "down"
        return "same"


@dataclass(slots=True)
class Dashboard:
    at: datetime
    timezone: str
    queues: list[QueueFigures]
    sides: list[SideFigures]
    reasons: list[ReasonFigures]

    @property
    def totals(self) -> dict[str, int]:
        return {
            "waiting": sum(q.waiting for q in self.queues),
            "at_risk": sum(q.at_risk for q in self.queues),
            "breached": sum(q.breached for q in self.queues),
            "online": sum(s.by_presence["online"] for s in self.sides),
            "away": sum(s.by_presence["away"] for s in self.sides),
        }


def _brands(session: Session, who: Principal, today: date) -> dict[int, Organisation]:
    if who.is_brand_staff:
        ids = {who.organisation_id}
    else:
        ids = {g.brand_id for g in active_grants(session, who, today)}
    if not ids:
        return {}
    rows = session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    return {o.id: o for o in rows}


def _allowed_queues(session: Session, who: Principal, today: date) -> dict[int, set[str] | None]:
    """Per visible brand, the queue keys the user may see (None = every queue)."""
    if who.is_brand_staff:
        return {who.organisation_id: None}
    allowed: dict[int, set[str] | None] = {}
    for g in active_grants(session, who, today):
        if not g.queues or allowed.get(g.brand_id, set()) is None:
            allowed[g.brand_id] = None
        else:
            current = allowed.setdefault(g.brand_id, set())
            assert current is not None
            current.update(g.queues)
    return allowed


def _teams(session: Session, who: Principal, brands: set[int], today: date) -> list[Team]:
    """Provider teams shown as sides: engaged on a visible brand today, and for provider
    staff only their own (their organisation's for its admin)."""
    if not brands:
        return []
    query = (
        select(Team)
        .join(Engagement, Engagement.team_id == Team.id)
        .where(
            Engagement.brand_id.in_(brands),
            Engagement.starts_on <= today,
            or_(Engagement.ends_on.is_(None), Engagement.ends_on >= today),
        )
        .distinct()
        .order_by(Team.id)
    )
    if not who.is_brand_staff:
        query = query.where(Team.organisation_id == who.organisation_id)
        if who.role != "admin":
            query = query.where(Team.id == (who.team_id if who.team_id is not None else -1))
    return list(session.scalars(query))


def _counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _queue_figures(
    session: Session,
    visible: ColumnElement[bool],
    brands: dict[int, Organisation],
    allowed: dict[int, set[str] | None],
    now: datetime,
) -> list[QueueFigures]:
    waiting = and_(Case.status.in_(WAITING), Case.assignee_id.is_(None))
    rows = session.execute(
        select(
            Case.brand_id,
            Case.queue,
            Case.team_id,
            func.count(),
            _counted(waiting),
            func.min(case((waiting, Case.created_at), else_=None)),
            _counted(Case.sla_state == "at_risk"),
            _counted(Case.sla_state == "breached"),
        )
        .where(visible, Case.status.in_(OPEN), Case.merged_into_id.is_(None))
        .group_by(Case.brand_id, Case.queue, Case.team_id)
    ).all()
    figures: dict[tuple[int, str], QueueFigures] = {}
    configured = session.scalars(
        select(RoutingQueue)
        .where(RoutingQueue.brand_id.in_(list(brands)))
        .order_by(RoutingQueue.brand_id, RoutingQueue.position, RoutingQueue.id)
    )
    for q in configured:
        keys = allowed.get(q.brand_id)
        if keys is None or q.key in keys:
            figures[(q.brand_id, q.key)] = QueueFigures(brands[q.brand_id].slug, q.key, q.name)
    for brand_id, queue, team_id, total, n_wait, oldest, at_risk, breached in rows:
        key = queue or "default"
        fig = figures.get((brand_id, key))
        if fig is None:
            fig = figures[(brand_id, key)] = QueueFigures(brands[brand_id].slug, key, key)
        fig.open += int(total)
        fig.waiting += int(n_wait or 0)
        fig.at_risk += int(at_risk or 0)
        fig.breached += int(breached or 0)
        fig.waiting_by_side[team_id] = fig.waiting_by_side.get(team_id, 0) + int(n_wait or 0)
        if oldest is not None:
            oldest = _aware(oldest)
            wait = max(0, int((now - oldest).total_seconds()))
            if fig.oldest_wait_seconds is None or wait > fig.oldest_wait_seconds:
                fig.oldest_wait_seconds = wait
    return list(figures.values())


def _aware(value: datetime | str) -> datetime:
    """``min()`` over a CASE loses the column type on SQLite: parse what comes back."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _sides(
    session: Session,
    who: Principal,
    visible: ColumnElement[bool],
    brands: dict[int, Organisation],
    today: date,
) -> list[SideFigures]:
    sides: list[SideFigures] = []
    if who.is_brand_staff:
        sides.append(SideFigures(None, brands[who.organisation_id].name))
    for team in _teams(session, who, set(brands), today):
        org = session.get(Organisation, team.organisation_id)
        sides.append(SideFigures(team.id, f"{org.name if org else ''} · {team.name}"))
    if not sides:
        return sides
    by_team = {s.team_id: s for s in sides}
    # agents of each side, with presence
    members = or_(
        *(
            User.team_id == s.team_id
            if s.team_id is not None
            else User.organisation_id == who.organisation_id
            for s in sides
        )
    )
    agents = session.execute(
        select(User.id, User.name, User.team_id, User.organisation_id, AgentProfile)
        .outerjoin(AgentProfile, AgentProfile.user_id == User.id)
        .where(members, User.role == "agent", User.active.is_(True))
        .order_by(User.name, User.id)
    ).all()
    loads = dict(
        session.execute(
            select(Case.assignee_id, func.count())
            .where(visible, Case.status.in_(OPEN), Case.assignee_id.is_not(None))
            .group_by(Case.assignee_id)
        ).all()
    )
    for user_id, name, team_id, org_id, profile in agents:
        side = by_team.get(None) if org_id == who.organisation_id and who.is_brand_staff else None
        side = side or by_team.get(team_id)
        if side is None:
            continue
        side.agents.append(
            AgentFigures(
                user_id,
                name,
                profile.presence if profile else "offline",
                profile.presence_since if profile else None,
                int(loads.get(user_id, 0)),
            )
        )
    rows = session.execute(
        select(
            Case.team_id,
            func.count(),
            _counted(and_(Case.status.in_(WAITING), Case.assignee_id.is_(None))),
            _counted(Case.sla_state == "at_risk"),
            _counted(Case.sla_state == "breached"),
        )
        .where(visible, Case.status.in_(OPEN), Case.merged_into_id.is_(None))
        .group_by(Case.team_id)
    ).all()
    for team_id, total, n_wait, at_risk, breached in rows:
        side = by_team.get(team_id)
        if side is not None:
            side.open, side.waiting = int(total), int(n_wait or 0)
            side.at_risk, side.breached = int(at_risk or 0), int(breached or 0)
    return sides


def _reasons(
    session: Session, visible: ColumnElement[bool], now: datetime, tz: ZoneInfo
) -> list[ReasonFigures]:
    """One scan of the cases opened since the first window: a sum per window (the last
    hour and the day so far, now and on the same weekday of each of the last 4 weeks)."""
    local = now.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    windows: list[tuple[datetime, datetime]] = []
    for week in range(USUAL_WEEKS + 1):
        then = now - timedelta(days=7 * week)
        # the same local wall-clock midnight, whatever DST did in between
        day_start = (midnight - timedelta(days=7 * week)).astimezone(UTC)
        windows += [(then - timedelta(hours=1), then), (min(day_start, then), then)]
    # when the customer first wrote (an imported or delayed message counts on its day),
    # else when the case was made
    contacted = func.coalesce(Case.first_inbound_at, Case.created_at)
    sums = [_counted(and_(contacted >= a, contacted < b)) for a, b in windows]
    rows = session.execute(
        select(Case.reason, *sums)
        .where(
            visible,
            contacted >= min(a for a, _ in windows),
            contacted < now,
            Case.merged_into_id.is_(None),
        )
        .group_by(Case.reason)
    ).all()
    figures: dict[str, ReasonFigures] = {}
    for reason, *counts in rows:
        n = [int(c or 0) for c in counts]
        fig = figures.setdefault(reason or "other", ReasonFigures(reason or "other"))
        fig.last_hour += n[0]
        fig.today += n[1]
        fig.usual_hour += sum(n[2::2]) / USUAL_WEEKS
        fig.usual_today += sum(n[3::2]) / USUAL_WEEKS
    shown = [f for f in figures.values() if f.today or f.usual_today or f.last_hour]
    return sorted(shown, key=lambda r: (-r.today, -r.usual_today, r.reason))


def live_dashboard(session: Session, who: Principal, now: datetime) -> Dashboard:
    """Every figure of the supervisor's dashboard, for what ``who`` may see at ``now``."""
    today = now.date()
    brands = _brands(session, who, today)
    visible = case_filter(session, who, today)
    allowed = _allowed_queues(session, who, today)
    tz_name = next(iter(brands.values())).timezone if brands else "UTC"
    if who.is_brand_staff and who.organisation_id in brands:
        tz_name = brands[who.organisation_id].timezone
    queues = _queue_figures(session, visible, brands, allowed, now) if brands else []
    sides = _sides(session, who, visible, brands, today) if brands else []
    reasons = _reasons(session, visible, now, ZoneInfo(tz_name)) if brands else []
    return Dashboard(now, tz_name, queues, sides, reasons)


def dashboard_fingerprint(board: Dashboard) -> tuple[object, ...]:
    """What the panels show, minus the clock: the live stream sends panels only when
    this changes (waits are shown in minutes, so they tick at most once a minute)."""
    queues = tuple(
        (
            q.brand,
            q.key,
            q.waiting,
            q.open,
            q.at_risk,
            q.breached,
            (q.oldest_wait_seconds or 0) // 60,
        )
        for q in board.queues
    )
    sides = tuple(
        (
            s.team_id,
            s.open,
            s.waiting,
            s.at_risk,
            s.breached,
            *((a.user_id, a.presence, a.load) for a in s.agents),
        )
        for s in board.sides
    )
    return queues, sides, tuple((r.reason, r.last_hour, r.today) for r in board.reasons)


def group_sides(board: Dashboard) -> dict[str, list[SideFigures]]:
    """Internal first, then providers (the template puts them side by side)."""
    out: dict[str, list[SideFigures]] = defaultdict(list)
    for s in board.sides:
        out["internal" if s.team_id is None else "provider"].append(s)
    return dict(out)
