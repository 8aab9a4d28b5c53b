"""How a brand configures routing: queues, overflow rules, team hours, routing settings,
agents' skills and capacity, customers' tags. Each ``do_*`` validates
(:mod:`omnicase.routing.validate`), writes, and records a ``routing.*`` event; none
commits. Waiting cases follow a new configuration at the next periodic re-evaluation.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from omnicase.model import (
    AgentProfile,
    Customer,
    Engagement,
    Organisation,
    OverflowRule,
    RoutingQueue,
    Team,
    TeamHours,
    User,
)
from omnicase.model.base import utcnow
from omnicase.routing.hours import validate_weekly
from omnicase.routing.validate import (
    CHANNELS,
    KEY_RE,
    _strings,
    brand_reasons,
    check_languages,
    check_reachable,
    check_values,
    clean_capacity,
    clean_overflow,
    clean_queue_rules,
    fail,
)
from omnicase.services.cases import ActionError, record_event
from omnicase.store.scope import Principal


def _log(session: Session, what: str, brand_id: int | None, who: Principal, **data: Any) -> None:
    record_event(session, what, brand_id=brand_id, actor=who.actor, data=data)


def brand_queues(session: Session, brand_id: int) -> list[RoutingQueue]:
    return list(
        session.scalars(
            select(RoutingQueue)
            .where(RoutingQueue.brand_id == brand_id)
            .order_by(RoutingQueue.position, RoutingQueue.id)
        )
    )


def _place_queue(session: Session, queue: RoutingQueue) -> None:
    """Check the queue's rules against every earlier one; one default per brand."""
    session.flush()
    ordered = [(q.key, q.rules) for q in brand_queues(session, queue.brand_id)]
    check_reachable(ordered, queue.key)
    if queue.is_default:
        for other in brand_queues(session, queue.brand_id):
            if other.id != queue.id and other.is_default:
                other.is_default = False


def _queue_fields(brand: Organisation, body: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "key" in body:
        if not isinstance(body["key"], str) or not KEY_RE.match(body["key"]):
            raise fail("key", "lowercase letters, digits, '-' and '_' (up to 64)")
        out["key"] = body["key"]
    if "name" in body:
        if not isinstance(body["name"], str) or not body["name"].strip():
            raise fail("name", "a non-empty name")
        out["name"] = body["name"].strip()
    if "rules" in body:
        out["rules"] = clean_queue_rules(body["rules"], brand_reasons(brand.settings))
    for key in ("position", "min_level"):
        if key in body:
            value = body[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise fail(key, "a whole number ≥ 0")
            out[key] = value
    if "is_default" in body:
        out["is_default"] = bool(body["is_default"])
    return out


def do_create_queue(
    session: Session, brand: Organisation, body: dict[str, Any], who: Principal
) -> RoutingQueue:
    fields = _queue_fields(brand, body)
    if "key" not in fields:
        raise fail("key", "required")
    existing = session.scalar(
        select(RoutingQueue.id).where(
            RoutingQueue.brand_id == brand.id, RoutingQueue.key == fields["key"]
        )
    )
    if existing is not None:
        raise ActionError(f"the brand has a queue {fields['key']!r} already", field="key")
    if "position" not in fields:
        last = session.scalar(
            select(func.max(RoutingQueue.position)).where(RoutingQueue.brand_id == brand.id)
        )
        fields["position"] = (last or 0) + 10
    queue = RoutingQueue(
        brand_id=brand.id,
        name=fields.pop("name", fields["key"]),
        rules=fields.pop("rules", []),
        created_at=utcnow(),
        **fields,
    )
    session.add(queue)
    _place_queue(session, queue)
    _log(session, "routing.queue.created", brand.id, who, queue=queue.key)
    return queue


def do_update_queue(
    session: Session, brand: Organisation, queue: RoutingQueue, body: dict[str, Any], who: Principal
) -> RoutingQueue:
    fields = _queue_fields(brand, body)
    if "key" in fields and fields["key"] != queue.key:
        raise fail("key", "a queue's key cannot change (cases and engagements name it)")
    for key, value in fields.items():
        setattr(queue, key, value)
    _place_queue(session, queue)
    _log(session, "routing.queue.updated", brand.id, who, queue=queue.key, fields=sorted(fields))
    return queue


def do_delete_queue(session: Session, queue: RoutingQueue, who: Principal) -> None:
    session.delete(queue)
    _log(session, "routing.queue.deleted", queue.brand_id, who, queue=queue.key)


def _overflow_inputs(
    session: Session, brand: Organisation, engagement_id: Any, today: date
) -> tuple[Engagement | None, frozenset[str], frozenset[int]]:
    engagement = session.get(Engagement, engagement_id) if isinstance(engagement_id, int) else None
    keys = frozenset(q.key for q in brand_queues(session, brand.id)) | {"default"}
    teams = frozenset(session.scalars(select(Team.id).where(Team.organisation_id == brand.id)))
    return engagement, keys, teams


def do_create_overflow_rule(
    session: Session, brand: Organisation, body: dict[str, Any], who: Principal
) -> OverflowRule:
    today = utcnow().date()
    engagement, keys, teams = _overflow_inputs(session, brand, body.get("engagement_id"), today)
    kind = str(body.get("kind", ""))
    params = clean_overflow(
        kind,
        body.get("params", {}),
        engagement,
        brand.id,
        brand_reasons(brand.settings),
        keys,
        teams,
        today,
    )
    assert engagement is not None
    position = body.get("position")
    if position is None:
        last = session.scalar(
            select(func.max(OverflowRule.position)).where(OverflowRule.brand_id == brand.id)
        )
        position = (last or 0) + 10
    if not isinstance(position, int) or position < 0:
        raise fail("position", "a whole number ≥ 0")
    rule = OverflowRule(
        brand_id=brand.id,
        position=position,
        kind=kind,
        params=params,
        engagement_id=engagement.id,
        active=bool(body.get("active", True)),
        created_at=utcnow(),
    )
    session.add(rule)
    session.flush()
    _log(session, "routing.overflow_rule.created", brand.id, who, rule=rule.id, kind=kind)
    return rule


def do_update_overflow_rule(
    session: Session, brand: Organisation, rule: OverflowRule, body: dict[str, Any], who: Principal
) -> OverflowRule:
    today = utcnow().date()
    engagement_id = body.get("engagement_id", rule.engagement_id)
    engagement, keys, teams = _overflow_inputs(session, brand, engagement_id, today)
    kind = str(body.get("kind", rule.kind))
    params = clean_overflow(
        kind,
        body.get("params", rule.params),
        engagement,
        brand.id,
        brand_reasons(brand.settings),
        keys,
        teams,
        today,
    )
    assert engagement is not None
    rule.kind, rule.params, rule.engagement_id = kind, params, engagement.id
    if "position" in body:
        if not isinstance(body["position"], int) or body["position"] < 0:
            raise fail("position", "a whole number ≥ 0")
        rule.position = body["position"]
    if "active" in body:
        rule.active = bool(body["active"])
    _log(session, "routing.overflow_rule.updated", brand.id, who, rule=rule.id)
    return rule


def do_delete_overflow_rule(session: Session, rule: OverflowRule, who: Principal) -> None:
    session.delete(rule)
    _log(session, "routing.overflow_rule.deleted", rule.brand_id, who, rule=rule.id)


def do_set_team_hours(
    session: Session,
    brand: Organisation,
    team_id: int,
    timezone: str | None,
    weekly: Any,
    who: Principal,
) -> TeamHours:
    team = session.get(Team, team_id)
    if team is None or team.organisation_id != brand.id:
        raise ActionError(f"the brand has no team {team_id}", field="team_id", status=404)
    tz = timezone or brand.timezone
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise fail("timezone", f"unknown timezone {tz!r}") from exc
    if not isinstance(weekly, dict):
        raise fail("weekly", "an object: mon..sun → [[opens, closes], ...]")
    problems = validate_weekly(weekly)
    if problems:
        raise fail("weekly", "; ".join(problems))
    row = session.get(TeamHours, team_id)
    if row is None:
        row = TeamHours(team_id=team_id)
        session.add(row)
    row.timezone, row.weekly, row.updated_at = tz, weekly, utcnow()
    _log(session, "routing.team_hours.set", brand.id, who, team=team_id)
    return row


SETTINGS_KEYS = ("capacity", "offline_grace_seconds", "handled_per_agent_hour")


def do_set_routing_settings(
    session: Session, brand: Organisation, body: dict[str, Any], who: Principal
) -> dict[str, Any]:
    unknown = set(body) - set(SETTINGS_KEYS)
    if unknown:
        raise fail(sorted(unknown)[0], f"unknown setting (known: {', '.join(SETTINGS_KEYS)})")
    current = dict((brand.settings or {}).get("routing") or {})
    if "capacity" in body:
        current["capacity"] = clean_capacity("capacity", body["capacity"])
    if "offline_grace_seconds" in body:
        value = body["offline_grace_seconds"]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 86400:
            raise fail("offline_grace_seconds", "a whole number of seconds from 0 to 86400")
        current["offline_grace_seconds"] = value
    if "handled_per_agent_hour" in body:
        value = body["handled_per_agent_hour"]
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise fail("handled_per_agent_hour", "a number > 0")
        current["handled_per_agent_hour"] = value
    brand.settings = {**(brand.settings or {}), "routing": current}
    _log(session, "routing.settings.set", brand.id, who, fields=sorted(body))
    return current


def profile_of(session: Session, user_id: int) -> AgentProfile:
    """The agent's routing profile, created offline with no skill limits when missing."""
    profile = session.get(AgentProfile, user_id)
    if profile is None:
        profile = AgentProfile(
            user_id=user_id,
            skills={},
            level=1,
            capacity={},
            presence="offline",
            presence_since=utcnow(),
        )
        session.add(profile)
        session.flush()
    return profile


def engaged_brands(session: Session, team_id: int | None, today: date) -> set[int]:
    if team_id is None:
        return set()
    return set(
        session.scalars(
            select(Engagement.brand_id).where(
                Engagement.team_id == team_id, Engagement.starts_on <= today
            )
        )
    )


def do_set_agent_profile(
    session: Session, user: User, body: dict[str, Any], who: Principal
) -> AgentProfile:
    """Skills (languages, reasons, channels, brands), level, capacity per channel kind."""
    unknown = set(body) - {"skills", "level", "capacity"}
    if unknown:
        raise fail(sorted(unknown)[0], "unknown field (skills, level, capacity)")
    org = session.get(Organisation, user.organisation_id)
    assert org is not None
    profile = profile_of(session, user.id)
    if "skills" in body:
        raw = body["skills"]
        if not isinstance(raw, dict):
            raise fail("skills", "an object")
        extra = set(raw) - {"languages", "reasons", "channels", "brands"}
        if extra:
            raise fail(
                f"skills.{sorted(extra)[0]}", "unknown skill (languages, reasons, channels, brands)"
            )
        languages = _strings("skills.languages", raw.get("languages"))
        check_languages("skills.languages", languages)
        channels = _strings("skills.channels", raw.get("channels"))
        check_values("skills.channels", channels, CHANNELS, "channel")
        brands = raw.get("brands") or []
        if not isinstance(brands, list) or not all(isinstance(b, int) for b in brands):
            raise fail("skills.brands", "a list of brand ids")
        allowed = (
            {org.id}
            if org.kind == "brand"
            else engaged_brands(session, user.team_id, utcnow().date())
        )
        outside = [b for b in brands if b not in allowed]
        if outside:
            raise fail("skills.brands", f"brand {outside[0]} is not one this agent's team serves")
        known_reasons: frozenset[str] = frozenset()
        for b in brands or sorted(allowed):
            brand = session.get(Organisation, b)
            known_reasons |= brand_reasons(brand.settings if brand else None)
        reasons = _strings("skills.reasons", raw.get("reasons"))
        check_values("skills.reasons", reasons, known_reasons or brand_reasons(None), "reason")
        profile.skills = {
            "languages": languages,
            "reasons": reasons,
            "channels": channels,
            "brands": brands,
        }
    if "level" in body:
        level = body["level"]
        if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= 10:
            raise fail("level", "a whole number from 0 to 10")
        profile.level = level
    if "capacity" in body:
        profile.capacity = clean_capacity("capacity", body["capacity"])
    _log(
        session,
        "routing.agent_profile.set",
        org.id if org.kind == "brand" else None,
        who,
        agent=user.id,
        fields=sorted(body),
    )
    return profile


def do_set_customer_tags(
    session: Session, customer: Customer, tags: Any, who: Principal
) -> Customer:
    values = sorted({t.lower() for t in _strings("tags", tags)})
    customer.tags = values
    record_event(
        session,
        "customer.tagged",
        brand_id=customer.brand_id,
        actor=who.actor,
        customer_id=customer.id,
        data={"tags": values},
    )
    return customer
