"""The throwaway PostgreSQL server: it starts, serves, isolates, and never outlives its owner."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy

from rocketpost.errors import InputError
from tests.support.postgres import (
    HOST,
    PostgresInstance,
    PostgresStartError,
    throwaway_postgres,
)

pytestmark = pytest.mark.postgres


@pytest.fixture()
def base_dir() -> Iterator[Path]:
    """A temp dir the unprivileged server user can traverse (pytest's tmp_path is private)."""
    with tempfile.TemporaryDirectory(prefix="rocketpost-test-") as name:
        os.chmod(name, 0o711)
        yield Path(name)


def _refuses_connections(port: int) -> bool:
    try:
        psycopg.connect(f"postgresql://rocketpost@{HOST}:{port}/postgres", connect_timeout=2)
    except psycopg.OperationalError:
        return True
    return False


def _wait_until(condition: Callable[[], bool], timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


def test_server_answers_on_loopback_tcp_only(postgres_instance: PostgresInstance) -> None:
    assert postgres_instance.url.startswith(f"postgresql+psycopg://rocketpost@{HOST}:")
    with psycopg.connect(postgres_instance.conninfo()) as connection:
        version = connection.execute("SELECT version()").fetchone()
        listen = connection.execute("SHOW listen_addresses").fetchone()
        sockets = connection.execute("SHOW unix_socket_directories").fetchone()
        database = connection.execute("SELECT current_database()").fetchone()
    assert version is not None and version[0].startswith("PostgreSQL ")
    assert listen == (HOST,)
    assert sockets == ("",)
    assert database == ("rocketpost",)


def test_server_does_not_run_as_root(postgres_instance: PostgresInstance) -> None:
    with psycopg.connect(postgres_instance.conninfo()) as connection:
        row = connection.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        # While the session is open: its backend process exits when the connection closes.
        assert os.stat(f"/proc/{row[0]}").st_uid != 0
    assert os.stat(postgres_instance.data_dir).st_uid != 0 or os.geteuid() != 0


def test_create_and_drop_a_second_database(postgres_instance: PostgresInstance) -> None:
    url = postgres_instance.create_database("second_db")
    assert url == postgres_instance.url_for("second_db")
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text("CREATE TABLE t (x int)"))
            connection.execute(sqlalchemy.text("INSERT INTO t VALUES (42)"))
        with engine.connect() as connection:
            assert connection.execute(sqlalchemy.text("SELECT x FROM t")).scalar_one() == 42
    finally:
        engine.dispose()
    # Databases are isolated: the default one has no such table.
    with psycopg.connect(postgres_instance.conninfo()) as connection:
        found = connection.execute("SELECT to_regclass('public.t')").fetchone()
    assert found == (None,)
    postgres_instance.drop_database("second_db")
    with pytest.raises(psycopg.OperationalError, match="second_db"):
        psycopg.connect(postgres_instance.conninfo("second_db"))


@pytest.mark.parametrize("name", ["", "1abc", "a-b", "x; DROP DATABASE postgres", "a" * 64])
def test_database_names_must_be_plain_identifiers(
    postgres_instance: PostgresInstance, name: str
) -> None:
    with pytest.raises(InputError, match="name"):
        postgres_instance.create_database(name)


def test_postgres_url_fixture_is_a_usable_sqlalchemy_url(postgres_url: str) -> None:
    engine = sqlalchemy.create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(sqlalchemy.text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


def test_stop_deletes_the_data_and_frees_the_port(base_dir: Path) -> None:
    with throwaway_postgres(base_dir) as instance:
        assert instance.running
        assert (instance.data_dir / "PG_VERSION").is_file()
        port, root_dir = instance.port, instance.root_dir
    assert not instance.running
    assert instance.process.returncode is not None
    assert not root_dir.exists()
    assert list(base_dir.iterdir()) == []
    assert _refuses_connections(port)
    instance.stop()  # idempotent


def test_a_killed_owner_leaves_nothing_behind(base_dir: Path) -> None:
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from tests.support.postgres import start_postgres\n"
        "pg = start_postgres(Path(sys.argv[1]))\n"
        "print(pg.root_dir, pg.port, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(base_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=Path(__file__).resolve().parents[2],  # `python -c` imports `tests` from its cwd
    )
    assert result.returncode == -9, result.stderr
    root_name, port_text = result.stdout.split()
    root_dir = Path(root_name)
    assert root_dir.parent == base_dir.resolve()
    # The watchdog notices the owner's death and cleans up.
    assert _wait_until(lambda: not root_dir.exists()), "data directory survived its owner"
    assert _wait_until(lambda: _refuses_connections(int(port_text))), "server survived its owner"


def test_a_start_up_failure_reports_postgres_own_message(base_dir: Path) -> None:
    with (
        pytest.raises(PostgresStartError, match="shared_buffers"),
        throwaway_postgres(base_dir, settings={"shared_buffers": "plenty"}),
    ):
        pass  # pragma: no cover - never reached
    assert list(base_dir.iterdir()) == []
