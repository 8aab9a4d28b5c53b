"""/api/v1/sla: calendars and policies of the caller's brand, refused with the reason;
the case read API shows the SLA state and due times."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from omnicase.ingest.pipeline import ingest_one
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import make_world, message
from tests.sla.helpers import paris

CAL = {
    "name": "Strasbourg",
    "timezone": "Europe/Paris",
    "weekly": {
        d: [["08:30", "12:00"], ["13:30", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")
    },
    "country": "FR",
    "subdivision": "Alsace-Moselle",
    "closures": [{"date": "2026-12-24", "hours": [["14:00", "24:00"]]}],
    "is_default": True,
}


def test_calendar_and_policy_crud(db: Database, client: TestClient) -> None:
    world = make_world(db)
    admin = auth(world.tokens["acme:admin"])
    r = client.post("/api/v1/sla/calendars", json=CAL, headers=admin)
    assert r.status_code == 201, r.text
    cal = r.json()
    assert cal["subdivision"] == "57" and cal["is_default"]
    policy = {
        "channel": "email",
        "first_response_seconds": 8 * 3600,
        "business_hours": True,
        "calendar_id": cal["id"],
        "escalations": [{"on": "breached", "action": "notify"}],
    }
    r = client.post("/api/v1/sla/policies", json=policy, headers=admin)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert r.json()["priority"] is None and r.json()["name"] == "email any priority"
    r = client.patch(f"/api/v1/sla/policies/{pid}", json={"at_risk_percent": 70}, headers=admin)
    assert r.status_code == 200 and r.json()["at_risk_percent"] == 70
    assert [p["id"] for p in client.get("/api/v1/sla/policies", headers=admin).json()] == [pid]
    assert len(client.get("/api/v1/sla/defaults", headers=admin).json()) == 9

    # a calendar in use cannot go; the policy can
    r = client.delete(f"/api/v1/sla/calendars/{cal['id']}", headers=admin)
    assert r.status_code == 409 and "change them first" in r.json()["detail"]
    assert client.delete(f"/api/v1/sla/policies/{pid}", headers=admin).status_code == 204
    assert client.delete(f"/api/v1/sla/calendars/{cal['id']}", headers=admin).status_code == 204

    # other brands and provider staff see none of it; agents may not write
    r = client.get(f"/api/v1/sla/calendars/{cal['id']}", headers=auth(world.tokens["globex:admin"]))
    assert r.status_code == 404
    assert (
        client.get("/api/v1/sla/policies", headers=auth(world.tokens["callpro:admin"])).status_code
        == 403
    )
    r = client.post("/api/v1/sla/policies", json=policy, headers=auth(world.tokens["acme:agent"]))
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("path", "body", "status", "field", "reason"),
    [
        (
            "calendars",
            {**CAL, "weekly": {"mon": [["18:00", "09:00"]]}},
            422,
            "weekly.mon[0]",
            "ends before it starts",
        ),
        (
            "calendars",
            {**CAL, "weekly": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}},
            422,
            "weekly.mon",
            "overlap",
        ),
        ("calendars", {**CAL, "country": "ZZ"}, 422, "country", "no public holidays"),
        ("calendars", {**CAL, "subdivision": "Bretagne"}, 422, "subdivision", "no subdivision"),
        (
            "policies",
            {"channel": "chat", "first_response_seconds": 0},
            422,
            "first_response_seconds",
            "positive",
        ),
        (
            "policies",
            {"channel": "chat", "first_response_seconds": 60, "resolution_seconds": -5},
            422,
            "resolution_seconds",
            "positive",
        ),
        (
            "policies",
            {"channel": "chat", "first_response_seconds": 60, "priority": 7},
            422,
            "priority",
            "0-3",
        ),
        (
            "policies",
            {
                "channel": "chat",
                "first_response_seconds": 60,
                "calendar_id": 999,
                "business_hours": True,
            },
            422,
            "calendar_id",
            "no calendar",
        ),
        (
            "policies",
            {
                "channel": "chat",
                "first_response_seconds": 60,
                "escalations": [{"on": "late", "action": "notify"}],
            },
            422,
            "escalations[0].on",
            "at_risk or breached",
        ),
        (
            "policies",
            {
                "channel": "chat",
                "first_response_seconds": 60,
                "escalations": [{"on": "breached", "action": "notify", "users": [9999]}],
            },
            422,
            "escalations",
            "no user 9999",
        ),
    ],
)
def test_invalid_settings_are_refused_with_the_reason(
    db: Database,
    client: TestClient,
    path: str,
    body: dict[str, Any],
    status: int,
    field: str,
    reason: str,
) -> None:
    world = make_world(db)
    r = client.post(f"/api/v1/sla/{path}", json=body, headers=auth(world.tokens["acme:admin"]))
    assert r.status_code == status, r.text
    assert r.json()["errors"][0]["field"] == field
    assert reason in r.json()["detail"]


def test_a_duplicate_policy_is_refused(db: Database, client: TestClient) -> None:
    world = make_world(db)
    admin = auth(world.tokens["acme:admin"])
    body = {"channel": "chat", "priority": 2, "first_response_seconds": 30}
    assert client.post("/api/v1/sla/policies", json=body, headers=admin).status_code == 201
    r = client.post("/api/v1/sla/policies", json={**body, "name": "again"}, headers=admin)
    assert r.status_code == 409
    assert "already covers chat at priority 2" in r.json()["detail"]
    # the same channel at any priority is another policy
    r = client.post("/api/v1/sla/policies", json={**body, "priority": None}, headers=admin)
    assert r.status_code == 201


def test_the_case_api_shows_the_sla(db: Database, client: TestClient) -> None:
    world = make_world(db)
    arrival = paris(2026, 11, 6, 17, 50)
    r = ingest_one(db, message(channel="email", at=arrival, email="j@example.fr"))
    body = client.get(f"/api/v1/cases/{r.reference}", headers=auth(world.tokens["acme:agent"]))
    data = body.json()
    assert data["sla_state"] == "ok"
    assert data["first_response_due_at"] == "2026-11-12T13:50:00Z"  # Thu 14:50 Paris
    assert data["next_response_due_at"] is None and data["sla_paused_at"] is None
    listed = client.get("/api/v1/cases", headers=auth(world.tokens["acme:agent"])).json()
    assert listed["items"][0]["first_response_due_at"] == "2026-11-12T13:50:00Z"
