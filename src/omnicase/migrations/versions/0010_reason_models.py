"""reason_models, reason_corrections, cases.signals: the trained reason model's versions,
the agents' corrections it learns from, and why a case's priority was raised

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-02 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")


def upgrade() -> None:
    # A plain ADD COLUMN (a constant default makes NOT NULL legal on SQLite): a batch
    # "recreate" of cases would drop a table that messages reference.
    op.add_column(
        "cases", sa.Column("signals", JSON, nullable=False, server_default=sa.text("'[]'"))
    )
    op.create_table(
        "reason_corrections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("old_reason", sa.String(32), nullable=True),
        sa.Column("new_reason", sa.String(32), nullable=False),
        sa.Column("old_confidence", sa.Float(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["organisations.id"],
            name="fk_reason_corrections_brand_id_organisations",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_reason_corrections_case_id_cases"
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name="fk_reason_corrections_message_id_messages"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_reason_corrections_user_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reason_corrections"),
    )  # fmt: skip
    op.create_index(
        "ix_reason_corrections_brand_created", "reason_corrections", ["brand_id", "created_at"]
    )
    op.create_index("ix_reason_corrections_case_id", "reason_corrections", ["case_id"])
    op.create_table(
        "reason_models",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("brand_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("heldout_macro_f1", sa.Float(), nullable=False),
        sa.Column("cv_macro_f1", sa.Float(), nullable=False),
        sa.Column("triage_threshold", sa.Float(), nullable=False),
        sa.Column("corpus_rows", sa.Integer(), nullable=False),
        sa.Column("corrections", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("meta", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["organisations.id"], name="fk_reason_models_brand_id_organisations"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reason_models"),
    )
    op.create_index("ix_reason_models_active", "reason_models", ["active", "brand_id"])


def downgrade() -> None:
    op.drop_index("ix_reason_models_active", table_name="reason_models")
    op.drop_table("reason_models")
    op.drop_index("ix_reason_corrections_case_id", table_name="reason_corrections")
    op.drop_index("ix_reason_corrections_brand_created", table_name="reason_corrections")
    op.drop_table("reason_corrections")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("signals")
