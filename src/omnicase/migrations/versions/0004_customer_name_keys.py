"""customers.name_first / name_last: folded name keys, indexed per brand

A sender nobody knows who refers back to an earlier contact is looked up by name
(ingest/refer_back.py); scanning every recent case of the brand for a LIKE on the name cost
a quarter of the ingestion time in the benchmark. Existing names are keyed here.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from omnicase.ingest.refer_back import name_keys

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("name_first", sa.String(64), nullable=True))
        batch.add_column(sa.Column("name_last", sa.String(64), nullable=True))
    op.create_index("ix_customers_brand_name_first", "customers", ["brand_id", "name_first"])
    op.create_index("ix_customers_brand_name_last", "customers", ["brand_id", "name_last"])
    conn = op.get_bind()
    customers = sa.table(
        "customers",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_first", sa.String),
        sa.column("name_last", sa.String),
    )
    rows = conn.execute(
        sa.select(customers.c.id, customers.c.name).where(customers.c.name.is_not(None))
    ).all()
    keyed = [
        {"_id": cid, "first": first, "last": last}
        for cid, name in rows
        for first, last in [name_keys(name)]
        if first
    ]
    if keyed:
        conn.execute(
            customers.update()
            .where(customers.c.id == sa.bindparam("_id"))
            .values(name_first=sa.bindparam("first"), name_last=sa.bindparam("last")),
            keyed,
        )


def downgrade() -> None:
    op.drop_index("ix_customers_brand_name_last", table_name="customers")
    op.drop_index("ix_customers_brand_name_first", table_name="customers")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("name_last")
        batch.drop_column("name_first")
