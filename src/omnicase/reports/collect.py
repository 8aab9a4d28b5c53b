"""The daily report's figures read straight from the store (cases, messages, teams).

One module on purpose: when the KPI engine's daily roll-ups land, :func:`collect` is the
one thing to replace (same :class:`DailyReportData` out). Definitions (docs/reports.md):

* the day is the brand-local calendar day; ``as_of`` is the cut-off (default: now, or
  the end of the next day for an older day, so a report re-made later says the same);
* a **request** is a case whose first contact falls in the day (merged cases excluded),
  counted on its origin channel; a **contact** is an inbound message of the day;
* **answered**: a first response by ``as_of``; the first-response time is counted on the
  case's own SLA basis (business hours for email/web form by default); **within
  objective** comes from the case's SLA outcome (pauses honoured), else from that time;
  the within-objective rate is over requests whose outcome is known by ``as_of``;
* **backlog**: cases started before the end of the day and neither resolved nor closed
  by then; its age is counted from the first contact.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from omnicase.model import Case, Engagement, Message, Organisation, Team
from omnicase.model.base import utcnow
from omnicase.model.reports import EngagementContract
from omnicase.reports import figures
from omnicase.reports.contracts import contract_section
from omnicase.reports.data import ChannelSection, DailyReportData, Kpis, TeamSection
from omnicase.reports.figures import BacklogRow, ContactRow, RequestRow
from omnicase.sla.clock import FIRST_RESPONSE, SlaClock
from omnicase.sla.policies import PolicyBook

CHANNEL_ORDER = (
    "email",
    "webform",
    "chat",
    "phone",
    "whatsapp",
    "sms",
    "messenger",
    "instagram",
    "x",
)


def day_bounds(tz: str, day: date) -> tuple[datetime, datetime]:
    """The brand-local day as a UTC half-open interval (23 or 25 hours on DST days)."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


def default_as_of(tz: str, day: date, now: datetime | None = None) -> datetime:
    now = now or utcnow()
    _, end = day_bounds(tz, day)
    return min(now, end + timedelta(days=1))


def _brand(session: Session, brand: str | int) -> Organisation:
    query = select(Organisation).where(Organisation.kind == "brand")
    query = query.where(
        Organisation.id == brand if isinstance(brand, int) else Organisation.slug == brand
    )
    org = session.scalar(query)
    if org is None:
        raise LookupError(f"no brand {brand!r}")
    return org


def _requests(
    session: Session,
    brand: Organisation,
    book: PolicyBook,
    start: datetime,
    end: datetime,
    as_of: datetime,
    team_id: int | None,
) -> list[RequestRow]:
    query = select(
        Case.id,
        Case.channel,
        Case.reason,
        Case.team_id,
        Case.priority,
        Case.first_inbound_at,
        Case.first_response_at,
        Case.sla_clock,
        Case.keywords,
    ).where(
        Case.brand_id == brand.id,
        Case.merged_into_id.is_(None),
        Case.first_inbound_at >= start,
        Case.first_inbound_at < end,
    )
    if team_id is not None:
        query = query.where(Case.team_id == team_id)
    rows: list[RequestRow] = []
    for cid, channel, reason, team, priority, first_in, first_out, clock, kws in session.execute(
        query.order_by(Case.id)
    ):
        stored: SlaClock | None = SlaClock.from_json(clock) if clock else None
        targets = stored.targets if stored else book.targets_for(brand.id, channel, priority)
        basis = book.basis(brand.id, targets)
        answered = first_out is not None and first_out <= as_of
        frt: float | None = None
        within: bool | None = None
        if answered:
            frt = max(0.0, basis.between(first_in, first_out))
            outcome = stored.outcomes.get(FIRST_RESPONSE) if stored else None
            within = outcome.met if outcome is not None else frt <= targets.first_response
        else:
            due = stored.due(FIRST_RESPONSE) if stored else None
            due = due or basis.add(first_in, targets.first_response)
            within = False if due <= as_of else None
        rows.append(
            RequestRow(
                cid,
                channel,
                reason or "other",
                team,
                answered,
                within,
                frt,
                targets.first_response,
                targets.business_hours,
                tuple(kws or ()),
            )
        )
    return rows


def _contacts(
    session: Session, brand: Organisation, start: datetime, end: datetime, team_id: int | None
) -> list[ContactRow]:
    zone = ZoneInfo(brand.timezone)
    query = (
        select(Message.channel, Case.team_id, Message.received_at, Message.meta)
        .join(Case, Case.id == Message.case_id)
        .where(
            Message.brand_id == brand.id,
            Message.direction == "inbound",
            Message.received_at >= start,
            Message.received_at < end,
        )
    )
    if team_id is not None:
        query = query.where(Case.team_id == team_id)
    out = []
    for channel, team, at, meta in session.execute(query):
        # the phone adapter writes meta.call.outcome; canonical input may carry meta.outcome
        call = (meta or {}).get("call") or meta or {}
        missed = call.get("outcome") in ("missed", "voicemail")
        out.append(ContactRow(channel, team, at.astimezone(zone).hour, bool(missed)))
    return out


def _backlog(
    session: Session, brand: Organisation, end: datetime, team_id: int | None
) -> list[BacklogRow]:
    query = select(Case.channel, Case.team_id, Case.first_inbound_at).where(
        Case.brand_id == brand.id,
        Case.merged_into_id.is_(None),
        Case.first_inbound_at < end,
        or_(Case.resolved_at.is_(None), Case.resolved_at >= end),
        or_(Case.closed_at.is_(None), Case.closed_at >= end),
        or_(
            Case.status.in_(("new", "open", "pending")),
            and_(Case.resolved_at.is_not(None), Case.resolved_at >= end),
            and_(Case.closed_at.is_not(None), Case.closed_at >= end),
        ),
    )
    if team_id is not None:
        query = query.where(Case.team_id == team_id)
    return [
        BacklogRow(ch, team, figures.age_hours(end, first or end))
        for ch, team, first in session.execute(query)
    ]


def _teams(
    session: Session, brand: Organisation, day: date, team_ids: set[int]
) -> list[tuple[int, str, str]]:
    """Provider teams to show: engaged on the brand that day, or holding cases of it."""
    engaged = select(Engagement.team_id).where(
        Engagement.brand_id == brand.id,
        Engagement.starts_on <= day,
        or_(Engagement.ends_on.is_(None), Engagement.ends_on >= day),
    )
    query = (
        select(Team.id, Team.name, Organisation.name)
        .join(Organisation, Organisation.id == Team.organisation_id)
        .where(
            Organisation.kind == "provider",
            or_(Team.id.in_(engaged), Team.id.in_(sorted(team_ids) or [-1])),
        )
        .order_by(Organisation.name, Team.name)
    )
    return [(tid, name, org) for tid, name, org in session.execute(query)]


def _split(rows: Sequence[Any], key: str, value: Any) -> list[Any]:
    return [r for r in rows if getattr(r, key) == value]


def collect(
    session: Session,
    brand: str | int,
    day: date,
    *,
    as_of: datetime | None = None,
    engagement_id: int | None = None,
    now: datetime | None = None,
) -> DailyReportData:
    """Every figure of ``brand``'s report for ``day`` (or of one provider engagement)."""
    org = _brand(session, brand)
    settings = (org.settings or {}).get("reports") or {}
    start, end = day_bounds(org.timezone, day)
    as_of = as_of or default_as_of(org.timezone, day, now)
    cut = min(end, as_of)
    engagement = session.get(Engagement, engagement_id) if engagement_id is not None else None
    if engagement_id is not None and (engagement is None or engagement.brand_id != org.id):
        raise LookupError(f"no engagement {engagement_id} of brand {org.slug}")
    team = engagement.team_id if engagement is not None else None
    book = PolicyBook(session.connection(), [org.id])
    reqs = _requests(session, org, book, start, end, as_of, team)
    cons = _contacts(session, org, start, cut, team)
    back = _backlog(session, org, cut, team)
    p_start, _ = day_bounds(org.timezone, day - timedelta(days=figures.PREVIOUS_DAYS))
    prev_reqs = _requests(session, org, book, p_start, start, as_of, team)
    prev_cons = _contacts(session, org, p_start, start, team)

    channels = sorted(
        {r.channel for r in reqs} | {c.channel for c in cons} | {b.channel for b in back},
        key=lambda c: (CHANNEL_ORDER.index(c) if c in CHANNEL_ORDER else 99, c),
    )
    sections = []
    pct = float(settings.get("change_percent", 20))
    pts = float(settings.get("change_points", 5))
    rule = {"relative": pct / 100, "points": pts / 100}
    total = figures.kpis(reqs, cons, back)
    previous = figures.kpis(prev_reqs, prev_cons, [])
    changes = figures.notable_changes(total, previous, "all", **rule)
    for ch in channels:
        ch_reqs, ch_cons = _split(reqs, "channel", ch), _split(cons, "channel", ch)
        k = figures.kpis(ch_reqs, ch_cons, _split(back, "channel", ch), channel=ch)
        reasons: dict[str, int] = {}
        for r in ch_reqs:
            reasons[r.reason] = reasons.get(r.reason, 0) + 1
        hours = [0] * 24
        for c in ch_cons:
            hours[c.local_hour] += 1
        sections.append(
            ChannelSection(ch, k, dict(sorted(reasons.items(), key=lambda kv: -kv[1])), hours)
        )
        prev = figures.kpis(
            _split(prev_reqs, "channel", ch), _split(prev_cons, "channel", ch), [], channel=ch
        )
        changes += figures.notable_changes(k, prev, ch, **rule)

    providers = _teams(session, org, day, {r.team_id for r in reqs if r.team_id is not None})
    provider_ids = {tid for tid, _, _ in providers}
    teams: list[TeamSection] = []
    if engagement is None:
        internal = [r for r in reqs if r.team_id not in provider_ids]
        teams.append(
            TeamSection(
                None,
                "internal",
                None,
                figures.kpis(
                    internal,
                    [c for c in cons if c.team_id not in provider_ids],
                    [b for b in back if b.team_id not in provider_ids],
                ),
            )
        )
    for tid, name, provider in providers:
        if team is not None and tid != team:
            continue
        teams.append(
            TeamSection(
                tid,
                name,
                provider,
                figures.kpis(
                    _split(reqs, "team_id", tid),
                    _split(cons, "team_id", tid),
                    _split(back, "team_id", tid),
                ),
            )
        )
    contracts = []
    by_team = {t.team_id: t for t in teams}
    for eng_id, eng_team, objectives, rules in _contracts(session, org, day, engagement_id):
        section = by_team.get(eng_team)
        if section is not None and section.provider is not None:
            contracts.append(contract_section(eng_id, section, objectives, rules))
    return DailyReportData(
        brand=org.slug,
        brand_name=org.name,
        language=(org.language or "fr")[:2],
        day=day,
        timezone=org.timezone,
        generated_at=now or utcnow(),
        as_of=as_of,
        engagement_id=engagement_id,
        total=total,
        previous=previous,
        channels=sections,
        teams=teams,
        top_issues=figures.top_issues(reqs, prev_reqs),
        notable_changes=changes,
        contracts=contracts,
        change_thresholds=(pct, pts),
    )


def _contracts(
    session: Session, org: Organisation, day: date, engagement_id: int | None
) -> list[tuple[int, int, dict[str, Any], dict[str, Any]]]:
    query = (
        select(
            Engagement.id,
            Engagement.team_id,
            EngagementContract.objectives,
            EngagementContract.rules,
        )
        .join(EngagementContract, EngagementContract.engagement_id == Engagement.id)
        .where(
            Engagement.brand_id == org.id,
            Engagement.starts_on <= day,
            or_(Engagement.ends_on.is_(None), Engagement.ends_on >= day),
        )
        .order_by(Engagement.id)
    )
    if engagement_id is not None:
        query = query.where(Engagement.id == engagement_id)
    return [(e, t, dict(o or {}), dict(r or {})) for e, t, o, r in session.execute(query)]


__all__ = ["Kpis", "collect", "day_bounds", "default_as_of"]
