"""The periodic check: move the cases whose at-risk or due time has come, once each.

Only the cases with ``sla_next_check_at <= now`` are read (an index range, however many
cases are open), a batch at a time, each batch one transaction. On PostgreSQL the rows are
taken ``FOR UPDATE SKIP LOCKED``: two workers running the check at once take different
cases, and a case is written with its next check time moved past ``now`` before its lock
is released, so no stage is reached twice (on SQLite the writer lock does the same). A
stage and its escalations are written in the same transaction: both or neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from omnicase.jobs import JobContext, RetryPolicy, defer, job, periodic
from omnicase.model import Case, CaseStatus, Event, User
from omnicase.model.base import utcnow
from omnicase.sla.clock import SlaClock
from omnicase.sla.escalations import Effects, escalate
from omnicase.sla.policies import PolicyBook
from omnicase.sla.track import COLUMNS, event_row, sla_values
from omnicase.store.db import Database

CASES = cast(Table, Case.__table__)
EVENTS = cast(Table, Event.__table__)
C = CASES.c
BATCH = 500

UPDATE_CHECKED = (
    update(CASES)
    .where(C.id == bindparam("_id"))
    .values(
        priority=bindparam("priority"),
        sla_state=bindparam("sla_state"),
        sla_next_check_at=bindparam("sla_next_check_at"),
        sla_breached_at=bindparam("sla_breached_at"),
        sla_clock=bindparam("sla_clock"),
    )
)


@dataclass
class CheckResult:
    cases: int = 0
    at_risk: int = 0
    breached: int = 0
    escalations: int = 0
    notifications: int = 0
    by_brand: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {
            "cases": self.cases,
            "at_risk": self.at_risk,
            "breached": self.breached,
            "escalations": self.escalations,
            "notifications": self.notifications,
        }


def do_check_batch(session: Session, now: datetime, result: CheckResult, limit: int = BATCH) -> int:
    """Move up to ``limit`` due cases in the caller's transaction; how many were taken."""
    conn = session.connection()
    stmt = (
        select(*COLUMNS)
        .where(C.sla_next_check_at <= now)
        .order_by(C.sla_next_check_at, C.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = list(conn.execute(stmt))
    if not rows:
        return 0
    book = PolicyBook(conn, {r.brand_id for r in rows})
    updates: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    jobs: list[dict[str, Any]] = []
    moves: list[dict[str, Any]] = []
    for r in rows:
        clock = SlaClock.from_json(r.sla_clock) if r.sla_clock else None
        if clock is None or r.merged_into_id is not None or r.status == CaseStatus.closed:
            updates.append(_unchanged(r, next_check=None))  # nothing left to watch
            continue
        effects = Effects(priority=r.priority)
        for t in clock.due_transitions(now):
            if t.stage == "breached":
                result.breached += 1
            else:
                result.at_risk += 1
            events.append(
                event_row(
                    r.brand_id,
                    r.id,
                    f"sla.{t.stage}",
                    now,
                    {
                        "clock": t.clock,
                        "due": t.due.isoformat(),
                        "start": t.start.isoformat() if t.start else None,
                        "policy": clock.targets.policy,
                    },
                )
            )
            escalate(book.escalations(clock.targets.policy_id), t, effects)
        for kind, data in effects.events:
            events.append(event_row(r.brand_id, r.id, kind, now, data))
            result.escalations += 1
            if kind == "sla.escalation_requested":  # routing decides where (its own job)
                target: dict[str, Any] = {k: data[k] for k in ("queue", "team_id") if k in data}
                moves.append({"case_id": r.id, "action": data["action"], **target})
        for note in effects.notifications:
            users = _recipients(conn, r.brand_id, note["users"], note["roles"])
            data = {**note, "users": users}
            events.append(event_row(r.brand_id, r.id, "sla.notification", now, data))
            jobs.append({"brand_id": r.brand_id, "case_id": r.id, **data})
            result.escalations += 1
            result.notifications += 1
        values = sla_values(clock)
        updates.append(
            {
                "_id": r.id,
                "priority": effects.priority,
                "sla_state": values["sla_state"],
                "sla_next_check_at": values["sla_next_check_at"],
                "sla_breached_at": values["sla_breached_at"],
                "sla_clock": values["sla_clock"],
            }
        )
        result.cases += 1
        result.by_brand[r.brand_id] = result.by_brand.get(r.brand_id, 0) + 1
    conn.execute(UPDATE_CHECKED, updates)
    if events:
        conn.execute(insert(EVENTS), events)
    for kwargs in jobs:
        defer(session, "sla.notify", **kwargs)
    for kwargs in moves:
        defer(session, "routing.sla_escalation", **kwargs)
    return len(rows)


def _unchanged(r: Any, next_check: datetime | None) -> dict[str, Any]:
    clock = SlaClock.from_json(r.sla_clock) if r.sla_clock else None
    return {
        "_id": r.id,
        "priority": r.priority,
        "sla_state": clock.state if clock else None,
        "sla_next_check_at": next_check,
        "sla_breached_at": clock.breached_at if clock else None,
        "sla_clock": r.sla_clock,
    }


def _recipients(conn: Connection, brand_id: int, users: list[int], roles: list[str]) -> list[int]:
    """Active users of the brand named by id or holding one of the roles."""
    stmt = select(User.id).where(User.organisation_id == brand_id, User.active.is_(True))
    named = set(users)
    found = [
        uid
        for uid, role in conn.execute(stmt.add_columns(User.role).order_by(User.id))
        if uid in named or role in roles
    ]
    return found


def do_check(db: Database, now: datetime | None = None, limit: int = BATCH) -> CheckResult:
    """Every case due by ``now``, one transaction per ``limit`` cases."""
    now = now or utcnow()
    result = CheckResult()
    while True:
        with db.transaction() as session:
            taken = do_check_batch(session, now, result, limit)
        if taken < limit:
            return result


@periodic(every_seconds=15)
@job("sla.check", queue="sla", retry=RetryPolicy(max_attempts=1))
def sla_check_job(ctx: JobContext, timestamp: int | None = None, **_: Any) -> dict[str, int]:
    """Every 15 s (a chat's minute needs better than a minute's resolution). No lock:
    overlapping runs take different rows (SKIP LOCKED); a missed period is caught up by
    the next one, which reads everything due by its own time."""
    return do_check(ctx.db).as_dict()
