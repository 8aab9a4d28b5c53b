"""Inputs the API fuzzing (test_api_fuzz.py) found as 5xx, kept as fast regressions."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import auth
from tests.factories import World


def test_an_id_past_the_databases_integers_is_a_422_not_a_500(
    world: World, client: TestClient
) -> None:
    answer = client.get(
        "/api/v1/customers/99999999999999999999999", headers=auth(world.tokens["acme:admin"])
    )
    assert answer.status_code == 422 and "out of range" in answer.json()["detail"]


def test_a_forecast_in_an_unknown_time_zone_is_a_422_naming_the_field(
    world: World, client: TestClient
) -> None:
    history = [{"channel": "email", "interval_start": "2026-01-01T00:00:00", "contacts": 1}]
    answer = client.post(
        "/api/v1/wfm/forecast",
        json={"timezone": "0", "history": history},
        headers=auth(world.tokens["acme:admin"]),
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "timezone", "reason": "not an IANA time zone"}]
