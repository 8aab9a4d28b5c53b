"""Incremental upkeep: which (brand, day) roll-ups are stale, and the job that redoes them.

Everything that changes a KPI writes an event with its case (a message received or sent,
a status change, a merge, a split; CSAT, consistency and QA modules do the same). Each
run reads the events after the watermark, plus those of the last :data:`LAG` (on
PostgreSQL an event id can commit after a higher one: re-reading a short window catches
it; recomputing a day twice is harmless), and marks dirty the brand-local day of the
event and the day of its case's first contact (where the case's request is counted).
Then it recomputes the dirty days, each brand's consecutive days in one pass.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from omnicase.jobs import JobContext, RetryPolicy, job, periodic
from omnicase.model import Case, Event, KpiDirtyDay, KpiWatermark, Organisation
from omnicase.model.base import utcnow
from omnicase.quality.kpis.rollup import brand_zone, compute_days, local_day, store_days

log = logging.getLogger(__name__)

JOB = "kpis.rollup"
WATERMARK = "events"
LAG = timedelta(minutes=2)
#: Events read per run at most (a backlog of events is worked off over several runs).
MAX_EVENTS = 50_000


def mark_days(conn: Connection, days: set[tuple[int, date]]) -> int:
    """Add dirty (brand, day) pairs not yet marked."""
    if not days:
        return 0
    brands = {b for b, _ in days}
    query = select(KpiDirtyDay.brand_id, KpiDirtyDay.day).where(KpiDirtyDay.brand_id.in_(brands))
    known = {(r[0], r[1]) for r in conn.execute(query)}
    new = sorted(days - known)
    if new:
        now = utcnow()
        conn.execute(
            insert(KpiDirtyDay), [{"brand_id": b, "day": d, "marked_at": now} for b, d in new]
        )
    return len(new)


def collect(conn: Connection, now: datetime) -> int:
    """Mark the days touched by events since the watermark; move the watermark."""
    mark = conn.execute(select(KpiWatermark).where(KpiWatermark.name == WATERMARK)).one_or_none()
    last_id = mark.last_event_id if mark else 0
    since = (mark.last_run_at if mark and mark.last_run_at else now) - LAG
    rows: dict[int, Any] = {}
    cols = (Event.id, Event.brand_id, Event.case_id, Event.at)
    query = select(*cols).where(Event.id > last_id, Event.case_id.is_not(None))
    for r in conn.execute(query.order_by(Event.id).limit(MAX_EVENTS)):
        rows[r.id] = r
    brands = [
        b for (b,) in conn.execute(select(Organisation.id).where(Organisation.kind == "brand"))
    ]
    for b in brands:
        late = select(*cols).where(
            Event.brand_id == b, Event.at >= since, Event.case_id.is_not(None), Event.id <= last_id
        )
        for r in conn.execute(late):
            rows[r.id] = r
    zones = {b: brand_zone(conn, b) for b in brands}
    case_ids = sorted({r.case_id for r in rows.values()})
    first_at: dict[int, tuple[int, datetime | None]] = {}
    for i in range(0, len(case_ids), 500):
        part = case_ids[i : i + 500]
        for cid, bid, at in conn.execute(
            select(Case.id, Case.brand_id, Case.first_inbound_at).where(Case.id.in_(part))
        ):
            first_at[cid] = (bid, at)
    days: set[tuple[int, date]] = set()
    for r in rows.values():
        bid, at = first_at.get(r.case_id, (r.brand_id, None))
        if bid not in zones:
            continue
        days.add((bid, local_day(zones[bid], r.at)))
        if at is not None:
            days.add((bid, local_day(zones[bid], at)))
    marked = mark_days(conn, days)
    new_last = max(rows, default=last_id)
    new_last = max(new_last, last_id)
    if mark is None:
        conn.execute(
            insert(KpiWatermark).values(name=WATERMARK, last_event_id=new_last, last_run_at=now)
        )
    else:
        conn.execute(
            update(KpiWatermark)
            .where(KpiWatermark.name == WATERMARK)
            .values(last_event_id=new_last, last_run_at=now)
        )
    return marked


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    out: list[tuple[date, date]] = []
    for d in sorted(days):
        if out and d == out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def refresh(conn: Connection) -> int:
    """Recompute every dirty day (the caller's transaction); days recomputed."""
    by_brand: dict[int, list[date]] = defaultdict(list)
    for b, d in conn.execute(select(KpiDirtyDay.brand_id, KpiDirtyDay.day)):
        by_brand[b].append(d)
    done = 0
    for brand_id, days in by_brand.items():
        for first, last in _runs(days):
            rows = compute_days(conn, brand_id, first, last)
            span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
            store_days(conn, brand_id, span, rows)
            done += len(span)
        conn.execute(
            delete(KpiDirtyDay).where(KpiDirtyDay.brand_id == brand_id, KpiDirtyDay.day.in_(days))
        )
    return done


def pending(conn: Connection) -> int:
    return int(conn.scalar(select(func.count()).select_from(KpiDirtyDay)) or 0)


@periodic(every_seconds=300)
@job(JOB, queue="maintenance", retry=RetryPolicy(max_attempts=3, backoff=30), lock=lambda _: JOB)
def rollup_job(ctx: JobContext, timestamp: int | None = None, **_: Any) -> str:
    """Every 5 minutes: mark the days events touched, recompute them, in one transaction."""
    with ctx.db.transaction() as s:
        conn = s.connection()
        marked = collect(conn, utcnow())
        done = refresh(conn)
    if done:
        log.info("kpi roll-ups: %d days marked, %d recomputed", marked, done)
    return f"{done} days recomputed"
