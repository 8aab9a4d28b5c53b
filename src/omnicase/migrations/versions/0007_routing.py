"""routing: queues, overflow rules, team hours, agent profiles, customers.tags

Queues with ordered rules per brand, overflow rules to provider teams through an
engagement, weekly hours per team, agents' skills / capacity / presence; customers get
``tags`` (VIP…) for queue rules; two indexes on cases for agents' load and queues'
waiting cases.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "routing_queues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("min_level", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["organisations.id"],
            name=op.f("fk_routing_queues_brand_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_queues")),
        sa.UniqueConstraint("brand_id", "key", name="uq_routing_queues_brand_key"),
    )
    op.create_index("ix_routing_queues_brand_position", "routing_queues", ["brand_id", "position"])
    op.create_table(
        "overflow_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["organisations.id"],
            name=op.f("fk_overflow_rules_brand_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_overflow_rules_engagement_id_engagements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overflow_rules")),
    )
    op.create_index("ix_overflow_rules_brand_position", "overflow_rules", ["brand_id", "position"])
    op.create_table(
        "team_hours",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("weekly", sa.JSON(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_hours_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_team_hours")),
    )
    op.create_table(
        "agent_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.JSON(), nullable=False),
        sa.Column("presence", sa.String(16), nullable=False),
        sa.Column("presence_since", TS, nullable=False),
        sa.Column("last_assigned_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_agent_profiles_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_agent_profiles")),
    )
    op.create_index("ix_agent_profiles_presence", "agent_profiles", ["presence", "presence_since"])
    # a plain ADD COLUMN on SQLite too (a batch rebuild of customers trips foreign keys)
    op.add_column(
        "customers",
        sa.Column("tags", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )
    op.create_index("ix_cases_assignee_status", "cases", ["assignee_id", "status", "channel"])
    op.create_index(
        "ix_cases_brand_queue_waiting",
        "cases",
        ["brand_id", "queue", "assignee_id", "status", "team_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_cases_brand_queue_waiting", table_name="cases")
    op.drop_index("ix_cases_assignee_status", table_name="cases")
    op.drop_column("customers", "tags")
    op.drop_index("ix_agent_profiles_presence", table_name="agent_profiles")
    op.drop_table("agent_profiles")
    op.drop_table("team_hours")
    op.drop_index("ix_overflow_rules_brand_position", table_name="overflow_rules")
    op.drop_table("overflow_rules")
    op.drop_index("ix_routing_queues_brand_position", table_name="routing_queues")
    op.drop_table("routing_queues")
