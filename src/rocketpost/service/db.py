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
import hashlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from rocketpost.errors import RocketpostError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: the thread lock alone
    fcntl = None  # type: ignore[assignment]
from rocketpost.service.settings import normalise_database_url

__all__ = [
    "Database",
    "NotMigratedError",
    "SqliteWriteLock",
    "advisory_lock",
    "alembic_config",
    "check_migrated",
    "current_revision",
    "head_revision",
    "make_engine",
    "session_scope",
    "upgrade",
]

SQLITE_BUSY_TIMEOUT_MS = 30_000
_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def advisory_lock(session: Session, name: str) -> None:
    """Hold the lock called ``name`` until the transaction ends (PostgreSQL).

    A transaction-scoped advisory lock keyed by a 64-bit hash of ``name``: it serialises the
    transactions that take it (a recipient's bookings, the openings of one day's flights)
    without locking a row. On SQLite it does nothing: write transactions there are
    ``BEGIN IMMEDIATE``, one writer at a time already.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    session.execute(_ADVISORY_LOCK, {"key": int.from_bytes(digest, "big", signed=True)})


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


class SqliteWriteLock:
    """Queue a SQLite database's writers in the kernel rather than in SQLite's busy handler.

    SQLite has one writer at a time, and a writer that finds the database locked polls: its
    busy handler sleeps (up to 100 ms a time) and retries. Under a booking load that backoff,
    not the work, made the p99 of a booking ~1.5 s. Writers here first take a thread lock (the
    threads of this process) and then an exclusive ``flock`` on ``<database>.writelock`` (the
    other worker processes), both of which wake the next waiter as soon as the holder is done,
    and only then ``BEGIN IMMEDIATE``. Anyone who does not take the lock (a CLI command, another
    program) still meets the busy handler: the lock orders writers, SQLite still guarantees
    the isolation. Re-entrant within a thread. In-memory databases get the thread lock only.
    """

    def __init__(self, database_path: str | None) -> None:
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._path = (
            None
            if fcntl is None or not database_path or database_path == ":memory:"
            else database_path + ".writelock"
        )
        self._fd: int | None = None

    def __enter__(self) -> None:
        self._thread_lock.acquire()
        try:
            if self._depth == 0 and self._path is not None:
                assert fcntl is not None
                if self._fd is None:
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise
        self._depth += 1

    def close(self) -> None:
        """Close the lock file (the lock is re-opened on the next write)."""
        with self._thread_lock:
            if self._fd is not None and self._depth == 0:
                os.close(self._fd)
                self._fd = None

    def __exit__(self, *_exc: object) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None:
                assert fcntl is not None
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


@dataclass
class Database:
    """The read and write engines and their session factories for one database URL."""

    url: str
    engine: Engine
    write_engine: Engine
    session: sessionmaker[Session]
    write_session: sessionmaker[Session]
    point_read_session: sessionmaker[Session] | None = None

    def __post_init__(self) -> None:
        if self.point_read_session is None:
            self.point_read_session = self.session
        self._write_lock: contextlib.AbstractContextManager[Any] = (
            SqliteWriteLock(make_url(self.url).database)
            if self.is_sqlite
            else contextlib.nullcontext()
        )

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction (:func:`session_scope` on the write engine), one per process
        at a time on SQLite."""
        with self._write_lock, session_scope(self.write_session) as session:
            yield session

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
        point_read = sessionmaker(engine, expire_on_commit=False)
        if not url.startswith("sqlite"):
            # One-statement reads (the idempotency lookup before every booking) need no
            # transaction: in autocommit the driver sends no BEGIN and no ROLLBACK, so the read
            # is one round trip instead of three.
            point_read = sessionmaker(
                engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
            )
        return cls(
            url=url,
            engine=engine,
            write_engine=write_engine,
            session=sessionmaker(engine, expire_on_commit=False),
            write_session=sessionmaker(write_engine, expire_on_commit=False),
            point_read_session=point_read,
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
        if isinstance(self._write_lock, SqliteWriteLock):
            self._write_lock.close()


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
