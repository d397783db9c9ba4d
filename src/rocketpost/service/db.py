"""Engines, sessions and migrations for SQLite and PostgreSQL.

Why two engines on SQLite: a transaction that reads and then writes starts as a reader and must
upgrade its lock; two such transactions deadlock and one fails at once with "database is
locked", which ``busy_timeout`` cannot cure. Booking transactions therefore begin with
``BEGIN IMMEDIATE`` (take the write lock first, wait for it up to ``busy_timeout``), while plain
reads keep ``BEGIN`` (deferred) so that they never queue behind writers — WAL lets readers run
beside the one writer. On PostgreSQL both are the same pooled engine: row locks do the work.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from rocketpost.errors import RocketpostError
from rocketpost.service.settings import normalise_database_url

__all__ = [
    "Database",
    "NotMigratedError",
    "alembic_config",
    "check_migrated",
    "current_revision",
    "head_revision",
    "make_engine",
    "session_scope",
    "upgrade",
]

SQLITE_BUSY_TIMEOUT_MS = 30_000


class NotMigratedError(RocketpostError):
    """The database is not at the latest migration (``rocketpost db upgrade`` fixes it)."""

    def __init__(self, url: str, current: str | None, head: str | None) -> None:
        self.url = url
        self.current = current
        self.head = head
        super().__init__(
            f"database {_safe_url(url)} is not migrated (at {current or 'none'}, head {head}); "
            f"run: rocketpost db upgrade --database-url {_safe_url(url)}"
        )


def _safe_url(url: str) -> str:
    """The URL with any password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<database url>"


def make_engine(url: str, *, immediate: bool = False, pool_size: int = 20) -> Engine:
    """An engine for ``url``: WAL + busy_timeout on SQLite (``immediate``: BEGIN IMMEDIATE).

    ``url`` is normalised first (``postgresql://`` → psycopg 3).
    """
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        parsed = make_url(url)
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Take transaction control away from the sqlite3 module so that BEGIN is ours.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            # WAL + NORMAL is durable against a process kill (the WAL is written on commit);
            # only an OS crash may lose the last transactions.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql(begin)

        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        pool_recycle=3600,
    )


@dataclass
class Database:
    """The read and write engines and their session factories for one database URL."""

    url: str
    engine: Engine
    write_engine: Engine
    session: sessionmaker[Session]
    write_session: sessionmaker[Session]

    @classmethod
    def connect(cls, url: str, *, pool_size: int = 20) -> Database:
        """Open engines for ``url`` (no connection is made until first use)."""
        url = normalise_database_url(url)
        engine = make_engine(url, pool_size=pool_size)
        write_engine = (
            make_engine(url, immediate=True, pool_size=pool_size)
            if url.startswith("sqlite")
            else engine
        )
        return cls(
            url=url,
            engine=engine,
            write_engine=write_engine,
            session=sessionmaker(engine, expire_on_commit=False),
            write_session=sessionmaker(write_engine, expire_on_commit=False),
        )

    @property
    def is_sqlite(self) -> bool:
        """Whether this is SQLite."""
        return self.url.startswith("sqlite")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()


@contextlib.contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session in a transaction: commit on success, roll back on error, always close."""
    session = factory()
    try:
        with session.begin():
            yield session
    finally:
        session.close()


def alembic_config(url: str) -> Config:
    """Alembic configuration for ``url``, pointing at the migrations shipped in the package.

    Built in code (no ``alembic.ini``) so that it works from an installed wheel.
    """
    config = Config()
    location = resources.files("rocketpost.service") / "migrations"
    config.set_main_option("script_location", str(location))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", normalise_database_url(url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate ``database_url`` to ``revision`` (default: the latest); idempotent."""
    url = normalise_database_url(database_url)
    engine = make_engine(url, pool_size=1)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def head_revision() -> str | None:
    """The newest migration shipped with the package."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(database_url: str) -> str | None:
    """The revision the database is at (``None`` when never migrated)."""
    engine = make_engine(database_url, pool_size=1)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def check_migrated(database_url: str) -> None:
    """Raise :class:`NotMigratedError` unless the database is at the head revision."""
    current = current_revision(database_url)
    head = head_revision()
    if current != head:
        raise NotMigratedError(normalise_database_url(database_url), current, head)
