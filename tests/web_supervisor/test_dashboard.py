"""The supervisor's live figures, read through the access rule (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from omnicase.ingest.pipeline import ingest_one
from omnicase.model import AgentProfile, Case
from omnicase.services.dashboard import dashboard_fingerprint, live_dashboard
from omnicase.store.db import Database
from tests.factories import T0, World, make_world, message
from tests.routing.helpers import add_agent, queue, set_presence, who

NOW = T0 + timedelta(hours=2)


def _case(db: Database, *, brand: str = "acme", channel: str = "email", **values: object) -> int:
    n = _case.counter = getattr(_case, "counter", 0) + 1  # type: ignore[attr-defined]
    kind = {"email": "email", "phone": "phone"}.get(channel, "chat")
    sender = f"client{n}@example.fr" if kind == "email" else f"+336120{n:05d}"
    sender = sender if kind != "chat" else f"v{n}"
    party: Any = {kind: sender}
    msg = message(brand=brand, channel=channel, text="Où est ma commande ?", **party)
    r = ingest_one(db, msg)
    assert r.case_id is not None
    if values:
        with db.transaction() as s:
            s.execute(update(Case).where(Case.id == r.case_id).values(**values))
    return r.case_id


def _presence(db: Database, states: dict[int, str]) -> None:
    """Presence written as it stands (``do_set_presence`` would also pull cases)."""
    with db.transaction() as s:
        for user_id, presence in states.items():
            s.execute(
                update(AgentProfile)
                .where(AgentProfile.user_id == user_id)
                .values(presence=presence)
            )


def _world(db: Database) -> World:
    world = make_world(db)
    queue(db, world, {"key": "orders", "name": "Commandes", "rules": [{"reasons": ["order"]}]})
    queue(db, world, {"key": "general", "name": "Général", "is_default": True})
    return world


def test_queues_count_waiting_oldest_wait_and_sla_states(db: Database) -> None:
    world = _world(db)
    _case(db, queue="orders", created_at=NOW - timedelta(minutes=30), sla_state="at_risk")
    _case(db, queue="orders", created_at=NOW - timedelta(minutes=90), sla_state="breached")
    _case(db, queue="general", created_at=NOW - timedelta(minutes=5), sla_state="ok")
    _case(db, queue="orders", status="resolved", sla_state="breached")  # not open: not counted
    _case(db, brand="globex", queue="orders", sla_state="breached")  # another brand
    with db.reading() as s:
        board = live_dashboard(s, who(db, world.ids["acme:supervisor"]), NOW)
    queues = {q.key: q for q in board.queues}
    assert list(queues) == ["orders", "general"]  # the brand's order of queues
    assert queues["orders"].name == "Commandes"
    assert (queues["orders"].waiting, queues["orders"].at_risk, queues["orders"].breached) == (
        2,
        1,
        1,
    )
    assert queues["orders"].oldest_wait_seconds == 90 * 60
    assert queues["general"].waiting == 1 and queues["general"].oldest_wait_seconds == 300
    assert board.totals["breached"] == 1


def test_sides_internal_and_provider_agents_by_presence_and_load(db: Database) -> None:
    world = _world(db)
    # offline while the cases are made (online agents would pull them), then set
    mine = add_agent(db, world, presence="offline")
    away = add_agent(db, world, presence="offline")
    theirs = add_agent(db, world, "callpro", team=world.ids["team"], presence="offline")
    _case(db, queue="general", assignee_id=mine, status="open")
    _case(db, queue="general", assignee_id=mine, status="open")
    _case(db, queue="general", channel="chat", team_id=world.ids["team"], assignee_id=theirs)
    _case(db, queue="general", team_id=world.ids["team"], sla_state="breached")
    # the provider agent's case of another brand is no business of acme's
    _case(db, brand="globex", assignee_id=theirs, status="open")
    _presence(db, {mine: "online", away: "away", theirs: "online"})
    with db.reading() as s:
        board = live_dashboard(s, who(db, world.ids["acme:supervisor"]), NOW)
    internal, provider = board.sides
    assert internal.team_id is None and provider.team_id == world.ids["team"]
    loads = {a.user_id: a.load for a in internal.agents + provider.agents}
    assert loads[mine] == 2 and loads[away] == 0 and loads[theirs] == 1
    assert internal.by_presence["online"] == 1 and internal.by_presence["away"] == 1
    assert provider.by_presence["online"] == 1
    assert (provider.open, provider.waiting, provider.breached) == (2, 1, 1)
    # agents of the other provider team (not engaged on acme) are not a side of acme's
    assert {s.team_id for s in board.sides} == {None, world.ids["team"]}


def test_a_provider_supervisor_sees_its_team_and_engaged_cases_only(db: Database) -> None:
    world = _world(db)
    add_agent(db, world, presence="offline")  # acme's own agent
    theirs = add_agent(db, world, "callpro", team=world.ids["team"], presence="offline")
    _case(db, queue="general", channel="email")  # engaged channel
    _case(db, queue="general", channel="phone")  # not engaged: phone
    _case(db, brand="globex", queue="general")
    with db.reading() as s:
        board = live_dashboard(s, who(db, world.ids["callpro:supervisor"]), NOW)
    assert [s.team_id for s in board.sides] == [world.ids["team"]]
    # its team's agents (the world's and the one added), not acme's, not the other team's
    assert {a.user_id for a in board.sides[0].agents} == {theirs, world.ids["callpro:agent"]}
    assert sum(q.waiting for q in board.queues) == 1
    assert {q.brand for q in board.queues} == {"acme"}


def test_another_brand_and_an_unengaged_team_see_nothing_of_acme(db: Database) -> None:
    world = _world(db)
    acme_agent = add_agent(db, world, presence="online")
    _case(db, queue="general")
    with db.reading() as s:
        globex = live_dashboard(s, who(db, world.ids["globex:supervisor"]), NOW)
    assert all(q.brand == "globex" for q in globex.queues)
    assert sum(q.waiting for q in globex.queues) == 0
    assert [s.label for s in globex.sides] == ["Globex Home"]
    assert [a.user_id for a in globex.sides[0].agents] == [world.ids["globex:agent"]]
    assert acme_agent not in {a.user_id for side in globex.sides for a in side.agents}


def test_reasons_now_against_the_same_weekday_of_the_last_four_weeks(db: Database) -> None:
    world = _world(db)
    for _ in range(3):
        _case(db, reason="delivery", first_inbound_at=NOW - timedelta(minutes=10))
    _case(db, reason="delivery", first_inbound_at=NOW - timedelta(hours=1, minutes=30))
    for week in (1, 2, 3, 4):
        _case(db, reason="delivery", first_inbound_at=NOW - timedelta(days=7 * week, minutes=20))
    _case(db, reason="refund", first_inbound_at=NOW - timedelta(days=14, minutes=20))
    _case(db, reason="refund", first_inbound_at=NOW - timedelta(days=13))  # another weekday
    with db.reading() as s:
        board = live_dashboard(s, who(db, world.ids["acme:supervisor"]), NOW)
    reasons = {r.reason: r for r in board.reasons}
    assert reasons["delivery"].last_hour == 3 and reasons["delivery"].today == 4
    assert reasons["delivery"].usual_hour == 1.0 and reasons["delivery"].usual_today == 1.0
    assert reasons["delivery"].trend == "up"
    assert reasons["refund"].today == 0 and reasons["refund"].usual_today == 0.25


def test_the_fingerprint_changes_when_an_agent_goes_away(db: Database) -> None:
    world = _world(db)
    agent = add_agent(db, world, presence="online")
    boss = who(db, world.ids["acme:supervisor"])
    with db.reading() as s:
        before = dashboard_fingerprint(live_dashboard(s, boss, NOW))
        same = dashboard_fingerprint(live_dashboard(s, boss, NOW + timedelta(seconds=5)))
    set_presence(db, world, agent, "away", NOW)
    with db.reading() as s:
        after = dashboard_fingerprint(live_dashboard(s, boss, NOW))
    assert before == same
    assert before != after
