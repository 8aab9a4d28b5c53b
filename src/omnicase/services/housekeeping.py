"""Periodic upkeep of cases: resolved cases close by themselves after a while.

A resolved case can still be reopened by the customer's next message (a reply on its
thread or a clear follow-up within the brand's reply window, 30 days by default; any
contact about it within the shorter reopen window); once closed, a new message starts a
new case. Closing after ``autoclose_days`` (brand setting, default: the brand's reply
window, so that closing never cuts a reopening short) keeps the open/resolved lists short
and makes "resolved" mean "waiting to see if the customer is satisfied".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.ingest.prepare import REPLY_WINDOW_DAYS
from omnicase.jobs import JobContext, RetryPolicy, job, periodic
from omnicase.model import Case, CaseStatus, Organisation
from omnicase.model.base import utcnow
from omnicase.services.cases import record_event

DEFAULT_AUTOCLOSE_DAYS = REPLY_WINDOW_DAYS
BATCH = 500


def autoclose_days(brand: Organisation) -> int:
    settings = brand.settings or {}
    default = settings.get("reply_window_days", DEFAULT_AUTOCLOSE_DAYS)
    default = default if isinstance(default, int) and default > 0 else DEFAULT_AUTOCLOSE_DAYS
    value = settings.get("autoclose_days", default)
    return value if isinstance(value, int) and value > 0 else default


def do_close_resolved_cases(
    session: Session, brand: Organisation, now: datetime, limit: int = BATCH
) -> int:
    """Close up to ``limit`` of the brand's cases resolved more than N days before ``now``,
    each with a ``case.updated`` event naming the rule; how many were closed."""
    days = autoclose_days(brand)
    cutoff = now - timedelta(days=days)
    cases = session.scalars(
        select(Case)
        .where(
            Case.brand_id == brand.id,
            Case.status == CaseStatus.resolved,
            Case.resolved_at < cutoff,
            Case.merged_into_id.is_(None),
        )
        .order_by(Case.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for case in cases:
        case.status = CaseStatus.closed
        case.closed_at = now
        case.updated_at = now
        record_event(
            session,
            "case.updated",
            brand_id=case.brand_id,
            case_id=case.id,
            data={
                "changes": {"status": [CaseStatus.resolved.value, CaseStatus.closed.value]},
                "rule": "autoclose",
                "after_days": days,
            },
        )
    return len(cases)


@periodic(cron="7 * * * *")
@job("cases.autoclose", queue="maintenance", retry=RetryPolicy(max_attempts=3, backoff=60))
def autoclose_job(ctx: JobContext, timestamp: int | None = None, **_: Any) -> dict[str, int]:
    """Hourly: close every brand's long-resolved cases, one transaction per batch."""
    closed: dict[str, int] = {}
    now = utcnow()
    with ctx.db.reading() as session:
        brands = session.scalars(select(Organisation).where(Organisation.kind == "brand")).all()
    for brand in brands:
        total = 0
        while True:
            with ctx.db.transaction() as session:
                row = session.get(Organisation, brand.id)
                assert row is not None
                done = do_close_resolved_cases(session, row, now)
            total += done
            if done < BATCH:
                break
        if total:
            closed[brand.slug] = total
    return closed
