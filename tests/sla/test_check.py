"""The periodic check: each stage is reached once, with its escalations, whatever runs it
how often and from how many processes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from omnicase.ingest.pipeline import ingest, ingest_one
from omnicase.jobs import defer, get_spec
from omnicase.model import Case, Event
from omnicase.sla.admin import do_create_policy
from omnicase.sla.check import do_check
from omnicase.store.db import Database
from tests.factories import make_world, message
from tests.jobs.helpers import drain
from tests.sla.helpers import case, paris, sla_events, who

MONDAY = paris(2026, 11, 2, 10, 0)
OMNICASE = Path(sys.executable).parent / "omnicase"

ESCALATIONS = [
    {"on": "at_risk", "action": "notify"},
    {"on": "breached", "action": "raise_priority", "priority": 3},
    {"on": "breached", "action": "notify", "roles": ["admin", "supervisor"]},
    {"on": "breached", "action": "reassign", "queue": "senior"},
    {"on": "breached", "action": "overflow", "clocks": ["first_response"]},
]


def _policy(db: Database, admin_id: int) -> None:
    with db.transaction() as s:
        do_create_policy(
            s,
            who(db, admin_id),
            {"channel": "whatsapp", "first_response_seconds": 600, "escalations": ESCALATIONS},
        )


def test_at_risk_then_breached_each_once_with_their_escalations(db: Database) -> None:
    world = make_world(db)
    _policy(db, world.ids["acme:admin"])
    cid = ingest_one(db, message(channel="whatsapp", at=MONDAY, whatsapp="33600000001")).case_id
    assert case(db, cid).sla_next_check_at == MONDAY + timedelta(minutes=8)

    assert do_check(db, MONDAY + timedelta(minutes=7)).cases == 0  # nothing due yet
    for _ in range(2):  # twice at the same time: the second finds nothing to do
        do_check(db, MONDAY + timedelta(minutes=8, seconds=5))
    c = case(db, cid)
    assert c.sla_state == "at_risk" and c.sla_next_check_at == MONDAY + timedelta(minutes=10)
    assert c.priority == 0
    assert sla_events(db, cid) == [
        (cid, "sla.at_risk", "first_response"),
        (cid, "sla.notification", "first_response"),
    ]

    for minutes in (11, 12, 60):
        do_check(db, MONDAY + timedelta(minutes=minutes))
    c = case(db, cid)
    assert c.sla_state == "breached" and c.priority == 3 and c.sla_next_check_at is None
    assert c.sla_breached_at == MONDAY + timedelta(minutes=10)
    assert sla_events(db, cid)[2:] == [
        (cid, "sla.breached", "first_response"),
        (cid, "case.updated", "first_response"),
        (cid, "sla.escalation_requested", "reassign"),
        (cid, "sla.escalation_requested", "overflow"),
        (cid, "sla.notification", "first_response"),
    ]
    with db.reading() as s:
        notes = s.scalars(
            select(Event).where(Event.kind == "sla.notification").order_by(Event.id)
        ).all()
        assert [n.data["users"] for n in notes] == [
            [world.ids["acme:supervisor"]],
            [world.ids["acme:admin"], world.ids["acme:supervisor"]],
        ]
    # the notification jobs run: no outbound SMTP setting exists, so they say so
    drain(db, queues=["sla"])
    with db.reading() as s:
        recorded = s.scalars(
            select(Event).where(Event.kind == "sla.notification_recorded", Event.case_id == cid)
        ).all()
    assert len(recorded) == 2
    assert all(not e.data["sent"] and "no outbound SMTP" in e.data["reason"] for e in recorded)

    # the answer comes late: already breached, so nothing more is fired
    before = sla_events(db, cid)
    ingest_one(
        db,
        message(
            channel="whatsapp", direction="outbound", at=MONDAY, minutes=90, whatsapp="33600000001"
        ),
    )
    assert sla_events(db, cid) == before
    c = case(db, cid)
    assert c.sla_state == "ok" and c.sla_clock is not None
    assert c.sla_clock["outcomes"]["first_response"]["met"] is False


def test_a_case_found_past_due_goes_straight_to_breached(db: Database) -> None:
    world = make_world(db)
    _policy(db, world.ids["acme:admin"])
    cid = ingest_one(db, message(channel="whatsapp", at=MONDAY, whatsapp="33600000002")).case_id
    do_check(db, MONDAY + timedelta(hours=5))
    assert [k for _, k, _ in sla_events(db, cid)][:1] == ["sla.breached"]
    assert "sla.at_risk" not in {k for _, k, _ in sla_events(db, cid)}
    # the event names its target by its start too: two next-response targets of one case
    # can share a due time (both started before the same opening hour), never a start
    with db.reading() as s:
        breach = s.scalars(
            select(Event).where(Event.kind == "sla.breached", Event.case_id == cid)
        ).one()
    assert breach.data["clock"] == "first_response"
    assert datetime.fromisoformat(breach.data["start"]) == MONDAY


def test_merged_or_closed_cases_leave_the_check(db: Database) -> None:
    make_world(db)
    cid = ingest_one(db, message(channel="chat", at=MONDAY, chat="v9")).case_id
    with db.transaction() as s:
        row = s.get(Case, cid)
        assert row is not None
        row.status = "closed"  # closed behind the service's back (e.g. an import)
    assert do_check(db, MONDAY + timedelta(hours=1)).breached == 0
    assert case(db, cid).sla_next_check_at is None


def test_the_check_is_a_periodic_job(db: Database) -> None:
    make_world(db)
    cid = ingest_one(db, message(channel="chat", at=MONDAY, chat="v3")).case_id
    assert get_spec("sla.check").cron == "* * * * * */15"
    defer(db, "sla.check", timestamp=0)
    drain(db, queues=["sla"])
    assert [k for _, k, _ in sla_events(db, cid)] == ["sla.breached"]  # MONDAY is long past


@pytest.mark.slow
def test_two_processes_checking_at_once_fire_each_stage_once(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("several processes checking at once: PostgreSQL (SQLite has one writer)")
    world = make_world(db)
    _policy(db, world.ids["acme:admin"])
    ingest(
        db,
        [
            message(
                channel="whatsapp",
                at=MONDAY,
                minutes=i % 7,
                whatsapp=f"3360{i:07d}",
                text=f"Question numéro {i}",
            )
            for i in range(1200)
        ],
    )
    procs = [
        subprocess.Popen(
            [str(OMNICASE), "sla", "check", "--database", db.url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    # each case was taken by exactly one of them (here typically split 700 / 500)
    taken = [json.loads(o[0].decode().strip().splitlines()[-1])["cases"] for o in outs]
    assert sum(taken) == 1200
    events = sla_events(db)
    breached = [c for c, k, _ in events if k == "sla.breached"]
    assert len(breached) == len(set(breached)) == 1200
    raised = [c for c, k, _ in events if k == "case.updated"]
    assert len(raised) == len(set(raised)) == 1200
    overflow = [c for c, k, a in events if a == "overflow"]
    assert len(overflow) == 1200
    with db.reading() as s:
        assert set(s.scalars(select(Case.priority))) == {3}


# Real processes on two cores: `make test` runs these after the parallel part, alone,
# so nothing else starves their deadlines.
pytestmark = pytest.mark.processes
