"""``omnicase wfm scenario`` (HTML, CSV, XLSX) and POST /api/v1/wfm/scenario."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from omnicase.api.app import create_app
from omnicase.cli import app
from omnicase.store.db import Database
from tests.factories import make_world

runner = CliRunner()


def _body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "situation": "growth",
        "months": 3,
        "history": {"generated": {"channels": ["phone", "email"], "days": 21}},
        "growth_per_month": 0.05,
        "provider": {"price_per_contact": 2.5, "notice_days": 0},
        "simulate": False,
    }
    body.update(over)
    return body


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as c:
        yield c


@pytest.mark.slow
def test_cli_report_csv_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(_body()))
    html, table, book = tmp_path / "r.html", tmp_path / "t.csv", tmp_path / "t.xlsx"
    result = runner.invoke(
        app,
        [
            "wfm",
            "scenario",
            str(path),
            "--out",
            str(html),
            "--csv",
            str(table),
            "--xlsx",
            str(book),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "cheapest meeting every service-level target" in result.stderr
    page = html.read_text()
    assert page.count("<svg") == 3 and "id='recommendation'" in page
    assert "Monthly FTE by option" in page and "Cost by option" in page
    assert "src=" not in page and "<link" not in page  # nothing external
    rows = list(csv.DictReader(table.open()))
    assert len(rows) == 9 and {r["option"] for r in rows} == {"internal", "outsourced", "hybrid"}
    assert {"sl_phone", "sl_phone_low", "sl_phone_high", "cost_total"} <= set(rows[0])
    sheet = load_workbook(book)["monthly"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(rows[0])
    assert values[1][0] == rows[0]["option"]
    assert float(values[1][list(rows[0]).index("cost_total")]) == pytest.approx(
        float(rows[0]["cost_total"]), rel=1e-6
    )
    assert load_workbook(book)["summary"]["A1"].value == "option"

    path.write_text(json.dumps(_body(months=0)))
    bad = runner.invoke(app, ["wfm", "scenario", str(path)])
    assert bad.exit_code == 2 and "months: must be a whole number" in bad.stderr
    bad = runner.invoke(app, ["wfm", "scenario", "--demo", "nope"])
    assert bad.exit_code == 2 and "demo" in bad.stderr


@pytest.mark.slow
def test_api_scenario_roles_and_errors(db: Database, client: TestClient) -> None:
    world = make_world(db)

    def post(who: str, body: dict[str, Any]) -> Any:
        return client.post(
            "/api/v1/wfm/scenario",
            json=body,
            headers={"Authorization": f"Bearer {world.tokens[who]}"},
        )

    r = post("acme:planner", _body())
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["months"] == ["2026-10", "2026-11", "2026-12"]
    assert len(out["rows"]) == 9 and out["recommendation"].startswith("cheapest")
    assert set(out["summary"]) == {"internal", "outsourced", "hybrid"}
    assert post("acme:agent", _body()).status_code == 403
    r = post("acme:planner", _body(provider={"price_per_contact": 1, "notice_days": 400}))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "provider.notice_days"
    r = post("acme:planner", _body(channels={"phone": {"service_level": 1.5}}))
    assert r.status_code == 422
