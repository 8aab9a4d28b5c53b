"""index case_references.customer_id (customer merges re-point references by customer)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_case_references_customer_id", "case_references", ["customer_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_case_references_customer_id", table_name="case_references")
