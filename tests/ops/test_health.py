"""``/healthz`` never needs the database; ``/readyz`` needs it reachable and migrated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from omnicase.api.app import create_app
from omnicase.store.db import Database
from omnicase.store.migrate import head_revision, upgrade
from tests.conftest import BACKENDS, PG_URL, pg_schema_url


@pytest.fixture(params=BACKENDS)
def bare_db(
    request: pytest.FixtureRequest, tmp_path: Path, worker_id_safe: str
) -> Iterator[Database]:
    """An empty database, never migrated: a new SQLite file or a new PostgreSQL schema."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path}/bare.db")
        yield database
        database.dispose()
        return
    assert PG_URL
    url, schema = pg_schema_url(f"{worker_id_safe}_bare")
    admin = Database(PG_URL)
    with admin.engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = Database(url)
    yield database
    database.dispose()
    with admin.engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def test_ready_only_once_migrated_to_head(bare_db: Database) -> None:
    with TestClient(create_app(bare_db)) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        r = client.get("/readyz")
        assert r.status_code == 503
        assert r.json()["reason"].startswith("migrations not current: database at no revision")
        assert r.json()["code_revision"] == head_revision()
        upgrade(bare_db, "0001")
        r = client.get("/readyz")
        assert r.status_code == 503 and r.json()["database_revision"] == "0001"
        assert "omnicase db upgrade" in r.json()["reason"]
        upgrade(bare_db)
        r = client.get("/readyz")
        assert r.status_code == 200
        assert r.json() == {"status": "ready", "revision": head_revision()}


def test_liveness_without_a_database(tmp_path: Path) -> None:
    """A database that cannot even be opened: alive, not ready, and no secret in the body."""
    nowhere = Database(f"sqlite:///{tmp_path}/missing-dir/omnicase.db")
    with TestClient(create_app(nowhere)) as client:
        assert client.get("/healthz").status_code == 200
        r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["reason"] == "database unreachable (OperationalError)"


@pytest.mark.skipif(not PG_URL, reason="OMNICASE_TEST_DATABASE_URL not set")
def test_unreachable_postgresql_is_not_ready() -> None:
    down = Database(
        "postgresql://omnicase:s3cr3t@127.0.0.1:9/omnicase?connect_timeout=2",
    )
    with TestClient(create_app(down)) as client:
        assert client.get("/healthz").status_code == 200
        r = client.get("/readyz")
    assert r.status_code == 503 and "database unreachable" in r.json()["reason"]
    assert "s3cr3t" not in r.text
