"""Run Alembic migrations from code (``omnicase db upgrade``, tests, demo)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from omnicase.store.db import Database

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


def is_current(db: Database) -> bool:
    """True when the database is at the newest migration (readiness check)."""
    head = ScriptDirectory.from_config(alembic_config(db.url)).get_current_head()
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head
