"""Periodic routing jobs: re-evaluate waiting cases (overflow rules, push assignment) and
re-queue the cases of agents offline past their grace period."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, or_, select

from omnicase.jobs import JobContext, RetryPolicy, job, periodic
from omnicase.model import AgentProfile, Organisation, OverflowRule, Presence
from omnicase.model.base import utcnow
from omnicase.routing.agents import do_reevaluate_brand, do_requeue_offline
from omnicase.routing.escalations import do_sla_escalation


@periodic(every_seconds=60)
@job("routing.reevaluate", queue="routing", retry=RetryPolicy(max_attempts=3, backoff=10))
def reevaluate_job(ctx: JobContext, timestamp: int | None = None, **_: Any) -> dict[str, int]:
    """Every minute, per brand with overflow rules or online agents: waiting cases are
    offered to the overflow rules and to available agents again (one transaction per
    brand)."""
    now = utcnow()
    with ctx.db.reading() as session:
        anyone_online = session.scalar(
            select(exists().where(AgentProfile.presence == Presence.online))
        )
        query = select(Organisation.id).where(Organisation.kind == "brand")
        if not anyone_online:
            query = query.where(or_(exists().where(OverflowRule.brand_id == Organisation.id)))
        brands = list(session.scalars(query.order_by(Organisation.id)))
    moved: dict[str, int] = {}
    for brand_id in brands:
        with ctx.db.transaction() as session:
            outcome = do_reevaluate_brand(session, brand_id, now)
        if outcome.assigned or outcome.overflowed:
            moved[str(brand_id)] = len(outcome.assigned) + len(outcome.overflowed)
    return moved


@periodic(every_seconds=30)
@job("routing.requeue_offline", queue="routing", retry=RetryPolicy(max_attempts=3, backoff=10))
def requeue_offline_job(ctx: JobContext, timestamp: int | None = None, **_: Any) -> dict[str, int]:
    """Every 30 s: open cases of agents offline past the grace go back to their queue."""
    with ctx.db.transaction() as session:
        outcome = do_requeue_offline(session, utcnow())
    return {"requeued": outcome.routed, "reassigned": len(outcome.assigned)}


@job("routing.sla_escalation", queue="routing", retry=RetryPolicy(max_attempts=5, backoff=5))
def sla_escalation_job(
    ctx: JobContext,
    case_id: int,
    action: str,
    queue: str | None = None,
    team_id: int | None = None,
    **_: Any,
) -> dict[str, Any]:
    """An SLA escalation the check requested: move the case (see routing.escalations)."""
    with ctx.db.transaction() as session:
        outcome = do_sla_escalation(
            session, case_id, action, utcnow(), queue=queue, team_id=team_id
        )
    return {
        "case": case_id,
        "assigned": outcome.assigned.get(case_id),
        "team": outcome.overflowed.get(case_id),
    }
