"""``omnicase routing explain REF``: why a case went to its queue, team and agent, from
the decisions stored when they were made (``case.routed`` / ``case.assigned`` /
``case.requeued`` events), every rule tried and why it matched or not."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.model import Case, Event, Organisation
from omnicase.store.references import format_reference, parse_reference

KINDS = ("case.routed", "case.assigned", "case.requeued")


def find_any_case(session: Session, reference: str) -> Case | None:
    """A case by reference or id, any brand (the operator's view)."""
    parsed = parse_reference(reference)
    if parsed is not None:
        return session.scalar(
            select(Case)
            .join(Organisation, Organisation.id == Case.brand_id)
            .where(Case.id == parsed[1], Organisation.case_prefix == parsed[0])
        )
    return session.get(Case, int(reference)) if reference.isdigit() else None


def _side(team: Any) -> str:
    return "internal" if team is None else f"provider team {team}"


def _assignment(detail: dict[str, Any] | None, assignee: Any) -> list[str]:
    if not detail:
        return [f"  agent: {assignee if assignee is not None else 'none'} (not decided here)"]
    excluded = ", ".join(f"{why}: {n}" for why, n in sorted(detail.get("excluded", {}).items()))
    lines = []
    if detail.get("agent") is not None:
        idle = detail.get("idle_since") or "never assigned before"
        lines.append(
            f"  agent: {detail['agent']} (least loaded, then longest idle: "
            f"{detail.get('load')}/{detail.get('capacity', '?')} {detail.get('kind')} cases, "
            f"last case {idle})"
        )
    else:
        lines.append("  agent: none available; the case waits in its queue")
    if "examined" in detail:
        lines.append(
            f"    agents met best-first: {detail['examined']} of {detail.get('with_room')} with "
            f"room ({detail.get('agents')} possible); passed over: {excluded or '-'}"
        )
    return lines


def explain_lines(session: Session, case: Case) -> list[str]:
    brand = session.get(Organisation, case.brand_id)
    ref = format_reference(brand.case_prefix or "" if brand else "", case.id)
    lines = [
        f"{ref}: channel {case.channel}, reason {case.reason or 'none'}, language "
        f"{case.language or 'none'}, priority {case.priority}",
        f"now: queue {case.queue or 'none'}, {_side(case.team_id)}, agent "
        f"{case.assignee_id if case.assignee_id is not None else 'none'}",
    ]
    events = session.scalars(
        select(Event).where(Event.case_id == case.id, Event.kind.in_(KINDS)).order_by(Event.id)
    ).all()
    if not events:
        lines.append(
            f"no routing decision stored: the case entered queue {case.queue or 'default'!r} "
            "with nothing to decide (its brand had no queues or overflow rules and no agent "
            "was online)"
        )
        return lines
    for event in events:
        data = event.data or {}
        lines.append("")
        lines.append(f"{event.at:%Y-%m-%d %H:%M:%S} {event.kind} ({data.get('cause', '-')})")
        if event.kind == "case.requeued":
            lines.append(
                f"  agent {data.get('agent')} offline since {data.get('offline_since')}, "
                f"past the {data.get('grace_seconds')} s grace: back to the queue"
            )
            continue
        if "queue_tried" in data:
            lines.append("  queue rules tried:")
            for key, index, result in data["queue_tried"]:
                rule = f"rule {index}" if index is not None else "fallback"
                lines.append(f"    {key} {rule}: {result}")
            moved = f" (from {data['from_queue']})" if data.get("from_queue") else ""
            lines.append(f"  -> queue {data.get('queue')}{moved}")
            lines.append(
                "  overflow rules tried:"
                if data.get("overflow_tried")
                else "  overflow: no rule looked at"
            )
            for rule_id, kind, result in data.get("overflow_tried", []):
                lines.append(f"    rule {rule_id} {kind}: {result}")
            lines.append(f"  -> {_side(data.get('team'))} ({data.get('team_note', '')})")
        if data.get("unassigned"):
            u = data["unassigned"]
            lines.append(f"  agent {u.get('agent')} let go: {u.get('why')}")
        lines.extend(_assignment(data.get("assignment"), data.get("assignee")))
    return lines
