"""Agents' load counters (kept by triggers), ``routing recount``, the snapshot cache's
stamp, and capacity held across concurrent routing transactions on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select, text, update
from typer.testing import CliRunner

from omnicase.cli import app as cli_app
from omnicase.ingest.pipeline import ingest, ingest_one
from omnicase.model import AgentProfile, Case, Engagement, Organisation, Team, User
from omnicase.routing.agents import do_reevaluate_brand
from omnicase.routing.cache import routing_stamp
from omnicase.routing.configure import do_set_agent_profile
from omnicase.routing.loads import check_loads, count_loads, do_recount_loads, read_loads
from omnicase.routing.router import route_cases
from omnicase.services.cases import do_merge_cases, do_patch_case
from omnicase.services.orgs import do_create_engagement
from omnicase.store.db import Database
from tests.factories import T0, make_world, message
from tests.routing.helpers import add_agent, admin, case, overflow, set_presence, who


def _agree(db: Database) -> None:
    with db.engine.connect() as conn:
        assert check_loads(conn) == []


def _load(db: Database, agent: int) -> dict[str, int]:
    with db.engine.connect() as conn:
        return dict(read_loads(conn, [agent]).get(agent, {}))


def test_counters_follow_assignment_status_merge_and_reopen(db: Database) -> None:
    world = make_world(db)
    agent = add_agent(db, world)
    other = add_agent(db, world, presence="offline")
    results = ingest(
        db,
        [
            message(email="a@example.fr", text="Bonjour, ma commande"),
            message(email="b@example.fr", text="Bonjour, un remboursement", minutes=1),
            message(channel="phone", phone="+33612345678", text="Appel manqué", minutes=2),
        ],
    )
    ids = [r.case_id or 0 for r in results]
    assert _load(db, agent) == {"call": 1, "chat": 0, "async": 2}
    boss = admin(db, world)
    with db.transaction() as s:  # a supervisor moves one to an offline colleague
        row = s.get(Case, ids[0])
        assert row is not None
        do_patch_case(s, row, {"assignee_id": other}, boss)
    assert _load(db, agent)["async"] == 1 and _load(db, other)["async"] == 1
    with db.transaction() as s:  # pending still counts; resolved frees the slot
        for case_id, status in ((ids[1], "pending"), (ids[2], "resolved")):
            row = s.get(Case, case_id)
            assert row is not None
            do_patch_case(s, row, {"status": status}, boss)
    assert _load(db, agent) == {"call": 0, "chat": 0, "async": 1}
    with db.transaction() as s:  # merging closes the source case
        do_merge_cases(s, ids[1], ids[0], boss)
    _agree(db)
    ingest_one(  # the customer calls back: the resolved call reopens
        db,
        message(channel="phone", phone="+33612345678", text="Rappel svp", minutes=30),
    )
    _agree(db)
    with db.engine.connect() as conn:
        assert count_loads(conn).get(agent, {}) == read_loads(conn, [agent]).get(agent, {})


def test_recount_finds_and_repairs_drift(db: Database) -> None:
    world = make_world(db)
    agent = add_agent(db, world)
    ingest_one(db, message(email="a@example.fr", text="Bonjour"))
    with db.engine.begin() as conn:  # what no code path does: corrupt a counter by hand
        conn.execute(text("UPDATE agent_loads SET load_async = 7, load_chat = 2"))
    with db.engine.begin() as conn:
        drifts = do_recount_loads(conn, repair=False)
    assert {(d.user_id, d.kind, d.stored, d.counted) for d in drifts} == {
        (agent, "async", 7, 1),
        (agent, "chat", 2, 0),
    }
    runner = CliRunner()
    found = runner.invoke(cli_app, ["routing", "recount", "--database", db.url])
    assert found.exit_code == 1, found.output
    assert f"agent {agent} async: counter 7, cases 1" in found.output
    fixed = runner.invoke(cli_app, ["routing", "recount", "--repair", "--database", db.url])
    assert fixed.exit_code == 0, fixed.output
    assert "repaired 2 counters" in fixed.output
    _agree(db)
    again = runner.invoke(cli_app, ["routing", "recount", "--database", db.url])
    assert again.exit_code == 0 and "agree" in again.output


def test_profile_and_presence_changes_redraw_the_stamp(db: Database) -> None:
    """The per-process snapshot is only reused at the stamp it was read at: a skill or
    presence change is seen by the very next routing call."""
    world = make_world(db)
    english = add_agent(db, world, skills={"languages": ["en"]})
    first = ingest_one(db, message(email="a@example.fr", text="Bonjour, ma commande"))
    assert case(db, first.case_id or 0).assignee_id is None  # cached: nobody speaks French
    with db.engine.connect() as conn:
        before = routing_stamp(conn)
    with db.transaction() as s:
        user = s.get(User, english)
        assert user is not None
        do_set_agent_profile(s, user, {"skills": {"languages": ["en", "fr"]}}, who(db, english))
    with db.engine.connect() as conn:
        assert routing_stamp(conn) != before
    with db.transaction() as s:
        do_reevaluate_brand(s, world.ids["acme"], T0)
    assert case(db, first.case_id or 0).assignee_id == english
    set_presence(db, world, english, "away", T0)
    second = ingest_one(db, message(email="b@example.fr", text="Bonjour, autre chose"))
    assert case(db, second.case_id or 0).assignee_id is None


def _race(db: Database, case_ids: list[int]) -> None:
    """Route each case in its own transaction, all starting at the same instant."""
    start = threading.Barrier(len(case_ids))
    errors: list[BaseException] = []

    def run(case_id: int) -> None:
        try:
            start.wait()
            with db.write_engine.connect() as conn, conn.begin():
                route_cases(conn, [case_id], T0, cause="reevaluate")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in case_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors


def _online_without_pull(db: Database, agent: int) -> None:
    """Online by a plain update, so no pull takes the waiting cases first."""
    with db.engine.begin() as conn:
        conn.execute(
            update(AgentProfile).where(AgentProfile.user_id == agent).values(presence="online")
        )


def test_two_transactions_never_fill_one_slot_twice(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    world = make_world(db)
    for n in range(3):  # three races, a fresh one-slot agent each
        agent = add_agent(db, world, capacity={"call": 1}, presence="offline")
        waiting = [
            ingest_one(
                db,
                message(channel="phone", phone=f"+3361234{n}{i}00", text="Appel", minutes=n),
            ).case_id
            or 0
            for i in range(2)
        ]
        assert all(case(db, c).assignee_id is None for c in waiting)
        _online_without_pull(db, agent)
        _race(db, waiting)
        holders = [case(db, c).assignee_id for c in waiting]
        assert holders.count(agent) == 1, holders
        assert _load(db, agent)["call"] == 1
        set_presence(db, world, agent, "offline", T0)
    _agree(db)


def test_a_provider_agent_of_two_brands_is_not_filled_twice(db: Database) -> None:
    """The provider team's lock holds across brands: two brands routing at once to the
    one provider agent engaged on both never exceed its capacity."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    world = make_world(db, overflow_only=True)
    with db.transaction() as s:
        team = s.get(Team, world.ids["team"])
        globex = s.get(Organisation, world.ids["globex"])
        assert team is not None and globex is not None
        do_create_engagement(
            s, team=team, brand=globex, channels=["email"], starts_on=date(2020, 1, 1)
        )
    for brand in ("acme", "globex"):
        with db.reading() as s:
            engagement = s.scalar(
                select(Engagement.id).where(
                    Engagement.team_id == world.ids["team"],
                    Engagement.brand_id == world.ids[brand],
                )
            )
        overflow(
            db,
            world,
            {
                "kind": "channel_or_reason",
                "engagement_id": engagement,
                "params": {"channels": ["email"]},
            },
            brand=brand,
        )
    agent = add_agent(
        db, world, "callpro", team=world.ids["team"], capacity={"async": 1}, presence="offline"
    )
    waiting = [
        ingest_one(db, message(brand=brand, email=f"x@{brand}.example", text="Hello")).case_id or 0
        for brand in ("acme", "globex")
    ]
    assert all(case(db, c).team_id == world.ids["team"] for c in waiting)
    _online_without_pull(db, agent)
    _race(db, waiting)
    holders = [case(db, c).assignee_id for c in waiting]
    assert holders.count(agent) == 1, holders
    _agree(db)
