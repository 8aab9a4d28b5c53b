"""kpis: daily roll-ups, dirty days, the event watermark, and the indexes they read by

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMPONENTS = [
    "cases",
    "contacts",
    "case_contacts",
    "answered",
    "answered_in_objective",
    "fr_sum",
    "fr_bsum",
    "nr_started",
    "nr_count",
    "nr_in_objective",
    "nr_sum",
    "nr_bsum",
    "resolved_ever",
    "resolved",
    "resolution_sum",
    "reopened",
    "repeat_cross_channel",
    "repeat_after_answer",
    "repeat_unanswered",
    "backlog",
    "backlog_age_sum",
    "chat_sessions",
    "chat_abandoned",
    "calls_inbound",
    "calls_unanswered",
]
BIGID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "kpi_daily",
        sa.Column("id", BIGID, primary_key=True),
        sa.Column("brand_id", sa.Integer, sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("grain", sa.String(8), nullable=False),
        sa.Column("channel", sa.String(16)),
        sa.Column("team_id", sa.Integer),
        sa.Column("agent_id", sa.Integer),
        sa.Column("reason", sa.String(32)),
        sa.Column("queue", sa.String(64)),
        sa.Column("hist", sa.JSON, nullable=False),
        sa.Column("extra", sa.JSON, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        *[sa.Column(name, sa.BigInteger, nullable=False) for name in COMPONENTS],
    )
    op.create_index("ix_kpi_daily_brand_day", "kpi_daily", ["brand_id", "grain", "day"])
    op.create_table(
        "kpi_dirty_days",
        sa.Column("brand_id", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "kpi_watermarks",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("last_event_id", sa.BigInteger, nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_cases_brand_first_inbound", "cases", ["brand_id", "first_inbound_at"])
    op.create_index("ix_cases_brand_resolved", "cases", ["brand_id", "resolved_at"])
    op.create_index("ix_messages_brand_received", "messages", ["brand_id", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_messages_brand_received", "messages")
    op.drop_index("ix_cases_brand_resolved", "cases")
    op.drop_index("ix_cases_brand_first_inbound", "cases")
    op.drop_table("kpi_watermarks")
    op.drop_table("kpi_dirty_days")
    op.drop_index("ix_kpi_daily_brand_day", "kpi_daily")
    op.drop_table("kpi_daily")
