"""Which targets a case is held to, and on which calendar they are counted.

A brand's policy for the case's channel and priority wins, then its policy for the
channel at any priority, then the built-in default for the channel (:data:`DEFAULTS`:
each channel's usual norm). Business-time targets count on the policy's calendar, else
the brand's default calendar, else :data:`DEFAULT_WEEKLY` in the brand's timezone with
the public holidays of its country.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, select

from omnicase.model import Organisation
from omnicase.model.sla import ANY_PRIORITY, Calendar, SlaPolicy
from omnicase.sla.calendar import CalendarError, CalendarSpec, compiled, parse_spec
from omnicase.sla.clock import ELAPSED, Basis, Targets

HOUR = 3600


@dataclass(frozen=True, slots=True)
class Default:
    first_response: int
    next_response: int | None
    resolution: int | None
    business_hours: bool


#: Channel norms: a call is answered in 20 s, a chat in a minute, social media, SMS and
#: WhatsApp within the hour, email and web forms within 24 business hours. Change them
#: here, or per brand with a policy (``POST /api/v1/sla/policies``).
DEFAULTS: dict[str, Default] = {
    "phone": Default(20, 20, None, business_hours=False),
    "chat": Default(60, 60, None, business_hours=False),
    "messenger": Default(HOUR, HOUR, None, business_hours=False),
    "instagram": Default(HOUR, HOUR, None, business_hours=False),
    "x": Default(HOUR, HOUR, None, business_hours=False),
    "sms": Default(HOUR, HOUR, None, business_hours=False),
    "whatsapp": Default(HOUR, HOUR, None, business_hours=False),
    "email": Default(24 * HOUR, 24 * HOUR, None, business_hours=True),
    "webform": Default(24 * HOUR, 24 * HOUR, None, business_hours=True),
}
DEFAULT_AT_RISK_PERCENT = 80

#: Hours of a brand that has not described its own: Monday to Friday, 9:00-18:00.
DEFAULT_WEEKLY: dict[str, list[list[str]]] = {
    day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
}


@dataclass(frozen=True, slots=True)
class PolicyRow:
    """A policy as the clocks need it (a plain copy: usable after the session)."""

    id: int
    name: str
    brand_id: int
    channel: str
    priority: int
    first_response: int
    next_response: int | None
    resolution: int | None
    business_hours: bool
    calendar_id: int | None
    at_risk_percent: int
    escalations: tuple[dict[str, Any], ...]


@lru_cache(maxsize=1024)
def _spec(key: tuple[Any, ...], stored: str) -> CalendarSpec:
    """Parsed calendars by (id, updated_at): parsing checks holidays, too slow per case."""
    data = json.loads(stored)
    return parse_spec(**data)


def calendar_spec(row: Calendar | Any) -> CalendarSpec:
    stored = json.dumps(
        {
            "timezone": row.timezone,
            "weekly": row.weekly,
            "country": row.country,
            "subdivision": row.subdivision,
            "closures": row.closures or [],
            "openings": row.openings or [],
        },
        sort_keys=True,
    )
    return _spec((row.id, row.updated_at), stored)


def default_calendar_spec(timezone: str, region: str | None) -> CalendarSpec:
    try:
        return _default_spec(timezone, region)
    except CalendarError:  # a region the holidays package does not know: no holidays
        return _default_spec(timezone, None)


@lru_cache(maxsize=256)
def _default_spec(timezone: str, region: str | None) -> CalendarSpec:
    return parse_spec(timezone=timezone, weekly=DEFAULT_WEEKLY, country=region)


class PolicyBook:
    """Every policy and calendar of some brands, read once (per batch or per check)."""

    def __init__(self, conn: Connection, brand_ids: Iterable[int]) -> None:
        ids = sorted(set(brand_ids))
        self.policies: dict[tuple[int, str, int], PolicyRow] = {}
        self.by_id: dict[int, PolicyRow] = {}
        self.calendars: dict[int, CalendarSpec] = {}
        self.default_calendar: dict[int, int] = {}
        self.brands: dict[int, tuple[str, str | None]] = {}
        if not ids:
            return
        for p in conn.execute(select(SlaPolicy).where(SlaPolicy.brand_id.in_(ids))):
            row = PolicyRow(
                p.id,
                p.name,
                p.brand_id,
                p.channel,
                p.priority,
                p.first_response_seconds,
                p.next_response_seconds,
                p.resolution_seconds,
                p.business_hours,
                p.calendar_id,
                p.at_risk_percent,
                tuple(p.escalations or ()),
            )
            self.policies[(p.brand_id, p.channel, p.priority)] = row
            self.by_id[p.id] = row
        for c in conn.execute(select(Calendar).where(Calendar.brand_id.in_(ids))):
            self.calendars[c.id] = calendar_spec(c)
            if c.is_default:
                self.default_calendar[c.brand_id] = c.id
        for bid, tz, region in conn.execute(
            select(Organisation.id, Organisation.timezone, Organisation.region).where(
                Organisation.id.in_(ids)
            )
        ):
            self.brands[bid] = (tz, region)

    def policy_for(self, brand_id: int, channel: str, priority: int) -> PolicyRow | None:
        return self.policies.get((brand_id, channel, priority)) or self.policies.get(
            (brand_id, channel, ANY_PRIORITY)
        )

    def targets_for(self, brand_id: int, channel: str, priority: int) -> Targets:
        policy = self.policy_for(brand_id, channel, priority)
        if policy is not None:
            return Targets(
                policy.first_response,
                policy.next_response,
                policy.resolution,
                policy.business_hours,
                policy.calendar_id,
                policy.at_risk_percent,
                policy.id,
                policy.name,
            )
        d = DEFAULTS.get(channel, DEFAULTS["email"])
        return Targets(
            d.first_response,
            d.next_response,
            d.resolution,
            d.business_hours,
            None,
            DEFAULT_AT_RISK_PERCENT,
            None,
            f"default {channel}",
        )

    def basis(self, brand_id: int, targets: Targets) -> Basis:
        if not targets.business_hours:
            return ELAPSED
        spec = self.spec(brand_id, targets.calendar_id)
        return compiled(spec)

    def spec(self, brand_id: int, calendar_id: int | None) -> CalendarSpec:
        cid = calendar_id if calendar_id in self.calendars else None
        cid = cid if cid is not None else self.default_calendar.get(brand_id)
        if cid is not None:
            return self.calendars[cid]
        tz, region = self.brands.get(brand_id, ("Europe/Paris", "FR"))
        return default_calendar_spec(tz, region)

    def escalations(self, policy_id: int | None) -> tuple[dict[str, Any], ...]:
        policy = self.by_id.get(policy_id) if policy_id is not None else None
        return policy.escalations if policy is not None else ()
