"""Migrations run forward on a copy of each release's demo database
(``tests/data/migrations/demo-<revision>.sqlite.gz``, made by ``make_fixture.py`` there):
nothing is lost, the schema ends at head matching the models, and the app still reads and
writes cases."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import text

from omnicase.api.app import create_app
from omnicase.demo.seed import demo_token
from omnicase.model import Base
from omnicase.store.backup import inspect_backup
from omnicase.store.db import Database
from omnicase.store.migrate import current_revision, head_revision, known_revisions, upgrade
from tests.api.conftest import auth
from tests.factories import message

FIXTURES = sorted((Path(__file__).parents[1] / "data" / "migrations").glob("demo-*.sqlite.gz"))
TABLES = ("organisations", "users", "customers", "identities", "cases", "messages", "events")


def counts(db: Database) -> dict[str, int]:
    with db.reading() as s:
        return {t: int(s.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES}


@pytest.fixture(params=FIXTURES, ids=[f.name for f in FIXTURES])
def release_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "release.db"
    with gzip.open(request.param, "rb") as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


def test_there_is_a_release_fixture_small_enough() -> None:
    assert FIXTURES, "tests/data/migrations holds no demo-*.sqlite.gz"
    for fixture in FIXTURES:
        assert fixture.stat().st_size < 2_000_000


def test_upgrade_keeps_every_row_and_the_app_reads_a_case(release_db: Database) -> None:
    path = Path(release_db.url.removeprefix("sqlite:///"))
    assert inspect_backup(path).revision in known_revisions()
    before = counts(release_db)
    assert before["messages"] >= 500 and before["cases"] >= 100
    upgrade(release_db)
    assert current_revision(release_db) == head_revision()
    assert counts(release_db) == before
    with release_db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []

    headers = auth(demo_token("agent@acme.demo"))  # the release fixture's demo users
    with TestClient(create_app(release_db)) as client:
        assert client.get("/readyz").status_code == 200
        listed = client.get("/api/v1/cases?limit=5", headers=headers)
        assert listed.status_code == 200, listed.text
        reference = listed.json()["items"][0]["reference"]
        case = client.get(f"/api/v1/cases/{reference}", headers=headers)
        assert case.status_code == 200 and case.json()["reference"] == reference
        new = message(email="after.upgrade@example.fr", text="Commande A-99999 jamais reçue")
        posted = client.post(
            "/api/v1/messages", json=new.model_dump(mode="json", by_alias=True), headers=headers
        )
        assert posted.status_code == 201, posted.text
    assert counts(release_db)["messages"] == before["messages"] + 1
