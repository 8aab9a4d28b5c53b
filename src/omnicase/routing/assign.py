"""Choosing an agent for a case (pure, over an in-memory snapshot of the agents).

An agent is eligible when online, on the case's side (the brand's own staff for an
internal case; the provider team the case was handed to, with an engagement covering it
today, otherwise), skilled for it (brand, language, reason, channel, level) and with
capacity left on the case's channel kind. The best is the least loaded on that kind,
then the one idle longest (oldest ``last_assigned_at``), then the lowest id (stable).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from omnicase.model import Presence
from omnicase.routing.rules import KINDS, CaseFacts, EngagementSpec, capacity_of, channel_kind

_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class AgentState:
    user_id: int
    organisation_id: int
    team_id: int | None
    presence: str
    level: int = 1
    languages: frozenset[str] = frozenset()
    reasons: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    brands: frozenset[int] = frozenset()
    capacity: Mapping[str, int] = field(default_factory=dict)
    last_assigned_at: datetime | None = None
    #: open cases per channel kind (across every brand the agent serves); every kind
    #: present (a plain dict: building one per agent per batch must be cheap)
    load: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @classmethod
    def of(
        cls,
        user_id: int,
        organisation_id: int,
        team_id: int | None,
        presence: str,
        level: int,
        skills: Mapping[str, Any] | None,
        capacity: Mapping[str, int] | None,
        last_assigned_at: datetime | None,
    ) -> AgentState:
        s = skills or {}
        return cls(
            user_id,
            organisation_id,
            team_id,
            presence,
            level,
            frozenset(s.get("languages") or ()),
            frozenset(s.get("reasons") or ()),
            frozenset(s.get("channels") or ()),
            frozenset(int(b) for b in s.get("brands") or ()),
            dict(capacity or {}),
            last_assigned_at,
        )

    def live(
        self, last_assigned_at: datetime | None, calls: int, chats: int, asyncs: int
    ) -> AgentState:
        """A copy of this (cached) profile with the agent's current idle time and load:
        the batch moves the copy, never the cached object."""
        return AgentState(
            self.user_id,
            self.organisation_id,
            self.team_id,
            self.presence,
            self.level,
            self.languages,
            self.reasons,
            self.channels,
            self.brands,
            self.capacity,
            last_assigned_at,
            {"call": calls, "chat": chats, "async": asyncs},
        )

    def skill_miss(self, case: CaseFacts, min_level: int) -> str | None:
        """Why the agent's skills do not fit the case (presence and capacity aside)."""
        if self.brands and case.brand_id not in self.brands:
            return "skills: brand"
        if self.languages and case.language and case.language not in self.languages:
            return f"skills: language {case.language}"
        if self.reasons and case.reason and case.reason not in self.reasons:
            return f"skills: reason {case.reason}"
        if self.channels and case.channel not in self.channels:
            return f"skills: channel {case.channel}"
        if self.level < min_level:
            return f"level {self.level} < {min_level}"
        return None

    def side_miss(
        self,
        case: CaseFacts,
        team_id: int | None,
        queue: str,
        engagements: Sequence[EngagementSpec],
        today: date,
    ) -> str | None:
        """Why the agent is not on the side the case is with (None: they are)."""
        if team_id is None:
            return None if self.organisation_id == case.brand_id else "not the brand's staff"
        if self.team_id != team_id:
            return "not the case's team"
        for engagement in engagements:
            if engagement.team_id == team_id and engagement.why_not(case, queue, today) is None:
                return None
        return "engagement does not cover the case"

    def room(self, kind: str, brand_capacity: Mapping[str, int]) -> int:
        return capacity_of(kind, self.capacity, brand_capacity) - self.load[kind]


def rank(agent: AgentState, kind: str) -> tuple[int, datetime, int]:
    """Least loaded on the kind first, then idle longest, then lowest id."""
    return (agent.load[kind], agent.last_assigned_at or _NEVER, agent.user_id)


class AgentIndex:
    """One brand's possible agents, per channel kind, kept sorted by :func:`rank` and
    holding only those with room left: the first eligible agent met is the best one, so
    a decision looks at a handful of agents, not all of them."""

    def __init__(self, agents: Iterable[AgentState], capacity: Mapping[str, int]) -> None:
        self.capacity = capacity
        self.by_kind: dict[str, list[tuple[tuple[int, datetime, int], AgentState]]] = {}
        pool = list(agents)
        for kind in ("call", "chat", "async"):
            default = capacity_of(kind, {}, capacity)
            entries = [
                (rank(a, kind), a)
                for a in pool
                if (a.capacity.get(kind, default) if a.capacity else default) > a.load[kind]
            ]
            entries.sort(key=lambda e: e[0])
            self.by_kind[kind] = entries
        self.size = len(pool)

    def best_first(self, kind: str) -> Iterator[AgentState]:
        for _, agent in self.by_kind.get(kind, ()):
            yield agent

    def remove(self, agent: AgentState, kind: str, key: tuple[int, datetime, int]) -> None:
        entries = self.by_kind[kind]
        i = bisect.bisect_left(entries, key, key=lambda e: e[0])
        if i < len(entries) and entries[i][1] is agent:
            del entries[i]

    def reinsert(self, agent: AgentState, kind: str) -> None:
        if agent.room(kind, self.capacity) > 0:
            bisect.insort(self.by_kind[kind], (rank(agent, kind), agent), key=lambda e: e[0])


@dataclass(slots=True)
class Choice:
    agent: AgentState | None
    detail: dict[str, Any]


def choose_agent(
    index: AgentIndex,
    case: CaseFacts,
    *,
    queue: str,
    team_id: int | None,
    min_level: int,
    engagements: Sequence[EngagementSpec],
    today: date,
    exclude: int | None = None,
) -> Choice:
    """The best eligible agent: agents are met best-first (least loaded, longest idle),
    so the first eligible one wins; ``detail`` says how many were passed over and why."""
    kind = channel_kind(case.channel)
    excluded: Counter[str] = Counter()
    examined = 0
    best: AgentState | None = None
    # the same checks as side_miss then skill_miss, with what depends on the case alone
    # worked out once (a decision may pass over dozens of agents)
    online = Presence.online
    brand, language, reason, channel = case.brand_id, case.language, case.reason, case.channel
    covered = team_id is None or any(
        e.team_id == team_id and e.why_not(case, queue, today) is None for e in engagements
    )
    miss_language, miss_reason = f"skills: language {language}", f"skills: reason {reason}"
    miss_channel = f"skills: channel {channel}"
    for agent in index.best_first(kind):
        examined += 1
        why: str | None = None
        if agent.user_id == exclude:
            why = "escalated away from them"
        elif agent.presence != online:
            why = "not online"
        elif team_id is None and agent.organisation_id != brand:
            why = "not the brand's staff"
        elif team_id is not None and agent.team_id != team_id:
            why = "not the case's team"
        elif not covered:
            why = "engagement does not cover the case"
        elif agent.brands and brand not in agent.brands:
            why = "skills: brand"
        elif agent.languages and language and language not in agent.languages:
            why = miss_language
        elif agent.reasons and reason and reason not in agent.reasons:
            why = miss_reason
        elif agent.channels and channel not in agent.channels:
            why = miss_channel
        elif agent.level < min_level:
            why = f"level {agent.level} < {min_level}"
        if why is None:
            best = agent
            break
        excluded[why] += 1
    detail: dict[str, Any] = {
        "examined": examined,
        "with_room": len(index.by_kind.get(kind, ())),
        "agents": index.size,
        "excluded": dict(excluded),
    }
    if best is not None:
        detail.update(
            agent=best.user_id,
            kind=kind,
            load=best.load[kind],
            capacity=capacity_of(kind, best.capacity, index.capacity),
            idle_since=best.last_assigned_at.isoformat() if best.last_assigned_at else None,
        )
    return Choice(best, detail)


def adjust(
    agent: AgentState,
    kind: str,
    delta: int,
    indexes: Iterable[AgentIndex],
    now: datetime | None = None,
) -> None:
    """Count a case on (or off) the agent's load, keeping every index sorted (idle time
    moves the agent in every kind's order)."""
    holders = list(indexes)
    kinds = ("call", "chat", "async") if now is not None else (kind,)
    old = {k: rank(agent, k) for k in kinds}
    for index in holders:
        for k in kinds:
            index.remove(agent, k, old[k])
    agent.load[kind] += delta
    if now is not None:
        agent.last_assigned_at = now
    for index in holders:
        for k in kinds:
            index.reinsert(agent, k)
