"""imap_state: UIDVALIDITY and last UID imported per IMAP mailbox account

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-01 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0010"  # after reason models; needs channel_accounts (0009)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "imap_state",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("polled_at", UTC, nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["channel_accounts.id"],
            name=op.f("fk_imap_state_account_id_channel_accounts"),
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_imap_state")),
    )


def downgrade() -> None:
    op.drop_table("imap_state")
