"""The SLA escalations that move a case: ``reassign`` and ``overflow``.

The SLA check (``omnicase.sla``) decides *that* a case escalates and requests it with a
``sla.escalation_requested`` event and a ``routing.sla_escalation`` job in the same
transaction, so each fires once with its transition; this module decides *where*, with the
same rules and capacity checks as every other routing decision:

* ``reassign``: the case leaves its agent for the next best available one (never the same
  agent), in its queue or in the ``queue`` the escalation names (for this decision: the
  queue rules place it again at its next routing decision); with a ``team_id`` it is an
  overflow to that team;
* ``overflow``: the case goes to a provider team whose engagement covers it today (the
  escalation's ``team_id``, else the first engagement by id) and to one of its agents;
  nothing covers it → a ``sla.escalation_skipped`` event says why and the case stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from omnicase.model import Case
from omnicase.model.cases import OPEN_STATUSES
from omnicase.model.events import Event
from omnicase.routing.loads import lock_routing
from omnicase.routing.router import RoutingOutcome, route_cases
from omnicase.routing.snapshot import case_facts, load_configs

ACTIONS = ("reassign", "overflow")


def do_sla_escalation(
    session: Session,
    case_id: int,
    action: str,
    now: datetime,
    *,
    queue: str | None = None,
    team_id: int | None = None,
) -> RoutingOutcome:
    """Carry out one requested escalation in the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"action: must be one of {', '.join(ACTIONS)}")
    conn = session.connection()
    found = case_facts(conn, [case_id])
    if not found or found[0].status not in OPEN_STATUSES:
        return RoutingOutcome()  # merged, resolved or closed meanwhile: nothing to move
    case = found[0]
    lock_routing(conn, [case.brand_id])
    if action == "overflow" or team_id is not None:
        if case.team_id is not None and team_id in (None, case.team_id):
            return _skipped(conn, case, action, "the case is with a provider team already", now)
        engagements = load_configs(conn, [case.brand_id])[case.brand_id].engagements
        chosen = min(
            (
                e
                for e in engagements
                if (team_id is None or e.team_id == team_id)
                and e.why_not(case, case.queue, now.date()) is None
            ),
            key=lambda e: e.id,
            default=None,
        )
        if chosen is None:
            wanted = f"team {team_id}'s engagement" if team_id is not None else "no engagement"
            return _skipped(conn, case, action, f"{wanted} covers the case today", now)
        conn.execute(
            update(Case)
            .where(Case.id == case.id)
            .values(team_id=chosen.team_id, assignee_id=None, updated_at=now)
        )
        session.expire_all()
        return route_cases(conn, [case.id], now, cause="sla_overflow")
    away = {case.id: case.assignee_id} if case.assignee_id is not None else {}
    return route_cases(
        conn,
        [case.id],
        now,
        cause="sla_reassign",
        exclude=away,
        pinned={case.id: queue} if queue else None,
    )


def _skipped(conn: Any, case: Any, action: str, why: str, now: datetime) -> RoutingOutcome:
    conn.execute(
        insert(Event),
        [
            {
                "brand_id": case.brand_id,
                "kind": "sla.escalation_skipped",
                "case_id": case.id,
                "customer_id": case.customer_id,
                "message_id": None,
                "actor": "system",
                "at": now,
                "data": {"action": action, "why": why},
            }
        ],
    )
    return RoutingOutcome()
