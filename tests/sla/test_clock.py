"""The clock state machine on its own: stages once, pauses that give time back, storage."""

from __future__ import annotations

from datetime import timedelta

from omnicase.sla.calendar import compiled, parse_spec
from omnicase.sla.clock import ELAPSED, SlaClock, Targets
from omnicase.sla.policies import DEFAULT_WEEKLY
from tests.sla.helpers import paris

TARGETS = Targets(3600, 1800, 4 * 3600, False, None, 80, None, "test")


def test_stages_are_reached_once_and_in_order() -> None:
    clock = SlaClock(TARGETS)
    start = paris(2026, 11, 2, 10, 0)
    clock.inbound(ELAPSED, start)
    assert clock.next_check() == start + timedelta(minutes=48)
    assert clock.due_transitions(start + timedelta(minutes=47)) == []
    first = clock.due_transitions(start + timedelta(minutes=50))
    assert [(t.clock, t.stage) for t in first] == [("first_response", "at_risk")]
    assert clock.due_transitions(start + timedelta(minutes=50)) == []
    assert clock.next_check() == start + timedelta(hours=1)
    late = clock.due_transitions(start + timedelta(hours=2))
    assert [(t.clock, t.stage) for t in late] == [("first_response", "breached")]
    assert clock.state == "breached" and clock.breaches == 1
    # the resolution clock is still ahead (at risk at 80 % of 4 h)
    assert clock.next_check() == start + timedelta(hours=3, minutes=12)
    assert SlaClock.from_json(clock.to_json()).to_json() == clock.to_json()


def test_a_pause_gives_back_business_time() -> None:
    cal = compiled(parse_spec(timezone="Europe/Paris", weekly=DEFAULT_WEEKLY, country="FR"))
    clock = SlaClock(Targets(24 * 3600, None, None, True, None, 80, None, "email"))
    clock.inbound(cal, paris(2026, 11, 6, 17, 50))  # due Thu 12 Nov 14:50
    clock.pause(paris(2026, 11, 9, 12, 0))  # 3h10 used: 20h50 left
    assert clock.next_check() is None
    assert clock.due_transitions(paris(2026, 11, 30, 12, 0)) == []  # paused: never moves
    clock.inbound(cal, paris(2026, 11, 12, 9, 0))  # the customer answers Thursday 9:00
    assert clock.paused_at is None
    # 20h50 from Thu 9:00: Thu 9 h, Fri 9 h, Mon 16 Nov 2h50
    assert clock.due("first_response") == paris(2026, 11, 16, 11, 50)
    assert clock.paused_seconds == cal.between(paris(2026, 11, 9, 12, 0), paris(2026, 11, 12, 9))
