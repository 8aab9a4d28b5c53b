"""The routing API: configuration refused with the field and the reason; who may do what."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import make_world
from tests.routing.helpers import engagement_id

Q = "/api/v1/routing/queues"
OV = "/api/v1/routing/overflow-rules"


def _error(response: Any, field: str, words: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["errors"][0]["field"] == field, body
    assert words in body["detail"], body


def test_queues_crud_and_rules_that_can_never_match(db: Database, client: TestClient) -> None:
    world = make_world(db)
    h = auth(world.tokens["acme:admin"])
    made = client.post(
        Q, json={"key": "chat", "name": "Chat", "rules": [{"channels": ["chat"]}]}, headers=h
    )
    assert made.status_code == 201 and made.json()["key"] == "chat"
    _error(
        client.post(Q, json={"key": "fax", "rules": [{"channels": ["fax"]}]}, headers=h),
        "rules[0].channels",
        "unknown channel fax",
    )
    _error(
        client.post(Q, json={"key": "x1", "rules": [{"reasons": ["weather"]}]}, headers=h),
        "rules[0].reasons",
        "unknown reason weather",
    )
    _error(
        client.post(Q, json={"key": "x2", "rules": [{"languages": ["french"]}]}, headers=h),
        "rules[0].languages",
        "two-letter",
    )
    shadowed = client.post(
        Q,
        json={"key": "vipchat", "rules": [{"channels": ["chat"], "customer_tags": []}]},
        headers=h,
    )
    _error(shadowed, "rules[0]", "can never match: rule 0 of queue 'chat'")
    assert client.post(Q, json={"key": "chat"}, headers=h).status_code == 409
    patched = client.patch(
        f"{Q}/chat", json={"rules": [{"channels": ["chat", "messenger"]}]}, headers=h
    )
    assert patched.status_code == 200 and patched.json()["rules"][0]["channels"] == [
        "chat",
        "messenger",
    ]
    assert [q["key"] for q in client.get(Q, headers=h).json()] == ["chat"]
    assert client.delete(f"{Q}/chat", headers=h).status_code == 204
    assert client.get(Q, headers=h).json() == []


def test_overflow_rules_refused_with_reasons(db: Database, client: TestClient) -> None:
    world = make_world(db)  # callpro's team is engaged on acme's email + chat
    h = auth(world.tokens["acme:admin"])
    eid = engagement_id(db, world)
    ok = client.post(
        OV,
        json={
            "kind": "share",
            "engagement_id": eid,
            "params": {"percent": 30, "channels": ["email"]},
        },
        headers=h,
    )
    assert ok.status_code == 201 and ok.json()["team_id"] == world.ids["team"]
    _error(
        client.post(
            OV, json={"kind": "share", "engagement_id": 9999, "params": {"percent": 3}}, headers=h
        ),
        "engagement_id",
        "no engagement with this brand",
    )
    _error(
        client.post(
            OV,
            json={
                "kind": "channel_or_reason",
                "engagement_id": eid,
                "params": {"channels": ["phone"]},
            },
            headers=h,
        ),
        "params.channels",
        "can never hand a case over",
    )
    _error(
        client.post(OV, json={"kind": "wait_over", "engagement_id": eid, "params": {}}, headers=h),
        "params.seconds",
        "whole number",
    )
    _error(
        client.post(OV, json={"kind": "sometimes", "engagement_id": eid, "params": {}}, headers=h),
        "kind",
        "one of",
    )
    _error(
        client.post(
            OV,
            json={
                "kind": "backlog_over",
                "engagement_id": eid,
                "params": {"cases": 5, "queues": ["nowhere"]},
            },
            headers=h,
        ),
        "params.queues",
        "unknown queue nowhere",
    )
    # globex's admin cannot use acme's engagement
    other = auth(world.tokens["globex:admin"])
    _error(
        client.post(
            OV,
            json={"kind": "share", "engagement_id": eid, "params": {"percent": 5}},
            headers=other,
        ),
        "engagement_id",
        "no engagement with this brand",
    )
    assert client.get(OV, headers=other).json() == []


def test_settings_hours_and_profiles(db: Database, client: TestClient) -> None:
    world = make_world(db)
    h = auth(world.tokens["acme:admin"])
    put = client.put(
        "/api/v1/routing/settings",
        json={"capacity": {"chat": 2}, "offline_grace_seconds": 120},
        headers=h,
    )
    assert put.status_code == 200 and put.json()["capacity"] == {"chat": 2}
    _error(
        client.put("/api/v1/routing/settings", json={"capacity": {"video": 1}}, headers=h),
        "capacity",
        "unknown channel kind video",
    )
    user = world.ids["acme:agent"]
    prof = client.put(
        f"/api/v1/agents/{user}/profile",
        json={"skills": {"languages": ["fr"], "channels": ["email"]}, "capacity": {"async": 4}},
        headers=h,
    )
    assert prof.status_code == 200 and prof.json()["capacity"] == {"async": 4}
    _error(
        client.put(
            f"/api/v1/agents/{user}/profile",
            json={"skills": {"brands": [world.ids["globex"]]}},
            headers=h,
        ),
        "skills.brands",
        "not one this agent's team serves",
    )
    week = {"mon": [["18:00", "09:00"]]}
    from omnicase.services.orgs import do_create_team, get_org

    with db.transaction() as s:
        team = do_create_team(s, get_org(s, "acme"), "Acme service").id
    _error(
        client.put(f"/api/v1/routing/teams/{team}/hours", json={"weekly": week}, headers=h),
        "weekly",
        "closes before it opens",
    )


def test_who_may_configure_and_set_presence(db: Database, client: TestClient) -> None:
    world = make_world(db)
    body = {"key": "general", "is_default": True}
    assert client.post(Q, json=body, headers=auth(world.tokens["acme:agent"])).status_code == 403
    assert client.get(Q, headers=auth(world.tokens["acme:viewer"])).status_code == 200
    for provider_role in ("admin", "supervisor", "agent"):
        h = auth(world.tokens[f"callpro:{provider_role}"])
        assert client.get(Q, headers=h).status_code == 403
        assert client.get(OV, headers=h).status_code == 403
    assert (
        client.post(Q, json=body, headers=auth(world.tokens["acme:supervisor"])).status_code == 201
    )
    # presence: an agent sets their own, a supervisor anyone's in their organisation
    agent_h = auth(world.tokens["acme:agent"])
    me = client.put("/api/v1/agents/me/presence", json={"presence": "away"}, headers=agent_h)
    assert me.status_code == 200 and me.json()["presence"] == "away"
    boss = world.ids["acme:supervisor"]
    assert (
        client.put(
            f"/api/v1/agents/{boss}/presence", json={"presence": "online"}, headers=agent_h
        ).status_code
        == 403
    )
    sup_h = auth(world.tokens["acme:supervisor"])
    agent = world.ids["acme:agent"]
    assert (
        client.put(
            f"/api/v1/agents/{agent}/presence", json={"presence": "offline"}, headers=sup_h
        ).status_code
        == 200
    )
    provider_agent = world.ids["callpro:agent"]
    assert (
        client.put(
            f"/api/v1/agents/{provider_agent}/presence", json={"presence": "online"}, headers=sup_h
        ).status_code
        == 404
    )
    _error(
        client.put("/api/v1/agents/me/presence", json={"presence": "asleep"}, headers=agent_h),
        "presence",
        "one of",
    )
