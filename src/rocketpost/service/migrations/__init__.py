"""Alembic migrations of the booking service (run with ``rocketpost db upgrade``)."""
