"""Pure routing rules (no database): which queue a case enters, whether an engagement
covers it, channel kinds and capacities.

Every check answers ``None`` (it matches) or a short reason why not, so the decision can
be stored with every rule tried and explained later in the words it was made with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

#: The queue of a brand that configured none (and of cases no rule matched, when the
#: brand marked no queue as default).
DEFAULT_QUEUE = "default"

#: Capacity is counted per channel kind: a call takes the agent whole, a live chat a
#: third, an asynchronous case (mail, form, social media, SMS) a tenth.
CHANNEL_KIND: Mapping[str, str] = {"phone": "call", "chat": "chat"}
KINDS = ("call", "chat", "async")
DEFAULT_CAPACITY: Mapping[str, int] = {"call": 1, "chat": 3, "async": 10}


def channel_kind(channel: str) -> str:
    return CHANNEL_KIND.get(channel, "async")


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What routing reads of a case."""

    id: int
    brand_id: int
    customer_id: int
    status: str
    channel: str
    reason: str | None
    language: str | None
    priority: int
    first_inbound_at: datetime | None
    created_at: datetime
    queue: str | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    tags: frozenset[str] = frozenset()
    #: The answer the customer is owed next is due then (SLA); None: no objective runs.
    response_due_at: datetime | None = None


def _not_in(label: str, value: str | None, allowed: Sequence[str]) -> str | None:
    if not allowed or (value is not None and value in allowed):
        return None
    return f"{label} {value or 'none'} not in {','.join(allowed)}"


@dataclass(frozen=True, slots=True)
class QueueRule:
    """One rule of a queue: every non-empty list must contain the case's value."""

    channels: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    customer_tags: tuple[str, ...] = ()
    min_priority: int | None = None

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> QueueRule:
        return cls(
            tuple(raw.get("channels") or ()),
            tuple(raw.get("reasons") or ()),
            tuple(raw.get("languages") or ()),
            tuple(raw.get("customer_tags") or ()),
            raw.get("min_priority"),
        )

    def why_not(self, case: CaseFacts) -> str | None:
        miss = (
            _not_in("channel", case.channel, self.channels)
            or _not_in("reason", case.reason, self.reasons)
            or _not_in("language", case.language, self.languages)
        )
        if miss:
            return miss
        if self.customer_tags and not case.tags.intersection(self.customer_tags):
            return f"customer tags {','.join(sorted(case.tags)) or 'none'} not in " + ",".join(
                self.customer_tags
            )
        if self.min_priority is not None and case.priority < self.min_priority:
            return f"priority {case.priority} < {self.min_priority}"
        return None


@dataclass(frozen=True, slots=True)
class QueueSpec:
    key: str
    name: str
    position: int
    is_default: bool
    min_level: int
    rules: tuple[QueueRule, ...]


def select_queue(queues: Sequence[QueueSpec], case: CaseFacts) -> tuple[str, list[list[Any]]]:
    """The first queue (in position order) with a matching rule, else the default one.

    ``tried`` lists ``[queue, rule index, "match" | why not]`` for every rule looked at."""
    tried: list[list[Any]] = []
    for queue in queues:
        for i, rule in enumerate(queue.rules):
            miss = rule.why_not(case)
            tried.append([queue.key, i, miss or "match"])
            if miss is None:
                return queue.key, tried
    default = next((q.key for q in queues if q.is_default), DEFAULT_QUEUE)
    tried.append([default, None, "default" if queues else "no queues configured: default"])
    return default, tried


@dataclass(frozen=True, slots=True)
class EngagementSpec:
    """An engagement as routing needs it (see :class:`omnicase.model.Engagement`)."""

    id: int
    team_id: int
    brand_id: int
    channels: tuple[str, ...]
    queues: tuple[str, ...]
    reasons: tuple[str, ...]
    overflow_only: bool
    share_percent: int | None
    starts_on: date
    ends_on: date | None

    def why_not(self, case: CaseFacts, queue: str | None, today: date) -> str | None:
        """None when this engagement lets its team handle the case today."""
        if case.brand_id != self.brand_id:
            return "engagement is for another brand"
        if today < self.starts_on:
            return f"engagement starts on {self.starts_on.isoformat()}"
        if self.ends_on is not None and today > self.ends_on:
            return f"engagement ended on {self.ends_on.isoformat()}"
        return (
            _not_in("channel", case.channel, self.channels)
            or _not_in("queue", queue, self.queues)
            or _not_in("reason", case.reason, self.reasons)
        )


def capacity_of(
    kind: str, agent_capacity: Mapping[str, int], brand_capacity: Mapping[str, int]
) -> int:
    """The agent's own figure, else the brand's, else the default (1 / 3 / 10)."""
    for source in (agent_capacity, brand_capacity):
        value = source.get(kind)
        if isinstance(value, int) and value >= 0:
            return value
    return DEFAULT_CAPACITY[kind]
