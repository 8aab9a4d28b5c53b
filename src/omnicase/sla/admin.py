"""A brand's admins configure calendars and SLA policies: checked, then stored.

Every ``do_*`` checks what it is given and refuses with the field and the reason (an
inverted or overlapping range, an unknown country or subdivision, a target that is not
positive, a second policy for the same channel and priority…), writes an audit event and
leaves the commit to the caller. Changes apply to clocks started afterwards: a case keeps
the targets it started with.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from omnicase.ingest.schema import Channel
from omnicase.model import Case, User
from omnicase.model.base import utcnow
from omnicase.model.sla import ANY_PRIORITY, Calendar, SlaPolicy
from omnicase.services.cases import ActionError, record_event
from omnicase.sla.calendar import CalendarError, parse_spec
from omnicase.sla.escalations import MAX_PRIORITY, EscalationError, validate_escalations
from omnicase.store.scope import Principal

CALENDAR_FIELDS = ("name", "timezone", "weekly", "country", "subdivision", "closures", "openings")
POLICY_FIELDS = (
    "name",
    "channel",
    "priority",
    "first_response_seconds",
    "next_response_seconds",
    "resolution_seconds",
    "business_hours",
    "calendar_id",
    "at_risk_percent",
    "escalations",
)
#: A target longer than this is a typo (a year).
MAX_TARGET = 366 * 24 * 3600


def require_admin(who: Principal) -> int:
    """The brand an admin may configure; 403 for anyone else."""
    if not who.is_brand_staff or who.role != "admin":
        raise ActionError("only the brand's admins configure SLAs", status=403)
    return who.organisation_id


def require_brand_staff(who: Principal) -> int:
    if not who.is_brand_staff:
        raise ActionError("SLA settings belong to the brand's staff", status=403)
    return who.organisation_id


# ---- calendars ----------------------------------------------------------------------------


def _checked_calendar(data: dict[str, Any]) -> dict[str, Any]:
    try:
        spec = parse_spec(
            timezone=data["timezone"],
            weekly=data.get("weekly") or {},
            country=data.get("country"),
            subdivision=data.get("subdivision"),
            closures=data.get("closures") or [],
            openings=data.get("openings") or [],
        )
    except CalendarError as exc:
        raise ActionError(exc.reason, field=exc.field, status=422) from None
    return {**data, "country": spec.country, "subdivision": spec.subdivision}


def _unique_name(session: Session, model: Any, brand_id: int, name: str, own: int | None) -> None:
    clash = session.scalar(
        select(model.id).where(model.brand_id == brand_id, model.name == name, model.id != own)
    )
    if clash is not None:
        raise ActionError(f"another {model.__tablename__[:-1]} is named {name!r}", field="name")


def _only_default(session: Session, cal: Calendar) -> None:
    if cal.is_default:
        session.execute(
            update(Calendar)
            .where(Calendar.brand_id == cal.brand_id, Calendar.id != cal.id)
            .values(is_default=False)
        )


def do_create_calendar(session: Session, who: Principal, data: dict[str, Any]) -> Calendar:
    brand_id = require_admin(who)
    clean = _checked_calendar(data)
    _unique_name(session, Calendar, brand_id, clean["name"], None)
    now = utcnow()
    cal = Calendar(
        brand_id=brand_id,
        is_default=bool(clean.get("is_default")),
        created_at=now,
        updated_at=now,
        **{k: clean.get(k) for k in CALENDAR_FIELDS},
    )
    cal.closures = cal.closures or []
    cal.openings = cal.openings or []
    session.add(cal)
    session.flush()
    _only_default(session, cal)
    record_event(
        session,
        "sla.calendar.created",
        brand_id=brand_id,
        actor=who.actor,
        data={"calendar": cal.id, "name": cal.name},
    )
    return cal


def do_update_calendar(
    session: Session, who: Principal, cal: Calendar, changes: dict[str, Any]
) -> Calendar:
    require_admin(who)
    merged = {**{k: getattr(cal, k) for k in CALENDAR_FIELDS}, **changes}
    clean = _checked_calendar(merged)
    _unique_name(session, Calendar, cal.brand_id, clean["name"], cal.id)
    for key in CALENDAR_FIELDS:
        setattr(
            cal, key, clean.get(key) if key not in ("closures", "openings") else clean[key] or []
        )
    if "is_default" in changes:
        cal.is_default = bool(changes["is_default"])
    cal.updated_at = utcnow()
    session.flush()
    _only_default(session, cal)
    record_event(
        session,
        "sla.calendar.updated",
        brand_id=cal.brand_id,
        actor=who.actor,
        data={"calendar": cal.id, "changed": sorted(changes)},
    )
    return cal


def do_delete_calendar(session: Session, who: Principal, cal: Calendar) -> None:
    require_admin(who)
    used = session.scalar(select(func.count(SlaPolicy.id)).where(SlaPolicy.calendar_id == cal.id))
    if used:
        raise ActionError(f"{used} SLA policies count time on this calendar; change them first")
    record_event(
        session,
        "sla.calendar.deleted",
        brand_id=cal.brand_id,
        actor=who.actor,
        data={"calendar": cal.id, "name": cal.name},
    )
    session.delete(cal)


# ---- policies -----------------------------------------------------------------------------


def _target(data: dict[str, Any], key: str, *, required: bool) -> int | None:
    value = data.get(key)
    if value is None:
        if required:
            raise ActionError("a first-response target is required", field=key, status=422)
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ActionError("a target is a positive number of seconds", field=key, status=422)
    if value > MAX_TARGET:
        raise ActionError("a target is at most a year", field=key, status=422)
    return value


def _checked_policy(session: Session, brand_id: int, data: dict[str, Any]) -> dict[str, Any]:
    channel = data.get("channel")
    if channel not in Channel.__members__:
        raise ActionError(
            f"unknown channel {channel!r} (use {', '.join(Channel.__members__)})",
            field="channel",
            status=422,
        )
    priority = data.get("priority")
    priority = ANY_PRIORITY if priority is None else priority
    if priority != ANY_PRIORITY and (
        not isinstance(priority, int) or not 0 <= priority <= MAX_PRIORITY
    ):
        raise ActionError(
            f"priority is 0-{MAX_PRIORITY}, or null for any", field="priority", status=422
        )
    at_risk = data.get("at_risk_percent", 80)
    if not isinstance(at_risk, int) or not 1 <= at_risk <= 99:
        raise ActionError("at risk is 1-99 % of the target", field="at_risk_percent", status=422)
    calendar_id = data.get("calendar_id")
    if calendar_id is not None:
        cal = session.get(Calendar, calendar_id)
        if cal is None or cal.brand_id != brand_id:
            raise ActionError(
                "no calendar of this brand has this id", field="calendar_id", status=422
            )
    business = bool(data.get("business_hours", False))
    if calendar_id is not None and not business:
        raise ActionError(
            "a calendar is used only for business-hours targets", field="calendar_id", status=422
        )
    try:
        escalations = validate_escalations(data.get("escalations") or [])
    except EscalationError as exc:
        raise ActionError(exc.reason, field=exc.field, status=422) from None
    wanted = {u for e in escalations for u in e.get("users", ())}
    if wanted:
        known = set(
            session.scalars(
                select(User.id).where(User.id.in_(wanted), User.organisation_id == brand_id)
            )
        )
        if wanted - known:
            raise ActionError(
                f"no user {min(wanted - known)} in this brand", field="escalations", status=422
            )
    return {
        "name": data.get("name")
        or f"{channel} {'any priority' if priority < 0 else f'p{priority}'}",
        "channel": channel,
        "priority": priority,
        "first_response_seconds": _target(data, "first_response_seconds", required=True),
        "next_response_seconds": _target(data, "next_response_seconds", required=False),
        "resolution_seconds": _target(data, "resolution_seconds", required=False),
        "business_hours": business,
        "calendar_id": calendar_id,
        "at_risk_percent": at_risk,
        "escalations": escalations,
    }


def _no_duplicate(session: Session, brand_id: int, clean: dict[str, Any], own: int | None) -> None:
    clash = session.scalar(
        select(SlaPolicy.id).where(
            SlaPolicy.brand_id == brand_id,
            SlaPolicy.channel == clean["channel"],
            SlaPolicy.priority == clean["priority"],
            SlaPolicy.id != own,
        )
    )
    if clash is not None:
        which = "any priority" if clean["priority"] < 0 else f"priority {clean['priority']}"
        raise ActionError(
            f"policy {clash} already covers {clean['channel']} at {which}", field="priority"
        )


def do_create_policy(session: Session, who: Principal, data: dict[str, Any]) -> SlaPolicy:
    brand_id = require_admin(who)
    clean = _checked_policy(session, brand_id, data)
    _no_duplicate(session, brand_id, clean, None)
    now = utcnow()
    policy = SlaPolicy(brand_id=brand_id, created_at=now, updated_at=now, **clean)
    session.add(policy)
    session.flush()
    record_event(
        session,
        "sla.policy.created",
        brand_id=brand_id,
        actor=who.actor,
        data={"policy": policy.id, "channel": policy.channel, "priority": policy.priority},
    )
    return policy


def do_update_policy(
    session: Session, who: Principal, policy: SlaPolicy, changes: dict[str, Any]
) -> SlaPolicy:
    require_admin(who)
    current = {k: getattr(policy, k) for k in POLICY_FIELDS}
    current["priority"] = None if policy.priority == ANY_PRIORITY else policy.priority
    clean = _checked_policy(session, policy.brand_id, {**current, **changes})
    _no_duplicate(session, policy.brand_id, clean, policy.id)
    for key, value in clean.items():
        setattr(policy, key, value)
    policy.updated_at = utcnow()
    record_event(
        session,
        "sla.policy.updated",
        brand_id=policy.brand_id,
        actor=who.actor,
        data={"policy": policy.id, "changed": sorted(changes)},
    )
    return policy


def do_delete_policy(session: Session, who: Principal, policy: SlaPolicy) -> None:
    """Cases that started on it keep their targets (copied on the case)."""
    require_admin(who)
    session.execute(update(Case).where(Case.sla_policy_id == policy.id).values(sla_policy_id=None))
    record_event(
        session,
        "sla.policy.deleted",
        brand_id=policy.brand_id,
        actor=who.actor,
        data={"policy": policy.id, "channel": policy.channel, "priority": policy.priority},
    )
    session.delete(policy)
