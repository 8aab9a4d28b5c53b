"""The engagements API: a brand's admins engage, re-scope and end provider teams; brand
staff read their brand's engagements, provider staff their own; refusals name the field
and write nothing; ending an engagement ends the provider's access to the brand's cases."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.ingest.pipeline import ingest
from omnicase.model import Engagement, Event, Organisation, User
from omnicase.services.orgs import do_create_team, do_create_token
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import ROLES, World, make_world, message
from tests.security.world import digest

PATH = "/api/v1/engagements"


def _events(db: Database, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """Who recorded each event of the kind, and its data."""
    with db.reading() as s:
        return [(e.actor, e.data) for e in s.scalars(select(Event).where(Event.kind == kind))]


def _engagement(db: Database, engagement_id: int) -> Engagement:
    with db.reading() as s:
        row = s.get(Engagement, engagement_id)
        assert row is not None
        s.expunge(row)
        return row


def _acme_today() -> date:
    return datetime.now(ZoneInfo("Europe/Paris")).date()


def test_a_brand_admin_engages_rescopes_and_ends_a_team(db: Database, client: TestClient) -> None:
    world = make_world(db)
    admin = auth(world.tokens["acme:admin"])
    r = client.post(
        PATH,
        headers=admin,
        json={
            "team_id": world.ids["other_team"],
            "channels": ["phone"],
            "reasons": ["delivery"],
            "overflow_only": True,
            "share_percent": 30,
            "starts_on": "2026-12-10",
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["team"] == "Rabat voice" and body["provider"] == "CallPro"
    assert body["ends_on"] is None
    row = _engagement(db, body["id"])
    assert (row.team_id, row.brand_id) == (world.ids["other_team"], world.ids["acme"])
    assert (row.channels, row.reasons, row.overflow_only, row.share_percent) == (
        ["phone"],
        ["delivery"],
        True,
        30,
    )
    assert row.starts_on == date(2026, 12, 10)
    by = f"user:{world.ids['acme:admin']}"
    assert (by, {"engagement": row.id, "team": world.ids["other_team"]}) in _events(
        db, "engagement.created"
    )

    r = client.patch(f"{PATH}/{row.id}", headers=admin, json={"channels": ["phone", "sms"]})
    assert r.status_code == 200, r.text
    row = _engagement(db, row.id)
    assert row.channels == ["phone", "sms"]
    assert row.reasons == ["delivery"] and row.share_percent == 30  # not sent, unchanged
    assert _events(db, "engagement.updated") == [
        (by, {"engagement": row.id, "fields": ["channels"]})
    ]

    r = client.post(f"{PATH}/{row.id}/end", headers=admin, json={"ends_on": "2026-12-31"})
    assert r.status_code == 200 and r.json()["ends_on"] == "2026-12-31"
    assert _engagement(db, row.id).ends_on == date(2026, 12, 31)
    assert _events(db, "engagement.ended") == [
        (by, {"engagement": row.id, "ends_on": "2026-12-31"})
    ]


def test_defaults_start_and_end_on_the_brands_today(db: Database, client: TestClient) -> None:
    world = make_world(db)
    admin = auth(world.tokens["acme:admin"])
    r = client.post(PATH, headers=admin, json={"team_id": world.ids["other_team"]})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["starts_on"] == _acme_today().isoformat()
    assert created["channels"] == [] and created["overflow_only"] is False
    ended = client.post(f"{PATH}/{created['id']}/end", headers=admin)
    assert ended.status_code == 200, ended.text
    assert ended.json()["ends_on"] == _acme_today().isoformat()


def _listed(client: TestClient, world: World, who: str) -> list[int]:
    r = client.get(PATH, headers=auth(world.tokens[who]))
    assert r.status_code == 200, (who, r.text)
    return [e["id"] for e in r.json()]


@pytest.mark.parametrize(
    "who",
    [f"{o}:{r}" for o in ("acme", "globex", "callpro") for r in ROLES] + ["callpro:unengaged"],
)
def test_who_lists_which_engagements(db: Database, client: TestClient, who: str) -> None:
    """acme engages two teams (the world's, and Rabat voice, already ended)."""
    world = make_world(db)
    admin = auth(world.tokens["acme:admin"])
    other = client.post(
        PATH,
        headers=admin,
        json={"team_id": world.ids["other_team"], "starts_on": "2021-01-01"},
    ).json()["id"]
    assert client.post(f"{PATH}/{other}/end", headers=admin, json={"ends_on": "2021-06-30"})
    expected = {
        "acme": [1, other],
        "globex": [],
        # the organisation's admin sees every team's; its staff their own team's
        "callpro": [1, other] if who == "callpro:admin" else [1],
    }[who.split(":")[0]]
    if who == "callpro:unengaged":  # the other team's agent: the ended one only
        expected = [other]
    assert _listed(client, world, who) == expected


def test_a_provider_token_restricted_to_another_brand_sees_no_engagement(
    db: Database, client: TestClient
) -> None:
    world = make_world(db)
    with db.transaction() as s:
        globex = s.get(Organisation, world.ids["globex"])
        user = s.get(User, world.ids["callpro:admin"])
        assert user is not None and globex is not None
        headers = auth(do_create_token(s, user, brand=globex)[1])
    assert _listed(client, world, "callpro:admin") == [1]  # the unrestricted token
    assert client.get(PATH, headers=headers).json() == []
    assert client.patch(f"{PATH}/1", headers=headers, json={}).status_code == 404


def test_only_the_brands_admins_write(db: Database, client: TestClient) -> None:
    world = make_world(db)
    team = world.ids["other_team"]
    before = digest(db)
    refused = [
        *[(f"acme:{r}", "POST", PATH, {"team_id": team}) for r in ROLES[1:]],
        *[(f"acme:{r}", "PATCH", f"{PATH}/1", {"channels": ["email"]}) for r in ROLES[1:]],
        *[(f"acme:{r}", "POST", f"{PATH}/1/end", {}) for r in ROLES[1:]],
        *[(f"callpro:{r}", "POST", PATH, {"team_id": team}) for r in ROLES],
        *[(f"callpro:{r}", "PATCH", f"{PATH}/1", {"channels": ["email"]}) for r in ROLES],
        *[(f"callpro:{r}", "POST", f"{PATH}/1/end", {}) for r in ROLES],
    ]
    for who, method, url, body in refused:
        r = client.request(method, url, headers=auth(world.tokens[who]), json=body)
        assert r.status_code == 403, (who, method, url, r.status_code, r.text)
    # another brand's engagement does not exist for globex, whatever the role
    for role in ROLES:
        headers = auth(world.tokens[f"globex:{role}"])
        if role in ("planner", "viewer"):
            continue  # read-only roles are refused before the lookup (403)
        for method, url in (("PATCH", f"{PATH}/1"), ("POST", f"{PATH}/1/end")):
            r = client.request(method, url, headers=headers, json={})
            assert r.status_code == 404, (role, method, r.status_code)
    assert (
        client.patch(f"{PATH}/999", headers=auth(world.tokens["acme:admin"]), json={}).status_code
        == 404
    )
    assert digest(db) == before


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("POST", PATH, {"team_id": 5, "fax": True}, "fax"),
        ("POST", PATH, {}, "team_id"),
        ("POST", PATH, {"team_id": 999}, "team_id"),
        ("POST", PATH, {"team_id": "own", "channels": ["email"]}, "team_id"),
        ("POST", PATH, {"team_id": "other", "channels": ["fax"]}, "channels"),
        ("POST", PATH, {"team_id": "other", "queues": ["nowhere"]}, "queues"),
        ("POST", PATH, {"team_id": "other", "reasons": ["astrology"]}, "reasons"),
        ("POST", PATH, {"team_id": "other", "share_percent": 0}, "share_percent"),
        ("POST", PATH, {"team_id": "other", "starts_on": "tomorrow"}, "starts_on"),
        (
            "POST",
            PATH,
            {"team_id": "other", "starts_on": "2027-01-02", "ends_on": "2027-01-01"},
            "ends_on",
        ),
        ("PATCH", f"{PATH}/1", {"starts_on": "2027-01-01"}, "starts_on"),
        ("PATCH", f"{PATH}/1", {"share_percent": 101}, "share_percent"),
        ("PATCH", f"{PATH}/1", {"channels": "email"}, "channels"),
        ("PATCH", f"{PATH}/1", {"overflow_only": None}, "overflow_only"),
        ("POST", f"{PATH}/1/end", {"ends_on": "2019-12-31"}, "ends_on"),
        ("POST", f"{PATH}/1/end", {"ends_on": "someday"}, "ends_on"),
        ("POST", f"{PATH}/1/end", {"ends_on": "2030-01-01", "why": "x"}, "why"),
    ],
)
def test_refusals_name_the_field_and_write_nothing(
    db: Database, client: TestClient, method: str, url: str, body: dict[str, Any], field: str
) -> None:
    world = make_world(db)
    with db.transaction() as s:  # a team of the brand itself is not a provider's
        acme = s.get(Organisation, world.ids["acme"])
        assert acme is not None
        own = do_create_team(s, acme, "In-house").id
    teams = {"own": own, "other": world.ids["other_team"]}
    if body.get("team_id") in teams:
        body = {**body, "team_id": teams[body["team_id"]]}
    before = digest(db)
    r = client.request(method, url, headers=auth(world.tokens["acme:admin"]), json=body)
    assert r.status_code == 422, r.text
    fields = [e["field"].split(".")[-1] for e in r.json()["errors"]]
    assert field in fields, r.json()
    assert digest(db) == before


def test_a_provider_agent_loses_the_brands_cases_after_the_end(
    db: Database, client: TestClient
) -> None:
    world = make_world(db)
    [result] = ingest(db, [message(brand="acme", email="a@example.fr", text="A-10001")])
    case = f"/api/v1/cases/{result.case_id}"
    agent = auth(world.tokens["callpro:agent"])
    admin = auth(world.tokens["acme:admin"])
    assert client.get(case, headers=agent).status_code == 200
    # ending today: today is still the last day served
    assert client.post(f"{PATH}/1/end", headers=admin).status_code == 200
    assert client.get(case, headers=agent).status_code == 200
    yesterday = (_acme_today() - timedelta(days=1)).isoformat()
    r = client.post(f"{PATH}/1/end", headers=admin, json={"ends_on": yesterday})
    assert r.status_code == 200
    assert client.get(case, headers=agent).status_code == 404
    assert client.get("/api/v1/cases", headers=agent).json()["items"] == []
    assert _listed(client, world, "callpro:agent") == [1]  # still listed, as ended
    assert client.get(case, headers=admin).status_code == 200
