"""Who sees what: every role of every kind of organisation against every read path."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from omnicase.ingest.pipeline import ingest
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import ROLES, make_world, message


def seed_cases(db: Database) -> dict[str, set[int]]:
    """Cases per (brand, origin channel)."""
    msgs = [
        message(brand="acme", channel="email", email="a1@example.fr", text="Commande A-10001"),
        message(brand="acme", channel="chat", chat="v-1", text="Commande A-10002 ?"),
        message(brand="acme", channel="phone", phone="0611111111", text="Appel A-10003"),
        message(brand="acme", channel="messenger", messenger="p-1", text="Colis A-10004"),
        message(brand="globex", channel="email", email="g1@example.co.uk", text="Order GX100001"),
        message(brand="globex", channel="chat", chat="v-2", text="Order GX100002 late"),
    ]
    results = ingest(db, msgs)
    out: dict[str, set[int]] = {}
    for m, r in zip(msgs, results, strict=True):
        assert r.case_id is not None
        out.setdefault(m.brand, set()).add(r.case_id)
        out.setdefault(f"{m.brand}:{m.channel.value}", set()).add(r.case_id)
    return out


def expected(who: str, cases: dict[str, set[int]]) -> set[int]:
    org, role = who.split(":")
    if org in ("acme", "globex"):
        return cases[org]
    if role == "unengaged":
        return set()
    return cases["acme:email"] | cases["acme:chat"]


WHO = [f"{org}:{role}" for org in ("acme", "globex", "callpro") for role in ROLES] + [
    "callpro:unengaged"
]


@pytest.mark.parametrize("who", WHO)
def test_case_list_and_reads_follow_the_scope(db: Database, client: TestClient, who: str) -> None:
    world = make_world(db)
    cases = seed_cases(db)
    allowed = expected(who, cases)
    everything = cases["acme"] | cases["globex"]
    headers = auth(world.tokens[who])

    listed = client.get("/api/v1/cases?limit=200", headers=headers)
    assert listed.status_code == 200
    assert {c["id"] for c in listed.json()["items"]} == allowed

    for case_id in everything:
        r = client.get(f"/api/v1/cases/{case_id}", headers=headers)
        assert r.status_code == (200 if case_id in allowed else 404), (who, case_id)

    customers = client.get("/api/v1/customers?limit=200", headers=headers).json()["items"]
    seen_cases = {c["id"] for cust in customers for c in cust["cases"]}
    assert seen_cases == allowed
    for cust in customers:
        r = client.get(f"/api/v1/customers/{cust['id']}", headers=headers)
        assert r.status_code == 200
        assert {c["id"] for c in r.json()["cases"]} <= allowed


@pytest.mark.parametrize("who", WHO)
def test_writes_need_a_writing_role_and_scope(db: Database, client: TestClient, who: str) -> None:
    world = make_world(db)
    cases = seed_cases(db)
    target = min(cases["acme:email"])
    r = client.patch(
        f"/api/v1/cases/{target}", json={"priority": 2}, headers=auth(world.tokens[who])
    )
    role = who.split(":")[1]
    if role in ("planner", "viewer"):
        assert r.status_code == 403
    elif target in expected(who, cases):
        assert r.status_code == 200 and r.json()["priority"] == 2
    else:
        assert r.status_code == 404


def test_overflow_engagement_sees_only_cases_handed_to_its_team(
    db: Database, client: TestClient
) -> None:
    world = make_world(db, overflow_only=True)
    cases = seed_cases(db)
    headers = auth(world.tokens["callpro:agent"])
    assert client.get("/api/v1/cases", headers=headers).json()["items"] == []
    handed = min(cases["acme:email"])
    r = client.patch(
        f"/api/v1/cases/{handed}",
        json={"queue": "email-overflow"},
        headers=auth(world.tokens["acme:supervisor"]),
    )
    assert r.status_code == 200
    from omnicase.model import Case

    with db.transaction() as s:
        case = s.get(Case, handed)
        assert case is not None
        case.team_id = world.ids["team"]
    listed = client.get("/api/v1/cases", headers=headers).json()["items"]
    assert [c["id"] for c in listed] == [handed]


def test_an_ended_engagement_removes_access_by_itself(db: Database, client: TestClient) -> None:
    world = make_world(db, engagement_ends=date.today() - timedelta(days=1))
    seed_cases(db)
    r = client.get("/api/v1/cases", headers=auth(world.tokens["callpro:agent"]))
    assert r.status_code == 200 and r.json()["items"] == []


def test_no_token_or_bad_token_is_401(db: Database, client: TestClient) -> None:
    make_world(db)
    assert client.get("/api/v1/cases").status_code == 401
    r = client.get("/api/v1/cases", headers=auth("oc_forged"))
    assert r.status_code == 401 and "invalid" in r.json()["detail"]
