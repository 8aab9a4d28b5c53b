"""The archive through the API: who sees which reports (brand staff, the engaged
provider, another provider team, another brand), downloads audit-logged with the file's
sha256, and provider contracts set by brand admins only (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.config import Settings
from omnicase.model import Event
from omnicase.reports.archive import do_generate
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.reports.dataset import DAY, build

pytestmark = pytest.mark.processes

CONTRACT = {
    "objectives": {"response_rate": 0.9, "first_response_median_s": 3600},
    "rules": {
        "currency": "EUR",
        "penalty_cap": 800,
        "kpis": {"response_rate": {"per_point_below": 10, "per_point_above": 5}},
    },
    "recipients": ["Direction@Acme.example"],
}


def test_who_sees_and_downloads_which_report(
    db: Database, settings: Settings, client: TestClient
) -> None:
    data = build(db)
    tokens = data.world.tokens
    r = client.put(
        "/api/v1/engagements/1/contract", json=CONTRACT, headers=auth(tokens["acme:admin"])
    )
    assert r.status_code == 200, r.text
    assert r.json()["recipients"] == ["Direction@acme.example"]
    brand_row, _ = do_generate(db, settings, data.world.ids["acme"], DAY)
    eng_row, eng_data = do_generate(db, settings, data.world.ids["acme"], DAY, engagement_id=1)
    assert brand_row is not None and eng_row is not None and eng_data is not None
    assert eng_data.contracts[0].lines[0].amount == -400  # 50 % answered vs 90 %

    def ids(token: str) -> list[int]:
        r = client.get("/api/v1/reports", headers=auth(token))
        assert r.status_code == 200, r.text
        return [item["id"] for item in r.json()["items"]]

    assert ids(tokens["acme:admin"]) == [eng_row.id, brand_row.id]
    assert ids(tokens["acme:viewer"]) == [eng_row.id, brand_row.id]
    assert ids(tokens["callpro:supervisor"]) == [eng_row.id]  # its engagement only
    assert ids(tokens["callpro:admin"]) == [eng_row.id]
    # agents (of the brand or a provider) read no reports
    assert client.get("/api/v1/reports", headers=auth(tokens["callpro:agent"])).status_code == 403
    assert ids(tokens["globex:admin"]) == []
    assert client.get("/api/v1/reports", headers=auth(tokens["acme:agent"])).status_code == 403

    pdf = client.get(f"/api/v1/reports/{brand_row.id}/pdf", headers=auth(tokens["acme:supervisor"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["x-content-sha256"] == hashlib.sha256(pdf.content).hexdigest()
    assert brand_row.files["pdf"]["sha256"] == hashlib.sha256(pdf.content).hexdigest()
    xlsx = client.get(
        f"/api/v1/reports/{eng_row.id}/xlsx", headers=auth(tokens["callpro:supervisor"])
    )
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # a provider never reaches the brand's own report, nor another brand its reports
    for token, rid in (("callpro:supervisor", brand_row.id), ("globex:admin", eng_row.id)):
        assert (
            client.get(f"/api/v1/reports/{rid}/pdf", headers=auth(tokens[token])).status_code == 404
        )
    bad = client.get(f"/api/v1/reports/{brand_row.id}/docx", headers=auth(tokens["acme:admin"]))
    assert bad.status_code == 422

    with db.reading() as s:
        exports = s.scalars(
            select(Event).where(Event.kind == "access.export").order_by(Event.id)
        ).all()
    assert [(e.data["report"], e.data["format"], e.data["role"]) for e in exports] == [
        (brand_row.id, "pdf", "supervisor"),
        (eng_row.id, "xlsx", "supervisor"),
    ]
    assert all(e.brand_id == data.world.ids["acme"] for e in exports)


def test_contracts_are_checked_and_set_by_brand_admins_only(
    db: Database, client: TestClient
) -> None:
    data = build(db)
    tokens = data.world.tokens
    url = "/api/v1/engagements/1/contract"
    for token, status in (
        ("acme:supervisor", 403),
        ("callpro:admin", 404),
        ("globex:admin", 404),
    ):
        assert client.put(url, json=CONTRACT, headers=auth(tokens[token])).status_code == status
    cases = [
        ({"objectives": {"speed": 1}}, "objectives.speed"),
        ({"objectives": {"response_rate": 90}}, "objectives.response_rate"),
        ({"objectives": {"response_rate": 0.9}, "rules": {"currency": "euros"}}, "rules.currency"),
        (
            {"objectives": {"response_rate": 0.9}, "rules": {"kpis": {"csat": {"cap": 1}}}},
            "rules.kpis.csat",
        ),
        (
            {
                "objectives": {"response_rate": 0.9},
                "rules": {"kpis": {"response_rate": {"point": 0}}},
            },
            "rules.kpis.response_rate.point",
        ),
        ({"objectives": {"response_rate": 0.9}, "recipients": ["not-an-email"]}, "recipients.0"),
    ]
    for body, field in cases:
        r = client.put(url, json=body, headers=auth(tokens["acme:admin"]))
        assert r.status_code == 422, (body, r.text)
        assert r.json()["errors"][0]["field"] == field, r.json()
    assert client.get(url, headers=auth(tokens["acme:admin"])).status_code == 404  # nothing written
    assert client.put(url, json=CONTRACT, headers=auth(tokens["acme:admin"])).status_code == 200
    got = client.get(url, headers=auth(tokens["acme:supervisor"]))
    assert got.status_code == 200 and got.json()["objectives"] == CONTRACT["objectives"]
    with db.reading() as s:
        assert s.scalar(select(Event.id).where(Event.kind == "engagement.contract_set"))
