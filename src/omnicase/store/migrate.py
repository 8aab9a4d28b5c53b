"""Run Alembic migrations from code (``omnicase db upgrade``, tests, demo)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from omnicase.store.db import Database

VERSION_TABLE = "alembic_version"

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """procrastinate's tables live beside ours on PostgreSQL; they are not our models."""
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    cfg = alembic_config(db.url)
    with db.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()


@cache
def head_revision() -> str | None:
    """The newest migration in the code (read once: it cannot change while running)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def known_revisions() -> set[str]:
    """Every migration revision the code knows (a backup must be at one of them)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {rev.revision for rev in script.walk_revisions()}


def current_revision(db: Database) -> str | None:
    """The database's revision; None for a database never migrated.

    Read from Alembic's table directly: ``MigrationContext.configure`` logs two INFO lines
    per call, which would flood the log at every readiness probe.
    """
    with db.engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        revision = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
        conn.rollback()
    return str(revision) if revision is not None else None


def is_current(db: Database) -> bool:
    """True when the database is at the newest migration (readiness check)."""
    return current_revision(db) == head_revision()
