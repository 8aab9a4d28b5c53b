"""Overflow to a provider team: each rule kind, share stability, engagement limits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from omnicase.ingest.pipeline import ingest, ingest_one
from omnicase.model import Case, Engagement, User
from omnicase.routing.agents import do_reevaluate_brand
from omnicase.routing.configure import do_set_team_hours
from omnicase.routing.overflow import OverflowSpec, choose_team, share_bucket
from omnicase.routing.router import _Context
from omnicase.routing.rules import CaseFacts, EngagementSpec
from omnicase.routing.snapshot import BrandConfig, QueueStats
from omnicase.services.orgs import do_create_team, get_org
from omnicase.store.db import Database
from omnicase.store.scope import case_filter, principal_for
from tests.factories import make_world, message
from tests.routing.helpers import admin, case, engagement_id, overflow

SATURDAY = datetime(2026, 11, 7, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)


def emails(n: int, start: int = 0) -> list:  # type: ignore[type-arg]
    return [
        message(email=f"c{start + i}@example.fr", text=f"Question numéro {start + i}", minutes=i)
        for i in range(n)
    ]


def test_backlog_over_n_hands_the_rest_to_the_provider_who_then_sees_them(
    db: Database,
) -> None:
    world = make_world(db, overflow_only=True)
    overflow(db, world, {"kind": "backlog_over", "params": {"cases": 2}})
    results = ingest(db, emails(5))
    teams = [case(db, r.case_id or 0).team_id for r in results]
    assert teams == [None, None, None, world.ids["team"], world.ids["team"]]
    with db.reading() as s:
        provider_agent = s.get(User, world.ids["callpro:agent"])
        assert provider_agent is not None
        seen = set(
            s.scalars(select(Case.id).where(case_filter(s, principal_for(s, provider_agent))))
        )
    assert seen == {results[3].case_id, results[4].case_id}


def test_wait_estimate_from_backlog_handling_rate_and_agents_online() -> None:
    cfg = BrandConfig(1, "Europe/Paris", {"handled_per_agent_hour": 6})
    stats = QueueStats()
    ctx = _Context(SATURDAY, {1: cfg}, stats, {}, {})
    stats.backlog[(1, "q")] = 10
    assert ctx.wait_seconds(1, "q") == float("inf")  # nobody online, nothing handled
    stats.online[(1, "q")] = 2
    assert ctx.wait_seconds(1, "q") == 10 / 12 * 3600  # 2 agents × 6 an hour
    stats.handled[(1, "q")] = 60
    assert ctx.wait_seconds(1, "q") == 600.0  # the queue's last hour wins


def test_wait_over_overflows_when_no_one_can_answer(db: Database) -> None:
    world = make_world(db, overflow_only=True)
    overflow(db, world, {"kind": "wait_over", "params": {"seconds": 600}})
    results = ingest(db, emails(2))
    assert [case(db, r.case_id or 0).team_id for r in results] == [None, world.ids["team"]]


def test_outside_the_internal_teams_hours_the_provider_takes_the_flow(db: Database) -> None:
    world = make_world(db, overflow_only=True)
    with db.transaction() as s:
        acme = get_org(s, "acme")
        team = do_create_team(s, acme, "Acme service")
        week = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
        do_set_team_hours(s, acme, team.id, "Europe/Paris", week, admin(db, world))
    first, second = ingest(db, emails(2))
    overflow(db, world, {"kind": "outside_hours", "params": {}})
    with db.transaction() as s:
        do_reevaluate_brand(s, world.ids["acme"], MONDAY)  # open: nothing moves
    assert case(db, first.case_id or 0).team_id is None
    with db.transaction() as s:
        moved = do_reevaluate_brand(s, world.ids["acme"], SATURDAY)
    assert set(moved.overflowed) == {first.case_id, second.case_id}
    assert case(db, second.case_id or 0).team_id == world.ids["team"]


def test_a_whole_channel_is_outsourced(db: Database) -> None:
    world = make_world(db, overflow_only=True)
    overflow(db, world, {"kind": "channel_or_reason", "params": {"channels": ["chat"]}})
    chat = ingest_one(db, message(channel="chat", chat="visitor-1", text="Bonjour ?"))
    mail = ingest_one(db, message(email="m@example.fr", text="Bonjour"))
    assert case(db, chat.case_id or 0).team_id == world.ids["team"]
    assert case(db, mail.case_id or 0).team_id is None


def test_share_is_stable_per_customer_and_keeps_a_customers_cases_on_one_side(
    db: Database,
) -> None:
    world = make_world(db, overflow_only=True)
    overflow(db, world, {"kind": "share", "params": {"percent": 30, "channels": ["email"]}})
    results = ingest(db, emails(120))
    outsourced = 0
    for r in results:
        row = case(db, r.case_id or 0)
        expected = world.ids["team"] if share_bucket(row.customer_id) < 30 else None
        assert row.team_id == expected
        outsourced += row.team_id is not None
    assert 20 <= outsourced <= 55  # about 30 % of 120
    # the same customers again, on new requests: each stays on its side
    again = ingest(
        db,
        [
            message(
                email=f"c{i}@example.fr",
                text=f"Autre sujet : facture {i}",
                subject=f"Facture {i}",
                minutes=600,
            )
            for i in range(120)
        ],
    )
    for before, after in zip(results, again, strict=True):
        assert case(db, after.case_id or 0).team_id == case(db, before.case_id or 0).team_id


class _Sides:
    today = date(2026, 11, 2)

    def __init__(self, sides: set[int | None]) -> None:
        self.sides = sides

    def wait_seconds(self, brand_id: int, queue: str) -> float:
        return 0.0

    def backlog(self, brand_id: int, queue: str) -> int:
        return 0

    def team_open(self, brand_id: int, team_id: int | None) -> bool:
        return True

    def customer_sides(self, customer_id: int, except_case: int) -> set[int | None]:
        return self.sides


def test_share_follows_the_side_of_the_customers_other_open_cases() -> None:
    engagement = EngagementSpec(5, 9, 1, (), (), (), True, None, date(2020, 1, 1), None)
    rule = OverflowSpec(1, 0, "share", {"percent": 100}, engagement)
    facts = CaseFacts(3, 1, 42, "new", "email", None, "fr", 0, SATURDAY, SATURDAY)
    assert choose_team([rule], facts, "default", _Sides(set()))[0] == 9
    team, tried = choose_team([rule], facts, "default", _Sides({None}))
    assert team is None and tried[0][2] == "the customer's other open cases are internal"
    none_rule = OverflowSpec(1, 0, "share", {"percent": 0}, engagement)
    assert choose_team([none_rule], facts, "default", _Sides({9}))[0] == 9


def test_never_outside_the_engagement(db: Database) -> None:
    world = make_world(db, overflow_only=True)  # engaged on acme's email + chat only
    overflow(db, world, {"kind": "backlog_over", "params": {"cases": 0}})
    calls = ingest(
        db,
        [
            message(channel="phone", phone=f"+3361111110{i}", text="Appel", minutes=i)
            for i in range(3)
        ],
    )
    assert all(case(db, r.case_id or 0).team_id is None for r in calls)
    mails = ingest(db, emails(3))
    assert case(db, mails[-1].case_id or 0).team_id == world.ids["team"]
    with db.transaction() as s:  # the engagement ends: the provider's cases come back
        e = s.get(Engagement, engagement_id(db, world))
        assert e is not None
        e.ends_on = date.today() - timedelta(days=1)
    with db.transaction() as s:
        do_reevaluate_brand(s, world.ids["acme"], datetime.now(UTC))
    assert all(case(db, r.case_id or 0).team_id is None for r in mails)
