"""macros, inconsistencies: the brand's approved answers with their facts, and the
contradictions found between answers of one request

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-04 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "macros",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("channels", JSON, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("facts", JSON, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["organisations.id"], name="fk_macros_brand_id_organisations"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_macros"),
    )
    op.create_index("ix_macros_brand_active", "macros", ["brand_id", "active"])
    op.create_table(
        "inconsistencies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["organisations.id"], name="fk_inconsistencies_brand_id_organisations"
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_inconsistencies_case_id_cases"),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name="fk_inconsistencies_message_id_messages"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_inconsistencies"),
    )
    op.create_index(
        "ix_inconsistencies_brand_detected", "inconsistencies", ["brand_id", "detected_at"]
    )
    op.create_index("ix_inconsistencies_case_id", "inconsistencies", ["case_id"])


def downgrade() -> None:
    op.drop_table("inconsistencies")
    op.drop_table("macros")
