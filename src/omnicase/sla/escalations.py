"""What a policy does when a case becomes at risk or breaches: its escalations.

``[{"on": "at_risk"|"breached", "action": ..., "clocks": [...]?}]`` with actions:

* ``raise_priority`` (``"priority": N``: at least N; without it one step up, at most 3),
  written on the case with a ``case.updated`` event (``rule: sla_escalation``);
* ``notify`` (``"users": [ids]`` of the brand, or ``"roles": [...]``, default the brand's
  supervisors): a ``sla.notification`` event (in the live stream and the audit log) and a
  ``sla.notify`` job that mails them;
* ``reassign`` (``"queue"``/``"team_id"`` optional) and ``overflow`` (``"team_id"`` of a
  provider team, optional): a ``sla.escalation_requested`` event naming the action; the
  routing service acts on it (this package decides nothing about queues or agents).

Each escalation fires with its transition, and a transition happens once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from omnicase.sla.clock import AT_RISK, BREACHED, CLOCKS, Transition

ACTIONS = ("raise_priority", "notify", "reassign", "overflow")
MAX_PRIORITY = 3
ROLES = ("admin", "supervisor", "agent", "planner", "viewer")
KEYS = {
    "raise_priority": {"priority"},
    "notify": {"users", "roles"},
    "reassign": {"queue", "team_id"},
    "overflow": {"team_id"},
}


class EscalationError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _ints(value: Any, where: str) -> list[int]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise EscalationError(where, "expected a list of ids")
    return value


def validate_escalations(value: Any) -> list[dict[str, Any]]:
    """The escalations, checked key by key; an :class:`EscalationError` names the first
    wrong one (``escalations[1].action``) and why."""
    if not isinstance(value, list):
        raise EscalationError("escalations", "expected a list")
    clean: list[dict[str, Any]] = []
    for i, item in enumerate(value):
        at = f"escalations[{i}]"
        if not isinstance(item, Mapping):
            raise EscalationError(at, 'expected {"on": ..., "action": ...}')
        on, action = item.get("on"), item.get("action")
        if on not in (AT_RISK, BREACHED):
            raise EscalationError(f"{at}.on", "must be at_risk or breached")
        if action not in ACTIONS:
            raise EscalationError(f"{at}.action", f"must be one of {', '.join(ACTIONS)}")
        unknown = sorted(set(item) - {"on", "action", "clocks"} - KEYS[action])
        if unknown:
            raise EscalationError(f"{at}.{unknown[0]}", f"not an option of {action}")
        out: dict[str, Any] = {"on": on, "action": action}
        if "clocks" in item:
            clocks = item["clocks"]
            if not isinstance(clocks, list) or not clocks or set(clocks) - set(CLOCKS):
                raise EscalationError(f"{at}.clocks", f"a non-empty list of {', '.join(CLOCKS)}")
            out["clocks"] = list(clocks)
        if "priority" in item:
            p = item["priority"]
            if not isinstance(p, int) or isinstance(p, bool) or not 0 <= p <= MAX_PRIORITY:
                raise EscalationError(f"{at}.priority", f"must be 0-{MAX_PRIORITY}")
            out["priority"] = p
        if "users" in item:
            out["users"] = _ints(item["users"], f"{at}.users")
        if "roles" in item:
            roles = item["roles"]
            if not isinstance(roles, list) or not roles or set(roles) - set(ROLES):
                raise EscalationError(f"{at}.roles", f"a non-empty list of {', '.join(ROLES)}")
            out["roles"] = list(roles)
        if "team_id" in item:
            _ints([item["team_id"]], f"{at}.team_id")
            out["team_id"] = item["team_id"]
        if "queue" in item:
            q = item["queue"]
            if not isinstance(q, str) or not 0 < len(q) <= 64:
                raise EscalationError(f"{at}.queue", "a queue name of 1-64 characters")
            out["queue"] = q
        clean.append(out)
    return clean


@dataclass
class Effects:
    """What escalations decided for one case; the check writes it."""

    priority: int
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    #: (user ids or None for roles, roles, transition data) per notification.
    notifications: list[dict[str, Any]] = field(default_factory=list)


def escalate(
    escalations: Sequence[Mapping[str, Any]], transition: Transition, effects: Effects
) -> None:
    """Apply the escalations that match a live transition to ``effects``."""
    about = {
        "clock": transition.clock,
        "stage": transition.stage,
        "due": transition.due.isoformat(),
    }
    for spec in escalations:
        if spec.get("on") != transition.stage:
            continue
        if "clocks" in spec and transition.clock not in spec["clocks"]:
            continue
        action = spec.get("action")
        if action == "raise_priority":
            wanted = spec.get("priority")
            new = (
                max(effects.priority, int(wanted))
                if wanted is not None
                else min(MAX_PRIORITY, effects.priority + 1)
            )
            if new != effects.priority:
                effects.events.append(
                    (
                        "case.updated",
                        {
                            "changes": {"priority": [effects.priority, new]},
                            "rule": "sla_escalation",
                            **about,
                        },
                    )
                )
                effects.priority = new
        elif action == "notify":
            effects.notifications.append(
                {
                    "users": list(spec.get("users") or ()),
                    "roles": list(
                        spec.get("roles") or (() if spec.get("users") else ("supervisor",))
                    ),
                    **about,
                }
            )
        elif action in ("reassign", "overflow"):
            target = {k: spec[k] for k in ("queue", "team_id") if k in spec}
            effects.events.append(
                ("sla.escalation_requested", {"action": action, **target, **about})
            )
