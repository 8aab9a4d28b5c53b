"""A brand engages, re-scopes and ends a provider team's engagement.

The access rule (:func:`omnicase.store.scope.active_grants`) reads ``starts_on`` and
``ends_on`` (inclusive, in the brand's timezone): ending an engagement is setting its last
day, after which the provider's staff no longer see the brand's cases. Only the brand's
admins write engagements (they open the brand's cases to another organisation, as
provider contracts in :mod:`omnicase.reports.service`); each action records an
``engagement.*`` event. None commits.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.model import Engagement, Organisation, RoutingQueue, Team
from omnicase.routing.validate import CHANNELS, _strings, brand_reasons, check_values, fail
from omnicase.services.cases import ActionError, record_event
from omnicase.services.orgs import do_create_engagement
from omnicase.store.scope import Principal

SCOPE = ("channels", "queues", "reasons")


def check_engagement_writer(who: Principal, brand_id: int) -> None:
    """The brand's admins, with a credential not restricted to another brand."""
    if not (
        who.is_brand_staff
        and who.organisation_id == brand_id
        and who.role == "admin"
        and who.brand_id in (None, brand_id)
    ):
        raise ActionError("only the brand's admins engage provider teams", status=403)


def brand_today(brand: Organisation) -> date:
    """The brand's date now: an engagement's days are the brand's days."""
    try:
        return datetime.now(ZoneInfo(brand.timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return datetime.now(UTC).date()


def _scope(session: Session, brand: Organisation, body: dict[str, Any]) -> dict[str, Any]:
    """Channels, queues and reasons the engagement covers (empty = any), each known."""
    queues = frozenset(
        session.scalars(select(RoutingQueue.key).where(RoutingQueue.brand_id == brand.id))
    ) | {"default"}
    known = {"channels": CHANNELS, "queues": queues, "reasons": brand_reasons(brand.settings)}
    out: dict[str, Any] = {}
    for key in SCOPE:
        if key in body:
            values = _strings(key, body[key])
            check_values(key, values, known[key], key.rstrip("s"))
            out[key] = values
    if "share_percent" in body:
        share = body["share_percent"]
        if share is not None and (
            not isinstance(share, int) or isinstance(share, bool) or not 1 <= share <= 100
        ):
            raise fail("share_percent", "a whole percentage from 1 to 100, or empty")
        out["share_percent"] = share
    if "overflow_only" in body:
        out["overflow_only"] = bool(body["overflow_only"])
    return out


def do_engage_team(
    session: Session,
    who: Principal,
    brand: Organisation,
    team_id: Any,
    body: dict[str, Any],
) -> Engagement:
    """A provider team starts serving the brand (``starts_on``, optional ``ends_on``)."""
    check_engagement_writer(who, brand.id)
    team = session.get(Team, team_id) if isinstance(team_id, int) else None
    if team is None or team.organisation.kind != "provider":
        raise fail("team_id", "choose a provider's team")
    fields = _scope(session, brand, body)
    starts_on = body.get("starts_on")
    if not isinstance(starts_on, date):
        raise fail("starts_on", "a date (YYYY-MM-DD)")
    ends_on = body.get("ends_on")
    if ends_on is not None and not isinstance(ends_on, date):
        raise fail("ends_on", "a date (YYYY-MM-DD), or empty")
    return do_create_engagement(
        session,
        team=team,
        brand=brand,
        starts_on=starts_on,
        ends_on=ends_on,
        actor=who.actor,
        **fields,
    )


def do_update_engagement(
    session: Session, who: Principal, engagement: Engagement, body: dict[str, Any]
) -> Engagement:
    """Change what the engagement covers (channels, queues, reasons, overflow only,
    share); its dates change through :func:`do_end_engagement`."""
    check_engagement_writer(who, engagement.brand_id)
    unknown = set(body) - {*SCOPE, "overflow_only", "share_percent"}
    if unknown:
        raise fail(sorted(unknown)[0], "not a field of an engagement's scope")
    brand = session.get(Organisation, engagement.brand_id)
    assert brand is not None
    fields = _scope(session, brand, body)
    for key, value in fields.items():
        setattr(engagement, key, value)
    record_event(
        session,
        "engagement.updated",
        brand_id=engagement.brand_id,
        actor=who.actor,
        data={"engagement": engagement.id, "fields": sorted(fields)},
    )
    return engagement


def do_end_engagement(
    session: Session, who: Principal, engagement: Engagement, ends_on: Any
) -> Engagement:
    """``ends_on`` is the last day served; the provider loses access after it."""
    check_engagement_writer(who, engagement.brand_id)
    if not isinstance(ends_on, date):
        raise fail("ends_on", "a date (YYYY-MM-DD)")
    if ends_on < engagement.starts_on:
        raise fail("ends_on", f"before the engagement starts ({engagement.starts_on.isoformat()})")
    engagement.ends_on = ends_on
    record_event(
        session,
        "engagement.ended",
        brand_id=engagement.brand_id,
        actor=who.actor,
        data={"engagement": engagement.id, "ends_on": ends_on.isoformat()},
    )
    return engagement
