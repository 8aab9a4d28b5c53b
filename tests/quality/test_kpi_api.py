"""GET /api/v1/kpis and /trend over real HTTP (TestClient), and the kpis CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from omnicase.api.app import create_app
from omnicase.cli import app as cli
from omnicase.quality.kpis.rollup import rebuild
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.quality.kpi_data import Data, build


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as c:
        yield c


@pytest.fixture
def data(db: Database) -> Data:
    data = build(db)
    with db.transaction() as s:
        rebuild(s.connection(), data.brand_id, date(2026, 11, 9), date(2026, 11, 13))
    return data


def test_kpis_by_channel_and_team(client: TestClient, data: Data) -> None:
    admin = auth(data.world.tokens["acme:admin"])
    r = client.get("/api/v1/kpis?from=2026-11-10&to=2026-11-12&by=team", headers=admin)
    assert r.status_code == 200, r.text
    rows = {row["team_id"]: row for row in r.json()["rows"]}
    assert rows[data.internal_team]["components"]["cases"] == 7
    assert rows[data.provider_team]["side"] == "CallPro"
    r = client.get("/api/v1/kpis?from=2026-11-10&to=2026-11-12", headers=admin)
    assert r.json()["rows"][0]["kpis"]["response_rate"] == round(10 / 11, 4)
    # the provider's agent names the brand and sees its own team only
    agent = auth(data.world.tokens["callpro:agent"])
    r = client.get(
        "/api/v1/kpis?brand=acme&from=2026-11-10&to=2026-11-12&by=channel", headers=agent
    )
    assert r.status_code == 200, r.text
    assert sum(row["components"]["cases"] for row in r.json()["rows"]) == 4
    # another brand's staff, an unengaged provider team: no such brand
    for token in ("globex:admin", "callpro:unengaged"):
        r = client.get(
            "/api/v1/kpis?brand=acme&from=2026-11-10&to=2026-11-12",
            headers=auth(data.world.tokens[token]),
        )
        assert r.status_code == 404 and r.json()["errors"][0]["field"] == "brand"


def test_bad_input_names_the_field(client: TestClient, data: Data) -> None:
    admin = auth(data.world.tokens["acme:admin"])
    r = client.get("/api/v1/kpis?from=2026-11-12&to=2026-11-10", headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "to"
    r = client.get("/api/v1/kpis?from=2026-11-10&to=2026-11-12&by=colour", headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "by"
    r = client.get("/api/v1/kpis?to=2026-11-12", headers=admin)
    assert r.status_code == 422
    assert client.get("/api/v1/kpis?from=2026-11-10&to=2026-11-12").status_code == 401


def test_trend(client: TestClient, data: Data) -> None:
    r = client.get("/api/v1/kpis/trend?days=30", headers=auth(data.world.tokens["acme:admin"]))
    assert r.status_code == 200, r.text
    rows = r.json()["rows"]
    assert len(rows) >= 1 and all("day" in row for row in rows)  # today (live) at least
    assert (
        client.get(
            "/api/v1/kpis/trend?days=0", headers=auth(data.world.tokens["acme:admin"])
        ).status_code
        == 422
    )


def test_cli_rebuild_and_show(db: Database) -> None:
    data = build(db)
    url = str(db.engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    r = runner.invoke(
        cli,
        [
            "kpis",
            "rebuild",
            "--brand",
            "acme",
            "--from",
            "2026-11-09",
            "--to",
            "2026-11-12",
            "--database",
            url,
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["rows"] > 0
    r = runner.invoke(
        cli,
        [
            "kpis",
            "show",
            "--brand",
            "acme",
            "--from",
            "2026-11-10",
            "--to",
            "2026-11-12",
            "--by",
            "day",
            "--database",
            url,
        ],
    )
    assert r.exit_code == 0, r.output
    days = {row["day"]: row["components"]["cases"] for row in json.loads(r.output)["rows"]}
    assert days == {"2026-11-10": 5, "2026-11-11": 3, "2026-11-12": 3}
    assert data.brand_id
    r = runner.invoke(
        cli,
        [
            "kpis",
            "show",
            "--brand",
            "nope",
            "--from",
            "2026-11-10",
            "--to",
            "2026-11-12",
            "--database",
            url,
        ],
    )
    assert r.exit_code == 2
