"""The operational day: plan runs, each flight's assignment, each shipment's last mile.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

A plan run (``rocketpost plan --database-url``, ``POST /v1/ops/plan-runs``) writes the
airframe, landing site, landing time and planned load of each booked flight, and the last-mile
vehicle, stop and planned hand-over of each shipment; delivery events write ``delivered_at``.
``flights.plan_run_id`` names the run without a foreign key, so that adding it is a plain
``ALTER TABLE … ADD COLUMN`` on SQLite too (no table rebuild of a large flights table).
``ix_shipments_launch_at`` serves the control room's per-day aggregates.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _flight_columns() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("airframe_id", sa.String(length=32), nullable=True),
        sa.Column("landing_site", sa.String(length=16), nullable=True),
        sa.Column("landing_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("planned_g", sa.BigInteger(), nullable=True),
        sa.Column("planned_cm3", sa.BigInteger(), nullable=True),
        sa.Column("planned_shipments", sa.Integer(), nullable=True),
        sa.Column("plan_run_id", sa.Integer(), nullable=True),
    )


def _shipment_columns() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("last_mile_vehicle", sa.String(length=24), nullable=True),
        sa.Column("last_mile_stop", sa.Integer(), nullable=True),
        sa.Column("planned_delivery_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    )


def upgrade() -> None:
    op.create_table(
        "plan_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("flights", sa.Integer(), nullable=False),
        sa.Column("shipments", sa.Integer(), nullable=False),
        sa.Column("unassigned_flights", sa.Integer(), nullable=False),
        sa.Column("planned_late", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
    )
    op.create_index("ix_plan_runs_day", "plan_runs", ["day", "id"], unique=False)
    for column in _flight_columns():
        op.add_column("flights", column)
    for column in _shipment_columns():
        op.add_column("shipments", column)
    op.create_index("ix_shipments_launch_at", "shipments", ["launch_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_shipments_launch_at", table_name="shipments")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        for column in reversed(_shipment_columns()):
            batch_op.drop_column(column.name)
    with op.batch_alter_table("flights", schema=None) as batch_op:
        for column in reversed(_flight_columns()):
            batch_op.drop_column(column.name)
    op.drop_index("ix_plan_runs_day", table_name="plan_runs")
    op.drop_table("plan_runs")
