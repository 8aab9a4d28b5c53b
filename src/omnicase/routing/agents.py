"""Agents in routing: presence, pull ("next best case"), re-queue after going offline,
the periodic re-evaluation of waiting cases, and the hook for a case whose reason changed.

Every ``do_*`` writes its events and leaves the commit to the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, not_, or_, select, update
from sqlalchemy.orm import Session

from omnicase.model import AgentProfile, Case, Engagement, Organisation, Presence, User
from omnicase.routing.assign import AgentState
from omnicase.routing.configure import profile_of
from omnicase.routing.loads import lock_routing, read_loads
from omnicase.routing.router import RoutingOutcome, route_cases
from omnicase.routing.rules import CHANNEL_KIND, KINDS, CaseFacts, channel_kind
from omnicase.routing.snapshot import OPEN, WAITING, load_configs, routing_settings
from omnicase.routing.urgency import urgency_order
from omnicase.services.cases import ActionError, record_event
from omnicase.store.scope import Principal

PULL_CANDIDATES = 50
REEVALUATE_LIMIT = 500


def do_set_presence(
    session: Session, user: User, presence: str, now: datetime, who: Principal
) -> AgentProfile:
    """Online / away / offline since now. Coming online pulls waiting cases up to the
    agent's capacity (push on availability); going offline starts the grace period after
    which the agent's open cases are re-queued (:func:`do_requeue_offline`)."""
    if presence not in Presence.__members__:
        raise ActionError(
            f"presence: one of {', '.join(Presence.__members__)}", field="presence", status=422
        )
    _lock_sides(session, user, now)
    profile = profile_of(session, user.id)
    if profile.presence != presence:
        before = profile.presence
        profile.presence, profile.presence_since = presence, now
        org = session.get(Organisation, user.organisation_id)
        record_event(
            session,
            "agent.presence",
            brand_id=org.id if org is not None and org.kind == "brand" else None,
            actor=who.actor,
            data={"agent": user.id, "presence": [before, presence]},
        )
    if presence == Presence.online:
        session.flush()
        for _ in range(sum(_capacities(session, user).values())):
            if do_take_next_case(session, user, now, who, cause="available") is None:
                break
    return profile


def _lock_sides(session: Session, user: User, now: datetime) -> None:
    """The routing locks of every brand the agent serves (and of their provider team):
    a presence change or a pull does not interleave with a push decision about them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    teams = (
        [user.team_id] if user.team_id is not None and not _is_brand_staff(session, user) else []
    )
    lock_routing(session.connection(), _serving(session, user, now.date()), teams)


def _is_brand_staff(session: Session, user: User) -> bool:
    org = session.get(Organisation, user.organisation_id)
    return org is not None and org.kind == "brand"


def _capacities(session: Session, user: User) -> dict[str, int]:
    from omnicase.routing.rules import capacity_of

    profile = profile_of(session, user.id)
    org = session.get(Organisation, user.organisation_id)
    brand_caps = routing_settings(org.settings if org else None).get("capacity") or {}
    return {k: capacity_of(k, profile.capacity or {}, brand_caps) for k in KINDS}


def _agent_state(session: Session, user: User) -> AgentState:
    profile = profile_of(session, user.id)
    agent = AgentState.of(
        user.id,
        user.organisation_id,
        user.team_id,
        profile.presence,
        profile.level,
        profile.skills,
        profile.capacity,
        profile.last_assigned_at,
    )
    agent.load.update(read_loads(session.connection(), [user.id]).get(user.id, {}))
    return agent


def _serving(session: Session, user: User, today: Any) -> list[int]:
    """Brands the agent may take cases of (their brand, or their team's engagements)."""
    org = session.get(Organisation, user.organisation_id)
    if org is not None and org.kind == "brand":
        return [org.id]
    if user.team_id is None:
        return []
    return sorted(
        set(
            session.scalars(
                select(Engagement.brand_id).where(
                    Engagement.team_id == user.team_id,
                    Engagement.starts_on <= today,
                    or_(Engagement.ends_on.is_(None), Engagement.ends_on >= today),
                )
            )
        )
    )


def next_best_case(
    session: Session, user: User, now: datetime, *, lock: bool = False
) -> tuple[Case, dict[str, Any]] | None:
    """The most urgent waiting case this agent may take now (skills, side, engagement,
    capacity), with why; None when there is none. Does not assign."""
    agent = _agent_state(session, user)
    today = now.date()
    brands = _serving(session, user, today)
    if not brands:
        return None
    configs = load_configs(session.connection(), brands)
    brand_caps = {b: cfg.capacity for b, cfg in configs.items()}
    channels = [
        ch
        for ch in _channels()
        if any(agent.room(channel_kind(ch), brand_caps[b]) > 0 for b in brands)
    ]
    if not channels:
        return None
    if agent.channels:
        channels = [c for c in channels if c in agent.channels]
    conditions: list[ColumnElement[bool]] = [
        Case.brand_id.in_(brands),
        Case.assignee_id.is_(None),
        Case.status.in_(WAITING),
        Case.merged_into_id.is_(None),
        Case.channel.in_(channels),
    ]
    if user.organisation_id in brands:
        conditions.append(Case.team_id.is_(None))
    else:
        conditions.append(Case.team_id == user.team_id)
    if agent.languages:
        conditions.append(or_(Case.language.is_(None), Case.language.in_(sorted(agent.languages))))
    if agent.reasons:
        conditions.append(or_(Case.reason.is_(None), Case.reason.in_(sorted(agent.reasons))))
    query = select(Case).where(and_(*conditions)).order_by(*urgency_order()).limit(PULL_CANDIDATES)
    if lock:
        query = query.with_for_update(skip_locked=True)
    for case in session.scalars(query):
        cfg = configs[case.brand_id]
        facts = facts_of(case)
        spec = cfg.queue(case.queue or "")
        queue = case.queue or "default"
        why = agent.side_miss(facts, case.team_id, queue, cfg.engagements, today) or (
            agent.skill_miss(facts, spec.min_level if spec else 0)
        )
        kind = channel_kind(case.channel)
        if why is None and agent.room(kind, cfg.capacity) > 0:
            return case, {
                "agent": user.id,
                "kind": kind,
                "load": agent.load[kind],
                "order": "urgency (priority, longest waiting)",
            }
    return None


def _channels() -> list[str]:
    from omnicase.routing.validate import CHANNELS

    return sorted(CHANNELS)


def facts_of(case: Case) -> CaseFacts:
    return CaseFacts(
        case.id,
        case.brand_id,
        case.customer_id,
        case.status,
        case.channel,
        case.reason,
        case.language,
        case.priority,
        case.first_inbound_at,
        case.created_at,
        case.queue,
        case.team_id,
        case.assignee_id,
        response_due_at=case.next_response_due_at or case.first_response_due_at,
    )


def do_take_next_case(
    session: Session, user: User, now: datetime, who: Principal, cause: str = "pull"
) -> Case | None:
    """Pull mode: assign the agent the next best case (they must be online)."""
    profile = profile_of(session, user.id)
    if profile.presence != Presence.online:
        raise ActionError("set your presence to online to take cases", field="presence")
    _lock_sides(session, user, now)
    found = next_best_case(session, user, now, lock=True)
    if found is None:
        return None
    case, detail = found
    case.assignee_id = user.id
    case.updated_at = now
    profile.last_assigned_at = now
    record_event(
        session,
        "case.assigned",
        brand_id=case.brand_id,
        actor=who.actor,
        case_id=case.id,
        customer_id=case.customer_id,
        data={
            "cause": cause,
            "queue": case.queue,
            "team": case.team_id,
            "assignee": user.id,
            "assignment": detail,
        },
    )
    session.flush()
    return case


def do_requeue_offline(session: Session, now: datetime) -> RoutingOutcome:
    """Open cases of agents offline for longer than their brand's grace go back to their
    queue (``case.requeued``) and are routed again (push)."""
    rows = session.execute(
        select(Case.id, Case.brand_id, Case.assignee_id, AgentProfile.presence_since)
        .join(AgentProfile, AgentProfile.user_id == Case.assignee_id)
        .where(
            AgentProfile.presence == Presence.offline,
            Case.status.in_(OPEN),
            Case.merged_into_id.is_(None),
        )
        .with_for_update(skip_locked=True, of=Case)
    ).all()
    if not rows:
        return RoutingOutcome()
    graces = {
        bid: _grace(settings)
        for bid, settings in session.execute(
            select(Organisation.id, Organisation.settings).where(
                Organisation.id.in_(sorted({r[1] for r in rows}))
            )
        )
    }
    due = [r for r in rows if r[3] <= now - timedelta(seconds=graces.get(r[1], 300))]
    if not due:
        return RoutingOutcome()
    ids = [r[0] for r in due]
    session.execute(
        update(Case).where(Case.id.in_(ids)).values(assignee_id=None, updated_at=now),
        execution_options={"synchronize_session": False},
    )
    for case_id, brand_id, agent, since in due:
        record_event(
            session,
            "case.requeued",
            brand_id=brand_id,
            case_id=case_id,
            data={
                "agent": agent,
                "offline_since": since.isoformat(),
                "grace_seconds": graces.get(brand_id, 300),
            },
        )
    session.flush()
    outcome = route_cases(session.connection(), ids, now, cause="requeue")
    session.expire_all()
    return outcome


def _grace(settings: Any) -> int:
    from omnicase.routing.snapshot import BrandConfig

    return BrandConfig(0, "UTC", routing_settings(settings)).grace_seconds


def do_reevaluate_brand(session: Session, brand_id: int, now: datetime) -> RoutingOutcome:
    """Waiting cases of the brand (most urgent first) get the overflow rules and push
    assignment again; cases with a provider team whose engagement no longer covers them
    come back."""
    today = now.date()
    active_teams = sorted(
        set(
            session.scalars(
                select(Engagement.team_id).where(
                    Engagement.brand_id == brand_id,
                    Engagement.starts_on <= today,
                    or_(Engagement.ends_on.is_(None), Engagement.ends_on >= today),
                )
            )
        )
    )
    waiting = list(
        session.scalars(
            select(Case.id)
            .where(
                Case.brand_id == brand_id,
                Case.assignee_id.is_(None),
                Case.status.in_(WAITING),
                Case.merged_into_id.is_(None),
            )
            .order_by(*urgency_order())
            .limit(REEVALUATE_LIMIT)
        )
    )
    stranded = list(
        session.scalars(
            select(Case.id)
            .where(
                Case.brand_id == brand_id,
                Case.team_id.is_not(None),
                not_(Case.team_id.in_(active_teams)) if active_teams else Case.team_id.is_not(None),
                Case.status.in_(OPEN),
                Case.merged_into_id.is_(None),
            )
            .limit(REEVALUATE_LIMIT)
        )
    )
    session.flush()
    outcome = route_cases(session.connection(), waiting + stranded, now, cause="reevaluate")
    session.expire_all()
    return outcome


def on_case_changed(
    session: Session, case: Case, fields: Sequence[str], now: datetime, who: Principal
) -> None:
    """A person changed the case's reason or channel: it may belong to another queue."""
    if not {"reason", "channel"} & set(fields):
        return
    session.flush()
    route_cases(session.connection(), [case.id], now, cause="reason_changed", actor=who.actor)
    session.refresh(case)


__all__ = [
    "CHANNEL_KIND",
    "do_reevaluate_brand",
    "do_requeue_offline",
    "do_set_presence",
    "do_take_next_case",
    "next_best_case",
    "on_case_changed",
]
