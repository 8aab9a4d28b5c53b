"""Routing a set of cases in one transaction: queue → team (internal or provider) → agent.

:func:`route_cases` is the one decision path: the ingestion pipeline calls it once per
batch with the batch's new cases and those whose reason changed; an agent's patch, the
periodic re-evaluation and the offline re-queue call it too. It reads a snapshot once
(:mod:`omnicase.routing.snapshot`), decides every case in memory, most urgent first
(:func:`omnicase.routing.urgency.urgency_key`), and writes once per table: the cases'
queue / team / assignee, the agents' ``last_assigned_at``, and one event per decision
with everything tried (``case.routed``, ``case.assigned``), which ``omnicase routing
explain`` prints.

Configuration and agents' profiles come from a per-process cache checked against the
database's routing stamp (:mod:`omnicase.routing.cache`); loads from the counters the
database keeps (:mod:`omnicase.routing.loads`), read after the locks. On PostgreSQL
transaction-scoped advisory locks per brand and per engaged provider team serialise
routing decisions (two processes must not both fill an agent's last slot); SQLite
serialises writers already.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from time import perf_counter
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, text, update

from omnicase.model import AgentProfile, Case, Event
from omnicase.model.base import UTCDateTime
from omnicase.routing.assign import AgentIndex, AgentState, adjust, choose_agent
from omnicase.routing.cache import brand_snapshots, live_agents
from omnicase.routing.loads import lock_routing
from omnicase.routing.overflow import OverflowSpec, choose_team
from omnicase.routing.rules import CaseFacts, QueueSpec, channel_kind, select_queue
from omnicase.routing.snapshot import (
    OPEN,
    WAITING,
    BrandConfig,
    QueueStats,
    case_facts,
    customer_cases,
    internal_open,
    load_queue_stats,
    stats_needed,
    with_tags,
)
from omnicase.routing.urgency import urgency_key

EVENTS = cast(Table, Event.__table__)
CASES = cast(Table, Case.__table__)
PROFILES = cast(Table, AgentProfile.__table__)

_UPDATE_CASE = (
    update(CASES)
    .where(CASES.c.id == bindparam("_id"))
    .values(
        queue=bindparam("queue"),
        team_id=bindparam("team_id"),
        assignee_id=bindparam("assignee_id"),
        updated_at=bindparam("updated_at"),
    )
)
_UPDATE_AGENTS = (
    update(PROFILES)
    .where(PROFILES.c.user_id.in_(bindparam("ids", expanding=True)))
    .values(last_assigned_at=bindparam("at"))
)
#: PostgreSQL: every case of the batch in one statement (one round trip, one plan)
_UPDATE_CASES_PG = text(
    "UPDATE cases SET queue = v.queue, team_id = v.team_id, assignee_id = v.assignee_id,"
    " updated_at = :at FROM unnest(CAST(:ids AS integer[]), CAST(:queues AS varchar[]),"
    " CAST(:teams AS integer[]), CAST(:assignees AS integer[]))"
    " AS v(id, queue, team_id, assignee_id) WHERE cases.id = v.id"
).bindparams(bindparam("at", type_=UTCDateTime()))


@dataclass(slots=True)
class RoutingOutcome:
    routed: int = 0
    assigned: dict[int, int] = field(default_factory=dict)  # case → agent
    overflowed: dict[int, int] = field(default_factory=dict)  # case → provider team
    queues: dict[int, str] = field(default_factory=dict)  # case → queue


class _Context:
    """What overflow rules ask about, from the batch's snapshot, kept current."""

    def __init__(
        self,
        now: datetime,
        configs: Mapping[int, BrandConfig],
        stats: QueueStats,
        hours: Mapping[int, tuple[Any, ...]],
        sides: dict[int, dict[int, int | None]],
    ) -> None:
        self.now = now
        self.today: date = now.date()
        self.configs = configs
        self.stats = stats
        self.hours = hours
        self.sides = sides

    def backlog(self, brand_id: int, queue: str) -> int:
        return self.stats.backlog[(brand_id, queue)]

    def wait_seconds(self, brand_id: int, queue: str) -> float:
        backlog = self.backlog(brand_id, queue)
        if backlog == 0:
            return 0.0
        per_hour = float(self.stats.handled[(brand_id, queue)])
        if per_hour <= 0:
            online = self.stats.online[(brand_id, queue)]
            per_hour = online * self.configs[brand_id].handled_per_agent_hour
        return float("inf") if per_hour <= 0 else backlog / per_hour * 3600.0

    def team_open(self, brand_id: int, team_id: int | None) -> bool:
        return internal_open(self.hours, brand_id, team_id, self.now)

    def customer_sides(self, customer_id: int, except_case: int) -> set[int | None]:
        cases = self.sides.get(customer_id, {})
        return {team for case_id, team in cases.items() if case_id != except_case}


class _Pool:
    """Per brand, an :class:`AgentIndex` of the agents who could be on one of its sides;
    an agent serving several brands is in several indexes, kept in step."""

    def __init__(
        self, agents: Mapping[int, AgentState], configs: Mapping[int, BrandConfig], today: date
    ) -> None:
        self.indexes: dict[int, AgentIndex] = {}
        self.holders: dict[int, list[AgentIndex]] = {}
        for b, cfg in configs.items():
            teams = {
                e.team_id
                for e in cfg.engagements
                if e.starts_on <= today and (e.ends_on is None or e.ends_on >= today)
            }
            members = [a for a in agents.values() if a.organisation_id == b or a.team_id in teams]
            index = AgentIndex(members, cfg.capacity)
            self.indexes[b] = index
            for a in members:
                self.holders.setdefault(a.user_id, []).append(index)

    def has_agents(self, brand_id: int) -> bool:
        index = self.indexes.get(brand_id)
        return index is not None and index.size > 0

    def adjust(self, agent: AgentState, kind: str, delta: int, now: datetime | None) -> None:
        adjust(agent, kind, delta, self.holders.get(agent.user_id, ()), now)


def route_cases(
    conn: Connection,
    case_ids: Iterable[int],
    now: datetime,
    *,
    cause: str = "arrival",
    causes: Mapping[int, str] | None = None,
    actor: str = "system",
    assign: bool = True,
    timings: list[float] | None = None,
    exclude: Mapping[int, int] | None = None,
    pinned: Mapping[int, str] | None = None,
) -> RoutingOutcome:
    """Route these cases (open ones; merged and finished cases are left alone).

    ``exclude``: case → an agent it must not go to (an SLA reassignment away from them);
    ``pinned``: case → the queue it goes to this time, whatever the queue rules say.
    """
    outcome = RoutingOutcome()
    ids = sorted(set(case_ids))
    if not ids:
        return outcome
    cases = [c for c in case_facts(conn, ids) if c.status in OPEN]
    if not cases:
        return outcome
    brands = sorted({c.brand_id for c in cases})
    today = now.date()
    lock_routing(conn, brands)
    snapshots = brand_snapshots(conn, brands, today)
    configs = {b: snap.config for b, snap in snapshots.items()}
    if any(cfg.uses_tags for cfg in configs.values()):
        cases = with_tags(conn, cases)
    agents: dict[int, AgentState] = {}
    if assign:
        lock_routing(
            conn, (), sorted({t for c in configs.values() for t in c.engaged_teams(today)})
        )
        agents = live_agents(conn, snapshots)
    placed = {c.id: select_queue(configs[c.brand_id].queues, c) for c in cases}
    for case_id, queue in (pinned or {}).items():
        if case_id in placed:
            placed[case_id] = (queue, [[queue, None, "named by an SLA escalation"]])
    stats = (
        load_queue_stats(conn, configs, agents, now, _measured(cases, placed, configs), len(cases))
        if stats_needed(configs)
        else QueueStats()
    )
    share_brands = {b for b, cfg in configs.items() if any(r.kind == "share" for r in cfg.rules)}
    sides = customer_cases(conn, [c.customer_id for c in cases if c.brand_id in share_brands])
    hours = {t: entry for snap in snapshots.values() for t, entry in snap.hours.items()}
    ctx = _Context(now, configs, stats, hours, sides)
    for c in cases:  # the batch's own cases are decided now, not counted as waiting
        if c.assignee_id is None and c.team_id is None and c.status in WAITING and c.queue:
            stats.backlog[(c.brand_id, c.queue)] -= 1
    pool = _Pool(agents, configs, today)
    case_rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for case in sorted(cases, key=urgency_key):
        why = (causes or {}).get(case.id, cause)
        started = perf_counter()
        row, event = _decide(
            case,
            why,
            placed[case.id],
            configs[case.brand_id],
            ctx,
            agents,
            pool,
            assign,
            (exclude or {}).get(case.id),
        )
        if timings is not None:
            timings.append((perf_counter() - started) * 1000)
        if row is not None:
            case_rows.append(row)
            outcome.queues[case.id] = row["queue"]
            if row["team_id"] is not None and row["team_id"] != case.team_id:
                outcome.overflowed[case.id] = row["team_id"]
            if row["assignee_id"] is not None and row["assignee_id"] != case.assignee_id:
                outcome.assigned[case.id] = row["assignee_id"]
        if event is not None:
            events.append({**event, "actor": actor, "at": now})
        outcome.routed += 1
    _write_cases(conn, case_rows, now)
    if outcome.assigned:
        conn.execute(_UPDATE_AGENTS, {"ids": sorted(set(outcome.assigned.values())), "at": now})
    if events:
        conn.execute(insert(EVENTS), events)
    return outcome


def _write_cases(conn: Connection, rows: list[dict[str, Any]], now: datetime) -> None:
    """The batch's queue / team / assignee changes, set-based."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(
            _UPDATE_CASES_PG,
            {
                "at": now,
                "ids": [r["_id"] for r in rows],
                "queues": [r["queue"] for r in rows],
                "teams": [r["team_id"] for r in rows],
                "assignees": [r["assignee_id"] for r in rows],
            },
        )
        return
    conn.execute(_UPDATE_CASE, [{**r, "updated_at": now} for r in rows])


def _measured(
    cases: Iterable[CaseFacts],
    placed: Mapping[int, tuple[str, list[list[Any]]]],
    configs: Mapping[int, BrandConfig],
) -> set[tuple[int, str]]:
    """The (brand, queue) pairs whose backlog or wait a rule will ask about: a wait or
    backlog rule has one of the batch's cases of that queue in its scope."""
    out: set[tuple[int, str]] = set()
    for c in cases:
        queue = placed[c.id][0]
        if (c.brand_id, queue) not in out and any(
            r.kind in ("wait_over", "backlog_over") and r.scope_miss(c, queue) is None
            for r in configs[c.brand_id].rules
        ):
            out.add((c.brand_id, queue))
    return out


def _decide(
    case: CaseFacts,
    cause: str,
    placed: tuple[str, list[list[Any]]],
    cfg: BrandConfig,
    ctx: _Context,
    agents: Mapping[int, AgentState],
    pool: _Pool,
    assign: bool,
    exclude: int | None = None,
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """One case: its row update (None: unchanged) and its event (None: nothing to say)."""
    queue, queue_tried = placed
    team, team_note, overflow_tried = _decide_team(case, queue, cfg.rules, cfg, ctx)
    assignee = case.assignee_id
    unassigned: dict[str, Any] | None = None
    if assignee is not None:
        why_drop = (
            "SLA escalation: reassign"
            if assignee == exclude
            else _drop_reason(case, cause, team, queue, cfg, agents, ctx.today)
        )
        if why_drop is not None:
            unassigned = {"agent": assignee, "why": why_drop}
            holder = agents.get(assignee)
            if holder is not None:
                pool.adjust(holder, channel_kind(case.channel), -1, None)
            assignee = None
    choice: dict[str, Any] | None = None
    if assignee is None and assign:
        spec: QueueSpec | None = cfg.queue(queue)
        index = pool.indexes.get(case.brand_id)
        if index is not None:
            picked = choose_agent(
                index,
                case,
                queue=queue,
                team_id=team,
                min_level=spec.min_level if spec else 0,
                engagements=cfg.engagements,
                today=ctx.today,
                exclude=exclude,
            )
            choice = picked.detail
            if picked.agent is not None:
                pool.adjust(picked.agent, channel_kind(case.channel), 1, ctx.now)
                assignee = picked.agent.user_id
    if assignee is None and team is None and case.status in WAITING:
        ctx.stats.backlog[(case.brand_id, queue)] += 1
    ctx.sides.setdefault(case.customer_id, {})[case.id] = team  # share keeps sides
    changed = (queue, team, assignee) != (case.queue, case.team_id, case.assignee_id)
    row = (
        {"_id": case.id, "queue": queue, "team_id": team, "assignee_id": assignee}
        if changed
        else None
    )
    moved = cause == "arrival" or queue != case.queue or team != case.team_id
    if moved and not (cfg.queues or cfg.rules or pool.has_agents(case.brand_id)):
        # nothing configured and no one online: the default queue, no explanation to keep
        # (``routing explain`` says so); keeps routing free for brands that do not use it
        return row, None
    if moved:
        data: dict[str, Any] = {
            "cause": cause,
            "queue": queue,
            "queue_tried": queue_tried,
            "team": team,
            "team_note": team_note,
            "overflow_tried": overflow_tried,
            "assignee": assignee,
        }
        if case.queue is not None and case.queue != queue:
            data["from_queue"] = case.queue
        if choice is not None:
            data["assignment"] = choice
        if unassigned is not None:
            data["unassigned"] = unassigned
        return row, _event(case, "case.routed", data)
    if assignee != case.assignee_id:
        data = {"cause": cause, "queue": queue, "team": team, "assignee": assignee}
        if choice is not None:
            data["assignment"] = choice
        if unassigned is not None:
            data["unassigned"] = unassigned
        return row, _event(case, "case.assigned", data)
    return row, None


def _event(case: CaseFacts, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "brand_id": case.brand_id,
        "kind": kind,
        "case_id": case.id,
        "customer_id": case.customer_id,
        "message_id": None,
        "data": data,
    }


def _decide_team(
    case: CaseFacts,
    queue: str,
    rules: Sequence[OverflowSpec],
    cfg: BrandConfig,
    ctx: _Context,
) -> tuple[int | None, str, list[list[Any]]]:
    """Stay with a provider team while its engagement covers the case; an unassigned
    internal case is offered to the overflow rules; an assigned internal one stays."""
    if case.team_id is not None:
        for e in cfg.engagements:
            if e.team_id == case.team_id and e.why_not(case, queue, ctx.today) is None:
                return case.team_id, f"stays with team {case.team_id} (engagement {e.id})", []
        note = f"team {case.team_id}'s engagement no longer covers the case: back to internal"
        if case.assignee_id is not None:
            return None, note, []
        team, tried = choose_team(rules, case, queue, ctx)
        return team, note, tried
    if case.assignee_id is not None:
        return None, "internal: an agent has it", []
    team, tried = choose_team(rules, case, queue, ctx)
    return team, ("overflow" if team is not None else "internal"), tried


def _drop_reason(
    case: CaseFacts,
    cause: str,
    team: int | None,
    queue: str,
    cfg: BrandConfig,
    agents: Mapping[int, AgentState],
    today: date,
) -> str | None:
    """Why the current assignee must let the case go (its side or skills changed)."""
    if team != case.team_id:
        return "the case changed sides"
    holder = agents.get(case.assignee_id or 0)
    if holder is None:
        # not online: a reopened case does not wait for them; otherwise the offline
        # re-queue decides, after its grace
        return "reopened while the agent is not online" if cause == "reopened" else None
    kind = channel_kind(case.channel)
    if cause == "reopened" and holder.room(kind, cfg.capacity) < 0:
        return f"reopened while the agent has no {kind} capacity left"
    spec = cfg.queue(queue)
    return holder.side_miss(case, team, queue, cfg.engagements, today) or (
        holder.skill_miss(case, spec.min_level if spec else 0) if queue != case.queue else None
    )
