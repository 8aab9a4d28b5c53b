"""The daily schedule: every 15 minutes, each brand whose local ``settings.reports.daily_at``
(default 07:00) has passed gets yesterday's report, and one per provider engagement with
a contract; generation is a job of its own, made once (the ``reports`` row is claimed)."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from omnicase.jobs import JobContext, RetryPolicy, defer, job, periodic
from omnicase.model import Engagement, EngagementContract, Organisation, Report
from omnicase.model.base import utcnow
from omnicase.reports.archive import do_generate
from omnicase.reports.mail import send_report
from omnicase.store.db import Database

log = logging.getLogger(__name__)
DEFAULT_DAILY_AT = "07:00"
RETRY_FAILED = timedelta(hours=1)


def daily_at(settings: dict[str, Any]) -> time:
    value = str(((settings or {}).get("reports") or {}).get("daily_at") or DEFAULT_DAILY_AT)
    try:
        return time.fromisoformat(value)
    except ValueError:
        return time.fromisoformat(DEFAULT_DAILY_AT)


def due_reports(db: Database, now: datetime) -> list[tuple[int, int | None, date]]:
    """(brand, engagement or None, day) whose time has come and that are not made yet."""
    out: list[tuple[int, int | None, date]] = []
    with db.reading() as session:
        brands = session.execute(
            select(Organisation.id, Organisation.timezone, Organisation.settings).where(
                Organisation.kind == "brand"
            )
        ).all()
        for bid, tz, settings in brands:
            if (settings or {}).get("reports", {}).get("enabled") is False:
                continue
            local = now.astimezone(ZoneInfo(tz))
            if local.time() < daily_at(settings):
                continue
            day = local.date() - timedelta(days=1)
            engagements = session.scalars(
                select(Engagement.id)
                .join(EngagementContract, EngagementContract.engagement_id == Engagement.id)
                .where(
                    Engagement.brand_id == bid,
                    Engagement.starts_on <= day,
                    or_(Engagement.ends_on.is_(None), Engagement.ends_on >= day),
                )
            ).all()
            made = {
                eng
                for (eng,) in session.execute(
                    select(Report.engagement_id).where(
                        Report.brand_id == bid,
                        Report.day == day,
                        Report.kind == "daily",
                        # a failed report is tried again, at most once an hour
                        or_(Report.status != "failed", Report.updated_at > now - RETRY_FAILED),
                    )
                )
            }
            for eng in (None, *engagements):
                if eng not in made:
                    out.append((bid, eng, day))
    return out


@periodic(cron="*/15 * * * *")
@job("reports.schedule", queue="reports", retry=RetryPolicy(max_attempts=2, backoff=60))
def schedule_job(ctx: JobContext, timestamp: int | None = None, **_: Any) -> dict[str, int]:
    now = datetime.fromtimestamp(timestamp, tz=ZoneInfo("UTC")) if timestamp else utcnow()
    due = due_reports(ctx.db, now)
    for bid, eng, day in due:
        defer(ctx.db, "reports.daily", brand_id=bid, engagement_id=eng, day=day.isoformat())
    return {"deferred": len(due)}


@job(
    "reports.daily",
    queue="reports",
    retry=RetryPolicy(max_attempts=3, backoff=300),
    unique=lambda kw: f"report:{kw.get('brand_id')}:{kw.get('engagement_id')}:{kw.get('day')}",
)
def daily_job(
    ctx: JobContext, brand_id: int, day: str, engagement_id: int | None = None, **_: Any
) -> dict[str, Any]:
    """Make one report (once: a second run finds the row claimed) and email its PDF."""
    row, _data = do_generate(
        ctx.db, ctx.settings, brand_id, date.fromisoformat(day), engagement_id=engagement_id
    )
    if row is None:
        return {"skipped": "already generated"}
    with ctx.db.transaction() as session:
        stored = session.get(Report, row.id)
        assert stored is not None
        outcome = send_report(session, ctx.settings, stored)
        stored.emailed = len(outcome.sent)
        session.add(stored)
    if outcome.failed:
        log.warning("report %s: %d recipient(s) not reached", row.id, len(outcome.failed))
    return {
        "report": row.id,
        "emailed": len(outcome.sent),
        "failed": len(outcome.failed),
        "reason": outcome.reason,
    }
