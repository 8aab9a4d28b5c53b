"""``omnicase wfm forecast`` and POST /api/v1/wfm/forecast, end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from omnicase.api.app import create_app
from omnicase.cli import app
from omnicase.ingest.pipeline import ingest
from omnicase.store.db import Database
from omnicase.wfm.history import write_forecast_csv
from omnicase.wfm.series import generate
from tests.factories import make_world, message

runner = CliRunner()
MONDAY = date(2026, 1, 5)


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as c:
        yield c


def _history_csv(days: int = 70) -> str:
    return write_forecast_csv(
        [generate(ch, start=MONDAY, days=days, seed=4) for ch in ("chat", "phone")]
    )


def test_cli_forecast_from_csv(tmp_path: Path) -> None:
    history = tmp_path / "history.csv"
    history.write_text(_history_csv())
    events = tmp_path / "events.json"
    events.write_text(
        json.dumps(
            [
                {
                    "kind": "campaign",
                    "start": "2026-03-20",
                    "end": "2026-03-22",
                    "uplift": 0.5,
                    "channels": ["chat"],
                }
            ]
        )
    )
    out = tmp_path / "forecast.json"
    result = runner.invoke(
        app,
        [
            "wfm",
            "forecast",
            "--history",
            str(history),
            "--events",
            str(events),
            "--format",
            "json",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "chat: profile: profile model WAPE" in result.stderr
    body = json.loads(out.read_text())
    chat, phone = body["channels"]
    assert (chat["channel"], phone["channel"]) == ("chat", "phone")
    assert chat["method"] == "profile" and chat["backtest"]["improvement"] >= 0.10
    assert len(chat["intervals"]) == 7 * 48
    assert chat["intervals"][0]["interval_start"] == "2026-03-16T00:00"
    assert chat["intervals"][20]["aht_seconds"] > 0
    by_day = [
        sum(i["contacts"] for i in chat["intervals"][d * 48 : (d + 1) * 48]) for d in range(7)
    ]
    assert by_day[4] > 1.3 * by_day[3]  # the campaign from Friday 20 March

    csv_out = runner.invoke(app, ["wfm", "forecast", "--history", str(history)])
    assert csv_out.exit_code == 0
    lines = csv_out.stdout.splitlines()
    assert lines[0] == "interval_start,channel,contacts,aht_seconds" and len(lines) == 1 + 2 * 336

    history.write_text("interval_start,channel,contacts\n2026-03-02T09:00,phone,-4\n")
    bad = runner.invoke(app, ["wfm", "forecast", "--history", str(history)])
    assert bad.exit_code == 2 and "line 2: contacts: must not be negative" in bad.stderr


def test_cli_forecast_from_the_store(db: Database) -> None:
    make_world(db)
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    ingest(
        db,
        [
            message(channel="phone", at=t0 + timedelta(days=d, minutes=m), phone="+33612345678")
            for d in range(14)
            for m in (0, 40)
        ],
    )
    result = runner.invoke(
        app,
        [
            "wfm",
            "forecast",
            "--brand",
            "acme",
            "--since",
            "2026-03-02",
            "--until",
            "2026-03-16",
            "--format",
            "json",
        ],
        env={"OMNICASE_DATABASE_URL": db.url},
    )
    assert result.exit_code == 0, result.stderr
    [phone] = json.loads(result.stdout)["channels"]
    assert phone["method"] == "seasonal_naive" and "too short" in phone["reason"]
    assert phone["total_contacts"] == 14
    missing = runner.invoke(
        app,
        ["wfm", "forecast", "--brand", "nope", "--since", "2026-03-02", "--until", "2026-03-16"],
        env={"OMNICASE_DATABASE_URL": db.url},
    )
    assert missing.exit_code == 2 and "no brand 'nope'" in missing.stderr


def _rows(days: int = 63) -> list[dict[str, object]]:
    s = generate("email", start=MONDAY, days=days, seed=2)
    return [
        {"interval_start": f"{at:%Y-%m-%dT%H:%M}", "channel": "email", "contacts": c}
        for at, c in zip(s.interval_starts(), s.contacts, strict=True)
        if c
    ]


def test_api_forecast_roles_and_errors(db: Database, client: TestClient) -> None:
    world = make_world(db)

    def post(who: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
        r = client.post(
            "/api/v1/wfm/forecast",
            json=body,
            headers={"Authorization": f"Bearer {world.tokens[who]}"},
        )
        return r.status_code, r.json()

    body = {"history": _rows(), "horizon_days": 7}
    code, out = post("acme:planner", body)
    assert code == 200, out
    [email] = out["channels"]  # type: ignore[misc]
    assert email["method"] == "profile" and len(email["intervals"]) == 336
    assert email["backtest"]["model"]["wape"] < email["backtest"]["seasonal_naive"]["wape"]
    assert post("acme:supervisor", body)[0] == 200
    assert post("acme:agent", body)[0] == 403
    assert post("acme:viewer", body)[0] == 403
    assert client.post("/api/v1/wfm/forecast", json=body).status_code == 401

    bad = {
        "history": [
            *_rows()[:3],
            {"interval_start": "2026-01-05T09:10", "channel": "email", "contacts": 2},
        ]
    }
    code, out = post("acme:planner", bad)
    assert code == 422
    assert out["errors"] == [
        {
            "field": "history.3.interval_start",
            "reason": "2026-01-05T09:10 is not on the 30-minute grid",
        }
    ]
    code, out = post("acme:planner", {"history": _rows(), "horizon_days": 0})
    assert code == 422 and out["errors"][0]["field"] == "horizon_days"  # type: ignore[index]
    code, out = post("acme:planner", {"horizon_days": 3})
    assert code == 422 and "exactly one of history, store" in str(out["errors"])


def test_api_forecast_from_the_store_is_scoped(db: Database, client: TestClient) -> None:
    world = make_world(db)
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    ingest(
        db,
        [
            message(channel="phone", at=t0 + timedelta(days=d), phone="+33612345678")
            for d in range(8)
        ]
        + [
            message(channel="email", at=t0 + timedelta(days=d), email="x@example.fr")
            for d in range(8)
        ],
    )
    store = {"store": {"start": "2026-03-02", "end": "2026-03-10"}, "horizon_days": 2}
    r = client.post(
        "/api/v1/wfm/forecast",
        json=store,
        headers={"Authorization": f"Bearer {world.tokens['acme:planner']}"},
    )
    assert r.status_code == 200, r.text
    assert [c["channel"] for c in r.json()["channels"]] == ["email", "phone"]
    # The provider's planner names the brand and sees only the channels it is engaged on.
    provider = {**store, "store": {**store["store"], "brand": "acme"}}  # type: ignore[dict-item]
    r = client.post(
        "/api/v1/wfm/forecast",
        json=provider,
        headers={"Authorization": f"Bearer {world.tokens['callpro:planner']}"},
    )
    assert r.status_code == 200, r.text
    assert [c["channel"] for c in r.json()["channels"]] == ["email"]
    r = client.post(
        "/api/v1/wfm/forecast",
        json={**store, "store": {"start": "2026-03-02", "end": "2026-03-10", "brand": "globex"}},
        headers={"Authorization": f"Bearer {world.tokens['callpro:planner']}"},
    )
    assert r.status_code == 404
