"""Keeping each case's clocks current as things happen to it, never by scanning.

* :func:`on_ingested`: the pipeline calls it once per batch, in the batch's transaction,
  with the messages it stored: one read of their cases, one read of the brands' policies
  and calendars, one executemany.
* :func:`on_status_change`: ``do_patch_case`` calls it (pending pauses, resolved stops the
  resolution target and pauses, a reopening resumes and owes a new answer, closed ends).

The state, the due times and ``sla_next_check_at`` (when a stage is next reached: what the
periodic check of :mod:`omnicase.sla.check` looks up) are written on the case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from omnicase.model import Case, CaseStatus, Event
from omnicase.sla.clock import (
    FIRST_RESPONSE,
    NEXT_RESPONSE,
    RESOLUTION,
    Basis,
    SlaClock,
    Transition,
)
from omnicase.sla.policies import PolicyBook

CASES = cast(Table, Case.__table__)
EVENTS = cast(Table, Event.__table__)
C = CASES.c

PAUSED = frozenset({CaseStatus.pending.value, CaseStatus.resolved.value})
FINISHED = frozenset({CaseStatus.closed.value})

#: What the clocks need of a case.
COLUMNS = (
    C.id,
    C.brand_id,
    C.status,
    C.channel,
    C.priority,
    C.merged_into_id,
    C.first_inbound_at,
    C.first_response_at,
    C.sla_clock,
    C.sla_next_check_at,
)

UPDATE_SLA = (
    update(CASES)
    .where(C.id == bindparam("_id"))
    .values(
        sla_policy_id=bindparam("sla_policy_id"),
        sla_state=bindparam("sla_state"),
        first_response_due_at=bindparam("first_response_due_at"),
        next_response_due_at=bindparam("next_response_due_at"),
        resolution_due_at=bindparam("resolution_due_at"),
        sla_next_check_at=bindparam("sla_next_check_at"),
        sla_paused_at=bindparam("sla_paused_at"),
        sla_breached_at=bindparam("sla_breached_at"),
        sla_clock=bindparam("sla_clock"),
    )
)


def sla_values(clock: SlaClock) -> dict[str, Any]:
    """The case columns that mirror a clock."""
    return {
        "sla_policy_id": clock.targets.policy_id,
        "sla_state": clock.state,
        "first_response_due_at": clock.due(FIRST_RESPONSE),
        "next_response_due_at": clock.due(NEXT_RESPONSE),
        "resolution_due_at": clock.due(RESOLUTION),
        "sla_next_check_at": clock.next_check(),
        "sla_paused_at": clock.paused_at,
        "sla_breached_at": clock.breached_at,
        "sla_clock": clock.to_json(),
    }


def load_rows(conn: Connection, case_ids: Iterable[int]) -> list[Row[Any]]:
    """The cases' SLA columns, locked (PostgreSQL) so a check running at the same time
    cannot fire a stage this transaction is about to change."""
    ids = sorted(set(case_ids))
    if not ids:
        return []
    stmt = select(*COLUMNS).where(C.id.in_(ids)).order_by(C.id)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return list(conn.execute(stmt))


def clock_of(row: Row[Any], book: PolicyBook) -> SlaClock:
    """The case's clock, or a new one on the policy of its brand, channel and priority."""
    if row.sla_clock:
        return SlaClock.from_json(row.sla_clock)
    return SlaClock(book.targets_for(row.brand_id, row.channel, row.priority))


def event_row(
    brand_id: int, case_id: int, kind: str, now: datetime, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "brand_id": brand_id,
        "kind": kind,
        "case_id": case_id,
        "customer_id": None,
        "message_id": None,
        "actor": "system",
        "at": now,
        "data": data,
    }


def late_events(
    brand_id: int, case_id: int, late: Sequence[Transition], now: datetime, detected: str
) -> list[dict[str, Any]]:
    """A target found missed only when the answer or the resolution came: recorded (it
    counts as a breach), not escalated (there is nothing left to chase)."""
    return [
        event_row(
            brand_id,
            case_id,
            "sla.breached",
            now,
            {
                "clock": t.clock,
                "due": t.due.isoformat(),
                "start": t.start.isoformat() if t.start else None,
                "detected": detected,
                "live": False,
            },
        )
        for t in late
    ]


def _answer_delay(row: Mapping[str, Any]) -> float | None:
    """An answered call is its own first answer: after the caller's wait (``meta.wait_s``,
    0 when not given). A missed call or a voicemail is a customer contact, not an answer."""
    meta = row.get("meta") or {}
    if row.get("channel") != "phone" or meta.get("outcome") != "answered":
        return None
    wait = meta.get("wait_s", 0)
    return float(wait) if isinstance(wait, int | float) and wait >= 0 else 0.0


def _counts_as_answer(row: Mapping[str, Any]) -> bool:
    """Our outbound message answers, except a call back nobody picked up."""
    meta = row.get("meta") or {}
    return not (row.get("channel") == "phone" and meta.get("outcome") == "missed")


def fold(clock: SlaClock, basis: Basis, messages: Sequence[Mapping[str, Any]]) -> list[Transition]:
    """Apply messages (canonical rows: direction, received_at, channel, meta) in time order;
    the targets found missed on the way."""
    late: list[Transition] = []
    for row in sorted(messages, key=lambda r: r["received_at"]):
        # UTC once: arithmetic on pydantic's own tzinfo goes through Python each time
        at: datetime = row["received_at"].astimezone(UTC)
        if row["direction"] == "inbound":
            clock.inbound(basis, at)
            delay = _answer_delay(row)
            if delay is not None:
                late.extend(clock.outbound(at + timedelta(seconds=delay)))
        elif _counts_as_answer(row):
            late.extend(clock.outbound(at))
    return late


def on_ingested(
    conn: Connection,
    messages: Sequence[Mapping[str, Any]],
    now: datetime,
    moved: Mapping[int, int] | None = None,
) -> None:
    """Update the clocks of the cases these just-stored messages went to.

    ``messages`` are the pipeline's message rows (case_id, direction, received_at,
    channel, meta); ``moved`` maps a case merged away in the same batch to the case that
    took its messages.
    """
    moved = moved or {}
    by_case: dict[int, list[Mapping[str, Any]]] = {}
    for row in messages:
        cid = row["case_id"]
        for _ in range(8):  # absorbed into a case itself absorbed: follow, loop-safe
            cid = moved.get(cid, cid)
        by_case.setdefault(cid, []).append(row)
    rows = load_rows(conn, by_case)
    book = PolicyBook(conn, {r.brand_id for r in rows})
    updates: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for r in rows:
        if r.merged_into_id is not None or r.status in FINISHED:
            continue
        clock = clock_of(r, book)
        basis = book.basis(r.brand_id, clock.targets)
        batch = by_case[r.id]
        if not clock.started:
            _bootstrap(clock, basis, r, batch)
        late = fold(clock, basis, batch)
        if r.status in PAUSED:
            clock.pause(max(m["received_at"] for m in batch))
        events.extend(late_events(r.brand_id, r.id, late, now, "on_reply"))
        values = sla_values(clock)
        if values["sla_clock"] != r.sla_clock:  # a second message while waiting: no change
            updates.append({"_id": r.id, **values})
    if updates:
        conn.execute(UPDATE_SLA, updates)
    if events:
        conn.execute(insert(EVENTS), events)


def _bootstrap(
    clock: SlaClock, basis: Basis, row: Row[Any], batch: Sequence[Mapping[str, Any]]
) -> None:
    """A case older than its clock (created before SLAs existed): start from what the case
    already records, so its next message is judged like any other."""
    first = row.first_inbound_at
    earliest = min((m["received_at"] for m in batch if m["direction"] == "inbound"), default=None)
    if first is None or (earliest is not None and first >= earliest):
        return
    clock.inbound(basis, first)
    if row.first_response_at is not None:
        clock.outbound(row.first_response_at)


def on_status_change(session: Session, case: Case, old: str, new: str, now: datetime) -> None:
    """A person changed the case's status: pause, stop, resume or end its clocks."""
    session.flush()
    conn = session.connection()
    rows = load_rows(conn, [case.id])
    if not rows or not rows[0].sla_clock:
        return  # no clock ever started (no customer contact yet)
    row = rows[0]
    book = PolicyBook(conn, [row.brand_id])
    clock = SlaClock.from_json(row.sla_clock)
    basis = book.basis(row.brand_id, clock.targets)
    late: list[Transition] = []
    if new == CaseStatus.pending:
        clock.pause(now)
    elif new == CaseStatus.resolved:
        late = clock.resolve(now)
    elif new == CaseStatus.closed:
        if old != CaseStatus.resolved:
            late = clock.resolve(now)
        clock.close()
    elif old in (CaseStatus.resolved, CaseStatus.closed):
        clock.reopen(basis, now)
    else:
        clock.resume(basis, now)
    for key, value in sla_values(clock).items():
        setattr(case, key, value)
    events = late_events(row.brand_id, row.id, late, now, f"on_{new}")
    if events:
        conn.execute(insert(EVENTS), events)
