"""Issue 5's "done means", routing part: a simulated Friday of mixed arrivals with an
internal team (Mon-Fri 09:00-18:00, Paris) and a provider team engaged for overflow.
The provider takes the flow before opening, after closing and on Saturday; in the day it
takes only what the internal backlog cannot hold; a case that breaches its first-response
objective overflows to the provider once; due times cross the weekend and Armistice Day.

The processing clock follows the simulated day (the pipeline's ``utcnow``), as it would in
production at those hours."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import select

from omnicase.ingest import pipeline
from omnicase.ingest.pipeline import ingest_one
from omnicase.model import Event
from omnicase.routing.agents import do_reevaluate_brand
from omnicase.routing.configure import do_set_team_hours
from omnicase.services.orgs import do_create_team, get_org
from omnicase.sla.admin import do_create_policy
from omnicase.sla.check import do_check
from omnicase.store.db import Database
from tests.factories import World, make_world, message
from tests.jobs.helpers import drain
from tests.routing.helpers import add_agent, admin, case, overflow
from tests.sla.helpers import paris

FRIDAY = paris(2026, 11, 6, 0, 0)
WEEK = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


class Clock:
    def __init__(self) -> None:
        self.now = FRIDAY

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    c = Clock()
    monkeypatch.setattr(pipeline, "utcnow", c)
    yield c


def _configure(db: Database, world: World) -> None:
    with db.transaction() as s:
        acme = get_org(s, "acme")
        team = do_create_team(s, acme, "Acme service")
        do_set_team_hours(s, acme, team.id, "Europe/Paris", WEEK, admin(db, world))
        do_create_policy(
            s,
            admin(db, world),
            {
                "channel": "email",
                "first_response_seconds": 4 * 3600,
                "business_hours": True,
                "escalations": [{"on": "breached", "action": "overflow"}],
            },
        )
    overflow(db, world, {"kind": "outside_hours", "params": {}})
    overflow(db, world, {"kind": "backlog_over", "params": {"cases": 3}})


def test_a_day_of_mixed_arrivals_with_an_internal_and_a_provider_team(
    db: Database, clock: Clock
) -> None:
    world = make_world(db, overflow_only=True)
    _configure(db, world)
    provider = world.ids["team"]
    n = iter(range(1000))

    def arrive(at: datetime) -> int:
        clock.now = at
        i = next(n)
        r = ingest_one(db, message(at=at, email=f"c{i}@example.fr", text=f"Question {i}"))
        assert r.case_id is not None
        return r.case_id

    early = arrive(FRIDAY.replace(hour=8, minute=30))  # before opening
    agent = add_agent(db, world, capacity={"async": 2}, at=FRIDAY.replace(hour=9))
    taken = [arrive(FRIDAY.replace(hour=9, minute=30 + i)) for i in range(2)]
    waiting = [arrive(FRIDAY.replace(hour=9, minute=32 + i)) for i in range(4)]
    burst = [arrive(FRIDAY.replace(hour=9, minute=36 + i)) for i in range(2)]

    assert case(db, early).team_id == provider
    assert [case(db, c).assignee_id for c in taken] == [agent, agent]
    assert [case(db, c).team_id for c in waiting] == [None] * 4  # the backlog holds 3 + 1
    assert [case(db, c).team_id for c in burst] == [provider] * 2
    # Due times in business hours: 09:32 + 4 h = 13:32; the early one's clock starts at
    # opening: 09:00 + 4 h.
    assert case(db, waiting[0]).first_response_due_at == FRIDAY.replace(hour=13, minute=32)
    assert case(db, early).first_response_due_at == FRIDAY.replace(hour=13)

    # 13:40: every case of the morning has breached. Each escalates once, however often
    # the check runs: the internal ones overflow to the provider (taken from the agent
    # too: that is what this brand's policy asks), those with the provider already stay.
    morning = [early, *taken, *waiting, *burst]
    for minutes in (0, 5, 10):
        clock.now = FRIDAY.replace(hour=13, minute=40 + minutes)
        do_check(db, clock.now)
    drain(db, queues=["routing"])
    with db.reading() as s:
        requested = s.scalars(
            select(Event.case_id).where(Event.kind == "sla.escalation_requested")
        ).all()
        skipped = s.scalars(
            select(Event.case_id).where(Event.kind == "sla.escalation_skipped")
        ).all()
    assert sorted(requested) == sorted(morning)
    assert sorted(skipped) == sorted([early, *burst])
    assert {case(db, c).team_id for c in morning} == {provider}
    assert {case(db, c).assignee_id for c in taken + waiting} == {None}  # no provider agent
    with db.transaction() as s:
        do_reevaluate_brand(s, world.ids["acme"], FRIDAY.replace(hour=14))
    assert {case(db, c).team_id for c in morning} == {provider}  # nothing moves back

    # The afternoon: the internal backlog is empty again, so 17:00 stays internal and goes
    # to the agent; 19:00 and Saturday go to the provider (closed).
    late_afternoon = arrive(FRIDAY.replace(hour=17))
    evening = arrive(FRIDAY.replace(hour=19))
    saturday = arrive(FRIDAY.replace(day=7, hour=11))
    assert case(db, late_afternoon).team_id is None
    assert case(db, late_afternoon).assignee_id == agent
    assert case(db, evening).team_id == provider and case(db, saturday).team_id == provider
    # 17:00 + 4 h of business time: 1 h on Friday, 3 h on Monday: 12:00.
    assert case(db, late_afternoon).first_response_due_at == paris(2026, 11, 9, 12, 0)
    # Tuesday 10 November 16:00 + 4 h: 2 h on Tuesday, none on Armistice Day, Thursday 11:00.
    tuesday = arrive(paris(2026, 11, 10, 16, 0))
    assert case(db, tuesday).first_response_due_at == paris(2026, 11, 12, 11, 0)
    clock.now = paris(2026, 11, 9, 11, 55)
    assert do_check(db, clock.now).breached == 0  # the weekend did not count
