"""surveys, qa_grids, qa_reviews: satisfaction surveys and QA scorecards

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-02 00:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")
TS = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=True),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("answer_message_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("meta", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("answered_at", TS, nullable=True),
        _fk("surveys", "brand_id", "organisations"),
        _fk("surveys", "case_id", "cases"),
        _fk("surveys", "customer_id", "customers"),
        _fk("surveys", "agent_id", "users"),
        _fk("surveys", "team_id", "teams"),
        _fk("surveys", "message_id", "messages"),
        _fk("surveys", "answer_message_id", "messages"),
        sa.PrimaryKeyConstraint("id", name="pk_surveys"),
        sa.UniqueConstraint("case_id", name="uq_surveys_case_id"),
        sa.UniqueConstraint("token", name="uq_surveys_token"),
    )
    op.create_index("ix_surveys_customer_status", "surveys", ["customer_id", "status"])
    op.create_index("ix_surveys_brand_sent", "surveys", ["brand_id", "sent_at"])
    op.create_table(
        "qa_grids",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("criteria", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("qa_grids", "brand_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name="pk_qa_grids"),
    )
    op.create_index("ix_qa_grids_brand_id", "qa_grids", ["brand_id"])
    op.create_table(
        "qa_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("scores", JSON, nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("auto_checks", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("qa_reviews", "brand_id", "organisations"),
        _fk("qa_reviews", "case_id", "cases"),
        _fk("qa_reviews", "message_id", "messages"),
        _fk("qa_reviews", "agent_id", "users"),
        _fk("qa_reviews", "team_id", "teams"),
        _fk("qa_reviews", "reviewer_id", "users"),
        _fk("qa_reviews", "grid_id", "qa_grids"),
        sa.PrimaryKeyConstraint("id", name="pk_qa_reviews"),
    )
    op.create_index("ix_qa_reviews_brand_created", "qa_reviews", ["brand_id", "created_at"])
    op.create_index("ix_qa_reviews_agent", "qa_reviews", ["agent_id", "created_at"])
    op.create_index("ix_qa_reviews_case_id", "qa_reviews", ["case_id"])
    op.create_index("ix_qa_reviews_message_id", "qa_reviews", ["message_id"])


def downgrade() -> None:
    op.drop_table("qa_reviews")
    op.drop_table("qa_grids")
    op.drop_index("ix_surveys_brand_sent", table_name="surveys")
    op.drop_index("ix_surveys_customer_status", table_name="surveys")
    op.drop_table("surveys")
