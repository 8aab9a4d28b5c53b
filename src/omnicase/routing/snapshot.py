"""What one routing batch reads, once: the brands' queues, overflow rules, engagements,
team hours, settings, and the online agents with their load.

Every read is one query per table for all the batch's brands (indexed), so routing N
cases costs the same handful of queries as routing one. What rarely changes (configuration,
agents' profiles) is cached per process by :mod:`omnicase.routing.cache`, checked
against the database's routing stamp at every batch; loads come from the counters.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Table,
    Text,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy import cast as cast_sql

from omnicase.model import (
    AgentProfile,
    Case,
    Customer,
    Engagement,
    Organisation,
    OverflowRule,
    Presence,
    RoutingQueue,
    TeamHours,
    User,
)
from omnicase.routing.assign import AgentState
from omnicase.routing.hours import is_open
from omnicase.routing.overflow import OverflowSpec
from omnicase.routing.rules import (
    DEFAULT_CAPACITY,
    CaseFacts,
    EngagementSpec,
    QueueRule,
    QueueSpec,
)
from omnicase.routing.urgency import response_due

C = cast(Table, Case.__table__).c
OPEN = ("new", "open", "pending")
WAITING = ("new", "open")
ASSIGNING_ROLES = ("admin", "supervisor", "agent")
HANDLED_PER_AGENT_HOUR = 6
DEFAULT_GRACE_SECONDS = 300


def _chunks(items: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


_PARSED: dict[str, Any] = {}


def cast_text(column: Any) -> Any:
    """A JSON column as its text: decoded once per distinct value (:func:`parsed`)."""
    return cast_sql(column, Text)


def parsed(raw: str | None) -> Any:
    """JSON text → value, cached by the text itself (so never stale). Agents' skills are
    a few distinct values read for every agent of every routing batch."""
    if raw is None:
        return None
    value = _PARSED.get(raw)
    if value is None:
        if len(_PARSED) > 20_000:
            _PARSED.clear()
        value = _PARSED[raw] = json.loads(raw)
    return value


@dataclass(slots=True)
class BrandConfig:
    brand_id: int
    timezone: str
    settings: Mapping[str, Any]
    queues: list[QueueSpec] = field(default_factory=list)
    rules: list[OverflowSpec] = field(default_factory=list)
    engagements: list[EngagementSpec] = field(default_factory=list)
    by_key: dict[str, QueueSpec] = field(default_factory=dict)

    @property
    def capacity(self) -> Mapping[str, int]:
        value = self.settings.get("capacity")
        return value if isinstance(value, dict) else DEFAULT_CAPACITY

    @property
    def handled_per_agent_hour(self) -> float:
        value = self.settings.get("handled_per_agent_hour", HANDLED_PER_AGENT_HOUR)
        return float(value) if isinstance(value, int | float) and value > 0 else 6.0

    @property
    def grace_seconds(self) -> int:
        value = self.settings.get("offline_grace_seconds", DEFAULT_GRACE_SECONDS)
        return value if isinstance(value, int) and value >= 0 else DEFAULT_GRACE_SECONDS

    def queue(self, key: str) -> QueueSpec | None:
        if len(self.by_key) != len(self.queues):
            self.by_key = {q.key: q for q in reversed(self.queues)}
        return self.by_key.get(key)

    def engaged_teams(self, today: date) -> set[int]:
        """Provider teams with an engagement on the brand running today."""
        return {
            e.team_id
            for e in self.engagements
            if e.starts_on <= today and (e.ends_on is None or e.ends_on >= today)
        }

    @property
    def uses_tags(self) -> bool:
        return any(r.customer_tags for q in self.queues for r in q.rules)


def routing_settings(brand_settings: Mapping[str, Any] | None) -> Mapping[str, Any]:
    value = (brand_settings or {}).get("routing")
    return value if isinstance(value, dict) else {}


def engagement_spec(e: Any) -> EngagementSpec:
    return EngagementSpec(
        e.id,
        e.team_id,
        e.brand_id,
        tuple(e.channels or ()),
        tuple(e.queues or ()),
        tuple(e.reasons or ()),
        bool(e.overflow_only),
        e.share_percent,
        e.starts_on,
        e.ends_on,
    )


def load_configs(conn: Connection, brand_ids: Iterable[int]) -> dict[int, BrandConfig]:
    ids = sorted(set(brand_ids))
    if not ids:
        return {}
    configs = {
        bid: BrandConfig(bid, tz, routing_settings(settings))
        for bid, tz, settings in conn.execute(
            select(Organisation.id, Organisation.timezone, Organisation.settings).where(
                Organisation.id.in_(ids)
            )
        )
    }
    for q in conn.execute(
        select(RoutingQueue)
        .where(RoutingQueue.brand_id.in_(ids))
        .order_by(RoutingQueue.brand_id, RoutingQueue.position, RoutingQueue.id)
    ):
        configs[q.brand_id].queues.append(
            QueueSpec(
                q.key,
                q.name,
                q.position,
                q.is_default,
                q.min_level,
                tuple(QueueRule.of(r) for r in q.rules or ()),
            )
        )
    engagements: dict[int, EngagementSpec] = {}
    for e in conn.execute(select(Engagement).where(Engagement.brand_id.in_(ids))):
        spec = engagement_spec(e)
        engagements[spec.id] = spec
        configs[spec.brand_id].engagements.append(spec)
    for r in conn.execute(
        select(OverflowRule)
        .where(OverflowRule.brand_id.in_(ids), OverflowRule.active.is_(True))
        .order_by(OverflowRule.brand_id, OverflowRule.position, OverflowRule.id)
    ):
        configs[r.brand_id].rules.append(
            OverflowSpec(r.id, r.position, r.kind, r.params or {}, engagements.get(r.engagement_id))
        )
    return configs


def case_facts(conn: Connection, case_ids: Sequence[int]) -> list[CaseFacts]:
    """The cases (merged ones left out: they redirect), with their customers' tags."""
    rows: list[Any] = []
    for part in _chunks(sorted(set(case_ids))):
        rows.extend(
            conn.execute(
                select(
                    C.id,
                    C.brand_id,
                    C.customer_id,
                    C.status,
                    C.channel,
                    C.reason,
                    C.language,
                    C.priority,
                    C.first_inbound_at,
                    C.created_at,
                    C.queue,
                    C.team_id,
                    C.assignee_id,
                    response_due().label("response_due_at"),
                ).where(C.id.in_(part), C.merged_into_id.is_(None))
            )
        )
    return [CaseFacts(**row._mapping) for row in rows]


def with_tags(conn: Connection, cases: list[CaseFacts]) -> list[CaseFacts]:
    customers = sorted({c.customer_id for c in cases})
    tags: dict[int, frozenset[str]] = {}
    for part in _chunks(customers):
        for cid, values in conn.execute(
            select(Customer.id, Customer.tags).where(Customer.id.in_(part))
        ):
            if values:
                tags[cid] = frozenset(values)
    if not tags:
        return cases
    from dataclasses import replace

    return [replace(c, tags=tags.get(c.customer_id, frozenset())) for c in cases]


def load_agent_profiles(
    conn: Connection, configs: Mapping[int, BrandConfig], today: date
) -> dict[int, AgentState]:
    """Online agents who may serve one of these brands (their staff, or a provider team
    engaged today), without their load: what :mod:`omnicase.routing.cache` keeps while
    the routing stamp holds (loads and idle times are read per batch)."""
    brand_ids = sorted(configs)
    teams = sorted({t for cfg in configs.values() for t in cfg.engaged_teams(today)})
    side: ColumnElement[bool] = User.organisation_id.in_(brand_ids)
    if teams:
        side = or_(side, User.team_id.in_(teams))
    agents: dict[int, AgentState] = {}
    for user_id, org, team, presence, level, skills, capacity in conn.execute(
        select(
            AgentProfile.user_id,
            User.organisation_id,
            User.team_id,
            AgentProfile.presence,
            AgentProfile.level,
            cast_text(AgentProfile.skills),
            cast_text(AgentProfile.capacity),
        )
        .join(User, User.id == AgentProfile.user_id)
        .where(
            AgentProfile.presence == Presence.online,
            User.active.is_(True),
            User.role.in_(ASSIGNING_ROLES),
            side,
        )
    ):
        agents[user_id] = AgentState.of(
            user_id, org, team, presence, level, parsed(skills), parsed(capacity), None
        )
    return agents


@dataclass(slots=True)
class QueueStats:
    """Per-batch view of the internal side's queues, kept current as the batch decides."""

    backlog: Counter[tuple[int, str]] = field(default_factory=Counter)
    handled: Counter[tuple[int, str]] = field(default_factory=Counter)
    online: Counter[tuple[int, str]] = field(default_factory=Counter)


#: statements built once (compiled once per dialect): a batch runs them per brand / queue
_HANDLED = (
    select(C.queue, func.count())
    .where(
        C.brand_id == bindparam("b"),
        C.last_message_at >= bindparam("since"),
        C.team_id.is_(None),
        or_(C.first_response_at >= bindparam("since"), C.resolved_at >= bindparam("since")),
    )
    .group_by(C.queue)
)
_BACKLOG = select(func.count()).select_from(
    select(C.id)
    .where(
        C.brand_id == bindparam("b"),
        C.queue == bindparam("q"),
        C.assignee_id.is_(None),
        C.status.in_(WAITING),
        C.team_id.is_(None),
    )
    .limit(bindparam("n", type_=Integer))
    .subquery()
)


def stats_needed(configs: Mapping[int, BrandConfig]) -> bool:
    return any(r.kind in ("wait_over", "backlog_over") for c in configs.values() for r in c.rules)


def load_queue_stats(
    conn: Connection,
    configs: Mapping[int, BrandConfig],
    agents: Mapping[int, AgentState],
    now: datetime,
    queues: Iterable[tuple[int, str]],
    extra: int,
) -> QueueStats:
    """Backlog, handled in the last hour and agents online for the queues the batch's
    cases land in, for brands with a wait or backlog rule (the others need none of it).

    A backlog is only counted as far as a rule needs to know (its threshold, plus the
    batch's ``extra`` cases): every count is bounded, however long the queue."""
    stats = QueueStats()
    since = now - timedelta(hours=1)
    handled_brands: set[int] = set()
    for b, queue in sorted(set(queues)):
        cfg = configs[b]
        rules = [
            r
            for r in cfg.rules
            if r.kind in ("wait_over", "backlog_over")
            and (not r.params.get("queues") or queue in r.params["queues"])
        ]
        if not rules:
            continue
        spec = cfg.queue(queue)
        level = spec.min_level if spec else 0
        stats.online[(b, queue)] = sum(
            1 for a in agents.values() if a.organisation_id == b and a.level >= level
        )
        if b not in handled_brands:
            handled_brands.add(b)
            for q, n in conn.execute(_HANDLED, {"b": b, "since": since}):
                stats.handled[(b, q)] = int(n)
        handled = stats.handled[(b, queue)]
        per_hour = float(handled) or stats.online[(b, queue)] * cfg.handled_per_agent_hour
        limit = 1
        for r in rules:
            if r.kind == "backlog_over":
                limit = max(limit, int(r.params.get("cases", 0)) + 1)
            else:
                limit = max(limit, int(float(r.params.get("seconds", 0)) * per_hour / 3600) + 2)
        stats.backlog[(b, queue)] = int(
            conn.execute(_BACKLOG, {"b": b, "q": queue, "n": limit + extra}).scalar_one()
        )
    return stats


def customer_cases(
    conn: Connection, customer_ids: Sequence[int]
) -> dict[int, dict[int, int | None]]:
    """customer → {open case id: team id}: which side each customer's open cases are on."""
    out: dict[int, dict[int, int | None]] = {}
    for part in _chunks(sorted(set(customer_ids))):
        for cust, case_id, team in conn.execute(
            select(C.customer_id, C.id, C.team_id).where(
                C.customer_id.in_(part), C.status.in_(OPEN), C.merged_into_id.is_(None)
            )
        ):
            out.setdefault(cust, {})[case_id] = team
    return out


def team_hours(conn: Connection, configs: Mapping[int, BrandConfig]) -> dict[int, tuple[Any, ...]]:
    """Hours of the brands' own teams (the ones ``outside_hours`` rules look at)."""
    from omnicase.model import Team

    if not any(r.kind == "outside_hours" for cfg in configs.values() for r in cfg.rules):
        return {}
    rows = conn.execute(
        select(Team.id, Team.organisation_id, TeamHours.timezone, TeamHours.weekly)
        .join(TeamHours, TeamHours.team_id == Team.id)
        .where(Team.organisation_id.in_(sorted(configs)))
    )
    return {tid: (org, tz, weekly) for tid, org, tz, weekly in rows}


def internal_open(
    hours: Mapping[int, tuple[Any, ...]], brand_id: int, team_id: int | None, at: datetime
) -> bool:
    """The named internal team is open, or (no team named) one of the brand's teams with
    hours is; a brand whose teams have no hours is always open."""
    if team_id is not None:
        entry = hours.get(team_id)
        return True if entry is None else is_open(entry[2], entry[1], at)
    own = [entry for entry in hours.values() if entry[0] == brand_id]
    return not own or any(is_open(entry[2], entry[1], at) for entry in own)
