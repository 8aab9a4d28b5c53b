"""SLA escalations that move a case: the check requests them once, routing carries them
out with its usual rules (never the same agent, never a team whose engagement does not
cover the case)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from omnicase.ingest.pipeline import ingest_one
from omnicase.model import Event
from omnicase.sla.admin import do_create_policy
from omnicase.sla.check import do_check
from omnicase.store.db import Database
from tests.factories import World, make_world, message
from tests.jobs.helpers import drain
from tests.routing.helpers import add_agent, admin, case
from tests.sla.helpers import paris

MONDAY = paris(2026, 11, 2, 10, 0)


def _policy(db: Database, world: World, channel: str, escalation: dict[str, Any]) -> None:
    with db.transaction() as s:
        do_create_policy(
            s,
            admin(db, world),
            {
                "channel": channel,
                "first_response_seconds": 600,
                "escalations": [{"on": "breached", **escalation}],
            },
        )


def _events(db: Database, case_id: int, kind: str) -> list[dict[str, Any]]:
    with db.reading() as s:
        rows = s.scalars(
            select(Event).where(Event.case_id == case_id, Event.kind == kind).order_by(Event.id)
        )
        return [e.data for e in rows]


def _breach(db: Database, case_id: int) -> None:
    for minutes in (11, 12):  # the second check finds nothing new: one request only
        do_check(db, MONDAY + timedelta(minutes=minutes))
    assert len(_events(db, case_id, "sla.escalation_requested")) == 1
    drain(db, queues=["routing"])


def test_reassign_moves_the_case_to_another_available_agent(db: Database) -> None:
    world = make_world(db)
    _policy(db, world, "email", {"action": "reassign"})
    first = add_agent(db, world, at=MONDAY - timedelta(hours=1))
    cid = ingest_one(db, message(at=MONDAY, email="a@example.fr")).case_id or 0
    assert case(db, cid).assignee_id == first
    second = add_agent(db, world, at=MONDAY)
    _breach(db, cid)
    assert case(db, cid).assignee_id == second
    assert [e["cause"] for e in _events(db, cid, "case.assigned")][-1] == "sla_reassign"


def test_the_escalation_never_picks_the_agent_it_takes_the_case_from(db: Database) -> None:
    """With nobody else online the escalation leaves the case waiting in its queue (the
    periodic re-evaluation may give it back to that agent later: better than no one)."""
    world = make_world(db)
    _policy(db, world, "email", {"action": "reassign"})
    only = add_agent(db, world, at=MONDAY - timedelta(hours=1))
    cid = ingest_one(db, message(at=MONDAY, email="a@example.fr")).case_id or 0
    assert case(db, cid).assignee_id == only
    _breach(db, cid)
    (left,) = [e for e in _events(db, cid, "case.assigned") if e["cause"] == "sla_reassign"]
    assert left["unassigned"] == {"agent": only, "why": "SLA escalation: reassign"}
    assert left["assignment"]["excluded"] == {"escalated away from them": 1}
    assert left["assignee"] is None


def test_overflow_hands_the_case_to_the_engaged_provider_team(db: Database) -> None:
    world = make_world(db)
    _policy(db, world, "email", {"action": "overflow"})
    add_agent(db, world, at=MONDAY - timedelta(hours=1))
    provider_agent = add_agent(db, world, "callpro", team=world.ids["team"], at=MONDAY)
    cid = ingest_one(db, message(at=MONDAY, email="a@example.fr")).case_id or 0
    assert case(db, cid).team_id is None
    _breach(db, cid)
    moved = case(db, cid)
    assert moved.team_id == world.ids["team"] and moved.assignee_id == provider_agent


def test_overflow_without_a_covering_engagement_is_skipped_with_the_reason(
    db: Database,
) -> None:
    world = make_world(db)  # the provider is engaged on email and chat, not WhatsApp
    _policy(db, world, "whatsapp", {"action": "overflow"})
    internal = add_agent(db, world, at=MONDAY - timedelta(hours=1))
    add_agent(db, world, "callpro", team=world.ids["team"], at=MONDAY)
    cid = ingest_one(db, message(channel="whatsapp", at=MONDAY, whatsapp="33600000001")).case_id
    assert cid is not None and case(db, cid).assignee_id == internal
    _breach(db, cid)
    still = case(db, cid)
    assert still.team_id is None and still.assignee_id == internal
    (skipped,) = _events(db, cid, "sla.escalation_skipped")
    assert skipped == {"action": "overflow", "why": "no engagement covers the case today"}
