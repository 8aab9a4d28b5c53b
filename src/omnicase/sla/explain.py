"""``omnicase sla explain REF``: which policy a case is held to, its due times, its pauses,
and the SLA events so far, in words an operator can check against the calendar."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.model import Case, Event, Organisation
from omnicase.sla.clock import SlaClock
from omnicase.sla.policies import PolicyBook
from omnicase.store.references import format_reference, parse_reference


def case_by_reference(session: Session, reference: str) -> Case | None:
    """Any brand's case by reference or id (the operator's view)."""
    parsed = parse_reference(reference)
    if parsed is not None:
        return session.scalar(
            select(Case)
            .join(Organisation, Organisation.id == Case.brand_id)
            .where(Case.id == parsed[1], Organisation.case_prefix == parsed[0])
        )
    return session.get(Case, int(reference)) if reference.isdigit() else None


def explain(session: Session, case: Case) -> dict[str, Any]:
    brand = session.get(Organisation, case.brand_id)
    assert brand is not None
    tz = ZoneInfo(brand.timezone)
    out: dict[str, Any] = {
        "case": format_reference(brand.case_prefix or "", case.id),
        "status": case.status,
        "channel": case.channel,
        "priority": case.priority,
        "timezone": brand.timezone,
        "sla_state": case.sla_state,
        "first_response_due_at": _local(case.first_response_due_at, tz),
        "next_response_due_at": _local(case.next_response_due_at, tz),
        "resolution_due_at": _local(case.resolution_due_at, tz),
        "next_check_at": _local(case.sla_next_check_at, tz),
        "paused_since": _local(case.sla_paused_at, tz),
        "first_breach_at": _local(case.sla_breached_at, tz),
    }
    if not case.sla_clock:
        out["policy"] = None
        out["note"] = "no clock: no customer contact since SLAs were enabled"
        return out
    clock = SlaClock.from_json(case.sla_clock)
    t = clock.targets
    book = PolicyBook(session.connection(), [case.brand_id])
    out["policy"] = {
        "id": t.policy_id,
        "name": t.policy,
        "first_response_seconds": t.first_response,
        "next_response_seconds": t.next_response,
        "resolution_seconds": t.resolution,
        "time": "business hours" if t.business_hours else "calendar time",
        "at_risk_percent": t.at_risk_percent,
        "escalations": list(book.escalations(t.policy_id)),
    }
    if t.business_hours:
        spec = book.spec(case.brand_id, t.calendar_id)
        out["calendar"] = {
            "id": t.calendar_id,
            "timezone": spec.timezone,
            "country": spec.country,
            "subdivision": spec.subdivision,
        }
    out["clocks"] = {
        name: {
            "started": _local(c.start, tz),
            "at_risk": _local(c.risk, tz),
            "due": _local(c.due, tz),
            "stage": c.stage,
        }
        for name, c in clock.clocks.items()
    }
    out["outcomes"] = {
        name: {"at": _local(o.at, tz), "due": _local(o.due, tz), "met": o.met}
        for name, o in clock.outcomes.items()
    }
    out["paused_seconds"] = round(clock.paused_seconds)
    out["breaches"] = clock.breaches
    out["events"] = [
        {"at": _local(e.at, tz), "kind": e.kind, **e.data}
        for e in session.scalars(
            select(Event)
            .where(Event.case_id == case.id, Event.kind.startswith("sla."))
            .order_by(Event.id)
        )
    ]
    return out


def render(info: dict[str, Any]) -> str:
    """The explanation as indented text lines."""
    lines: list[str] = []

    def walk(value: Any, indent: int) -> None:
        pad = "  " * indent
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, dict | list) and item:
                    lines.append(f"{pad}{key}:")
                    walk(item, indent + 1)
                else:
                    lines.append(f"{pad}{key}: {_plain(item)}")
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    lines.append(
                        f"{pad}- " + ", ".join(f"{k}={_plain(v)}" for k, v in item.items())
                    )
                else:
                    lines.append(f"{pad}- {_plain(item)}")

    walk(info, 0)
    return "\n".join(lines)


def _plain(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | dict) and not value:
        return "none"
    return str(value)


def _local(value: datetime | None, tz: ZoneInfo) -> str | None:
    return value.astimezone(tz).isoformat(timespec="seconds") if value is not None else None
