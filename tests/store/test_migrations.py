"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from omnicase.model import Base
from omnicase.store.db import Database
from omnicase.store.migrate import include_name, is_current


def test_migrated_schema_matches_the_models(db: Database) -> None:
    assert is_current(db)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
