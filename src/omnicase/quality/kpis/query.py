"""Reading KPIs: stored roll-ups for past days, live figures for today, the access rule.

Brand staff read their brand. Provider staff read, for a brand their team is engaged
with today, only the rows of their own team (every team of their organisation engaged
with it for a provider admin): the cases their team answered first or was handed.
Another brand, or a brand the provider is not engaged with, is "no such brand".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from omnicase.model import KpiDaily, Organisation, Team
from omnicase.quality.kpis import histogram
from omnicase.quality.kpis.definitions import COMPONENTS, DIMENSIONS, HISTOGRAMS, SNAPSHOTS, kpis_of
from omnicase.quality.kpis.rollup import GRAINS, Acc, Key, brand_zone, compute_days
from omnicase.store.scope import Principal, active_grants

MAX_DAYS = 400
KEY_COLUMNS = ("day", "channel", "team_id", "agent_id", "reason", "queue")
DIM_INDEX = {"channel": 0, "team": 1, "agent": 2, "reason": 3, "queue": 4}


PERIODS = ("day", "week", "month")


def period_of(period: str, day: date) -> date:
    """The first day of ``day``'s period (weeks start on Monday)."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def period_end(period: str, first: date) -> date:
    if period == "week":
        return first + timedelta(days=6)
    if period == "month":
        nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return nxt - timedelta(days=1)
    return first


class KpiQueryError(ValueError):
    def __init__(self, field: str, reason: str, status: int = 422) -> None:
        super().__init__(reason)
        self.field = field
        self.status = status


@dataclass(frozen=True, slots=True)
class Access:
    brand_id: int
    #: None: every team (brand staff); else only these teams' rows.
    teams: frozenset[int] | None


def access_for(session: Session, who: Principal, brand: str | int, today: date) -> Access:
    org = session.scalar(
        select(Organisation).where(
            Organisation.kind == "brand",
            Organisation.id == brand if isinstance(brand, int) else Organisation.slug == brand,
        )
    )
    if org is None:
        raise KpiQueryError("brand", "no such brand", 404)
    if who.is_brand_staff:
        if org.id != who.organisation_id:
            raise KpiQueryError("brand", "no such brand", 404)
        return Access(org.id, None)
    teams = frozenset(g.team_id for g in active_grants(session, who, today) if g.brand_id == org.id)
    if not teams:
        raise KpiQueryError("brand", "no such brand", 404)
    return Access(org.id, teams)


def check_by(by: Sequence[str]) -> list[str]:
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise KpiQueryError(
            "by", f"unknown breakdown {unknown[0]!r}; one of {', '.join(DIMENSIONS)}"
        )
    return list(dict.fromkeys(by))


def grain_for(by: Sequence[str], access: Access) -> str:
    """The smallest stored grain with every dimension asked for (and the team, for
    provider staff, whose rows are filtered on it)."""
    needed = {DIM_INDEX[d] for d in by if d in DIM_INDEX}
    if access.teams is not None:
        needed.add(DIM_INDEX["team"])
    fits = [g for g, keep in GRAINS.items() if needed <= set(keep)]
    return min(fits, key=lambda g: len(GRAINS[g]))


def _rows(
    session: Session, access: Access, start: date, end: date, grain: str, today: date
) -> Iterable[tuple[date, Key, Acc]]:
    stored_end = min(end, today - timedelta(days=1))
    if start <= stored_end:
        cols = [getattr(KpiDaily, n) for n in (*KEY_COLUMNS, *COMPONENTS)]
        q = select(KpiDaily.hist, KpiDaily.extra, *cols).where(
            KpiDaily.brand_id == access.brand_id,
            KpiDaily.grain == grain,
            KpiDaily.day >= start,
            KpiDaily.day <= stored_end,
        )
        if access.teams is not None:
            q = q.where(KpiDaily.team_id.in_(access.teams))
        for r in session.execute(q):
            hist, extra = r[0] or {}, r[1] or {}
            a = Acc(dict(zip(COMPONENTS, r[8:], strict=True)), {}, dict(extra))
            for name, h in hist.items():
                a.hists[name] = {int(b): n for b, n in h.items()}
            yield r[2], (r[3], r[4], r[5], r[6], r[7]), a
    if start <= today <= end:
        live = compute_days(session.connection(), access.brand_id, today, today)
        for key, a in live.get(today, {}).items():
            if access.teams is not None and key[1] not in access.teams:
                continue
            yield today, key, a


def query(
    session: Session,
    who: Principal,
    brand: str | int,
    start: date,
    end: date,
    by: Sequence[str] = (),
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """KPIs of ``start``..``end`` (brand-local days, inclusive), broken down by ``by``."""
    by = check_by(by)
    if sum(d in PERIODS for d in by) > 1:
        raise KpiQueryError("by", "one of day, week, month at a time")
    if end < start:
        raise KpiQueryError("to", "must not be before from")
    if (end - start).days + 1 > MAX_DAYS:
        raise KpiQueryError("from", f"at most {MAX_DAYS} days at once")
    probe = now or datetime.now(UTC)
    access = access_for(session, who, brand, probe.date())
    today = probe.astimezone(brand_zone(session.connection(), access.brand_id)).date()
    grain = grain_for(by, access)
    groups: dict[tuple[Any, ...], Acc] = {}
    snapshots: dict[tuple[Any, ...], dict[date, dict[str, int]]] = {}
    for day, key, a in _rows(session, access, start, end, grain, today):
        g = tuple(key[DIM_INDEX[d]] if d in DIM_INDEX else period_of(d, day) for d in by)
        acc = groups.setdefault(g, Acc())
        acc.add(a)  # snapshot components are summed here, then set from one day
        snap = snapshots.setdefault(g, {}).setdefault(day, {})
        for k in SNAPSHOTS:
            snap[k] = snap.get(k, 0) + a.components.get(k, 0)
    teams = _team_labels(session, [g[by.index("team")] for g in groups] if "team" in by else [])
    out = []
    last = min(end, today)
    period = next((d for d in by if d in PERIODS), None)
    for g, acc in sorted(groups.items(), key=lambda kv: tuple(str(x) for x in kv[0])):
        # the backlog of a period is the one at the end of its last day (not a sum)
        first = g[by.index(period)] if period is not None else None
        at = min(last, period_end(period, first)) if period and isinstance(first, date) else last
        snap = snapshots[g].get(at, {})
        for k in SNAPSHOTS:
            acc.components[k] = snap.get(k, 0)
        out.append(_shape(by, g, acc, teams))
    return {
        "brand_id": access.brand_id,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "by": by,
        "histogram_relative_error": round(histogram.RELATIVE_ERROR, 4),
        "rows": out,
    }


def trend(
    session: Session, who: Principal, brand: str | int, days: int, *, now: datetime | None = None
) -> dict[str, Any]:
    """The last ``days`` brand-local days, today included, one row per day."""
    if not 1 <= days <= MAX_DAYS:
        raise KpiQueryError("days", f"between 1 and {MAX_DAYS}")
    probe = now or datetime.now(UTC)
    access = access_for(session, who, brand, probe.date())
    today = probe.astimezone(brand_zone(session.connection(), access.brand_id)).date()
    return query(session, who, brand, today - timedelta(days=days - 1), today, ["day"], now=probe)


def _team_labels(session: Session, ids: Iterable[Any]) -> dict[int, dict[str, str]]:
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted:
        return {}
    q = (
        select(Team.id, Team.name, Organisation.name, Organisation.kind)
        .join(Organisation, Organisation.id == Team.organisation_id)
        .where(or_(Team.id.in_(wanted)))
    )
    return {
        tid: {"team_name": name, "side": "internal" if kind == "brand" else org}
        for tid, name, org, kind in session.execute(q)
    }


def _shape(
    by: Sequence[str], g: tuple[Any, ...], acc: Acc, teams: dict[int, dict[str, str]]
) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for d, v in zip(by, g, strict=True):
        key = {"team": "team_id", "agent": "agent_id"}.get(d, d)
        row[key] = v.isoformat() if isinstance(v, date) else v
        if d == "team":
            row.update(
                teams.get(v, {"team_name": None, "side": None})
                if v is not None
                else {"team_name": None, "side": None}
            )
    components: dict[str, float] = {n: acc.components.get(n, 0) for n in COMPONENTS}
    components.update(acc.extra)
    row["components"] = components
    row["kpis"] = kpis_of(components)
    for name in HISTOGRAMS:
        h = acc.hists.get(name, {})
        row["kpis"][f"{name}_median_s"] = histogram.percentile(h, 0.5)
        row["kpis"][f"{name}_p90_s"] = histogram.percentile(h, 0.9)
    return row
