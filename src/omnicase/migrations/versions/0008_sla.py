"""SLA policies, business-hours calendars and the clocks on cases

``calendars`` (weekly hours, holidays country/subdivision, closures, openings) and
``sla_policies`` (brand × channel × priority targets, business or calendar time,
escalations); on ``cases`` the policy used, the state, the due times, the next moment a
stage is reached (indexed: the periodic check reads only the cases it has to move) and
the clocks' JSON. Existing cases start with no clock: their next message starts one.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendars",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("weekly", sa.JSON(), nullable=False),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("subdivision", sa.String(16), nullable=True),
        sa.Column("closures", sa.JSON(), nullable=False),
        sa.Column("openings", sa.JSON(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["organisations.id"], name="fk_calendars_brand_id_organisations"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_calendars"),
        sa.UniqueConstraint("brand_id", "name", name="uq_calendars_brand_id"),
    )
    op.create_index("ix_calendars_brand_id", "calendars", ["brand_id"])
    op.create_table(
        "sla_policies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("first_response_seconds", sa.Integer(), nullable=False),
        sa.Column("next_response_seconds", sa.Integer(), nullable=True),
        sa.Column("resolution_seconds", sa.Integer(), nullable=True),
        sa.Column("business_hours", sa.Boolean(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=True),
        sa.Column("at_risk_percent", sa.Integer(), nullable=False),
        sa.Column("escalations", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["organisations.id"], name="fk_sla_policies_brand_id_organisations"
        ),
        sa.ForeignKeyConstraint(
            ["calendar_id"], ["calendars.id"], name="fk_sla_policies_calendar_id_calendars"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sla_policies"),
        sa.UniqueConstraint("brand_id", "channel", "priority", name="uq_sla_policies_brand_id"),
    )
    op.create_index("ix_sla_policies_brand_id", "sla_policies", ["brand_id"])
    op.create_index("ix_sla_policies_calendar_id", "sla_policies", ["calendar_id"])
    # Plain ALTER TABLE ADD COLUMN, also on SQLite: a batch "move and copy" of ``cases``
    # would drop the table that messages and links reference (a foreign key error), and
    # Alembic adds no constraint to SQLite outside batch mode, so the column is spelled out.
    # No ON DELETE: deleting a policy clears its cases first (sla.admin.do_delete_policy),
    # and SQLite would not report an inline ON DELETE back to the schema check.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE cases ADD COLUMN sla_policy_id INTEGER "
            "CONSTRAINT fk_cases_sla_policy_id_sla_policies "
            "REFERENCES sla_policies (id)"
        )
    else:
        op.add_column("cases", sa.Column("sla_policy_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_cases_sla_policy_id_sla_policies",
            "cases",
            "sla_policies",
            ["sla_policy_id"],
            ["id"],
        )
    op.add_column("cases", sa.Column("sla_state", sa.String(16), nullable=True))
    for name in (
        "first_response_due_at",
        "next_response_due_at",
        "resolution_due_at",
        "sla_next_check_at",
        "sla_paused_at",
        "sla_breached_at",
    ):
        op.add_column("cases", sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    op.add_column("cases", sa.Column("sla_clock", sa.JSON(), nullable=True))
    op.create_index("ix_cases_sla_policy_id", "cases", ["sla_policy_id"])
    op.create_index("ix_cases_sla_next_check", "cases", ["sla_next_check_at"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_sla_next_check")
        batch.drop_index("ix_cases_sla_policy_id")
        batch.drop_constraint("fk_cases_sla_policy_id_sla_policies", type_="foreignkey")
        for column in (
            "sla_clock",
            "sla_breached_at",
            "sla_paused_at",
            "sla_next_check_at",
            "resolution_due_at",
            "next_response_due_at",
            "first_response_due_at",
            "sla_state",
            "sla_policy_id",
        ):
            batch.drop_column(column)
    op.drop_table("sla_policies")
    op.drop_table("calendars")
