"""Rate limits: per token and per IP, 429 with Retry-After, shared between processes
through the database counter."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fastapi.testclient import TestClient

from omnicase.api.app import create_app
from omnicase.api.ratelimit import DatabaseLimiter, MemoryLimiter
from omnicase.config import Settings
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import make_world


def _settings(tmp_path: Path, **values: object) -> Settings:
    base = Settings(attachments_dir=tmp_path / "att")
    return dataclasses.replace(base, **values)  # type: ignore[arg-type]


def test_a_token_over_its_limit_gets_429_with_retry_after(db: Database, tmp_path: Path) -> None:
    world = make_world(db)
    settings = _settings(tmp_path, rate_limit_per_token=5, rate_limit_per_ip=0,
                         rate_limit_backend="memory")  # fmt: skip
    with TestClient(create_app(db, settings)) as client:
        agent = auth(world.tokens["acme:agent"])
        codes = [client.get("/api/v1/cases", headers=agent).status_code for _ in range(5)]
        assert codes == [200] * 5
        r = client.get("/api/v1/cases", headers=agent)
        assert r.status_code == 429
        assert 1 <= int(r.headers["Retry-After"]) <= 12
        assert r.json() == {"detail": r.json()["detail"], "errors": []}
        assert "too many requests" in r.json()["detail"]
        # another token is counted apart; health is never limited
        assert (
            client.get("/api/v1/cases", headers=auth(world.tokens["acme:viewer"])).status_code
            == 200
        )
        assert client.get("/healthz").status_code == 200


def test_an_ip_over_its_limit_gets_429_on_the_webhooks(db: Database, tmp_path: Path) -> None:
    settings = _settings(tmp_path, rate_limit_per_token=0, rate_limit_per_ip=3,
                         rate_limit_backend="memory")  # fmt: skip
    with TestClient(create_app(db, settings)) as client:
        headers = {"Content-Type": "application/json"}
        codes = [
            client.post("/webhooks/meta", content=b"{}", headers=headers).status_code
            for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]


def test_the_database_counter_is_shared_by_processes(db: Database, tmp_path: Path) -> None:
    """Two apps (as two web processes) on one database share one limit."""
    world = make_world(db)
    settings = _settings(tmp_path, rate_limit_per_token=4, rate_limit_per_ip=0,
                         rate_limit_backend="database")  # fmt: skip
    token = auth(world.tokens["acme:agent"])
    with (
        TestClient(create_app(db, settings)) as one,
        TestClient(create_app(db, settings)) as two,
    ):
        codes = [c.get("/api/v1/cases", headers=token).status_code for c in (one, two, one, two)]
        assert codes == [200] * 4
        assert one.get("/api/v1/cases", headers=token).status_code == 429
        r = two.get("/api/v1/cases", headers=token)
        assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 60


def test_buckets_refill_and_windows_roll(db: Database) -> None:
    clock = [1000.0]
    memory = MemoryLimiter(clock=lambda: clock[0])
    assert all(memory.hit("k", 60).allowed for _ in range(60))
    refused = memory.hit("k", 60)
    assert not refused.allowed and refused.retry_after == 1
    clock[0] += 1.0  # one token per second at 60/min
    assert memory.hit("k", 60).allowed and not memory.hit("k", 60).allowed
    shared = DatabaseLimiter(db, clock=lambda: clock[0])
    start = (clock[0] // 60) * 60
    clock[0] = start + 50
    assert shared.hit("k", 2).allowed and shared.hit("k", 2).allowed
    late = shared.hit("k", 2)
    assert not late.allowed and late.retry_after == 10
    clock[0] = start + 61  # the next window
    assert shared.hit("k", 2).allowed
