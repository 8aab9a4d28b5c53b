"""Push and pull assignment, capacity, skills, sides, offline grace, explain."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from omnicase.cli import app as cli_app
from omnicase.ingest.pipeline import ingest, ingest_one
from omnicase.model import Case, Event, User
from omnicase.routing.agents import do_reevaluate_brand, do_requeue_offline
from omnicase.services.cases import do_patch_case
from omnicase.services.orgs import do_create_token
from omnicase.sla.admin import do_create_policy
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import T0, make_world, message
from tests.routing.helpers import add_agent, admin, case, overflow, queue, set_presence


def _resolve(db: Database, world: object, case_id: int) -> None:
    with db.transaction() as s:
        row = s.get(Case, case_id)
        assert row is not None
        do_patch_case(s, row, {"status": "resolved"}, admin(db, world))  # type: ignore[arg-type]


def test_push_goes_to_the_least_loaded_then_longest_idle_agent(db: Database) -> None:
    world = make_world(db)
    busy = add_agent(db, world)
    first = ingest_one(db, message(email="a@example.fr", text="Bonjour"))
    assert case(db, first.case_id or 0).assignee_id == busy
    idle = add_agent(db, world)
    second = ingest_one(db, message(email="b@example.fr", text="Bonjour"))
    assert case(db, second.case_id or 0).assignee_id == idle  # 0 open cases against 1
    third = ingest_one(db, message(email="c@example.fr", text="Bonjour"))
    assert case(db, third.case_id or 0).assignee_id == busy  # equal load: idle longest


def test_skills_and_capacity_are_respected(db: Database) -> None:
    world = make_world(db)
    english = add_agent(db, world, skills={"languages": ["en"]})
    french = add_agent(db, world, skills={"languages": ["fr"]}, capacity={"async": 1})
    results = ingest(
        db,
        [
            message(email="a@example.fr", text="Bonjour, ma commande n'est pas arrivée."),
            message(email="b@example.fr", text="Bonjour, je voudrais un remboursement.", minutes=1),
        ],
    )
    assignees = [case(db, r.case_id or 0).assignee_id for r in results]
    assert assignees == [french, None]  # the French agent is full; English cannot
    assert english not in assignees
    _resolve(db, world, results[0].case_id or 0)
    with db.transaction() as s:  # a slot is free: the periodic re-evaluation fills it
        do_reevaluate_brand(s, world.ids["acme"], T0)
    assert case(db, results[1].case_id or 0).assignee_id == french


def test_a_provider_agent_only_gets_cases_handed_to_their_team(db: Database) -> None:
    world = make_world(db, overflow_only=True)
    provider_agent = add_agent(db, world, "callpro", team=world.ids["team"])
    internal = ingest_one(db, message(email="a@example.fr", text="Bonjour"))
    assert case(db, internal.case_id or 0).assignee_id is None
    overflow(db, world, {"kind": "channel_or_reason", "params": {"channels": ["chat"]}})
    chat = ingest_one(db, message(channel="chat", chat="v-9", text="Bonjour ?"))
    row = case(db, chat.case_id or 0)
    assert (row.team_id, row.assignee_id) == (world.ids["team"], provider_agent)


def test_pull_takes_the_most_urgent_case_within_capacity(db: Database, client: TestClient) -> None:
    world = make_world(db)
    results = ingest(
        db,
        [
            message(email="a@example.fr", text="Bonjour, une question", minutes=0),
            message(
                email="b@example.fr", text="URGENT !!! inadmissible, je porte plainte", minutes=5
            ),
            message(email="c@example.fr", text="Bonjour, une autre question", minutes=1),
        ],
    )
    agent = add_agent(db, world, capacity={"async": 1}, presence="offline")
    with db.transaction() as s:
        user = s.get(User, agent)
        assert user is not None
        token = do_create_token(s, user)[1]
    refused = client.post("/api/v1/agents/me/next-case", headers=auth(token))
    assert refused.status_code == 409 and "online" in refused.json()["detail"]
    client.put("/api/v1/agents/me/presence", json={"presence": "online"}, headers=auth(token))
    # coming online took the most urgent case (the highest priority), up to capacity
    urgent = max(results, key=lambda r: (case(db, r.case_id or 0).priority, -(r.case_id or 0)))
    assert case(db, urgent.case_id or 0).assignee_id == agent
    full = client.post("/api/v1/agents/me/next-case", headers=auth(token))
    assert full.status_code == 204
    _resolve(db, world, urgent.case_id or 0)
    taken = client.post("/api/v1/agents/me/next-case", headers=auth(token))
    assert taken.status_code == 200
    oldest = min((r for r in results if r is not urgent), key=lambda r: r.case_id or 0)
    assert taken.json()["id"] == oldest.case_id  # same priority: waiting longest first


def test_within_a_priority_the_case_due_soonest_goes_first(db: Database) -> None:
    """An SMS (objective 10 min, brand policy) arriving after an email (built-in default,
    hours) is owed its answer first: push and pull serve it first."""
    world = make_world(db)
    with db.transaction() as s:
        do_create_policy(s, admin(db, world), {"channel": "sms", "first_response_seconds": 600})
    email, sms = ingest(
        db,
        [
            message(email="a@example.fr", text="Bonjour, une question", minutes=0),
            message(channel="sms", phone="+33612345678", text="Bonjour question", minutes=30),
        ],
    )
    due = {r.case_id: case(db, r.case_id or 0).first_response_due_at for r in (email, sms)}
    assert due[sms.case_id] < due[email.case_id]  # type: ignore[operator]
    agent = add_agent(db, world, capacity={"async": 1}, presence="offline")
    set_presence(db, world, agent, "online", T0 + timedelta(minutes=31))
    assert case(db, sms.case_id or 0).assignee_id == agent
    assert case(db, email.case_id or 0).assignee_id is None


def test_offline_agents_cases_are_requeued_after_the_grace(db: Database) -> None:
    world = make_world(db)
    leaving = add_agent(db, world)
    r = ingest_one(db, message(email="a@example.fr", text="Bonjour"))
    assert case(db, r.case_id or 0).assignee_id == leaving
    set_presence(db, world, leaving, "offline", T0)
    staying = add_agent(db, world)
    with db.transaction() as s:
        assert do_requeue_offline(s, T0 + timedelta(seconds=200)).routed == 0  # grace 300 s
    assert case(db, r.case_id or 0).assignee_id == leaving
    with db.transaction() as s:
        out = do_requeue_offline(s, T0 + timedelta(seconds=301))
    assert out.assigned == {r.case_id: staying}
    with db.reading() as s:
        kinds = [
            e.kind
            for e in s.scalars(select(Event).where(Event.case_id == r.case_id).order_by(Event.id))
        ]
    assert kinds[-2:] == ["case.requeued", "case.assigned"]


def test_explain_prints_every_rule_tried(db: Database) -> None:
    world = make_world(db, overflow_only=True)
    queue(db, world, {"key": "chat", "rules": [{"channels": ["chat"]}]})
    queue(db, world, {"key": "general", "is_default": True})
    overflow(db, world, {"kind": "backlog_over", "params": {"cases": 5}})
    agent = add_agent(db, world)
    r = ingest_one(db, message(email="a@example.fr", text="Bonjour"))
    result = CliRunner().invoke(
        cli_app, ["routing", "explain", r.reference or "", "--database", db.url]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "chat rule 0: channel email not in chat" in out
    assert "-> queue general" in out
    assert "backlog_over: backlog 0 <= 5" in out
    assert f"agent: {agent} (least loaded" in out
    assert "agents met best-first: 1 of 1 with room" in out
