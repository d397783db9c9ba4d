"""Alembic environment: runs on the connection :func:`rocketpost.service.db.upgrade` hands over.

Without one (the ``alembic`` command line), it opens an engine from ``sqlalchemy.url``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from rocketpost.service.db import make_engine
from rocketpost.service.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate on the given connection, or on a fresh one."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(str(config.get_main_option("sqlalchemy.url")), pool_size=1)
    try:
        with engine.begin() as fresh:
            _run(fresh)
    finally:
        engine.dispose()


if context.is_offline_mode():  # pragma: no cover - offline SQL generation is not supported
    raise SystemExit("rocketpost migrations run online only")
run_migrations_online()
