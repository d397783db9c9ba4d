"""The hubs that hold a shipment's stock, as booked: what a scrub's fallback reads.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

A booking that names its ``stock_hubs`` may be promised counting a front's fallback from
another of those hubs (``ROCKETPOST_PROMISE_FALLBACKS``). When a front then scrubs its flight,
the scrub re-picks it at that hub (``service/scrubmoves.py``), so the hubs are kept with the
shipment. ``NULL``: the booking did not name them (no fallback). A plain
``ALTER TABLE … ADD COLUMN`` on both backends.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("shipments", sa.Column("stock_hubs", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_column("stock_hubs")
