"""reports: provider engagement contracts and the archive of generated reports

``reports`` has a unique index on (brand_id, coalesce(engagement_id, 0), day, kind): the
daily job inserts its row first, so one worker only generates a given report.

Revision ID: 0018
Revises: 0014
Create Date: 2026-12-02 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "engagement_contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_contracts_engagement_id_engagements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_contracts")),
        sa.UniqueConstraint("engagement_id", name=op.f("uq_engagement_contracts_engagement_id")),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("emailed", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["organisations.id"], name=op.f("fk_reports_brand_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_reports_engagement_id_engagements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    op.create_index(op.f("ix_reports_brand_id"), "reports", ["brand_id"])
    op.create_index(op.f("ix_reports_engagement_id"), "reports", ["engagement_id"])
    op.create_index(
        "uq_reports_scope_day_kind",
        "reports",
        ["brand_id", sa.text("coalesce(engagement_id, 0)"), "day", "kind"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_reports_scope_day_kind", table_name="reports")
    op.drop_index(op.f("ix_reports_engagement_id"), table_name="reports")
    op.drop_index(op.f("ix_reports_brand_id"), table_name="reports")
    op.drop_table("reports")
    op.drop_table("engagement_contracts")
