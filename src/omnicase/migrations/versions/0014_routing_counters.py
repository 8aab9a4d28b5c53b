"""routing: agents' load counters and a snapshot version, kept by triggers

``agent_loads`` holds each agent's open cases (new / open / pending) per channel kind
(call = phone, chat = chat, async = the rest: ``omnicase.routing.rules.CHANNEL_KIND`` as
of this revision; a change there needs a migration that rewrites these triggers and
recounts). Triggers on ``cases`` keep it in the transaction of every write that assigns,
unassigns, closes, reopens or moves a case, whichever code path writes (the pipeline,
patch, merge, split, housekeeping, routing, and any added later): counters cannot drift
from the cases, and ``omnicase routing recount`` checks it.

``routing_state`` is one row whose ``version`` triggers bump on every change to what a
routing process caches (agent profiles and presence, users' side / role / active,
queues, overflow rules, engagements, team hours, brand settings and timezone, teams'
organisation). Every bump also draws a random ``stamp``, which is what a cache is
checked against: a snapshot read in a transaction that bumped and then rolled back, or
made on a database since emptied (tests truncate; the first bump recreates the row),
never matches again.

Revision ID: 0014
Revises: 0007
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "('new', 'open', 'pending')"
#: (column, SQL for "this row's channel is of that kind", with {r} the row alias)
KINDS = (
    ("load_call", "{r}.channel = 'phone'"),
    ("load_chat", "{r}.channel = 'chat'"),
    ("load_async", "{r}.channel NOT IN ('phone', 'chat')"),
)
#: table → the columns whose update changes a snapshot (None: any)
VERSIONED: dict[str, tuple[str, ...] | None] = {
    "agent_profiles": ("presence", "skills", "level", "capacity"),
    "users": ("organisation_id", "team_id", "role", "active"),
    "routing_queues": None,
    "overflow_rules": None,
    "engagements": None,
    "team_hours": None,
    "organisations": ("settings", "timezone"),
    "teams": ("organisation_id",),
}


def _ones(r: str) -> str:
    return ", ".join(f"CASE WHEN {cond.format(r=r)} THEN 1 ELSE 0 END" for _, cond in KINDS)


def _add(r: str) -> str:
    sets = ", ".join(f"{c} = agent_loads.{c} + excluded.{c}" for c, _ in KINDS)
    return (
        f"INSERT INTO agent_loads (user_id, {', '.join(c for c, _ in KINDS)}) "
        f"VALUES ({r}.assignee_id, {_ones(r)}) ON CONFLICT (user_id) DO UPDATE SET {sets};"
    )


def _sub(r: str) -> str:
    sets = ", ".join(
        f"{c} = {c} - CASE WHEN {cond.format(r=r)} THEN 1 ELSE 0 END" for c, cond in KINDS
    )
    return f"UPDATE agent_loads SET {sets} WHERE user_id = {r}.assignee_id;"


def _counted(r: str) -> str:
    return f"{r}.assignee_id IS NOT NULL AND {r}.status IN {OPEN}"


CHANGED_SQLITE = (
    "(OLD.assignee_id IS NOT NEW.assignee_id OR OLD.status IS NOT NEW.status"
    " OR OLD.channel IS NOT NEW.channel)"
)
CHANGED_PG = (
    "(OLD.assignee_id IS DISTINCT FROM NEW.assignee_id OR OLD.status IS DISTINCT FROM"
    " NEW.status OR OLD.channel IS DISTINCT FROM NEW.channel)"
)
BUMP = (
    "INSERT INTO routing_state (id, version, stamp) VALUES (1, 1, {stamp}) "
    "ON CONFLICT (id) DO UPDATE SET version = routing_state.version + 1, stamp = {stamp};"
)
RECOUNT = (
    "INSERT INTO agent_loads (user_id, load_call, load_chat, load_async) "
    "SELECT c.assignee_id, "
    + ", ".join(f"SUM(CASE WHEN {cond.format(r='c')} THEN 1 ELSE 0 END)" for _, cond in KINDS)
    + f" FROM cases c WHERE {_counted('c')} GROUP BY c.assignee_id"
)


def _sqlite_statements() -> list[str]:
    out = [
        f"CREATE TRIGGER cases_load_insert AFTER INSERT ON cases WHEN {_counted('NEW')} "
        f"BEGIN {_add('NEW')} END",
        f"CREATE TRIGGER cases_load_delete AFTER DELETE ON cases WHEN {_counted('OLD')} "
        f"BEGIN {_sub('OLD')} END",
        "CREATE TRIGGER cases_load_update_off AFTER UPDATE OF assignee_id, status, channel "
        f"ON cases WHEN {_counted('OLD')} AND {CHANGED_SQLITE} BEGIN {_sub('OLD')} END",
        "CREATE TRIGGER cases_load_update_on AFTER UPDATE OF assignee_id, status, channel "
        f"ON cases WHEN {_counted('NEW')} AND {CHANGED_SQLITE} BEGIN {_add('NEW')} END",
    ]
    bump = BUMP.format(stamp="random() / 2")
    for table, columns in VERSIONED.items():
        for event in ("INSERT", "DELETE", "UPDATE"):
            spec = f"UPDATE OF {', '.join(columns)}" if event == "UPDATE" and columns else event
            out.append(
                f"CREATE TRIGGER routing_version_{table}_{event.lower()} AFTER {spec} "
                f"ON {table} BEGIN {bump} END"
            )
    return out


def _pg_statements() -> list[str]:
    loads = f"""
CREATE FUNCTION omnicase_agent_loads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF {_counted("OLD")} THEN
      {_sub("OLD")}
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF {_counted("NEW")} THEN
      {_add("NEW")}
    END IF;
  END IF;
  RETURN NULL;
END $$"""
    version = f"""
CREATE FUNCTION omnicase_routing_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {BUMP.format(stamp="(random() * 4e18)::bigint")}
  RETURN NULL;
END $$"""
    out = [
        loads,
        version,
        "CREATE TRIGGER cases_load_insert AFTER INSERT ON cases FOR EACH ROW "
        "WHEN (NEW.assignee_id IS NOT NULL) EXECUTE FUNCTION omnicase_agent_loads()",
        "CREATE TRIGGER cases_load_delete AFTER DELETE ON cases FOR EACH ROW "
        "WHEN (OLD.assignee_id IS NOT NULL) EXECUTE FUNCTION omnicase_agent_loads()",
        "CREATE TRIGGER cases_load_update AFTER UPDATE OF assignee_id, status, channel "
        "ON cases FOR EACH ROW WHEN ((OLD.assignee_id IS NOT NULL OR NEW.assignee_id IS NOT "
        f"NULL) AND {CHANGED_PG}) EXECUTE FUNCTION omnicase_agent_loads()",
    ]
    for table, columns in VERSIONED.items():
        update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
        out.append(
            f"CREATE TRIGGER routing_version AFTER INSERT OR {update} OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION omnicase_routing_version()"
        )
    return out


def upgrade() -> None:
    op.create_table(
        "agent_loads",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("load_call", sa.Integer(), nullable=False),
        sa.Column("load_chat", sa.Integer(), nullable=False),
        sa.Column("load_async", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_agent_loads_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_agent_loads")),
    )
    op.create_table(
        "routing_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_state")),
    )
    op.execute(RECOUNT)
    pg = op.get_bind().dialect.name == "postgresql"
    for statement in _pg_statements() if pg else _sqlite_statements():
        op.execute(statement)


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        for table in VERSIONED:
            op.execute(f"DROP TRIGGER IF EXISTS routing_version ON {table}")
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS cases_load_{name} ON cases")
        op.execute("DROP FUNCTION IF EXISTS omnicase_agent_loads()")
        op.execute("DROP FUNCTION IF EXISTS omnicase_routing_version()")
    else:
        for name in ("insert", "delete", "update_off", "update_on"):
            op.execute(f"DROP TRIGGER IF EXISTS cases_load_{name}")
        for table in VERSIONED:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS routing_version_{table}_{event}")
    op.drop_table("routing_state")
    op.drop_table("agent_loads")
