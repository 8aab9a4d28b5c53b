"""Overflow / outsourcing rules (pure): does a case go to a provider team, and why.

Rules are tried in order; the first that fires *and* whose engagement covers the case
(brand, channel, queue, reason, dates) hands the case to the engagement's team. A rule
that fires for a case its engagement does not cover is skipped with that reason: a
provider never gets a case outside its engagement.

Estimated wait of a queue (``wait_over``), in seconds::

    wait = backlog / throughput * 3600
    throughput = cases of the queue handled in the last hour (first response or resolved)
                 or, with no history yet, internal agents online for it × handled_per_agent_hour
                 (brand setting, default 6)

``backlog`` = the queue's cases waiting on the internal side (open, no agent). No one
online and nothing handled means the wait is unbounded (any threshold is exceeded).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from omnicase.routing.rules import CaseFacts, EngagementSpec, _not_in


def share_bucket(customer_id: int) -> int:
    """0-99, stable for a customer across processes and releases (not Python's hash)."""
    digest = hashlib.blake2b(f"customer:{customer_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 100


class OverflowContext(Protocol):
    today: date

    def wait_seconds(self, brand_id: int, queue: str) -> float: ...

    def backlog(self, brand_id: int, queue: str) -> int: ...

    def team_open(self, brand_id: int, team_id: int | None) -> bool: ...

    def customer_sides(self, customer_id: int, except_case: int) -> set[int | None]: ...


@dataclass(frozen=True, slots=True)
class OverflowSpec:
    id: int
    position: int
    kind: str
    params: Mapping[str, Any]
    engagement: EngagementSpec | None

    def scope_miss(self, case: CaseFacts, queue: str) -> str | None:
        p = self.params
        return (
            _not_in("queue", queue, p.get("queues") or ())
            or _not_in("channel", case.channel, p.get("channels") or ())
            or _not_in("reason", case.reason, p.get("reasons") or ())
        )

    def percent(self) -> int:
        value = self.params.get("percent")
        if value is None and self.engagement is not None:
            value = self.engagement.share_percent
        return int(value or 0)

    def fires(self, case: CaseFacts, queue: str, ctx: OverflowContext) -> tuple[bool, str]:
        p = self.params
        if self.kind == "wait_over":
            wait = ctx.wait_seconds(case.brand_id, queue)
            shown = "unbounded (no one online)" if wait == float("inf") else f"{wait:.0f}s"
            limit = float(p["seconds"])
            return (
                wait > limit,
                f"estimated wait {shown} {'>' if wait > limit else '<='} {limit:g}s",
            )
        if self.kind == "backlog_over":
            backlog, limit = ctx.backlog(case.brand_id, queue), int(p["cases"])
            return backlog > limit, f"backlog {backlog} {'>' if backlog > limit else '<='} {limit}"
        if self.kind == "outside_hours":
            team = p.get("team_id")
            if ctx.team_open(case.brand_id, team):
                return False, "internal team open"
            return True, "outside the internal team's hours"
        if self.kind == "channel_or_reason":
            return True, "channel/reason outsourced"
        if self.kind == "share":
            target = self.engagement.team_id if self.engagement else None
            sides = ctx.customer_sides(case.customer_id, case.id)
            if target is not None and target in sides:
                return True, "the customer's other open cases are with this provider"
            if None in sides:
                return False, "the customer's other open cases are internal"
            bucket, percent = share_bucket(case.customer_id), self.percent()
            op = "<" if bucket < percent else ">="
            return bucket < percent, f"customer share bucket {bucket} {op} {percent}%"
        return False, f"unknown kind {self.kind}"


def choose_team(
    rules: Sequence[OverflowSpec], case: CaseFacts, queue: str, ctx: OverflowContext
) -> tuple[int | None, list[list[Any]]]:
    """The provider team the case overflows to (None: stays internal), and every rule
    tried as ``[rule id, kind, what happened]``."""
    tried: list[list[Any]] = []
    for rule in rules:
        miss = rule.scope_miss(case, queue)
        if miss is not None:
            tried.append([rule.id, rule.kind, f"not for this case: {miss}"])
            continue
        fired, why = rule.fires(case, queue, ctx)
        if not fired:
            tried.append([rule.id, rule.kind, why])
            continue
        engagement = rule.engagement
        refused = (
            "it has no engagement"
            if engagement is None
            else engagement.why_not(case, queue, ctx.today)
        )
        if refused is not None:
            tried.append([rule.id, rule.kind, f"{why}, but {refused}"])
            continue
        assert engagement is not None
        tried.append([rule.id, rule.kind, f"{why}: to team {engagement.team_id}"])
        return engagement.team_id, tried
    return None, tried
