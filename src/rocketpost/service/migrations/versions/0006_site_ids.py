"""Landing-site ids in the destination columns: 16 characters, not 8.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

A flight (and its shipments) to one of the designed network's landing sites records the site as
its destination (``US-BDV78F``: nine characters). ``flights.destination_hub`` and
``shipments.destination_hub`` were ``VARCHAR(8)``, sized for hub codes: PostgreSQL refused every
booking to such a site (SQLite does not enforce the length). 16 is ``flights.landing_site``'s and
``declared_conditions.subject_id``'s width.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = (("flights", False), ("shipments", True))


def upgrade() -> None:
    for table, nullable in _COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "destination_hub",
                existing_type=sa.String(length=8),
                type_=sa.String(length=16),
                existing_nullable=nullable,
            )


def downgrade() -> None:
    for table, nullable in _COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "destination_hub",
                existing_type=sa.String(length=16),
                type_=sa.String(length=8),
                existing_nullable=nullable,
            )
