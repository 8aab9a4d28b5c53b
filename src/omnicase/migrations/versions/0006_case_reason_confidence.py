"""cases.reason_confidence: how sure the classifier was of the case's reason

The pipeline decides on a case's reason only when it is confident; without the confidence
stored, a case read back from the database looked confident whatever it had been, so a
batch (which keeps the case in memory) and one message at a time decided differently.
Null means the reason was set by a person or before this column: confident.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 20:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("reason_confidence", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("reason_confidence")
