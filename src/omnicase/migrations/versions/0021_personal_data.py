"""personal data: when a case was anonymised, when a customer was erased

``cases.anonymised_at``: the retention job (``omnicase.services.retention``) or an
erasure replaced the case's personal data by a marker; the row stays so KPIs still count
the contact, and the job never visits it again. ``customers.erased_at``: the customer was
erased on request (``do_erase_customer``).

Revision ID: 0021
Revises: 0014
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("erased_at")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("anonymised_at")
