"""events: NOTIFY omnicase_events on insert (PostgreSQL), for live streams in every process

A statement trigger rather than a NOTIFY in each writer: every path that writes events
(the ingestion batch, record_event, exports, jobs, and any added later) is covered without
being touched, it is in the writing transaction by construction (delivered at commit,
never for a rollback), and one statement notifies once with its highest id. The BEFORE
trigger gives the transaction its id before it draws event ids, which the streams'
horizon relies on (store/events_feed.py). SQLite: nothing (one process, in-process wake).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 19:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = """
CREATE FUNCTION omnicase_events_xid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_current_xact_id();
  RETURN NULL;
END $$;

CREATE FUNCTION omnicase_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE top bigint;
BEGIN
  SELECT max(id) INTO top FROM new_events;
  IF top IS NOT NULL THEN
    PERFORM pg_notify('omnicase_events', top::text);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER events_xid BEFORE INSERT ON events
  FOR EACH STATEMENT EXECUTE FUNCTION omnicase_events_xid();

CREATE TRIGGER events_notify AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION omnicase_events_notify();
"""

DOWNGRADE = """
DROP TRIGGER IF EXISTS events_notify ON events;
DROP TRIGGER IF EXISTS events_xid ON events;
DROP FUNCTION IF EXISTS omnicase_events_notify();
DROP FUNCTION IF EXISTS omnicase_events_xid();
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(UPGRADE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DOWNGRADE)
