"""``omnicase wfm staff|simulate`` and ``POST /api/v1/wfm/staff|simulate``: files and JSON
in and out, field-named errors, and who may call the API."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from omnicase.cli import app
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import make_world

runner = CliRunner()

CSV = """interval,channel,volume,aht_seconds
0,phone,100,180
1,phone,360,240
0,chat,40,420
1,chat,60,420
0,email,30,400
1,email,0,400
"""


def scenario() -> dict[str, Any]:
    return {
        "seed": 4,
        "interval_seconds": 1800,
        "channels": [
            {"name": "phone", "kind": "phone", "volume": [100, 120], "aht": 180, "patience": 120},
            {
                "name": "email",
                "kind": "async",
                "volume": [30, 30],
                "aht": 300,
                "deadline": 7200,
                "overflow_after": 20,
            },
        ],
        "groups": [
            {"name": "voice", "skills": ["phone"], "staff": [14, 15]},
            {"name": "back office", "skills": ["email"], "staff": 4},
            {"name": "callpro", "skills": ["email"], "staff": 2, "provider": True},
        ],
    }


def test_cli_staff_csv_round_trip(tmp_path: Path) -> None:
    source = tmp_path / "demand.csv"
    source.write_text(CSV)
    result = runner.invoke(app, ["wfm", "staff", str(source), "--shrinkage", "0.25"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    by = {(r["channel"], int(r["interval"])): r for r in rows}
    assert len(rows) == 6
    assert int(by["phone", 0]["agents"]) == 14  # 100 calls × 180 s, 80 % in 20 s
    assert float(by["phone", 0]["scheduled"]) == pytest.approx(14 / 0.75)
    assert by["email", 1]["agents"] == "1" and float(by["email", 1]["backlog"]) > 0
    assert by["email", 0]["service_level"] == ""  # not a live channel
    assert "FTE per week" in result.stderr


def test_cli_staff_json_with_start_times_and_config(tmp_path: Path) -> None:
    rows = [
        {
            "interval": "2025-03-03T08:00:00+01:00",
            "channel": "phone",
            "volume": 100,
            "aht_seconds": 180,
        },
        {
            "interval": "2025-03-03T08:30:00+01:00",
            "channel": "phone",
            "volume": 120,
            "aht_seconds": 180,
        },
    ]
    source = tmp_path / "demand.json"
    source.write_text(json.dumps(rows))
    config = tmp_path / "policies.json"
    config.write_text(json.dumps({"phone": {"service_level": 0.9, "answer_within": 15}}))
    out = tmp_path / "plan.json"
    result = runner.invoke(
        app, ["wfm", "staff", str(source), "--config", str(config), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(out.read_text())
    phone = [r for r in answer["intervals"] if r["channel"] == "phone"]
    assert phone[16]["start"] == "2025-03-03T08:00:00+01:00" and phone[16]["volume"] == 100
    assert phone[16]["service_level"] >= 0.9 and phone[0]["agents"] == 0
    assert len(answer["fte_per_day"]["total"]) == 1


@pytest.mark.parametrize(
    ("text", "args", "expected"),
    [
        (CSV.replace("100,180", "-100,180"), [], "rows.0.volume"),
        (CSV.replace("100,180", "100,0"), [], "rows.0.aht_seconds"),
        (CSV, ["--service-level", "1.2"], "channels.phone.service_level"),
        (CSV, ["--interval-seconds", "0"], "interval_seconds"),
        (CSV.replace("aht_seconds", "aht"), [], "csv header: missing aht_seconds; unknown aht"),
        (CSV + "0,phone,5,180\n", [], "interval[6]: phone interval 0 given twice"),
        (CSV + "0,fax,5,180\n", [], "channels.fax.kind: unknown channel"),
    ],
)
def test_cli_staff_invalid_inputs(
    tmp_path: Path, text: str, args: list[str], expected: str
) -> None:
    source = tmp_path / "demand.csv"
    source.write_text(text)
    result = runner.invoke(app, ["wfm", "staff", str(source), *args])
    assert result.exit_code == 2
    assert expected in result.stderr


def test_cli_simulate_round_trip_and_errors(tmp_path: Path) -> None:
    source = tmp_path / "scenario.json"
    source.write_text(json.dumps(scenario()))
    first = runner.invoke(app, ["wfm", "simulate", str(source)])
    assert first.exit_code == 0, first.output
    answer = json.loads(first.stdout)
    assert answer["seed"] == 4 and set(answer["channels"]) == {"phone", "email"}
    assert 0 <= answer["channels"]["phone"]["service_level"] <= 1
    again = runner.invoke(app, ["wfm", "simulate", str(source)])
    assert json.loads(again.stdout) == answer  # seeded
    other = runner.invoke(app, ["wfm", "simulate", str(source), "--seed", "5"])
    assert json.loads(other.stdout)["channels"] != answer["channels"]

    bad = scenario()
    bad["groups"][0]["skills"] = ["fax"]
    source.write_text(json.dumps(bad))
    result = runner.invoke(app, ["wfm", "simulate", str(source)])
    assert result.exit_code == 2 and "groups[0].skills: no channel named fax" in result.stderr
    bad = scenario()
    bad["channels"][0]["aht"] = 0
    source.write_text(json.dumps(bad))
    result = runner.invoke(app, ["wfm", "simulate", str(source)])
    assert result.exit_code == 2 and "channels.0.aht" in result.stderr
    source.write_text("{not json")
    assert runner.invoke(app, ["wfm", "simulate", str(source)]).exit_code == 2


@pytest.fixture
def wfm_client(db: Database) -> tuple[TestClient, dict[str, str]]:
    from omnicase.api.app import create_app

    world = make_world(db)
    return TestClient(create_app(db)), world.tokens


def staff_body() -> dict[str, Any]:
    return {
        "rows": [
            {"interval": 0, "channel": "phone", "volume": 100, "aht_seconds": 180},
            {"interval": 1, "channel": "phone", "volume": 200, "aht_seconds": 180},
            {"interval": 0, "channel": "sms", "volume": 20, "aht_seconds": 120},
        ],
        "channels": {"phone": {"shrinkage": 0.2}, "sms": {"deadline": 3600}},
    }


def test_api_staff_round_trip(wfm_client: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = wfm_client
    response = client.post(
        "/api/v1/wfm/staff", json=staff_body(), headers=auth(tokens["acme:planner"])
    )
    assert response.status_code == 200, response.text
    body = response.json()
    phone = [r for r in body["intervals"] if r["channel"] == "phone"]
    assert [r["agents"] for r in phone] == [14, 24]
    assert phone[0]["scheduled"] == pytest.approx(14 / 0.8)
    assert body["fte_per_week"]["total"][0] > 0


def test_api_simulate_round_trip(wfm_client: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = wfm_client
    headers = auth(tokens["callpro:supervisor"])  # a provider's supervisor plans too
    first = client.post("/api/v1/wfm/simulate", json=scenario(), headers=headers)
    assert first.status_code == 200, first.text
    email = first.json()["channels"]["email"]
    assert (
        email["handled_internal"] + email["handled_provider"] + email["unanswered"]
        == email["offered"]
    )
    again = client.post("/api/v1/wfm/simulate", json=scenario(), headers=headers)
    assert again.json() == first.json()


def test_api_roles(wfm_client: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = wfm_client
    for who in ("acme:admin", "acme:supervisor", "acme:planner", "globex:planner"):
        r = client.post("/api/v1/wfm/staff", json=staff_body(), headers=auth(tokens[who]))
        assert r.status_code == 200, who
    for who in ("acme:agent", "acme:viewer", "callpro:agent"):
        r = client.post("/api/v1/wfm/simulate", json=scenario(), headers=auth(tokens[who]))
        assert r.status_code == 403, who
    assert client.post("/api/v1/wfm/staff", json=staff_body()).status_code == 401


def rename_sms_to_pager(body: dict[str, Any]) -> None:
    body["rows"][2]["channel"] = "pager"
    del body["channels"]["sms"]


@pytest.mark.parametrize(
    ("path", "change", "field"),
    [
        ("staff", lambda b: b["rows"][1].update(volume=-1), "rows.1.volume"),
        ("staff", lambda b: b["rows"][1].update(aht_seconds=0), "rows.1.aht_seconds"),
        (
            "staff",
            lambda b: b["channels"]["phone"].update(service_level=1.5),
            "channels.phone.service_level",
        ),
        ("staff", lambda b: b.update(interval_seconds=-30), "interval_seconds"),
        ("staff", lambda b: b["rows"].append(dict(b["rows"][0])), "interval[3]"),
        ("staff", lambda b: b["channels"].update(fax={"kind": "async"}), "channels.fax"),
        ("staff", lambda b: b["rows"][2].update(channel="pager"), "channels.sms"),
        ("staff", rename_sms_to_pager, "channels.pager.kind"),
        ("simulate", lambda b: b["channels"][1].update(volume=[1]), "channels[1].volume"),
        ("simulate", lambda b: b["groups"][0].update(skills=[]), "groups.0.skills"),
        ("simulate", lambda b: b["channels"][0].update(volume=[2e6, 0]), "channels"),
    ],
)
def test_api_invalid_inputs_are_422_with_the_field(
    wfm_client: tuple[TestClient, dict[str, str]], path: str, change: Any, field: str
) -> None:
    client, tokens = wfm_client
    body = staff_body() if path == "staff" else scenario()
    change(body)
    r = client.post(f"/api/v1/wfm/{path}", json=body, headers=auth(tokens["acme:admin"]))
    assert r.status_code == 422, r.text
    fields = [e["field"] for e in r.json()["errors"]]
    assert field in fields, fields
    assert all(e["reason"] for e in r.json()["errors"])
