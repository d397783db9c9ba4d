"""Per-flight KPI tallies kept in the database, so a server restart needs no warm-up.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

``flight_tallies`` holds, per flight, its shipments counted by KPI class and promise minute as
of a flight version (``flights.updated_at``): see :mod:`rocketpost.service.kpitally`. It starts
empty: a flight's tally is counted the first time the control room reads it and kept from then
on, across restarts, until the flight's version moves.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flight_tallies",
        sa.Column("flight_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("promise_minute", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("version", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shipments", sa.Integer(), nullable=False),
        sa.Column("one_hour", sa.Integer(), nullable=False),
        sa.Column("in_air", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["flight_id"], ["flights.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("flight_id", "kind", "promise_minute"),
    )


def downgrade() -> None:
    op.drop_table("flight_tallies")
