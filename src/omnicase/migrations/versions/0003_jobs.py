"""background jobs: the local runner's queue (jobs), job errors, procrastinate's schema

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 18:10:00

On PostgreSQL this also installs procrastinate's schema (tables, types, functions) in
the current schema (search_path), in the same transaction, unless it is there already:
``omnicase db upgrade`` is the one command that makes a database ready for workers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("queue", sa.String(length=128), nullable=False),
        sa.Column("kwargs", sa.JSON(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=True),
        sa.Column("lock", sa.String(length=256), nullable=True),
        sa.Column("queueing_lock", sa.String(length=256), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("periodic_key", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("worker", sa.String(length=128), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("periodic_key", name=op.f("uq_jobs_periodic_key")),
    )
    op.create_index("ix_jobs_fetch", "jobs", ["status", "queue", "scheduled_at"])
    op.create_index("ix_jobs_brand_status", "jobs", ["brand_id", "status", "id"])
    for name, column, status in (
        ("uq_jobs_running_lock", "lock", "doing"),
        ("uq_jobs_waiting_queueing_lock", "queueing_lock", "todo"),
    ):
        where = sa.text(f"status = '{status}'")
        op.create_index(
            name, "jobs", [column], unique=True, sqlite_where=where, postgresql_where=where
        )
    op.create_table(
        "job_errors",
        sa.Column("job_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_job_errors")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from omnicase.jobs.pg import install_procrastinate_schema

        install_procrastinate_schema(bind)


def downgrade() -> None:
    op.drop_table("job_errors")
    op.drop_index("uq_jobs_waiting_queueing_lock", table_name="jobs")
    op.drop_index("uq_jobs_running_lock", table_name="jobs")
    op.drop_index("ix_jobs_brand_status", table_name="jobs")
    op.drop_index("ix_jobs_fetch", table_name="jobs")
    op.drop_table("jobs")
