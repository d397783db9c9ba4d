"""Customs imports (each recipient's booked parcels) and each merchant's inspection record.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Booking reads a recipient's imports into the market on the import date (Korea's and the US's
same-day aggregation) and in the import year (China's annual limit), hence the index on
(market, recipient_id, import_date). Merchants gain their customs record as sellers (parcels
opened, parcels seized), which screening's seller-trust signal reads; shipments the outcome of
their inspection.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("merchants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("customs_inspections", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("customs_seizures", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customs_outcome", sa.String(length=16), nullable=True))
    op.create_table(
        "customs_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.String(length=40), nullable=False),
        sa.Column("recipient_id", sa.String(length=100), nullable=False),
        sa.Column("market", sa.String(length=8), nullable=False),
        sa.Column("import_date", sa.Date(), nullable=False),
        sa.Column("customs_value", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("value_usd", sa.String(length=32), nullable=False),
        sa.Column("regime", sa.String(length=16), nullable=False),
        sa.Column("declaration", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shipment_id"], ["shipments.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shipment_id"),
    )
    with op.batch_alter_table("customs_imports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customs_imports_recipient", ["market", "recipient_id", "import_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("customs_imports", schema=None) as batch_op:
        batch_op.drop_index("ix_customs_imports_recipient")
    op.drop_table("customs_imports")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_column("customs_outcome")
    with op.batch_alter_table("merchants", schema=None) as batch_op:
        batch_op.drop_column("customs_seizures")
        batch_op.drop_column("customs_inspections")
