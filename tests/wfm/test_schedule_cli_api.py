"""``omnicase wfm schedule`` and POST /api/v1/wfm/schedule, end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from omnicase.api.app import create_app
from omnicase.cli import app
from omnicase.store.db import Database
from tests.factories import make_world

runner = CliRunner()


def _body(**over: Any) -> dict[str, Any]:
    required = [0.0] * (7 * 48)
    required[18:26] = [2.0] * 8  # Monday 9:00-13:00
    body: dict[str, Any] = {
        "start": "2026-03-02",
        "required": required,
        "templates": [{"name": "4h", "minutes": 240, "starts": ["09:00"]}],
        "contracts": [
            {
                "name": "part",
                "templates": ["4h"],
                "hourly_cost": 20,
                "max_agents": 5,
                "weekly_hours": [4, 20],
                "shifts_per_week": [1, 5],
            }
        ],
        "providers": [{"name": "bpo", "max_agents": 3, "hourly_price": 25}],
    }
    body.update(over)
    return body


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as c:
        yield c


def test_cli_schedule_round_trip(tmp_path: Path) -> None:
    problem = tmp_path / "problem.json"
    problem.write_text(json.dumps(_body()))
    out, coverage = tmp_path / "schedule.json", tmp_path / "coverage.csv"
    result = runner.invoke(
        app, ["wfm", "schedule", str(problem), "--out", str(out), "--coverage-csv", str(coverage)]
    )
    assert result.exit_code == 0, result.stderr
    assert "optimal: cost 160.00" in result.stderr
    body = json.loads(out.read_text())
    assert body["cost"] == 160.0 and body["agents"] == {"part": 2}
    assert body["shifts"] == [
        {
            "contract": "part",
            "template": "4h",
            "day": "2026-03-02",
            "start": "09:00",
            "breaks": [],
            "agents": 2,
            "paid_hours": 4.0,
        }
    ]
    lines = coverage.read_text().splitlines()
    assert lines[0] == "interval_start,required,internal,bpo,under,over,internal_only_shortfall"
    assert lines[19] == "2026-03-02T09:00,2.0,2.0,0,0.0,0.0,0.0"

    bad = _body(
        templates=[
            {
                "name": "4h",
                "minutes": 240,
                "starts": ["09:00"],
                "breaks": [{"minutes": 60, "earliest": 200, "latest": 220}],
            }
        ]
    )
    problem.write_text(json.dumps(bad))
    result = runner.invoke(app, ["wfm", "schedule", str(problem)])
    assert result.exit_code == 2
    assert "templates[0].breaks[0].latest: a break starting at +220 min ends after" in (
        result.stderr
    )
    problem.write_text(json.dumps(_body(required=[-1.0] * 336)))
    result = runner.invoke(app, ["wfm", "schedule", str(problem)])
    assert result.exit_code == 2 and "required" in result.stderr


def test_api_schedule_roles_and_errors(db: Database, client: TestClient) -> None:
    world = make_world(db)

    def post(who: str, body: dict[str, Any]) -> Any:
        return client.post(
            "/api/v1/wfm/schedule",
            json=body,
            headers={"Authorization": f"Bearer {world.tokens[who]}"},
        )

    r = post("acme:planner", _body())
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["cost"] == 160.0 and out["uncovered_with_internal_only"] == []
    assert out["intervals"][18] == {
        "interval_start": "2026-03-02T09:00",
        "required": 2.0,
        "internal": 2.0,
        "provider": {"bpo": 0},
        "under": 0.0,
        "over": 0.0,
        "internal_only_shortfall": 0.0,
    }
    assert post("acme:admin", _body()).status_code == 200
    assert post("callpro:planner", _body()).status_code == 200
    assert post("acme:agent", _body()).status_code == 403
    assert client.post("/api/v1/wfm/schedule", json=_body()).status_code == 401

    night = _body(required=[3.0 if 44 <= i < 46 else 0.0 for i in range(336)])
    out = post("acme:planner", night).json()
    assert out["uncovered_with_internal_only"] == ["2026-03-02T22:00", "2026-03-02T22:30"]
    assert [i["provider"]["bpo"] for i in out["intervals"][44:46]] == [3, 3]

    r = post(
        "acme:planner",
        _body(contracts=[{"name": "cdi", "templates": ["4h"], "hourly_cost": 20, "max_agents": 5}]),
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "field": "contracts.0.weekly_hours",
            "reason": "35 h cannot be reached with at most 5 shifts of at most 4 h paid",
        }
    ]
    r = post("acme:planner", _body(templates=[{"name": "4h", "minutes": 240, "starts": ["25:00"]}]))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "templates.0"
    r = post("acme:planner", _body(providers=[{"name": "x", "max_agents": 1}]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "providers.0.hourly_price"
