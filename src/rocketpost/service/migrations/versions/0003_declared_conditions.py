"""Declared conditions (hub weather, landing-site sea state) shared by every server process.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Until now ops' declarations lived in one process's memory: a restart returned to the climate and
several uvicorn workers each quoted under their own. One row per declared hub or site, keyed by
(kind, subject_id), with who set it and when.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "declared_conditions",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("subject_id", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("remaining_h", sa.Float(), nullable=True),
        sa.Column("alternate", sa.Boolean(), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "subject_id"),
    )


def downgrade() -> None:
    op.drop_table("declared_conditions")
