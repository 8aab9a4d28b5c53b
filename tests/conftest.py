"""Fixtures: every database test runs on SQLite, and on PostgreSQL when
``OMNICASE_TEST_DATABASE_URL`` is set (CI sets it; .ci/run fails if it is unreachable).

PostgreSQL tests use one schema per xdist worker, migrated once, emptied between tests.
SQLite tests copy a migrated template file, which is faster than migrating each time.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from omnicase.jobs.pg import PROCRASTINATE_TABLES
from omnicase.model import Base
from omnicase.store.db import Database
from omnicase.store.migrate import upgrade

PG_URL = os.environ.get("OMNICASE_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pg_schema_url(worker: str) -> tuple[str, str]:
    assert PG_URL
    schema = f"t_{worker}".replace("-", "_")
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}", schema


@pytest.fixture(scope="session")
def worker_id_safe(request: pytest.FixtureRequest) -> str:
    return str(getattr(request.config, "workerinput", {}).get("workerid", "main"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_database(worker_id_safe: str) -> Iterator[Database]:
    if not PG_URL:
        pytest.skip("OMNICASE_TEST_DATABASE_URL not set")
    url, schema = pg_schema_url(worker_id_safe)
    admin = Database(PG_URL)
    with admin.engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    db = Database(url)
    upgrade(db)
    yield db
    db.dispose()


def _truncate(db: Database) -> None:
    names = [t.name for t in Base.metadata.sorted_tables] + list(PROCRASTINATE_TABLES)
    tables = ", ".join(f'"{name}"' for name in names)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: SQLite, then PostgreSQL when configured."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "omnicase.db"
        shutil.copy(template, path)
        database = Database(f"sqlite:///{path}")
        yield database
        database.dispose()
    else:
        database = request.getfixturevalue("pg_database")
        _truncate(database)
        yield database
