"""Daily roll-ups: read a brand's base rows for some local days, add up, store.

``compute_days`` is the one computation (the job, ``kpis rebuild`` and the live "today" of
:mod:`.query` all call it): the day's requests (cases whose first contact fell on it,
merged ones excluded: their messages live in the target), the contacts received on it,
the cases open at its end, plus the plugged-in extra sources. Plain SQLAlchemy Core, the
same on SQLite and PostgreSQL; per-case arithmetic is :mod:`.compute` (pure).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Integer,
    any_,
    bindparam,
    delete,
    insert,
    select,
)

from omnicase.model import Case, Event, KpiDaily, Message, Organisation, User
from omnicase.model.base import utcnow
from omnicase.quality.kpis import histogram
from omnicase.quality.kpis.compute import MessageIn, Objective, add_facts, answer_time, case_facts
from omnicase.quality.kpis.definitions import COMPONENTS, EXTRA_SOURCES
from omnicase.sla.calendar import BusinessCalendar, compiled
from omnicase.sla.policies import PolicyBook

#: (channel, team_id, agent_id, reason, queue)
Key = tuple[str | None, int | None, int | None, str | None, str | None]
CHUNK = 500
#: On PostgreSQL the ids go as one array parameter: bigger chunks, fewer round trips.
PG_CHUNK = 5000


@dataclass(slots=True)
class Acc:
    components: dict[str, int] = field(default_factory=dict)
    hists: dict[str, histogram.Histogram] = field(default_factory=dict)
    extra: dict[str, float] = field(default_factory=dict)

    def add(self, other: Acc) -> None:
        for k, n in other.components.items():
            self.components[k] = self.components.get(k, 0) + n
        for k, h in other.hists.items():
            histogram.merge(self.hists.setdefault(k, {}), h)  # type: ignore[arg-type]
        for k, v in other.extra.items():
            self.extra[k] = self.extra.get(k, 0) + v


DayRows = dict[date, dict[Key, Acc]]


def brand_zone(conn: Connection, brand_id: int) -> ZoneInfo:
    tz = conn.scalar(select(Organisation.timezone).where(Organisation.id == brand_id))
    return ZoneInfo(tz or "Europe/Paris")


def day_bounds(zone: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    """The brand-local day as a UTC half-open interval (23 or 25 h on DST days)."""
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


def local_day(zone: ZoneInfo, at: datetime) -> date:
    return at.astimezone(zone).date()


def _chunks(ids: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _utc(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


@dataclass(slots=True)
class _Loaded:
    cases: dict[int, Any] = field(default_factory=dict)
    messages: dict[int, list[MessageIn]] = field(default_factory=dict)
    reopens: dict[int, int] = field(default_factory=dict)


CASE_COLUMNS = (
    Case.id,
    Case.channel,
    Case.reason,
    Case.queue,
    Case.team_id,
    Case.priority,
    Case.status,
    Case.first_inbound_at,
    Case.resolved_at,
    Case.closed_at,
    Case.updated_at,
    Case.merged_into_id,
    Case.sla_clock,
)


def _member(conn: Connection, column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """``column IN ids``: one array parameter on PostgreSQL (psycopg spends more time
    parsing 500 placeholders than the server spends answering), a plain IN elsewhere."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam("ids", list(ids), type_=ARRAY(Integer)))  # type: ignore[no-any-return]
    return column.in_(ids)  # type: ignore[no-any-return]


def _load(conn: Connection, loaded: _Loaded, ids: Iterable[int]) -> None:
    """Cases, their messages and reopen counts, for the ids not loaded yet."""
    todo = sorted(set(ids) - loaded.cases.keys())
    size = PG_CHUNK if conn.dialect.name == "postgresql" else CHUNK
    for part in _chunks(todo, size):
        for row in conn.execute(select(*CASE_COLUMNS).where(_member(conn, Case.id, part))):
            loaded.cases[row.id] = row
            loaded.messages[row.id] = []
        q = select(
            Message.case_id,
            Message.channel,
            Message.direction,
            Message.received_at,
            Message.author_user_id,
            Message.meta,
            Message.conversation_id,
        ).where(_member(conn, Message.case_id, part))
        for m in conn.execute(q):
            loaded.messages.setdefault(m.case_id, []).append(
                MessageIn(
                    m.channel,
                    m.direction,
                    _utc(m.received_at) or m.received_at,
                    m.author_user_id,
                    m.meta or {},
                    m.conversation_id,
                )
            )
        reopen_q = select(Event.case_id).where(
            _member(conn, Event.case_id, part), Event.kind == "case.reopened"
        )
        for (cid,) in conn.execute(reopen_q):
            if cid is None:
                continue
            loaded.reopens[cid] = loaded.reopens.get(cid, 0) + 1


class _Context:
    """What every case of one brand needs: objectives, calendars, agents' teams."""

    def __init__(self, conn: Connection, brand_id: int) -> None:
        self.brand_id = brand_id
        self.book = PolicyBook(conn, [brand_id])
        self.calendars: dict[int | None, BusinessCalendar] = {}
        self.user_team: dict[int, int | None] = dict(
            [(r[0], r[1]) for r in conn.execute(select(User.id, User.team_id))]
        )
        self.keys: dict[tuple[int, str | None], Key] = {}

    def calendar(self, calendar_id: int | None) -> BusinessCalendar:
        if calendar_id not in self.calendars:
            self.calendars[calendar_id] = compiled(self.book.spec(self.brand_id, calendar_id))
        return self.calendars[calendar_id]

    def objective(self, case: Any) -> tuple[Objective, BusinessCalendar]:
        clock = case.sla_clock or {}
        t = clock.get("targets") if isinstance(clock, dict) else None
        if t:
            first = int(t["first_response"])
            nxt = t.get("next_response") or first
            business, cal_id = bool(t.get("business_hours")), t.get("calendar_id")
        else:
            targets = self.book.targets_for(self.brand_id, case.channel, case.priority or 0)
            first, nxt = targets.first_response, targets.next_response or targets.first_response
            business, cal_id = targets.business_hours, targets.calendar_id
        cal = self.calendar(cal_id if business else None)
        return Objective(first, int(nxt), business), cal

    def first_agent(self, messages: Sequence[MessageIn], since: datetime | None) -> int | None:
        for m in sorted(messages, key=lambda m: m.at):
            at = answer_time(m)
            if at is not None and (since is None or at >= since):
                return m.author_user_id if m.direction == "outbound" else None
        return None

    def key(self, case: Any, messages: Sequence[MessageIn], channel: str | None = None) -> Key:
        """A case's breakdown: the team of the agent who answered first, else the case's."""
        cached = self.keys.get((case.id, channel))
        if cached is not None:
            return cached
        agent = self.first_agent(messages, _utc(case.first_inbound_at))
        team = self.user_team.get(agent) if agent is not None else None
        key = (channel or case.channel, team or case.team_id, agent, case.reason, case.queue)
        self.keys[(case.id, channel)] = key
        return key


def _ended_at(case: Any) -> datetime | None:
    end = _utc(case.resolved_at) or _utc(case.closed_at)
    if end is None and case.status in ("resolved", "closed"):
        end = _utc(case.updated_at)
    return end


def compute_days(conn: Connection, brand_id: int, first: date, last: date) -> DayRows:
    """Every breakdown row of the brand's local days ``first``..``last`` (inclusive)."""
    zone = brand_zone(conn, brand_id)
    ctx = _Context(conn, brand_id)
    lo, _ = day_bounds(zone, first)
    _, hi = day_bounds(zone, last)
    loaded = _Loaded()
    out: DayRows = {}

    def acc(day: date, key: Key) -> Acc:
        return out.setdefault(day, {}).setdefault(key, Acc())

    cohort = [
        cid
        for (cid,) in conn.execute(
            select(Case.id).where(
                Case.brand_id == brand_id,
                Case.first_inbound_at >= lo,
                Case.first_inbound_at < hi,
                Case.merged_into_id.is_(None),
            )
        )
    ]
    # open at some day's end: never resolved, or resolved after the first day began; two
    # range reads of ix_cases_brand_resolved (an OR would scan every case of the brand)
    backlog: list[int] = []
    for still_open in (Case.resolved_at.is_(None), Case.resolved_at >= lo):
        backlog_q = select(Case.id).where(
            Case.brand_id == brand_id,
            still_open,
            Case.first_inbound_at < hi,
            Case.merged_into_id.is_(None),
        )
        backlog.extend(cid for (cid,) in conn.execute(backlog_q))
    contacts = conn.execute(
        select(Message.case_id, Message.channel, Message.received_at).where(
            Message.brand_id == brand_id,
            Message.received_at >= lo,
            Message.received_at < hi,
            Message.direction == "inbound",
        )
    ).all()
    extras: list[tuple[date, int, dict[str, float]]] = []
    for source in EXTRA_SOURCES.values():
        day = first
        while day <= last:
            start, end = day_bounds(zone, day)
            for cid, values in source.fetch(conn, brand_id, start, end):
                extras.append((day, cid, dict(values)))
            day += timedelta(days=1)
    _load(
        conn, loaded, [*cohort, *backlog, *(c.case_id for c in contacts), *(e[1] for e in extras)]
    )

    for cid in cohort:
        case = loaded.cases[cid]
        first_at = _utc(case.first_inbound_at)
        assert first_at is not None
        messages = loaded.messages.get(cid, [])
        objective, cal = ctx.objective(case)
        facts = case_facts(
            first_at,
            _utc(case.resolved_at),
            loaded.reopens.get(cid, 0),
            messages,
            objective,
            cal.between,
        )
        a = acc(local_day(zone, first_at), ctx.key(case, messages))
        add_facts(a.components, a.hists, facts)
    for cid in backlog:
        case = loaded.cases[cid]
        start_at = _utc(case.first_inbound_at)
        assert start_at is not None
        ended = _ended_at(case)
        key = ctx.key(case, loaded.messages.get(cid, []))
        day = max(first, local_day(zone, start_at))
        while day <= last:
            _, end = day_bounds(zone, day)
            if ended is not None and ended < end:
                break
            a = acc(day, key)
            age = (end - start_at).total_seconds()
            a.components["backlog"] = a.components.get("backlog", 0) + 1
            a.components["backlog_age_sum"] = a.components.get("backlog_age_sum", 0) + int(age)
            histogram.add(a.hists.setdefault("backlog_age", {}), age)
            day += timedelta(days=1)
    for c in contacts:
        case = loaded.cases.get(c.case_id)
        if case is None:
            continue
        at = _utc(c.received_at)
        assert at is not None
        a = acc(local_day(zone, at), ctx.key(case, loaded.messages.get(c.case_id, []), c.channel))
        a.components["contacts"] = a.components.get("contacts", 0) + 1
    for day, cid, values in extras:
        case = loaded.cases.get(cid)
        if case is None:
            continue
        a = acc(day, ctx.key(case, loaded.messages.get(cid, [])))
        for k, v in values.items():
            a.extra[k] = a.extra.get(k, 0) + v
    return out


def _row(brand_id: int, day: date, grain: str, key: Key, a: Acc, now: datetime) -> dict[str, Any]:
    channel, team, agent, reason, queue = key
    row: dict[str, Any] = {
        "brand_id": brand_id,
        "day": day,
        "grain": grain,
        "channel": channel,
        "team_id": team,
        "agent_id": agent,
        "reason": reason,
        "queue": queue,
        "hist": {k: histogram.to_json(h) for k, h in a.hists.items() if h},
        "extra": a.extra,
        "computed_at": now,
    }
    for name in COMPONENTS:
        row[name] = a.components.get(name, 0)
    return row


#: Stored grains: the dimensions each keeps (the others null). A query reads the smallest
#: grain holding every breakdown it asks for (``detail`` holds them all).
GRAINS: dict[str, tuple[int, ...]] = {
    "total": (),
    "channel": (0,),
    "team": (1,),
    "agent": (1, 2),
    "reason": (3,),
    "queue": (4,),
    "ch_team": (0, 1),
    "detail": (0, 1, 2, 3, 4),
}


def _project(key: Key, keep: tuple[int, ...]) -> Key:
    k = [v if i in keep else None for i, v in enumerate(key)]
    return (k[0], k[1], k[2], k[3], k[4])  # type: ignore[return-value]


def store_days(conn: Connection, brand_id: int, days: Iterable[date], rows: DayRows) -> int:
    """Replace the stored rows of ``days``, every grain (a day without data keeps a zero
    ``total`` row, so "no data" and "not computed" differ)."""
    days = sorted(set(days))
    now = utcnow()
    conn.execute(delete(KpiDaily).where(KpiDaily.brand_id == brand_id, KpiDaily.day.in_(days)))
    batch: list[dict[str, Any]] = []
    written = 0
    for day in days:
        for grain, keep in GRAINS.items():
            merged: dict[Key, Acc] = {}
            for key, a in rows.get(day, {}).items():
                if grain == "detail":
                    merged[key] = a
                else:
                    merged.setdefault(_project(key, keep), Acc()).add(a)
            if grain == "total" and not merged:
                merged[(None, None, None, None, None)] = Acc()
            batch.extend(_row(brand_id, day, grain, k, a, now) for k, a in merged.items())
        if len(batch) >= 5000:
            conn.execute(insert(KpiDaily), batch)
            written, batch = written + len(batch), []
    if batch:
        conn.execute(insert(KpiDaily), batch)
    return written + len(batch)


def rebuild(conn: Connection, brand_id: int, first: date, last: date, chunk_days: int = 7) -> int:
    """Recompute and store ``first``..``last``, ``chunk_days`` at a time; rows written."""
    written = 0
    day = first
    while day <= last:
        end = min(last, day + timedelta(days=chunk_days - 1))
        rows = compute_days(conn, brand_id, day, end)
        span = [day + timedelta(days=i) for i in range((end - day).days + 1)]
        written += store_days(conn, brand_id, span, rows)
        day = end + timedelta(days=1)
    return written
