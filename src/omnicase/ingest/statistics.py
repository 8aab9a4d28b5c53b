"""Planner statistics during a bulk load (PostgreSQL).

A bulk ingestion into a fresh or small database multiplies the size of the tables the
pipeline reads while PostgreSQL still plans with the statistics of the empty tables (or
none: autovacuum analyses a minute later at best, never when it is off). The look-ups then
go wrong as the tables grow: the refer-back name look-up was planned as a scan of every
customer of the brand, and a look-up cost grew with the database. As PostgreSQL advises
after bulk loads, the stream analyses those tables each time it has doubled what they
held. Results do not depend on plans (every limited read is ordered).
"""

from __future__ import annotations

from sqlalchemy import text

from omnicase.store.db import Database

#: The tables the batch path reads while deciding.
TABLES = ("customers", "identities", "cases", "messages", "case_references")
#: Messages ingested before the first refresh.
FIRST = 1000


class LoadStatistics:
    """Counts what a stream ingested; refreshes the statistics when that doubled the
    messages the database held at the last refresh."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.enabled = db.dialect == "postgresql"
        self.held = 0
        self.added = 0
        if self.enabled:
            with db.engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT reltuples FROM pg_class WHERE oid = 'messages'::regclass")
                ).scalar()
                conn.rollback()
            self.held = max(0, int(rows or 0))

    def ingested(self, count: int) -> bool:
        """Note ``count`` more messages; True when the statistics were refreshed."""
        if not self.enabled:
            return False
        self.added += count
        if self.added < max(FIRST, self.held):
            return False
        with self.db.write_engine.begin() as conn:
            conn.execute(text(f"ANALYZE {', '.join(TABLES)}"))
        self.held += self.added
        self.added = 0
        return True
