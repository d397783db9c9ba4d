"""Run the booking service for tests and benchmarks: as a real ``rocketpost serve`` subprocess,
or as an app object in a uvicorn thread.

Durability can only be proven on a real process that is SIGKILLed mid-load, and throughput
only measured over a real socket, so :func:`running_server` goes through the same doors an
operator does: ``rocketpost db upgrade``, ``rocketpost merchants create`` (one merchant key and
one ops key), then ``rocketpost serve`` on a free port of ``127.0.0.1``, ready once
``GET /health`` answers.

The server runs in its own process group (uvicorn's ``--workers`` children included), so
:meth:`ServerHandle.kill` takes every process down at once with SIGKILL, exactly as the
kernel's OOM killer or a power cut would. If the owner dies first, the server gets SIGTERM
(``PR_SET_PDEATHSIG`` on Linux) rather than lingering on the port.

:func:`serving` runs an app built in the test process (its settings and database chosen by the
test) in a uvicorn thread on a free loopback port: the service tests talk to it with a plain
:class:`httpx.Client`, over the same HTTP stack as production.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from rocketpost.errors import RocketpostError

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = [
    "CLI",
    "ServerError",
    "ServerHandle",
    "create_merchant",
    "free_port",
    "run_cli",
    "running_server",
    "serving",
    "start_server",
]

HOST = "127.0.0.1"
# ``python -m rocketpost.cli`` rather than the ``rocketpost`` script: it works from a source tree
# whose script directory is not on PATH, and always with the interpreter running the caller.
CLI: tuple[str, ...] = (sys.executable, "-m", "rocketpost.cli")
_PR_SET_PDEATHSIG = 1
# The server subprocesses import rocketpost from this checkout's src/ (a fresh clone need not
# have it installed in editable mode).
_SRC_DIR = Path(__file__).resolve().parents[2] / "src"


class ServerError(RocketpostError):
    """The service failed to migrate, to hand out keys, or to start; the message has its log."""


def run_cli(
    args: Sequence[str], *, env: Mapping[str, str] | None = None, timeout_s: float = 120.0
) -> str:
    """Run a ``rocketpost`` sub-command and return its stdout.

    Raises
    ------
    ServerError
        If the command exits non-zero (its stderr is in the message).
    """
    try:
        result = subprocess.run(
            [*CLI, *args],
            capture_output=True,
            text=True,
            env=_environment(env),
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ServerError(f"`rocketpost {' '.join(args)}` timed out after {timeout_s} s") from error
    if result.returncode != 0:
        raise ServerError(
            f"`rocketpost {' '.join(args)}` exited with {result.returncode}:\n"
            f"{result.stderr.strip() or result.stdout.strip()}"
        )
    return result.stdout


def create_merchant(
    database_url: str,
    name: str,
    *,
    ops: bool = False,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Create a merchant (an ops user if ``ops``) and return the CLI's JSON.

    Keys: ``merchant_id``, ``name``, ``api_key`` (and ``role``).
    """
    args = ["merchants", "create", name, "--json", "--database-url", database_url]
    if ops:
        args.append("--ops")
    output = run_cli(args, env=env)
    document = _last_json_object(output)
    if "api_key" not in document:
        raise ServerError(f"`rocketpost merchants create` printed no api_key: {output!r}")
    return document


def _last_json_object(text: str) -> dict[str, Any]:
    # The whole output is one JSON document; fall back to its last line in case a warning
    # was printed first.
    for candidate in (text, *reversed(text.strip().splitlines())):
        with contextlib.suppress(ValueError):
            document = json.loads(candidate)
            if isinstance(document, dict):
                return document
    raise ServerError(f"expected a JSON object, got {text!r}")


def _environment(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    paths = (str(_SRC_DIR), env.get("PYTHONPATH", ""))
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    env.update(extra or {})
    return env


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Best effort: Linux only; elsewhere an orphaned server is stopped by its owner's clean-up.
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class ServerHandle:
    """A running ``rocketpost serve`` process and the keys to talk to it.

    Attributes
    ----------
    base_url
        ``http://127.0.0.1:PORT``.
    merchant_key, ops_key
        API keys (``Authorization: Bearer <key>``) of a merchant and of an ops user.
    process
        The server's :class:`subprocess.Popen` (leader of its own process group).
    """

    def __init__(
        self,
        *,
        database_url: str,
        port: int,
        api_keys: tuple[str, str],
        workers: int,
        env: Mapping[str, str],
        log_path: Path,
        startup_timeout_s: float,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.database_url = database_url
        self.host = HOST
        self.port = port
        self.merchant_key, self.ops_key = api_keys  # (merchant, ops)
        self.workers = workers
        self.env = dict(env)
        self.log_path = log_path
        self.startup_timeout_s = startup_timeout_s
        self.extra_args = tuple(extra_args)
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def __repr__(self) -> str:
        pid = self.process.pid if self.process is not None else None
        return f"ServerHandle({self.base_url!r}, pid={pid}, workers={self.workers})"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def headers(self, key: str | None = None) -> dict[str, str]:
        """Authorization header for ``key`` (default: the merchant key)."""
        return {"Authorization": f"Bearer {key or self.merchant_key}"}

    def client(self, key: str | None = None, *, timeout_s: float = 30.0) -> httpx.Client:
        """An :class:`httpx.Client` on :attr:`base_url`, authenticated with ``key``."""
        return httpx.Client(base_url=self.base_url, headers=self.headers(key), timeout=timeout_s)

    def command(self) -> list[str]:
        """The server's command line: ``rocketpost serve`` on this handle's database and port."""
        return [
            *CLI,
            "serve",
            "--database-url",
            self.database_url,
            "--host",
            self.host,
            "--port",
            str(self.port),
            *(["--workers", str(self.workers)] if self.workers != 1 else []),
            *self.extra_args,
        ]

    def start(self) -> None:
        """Start the server process and wait until ``GET /health`` says ok."""
        if self.running:
            raise ServerError(f"{self!r} is already running")
        command = self.command()
        with open(self.log_path, "ab") as log:
            log.write(f"\n=== start {self.starts + 1}: {' '.join(command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=_environment(self.env),
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        self.starts += 1
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout_s
        last_error = "no answer yet"
        with httpx.Client(base_url=self.base_url, timeout=2.0) as client:
            while True:
                if self.process.poll() is not None:
                    raise ServerError(
                        f"the server exited with {self.process.returncode} during "
                        f"start-up:\n{self.log_tail()}"
                    )
                try:
                    response = client.get("/health")
                    if response.status_code == 200 and response.json().get("status") == "ok":
                        return
                    last_error = f"{response.status_code} {response.text[:200]}"
                except (httpx.HTTPError, ValueError) as error:
                    last_error = repr(error)
                if time.monotonic() > deadline:
                    self.kill()
                    raise ServerError(
                        f"{self.base_url}/health not ok within {self.startup_timeout_s:.0f} s "
                        f"({last_error}):\n{self.log_tail()}"
                    )
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers) and reap it: no clean shutdown."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout_s: float = 15.0) -> None:
        """Graceful stop (SIGTERM, as systemd does), escalating to :meth:`kill`."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
        # uvicorn workers exit with their master, but make sure none holds the port.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def restart(self) -> None:
        """SIGKILL the server if it runs, then start it again on the same port and database."""
        self.kill()
        self.start()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def start_server(
    database_url: str,
    *,
    workers: int = 1,
    env: Mapping[str, str] | None = None,
    log_dir: Path | None = None,
    startup_timeout_s: float = 60.0,
    extra_args: Sequence[str] = (),
) -> ServerHandle:
    """Migrate ``database_url``, create a merchant and an ops key, start the server.

    Parameters
    ----------
    database_url
        SQLAlchemy URL (``sqlite:///path`` or ``postgresql+psycopg://...``).
    workers
        uvicorn worker processes (``--workers``); 1 runs a single process.
    env
        Extra environment for every command, e.g. ``{"ROCKETPOST_RATE_LIMIT_PER_MIN": "10000000"}``.
    log_dir
        Where the server log goes (default: a new temp dir); read it with
        :meth:`ServerHandle.log_tail`.
    startup_timeout_s
        How long to wait for ``GET /health``.
    extra_args
        More ``rocketpost serve`` options.

    The caller stops the server (:meth:`ServerHandle.stop`), or uses :func:`running_server`.
    """
    environment = {"ROCKETPOST_DATABASE_URL": database_url, **(env or {})}
    run_cli(["db", "upgrade", "--database-url", database_url], env=environment)
    # Unique names: a restarted benchmark or test may reuse the database.
    suffix = secrets.token_hex(3)
    merchant = create_merchant(database_url, f"harness-merchant-{suffix}", env=environment)
    ops = create_merchant(database_url, f"harness-ops-{suffix}", ops=True, env=environment)
    directory = log_dir or Path(tempfile.mkdtemp(prefix="rocketpost-serve-"))
    directory.mkdir(parents=True, exist_ok=True)
    handle = ServerHandle(
        database_url=database_url,
        port=free_port(),
        api_keys=(str(merchant["api_key"]), str(ops["api_key"])),
        workers=workers,
        env=environment,
        log_path=directory / f"serve-{suffix}.log",
        startup_timeout_s=startup_timeout_s,
        extra_args=extra_args,
    )
    handle.start()
    return handle


@contextlib.contextmanager
def running_server(
    database_url: str,
    *,
    workers: int = 1,
    env: Mapping[str, str] | None = None,
    log_dir: Path | None = None,
    startup_timeout_s: float = 60.0,
    extra_args: Sequence[str] = (),
) -> Iterator[ServerHandle]:
    """:func:`start_server` for the duration of a ``with`` block; stopped on exit."""
    handle = start_server(
        database_url,
        workers=workers,
        env=env,
        log_dir=log_dir,
        startup_timeout_s=startup_timeout_s,
        extra_args=extra_args,
    )
    try:
        yield handle
    finally:
        handle.stop()


@contextlib.contextmanager
def serving(app: FastAPI, *, startup_timeout_s: float = 30.0) -> Iterator[str]:
    """Serve ``app`` in a uvicorn thread (lifespan included) until the block ends.

    Yields the base URL, ``http://127.0.0.1:PORT``.

    Raises
    ------
    ServerError
        If uvicorn does not start within ``startup_timeout_s``.
    """
    import uvicorn

    config = uvicorn.Config(
        app, host=HOST, port=free_port(), log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise ServerError(f"uvicorn did not start on {HOST}:{config.port}")
        time.sleep(0.01)
    try:
        yield f"http://{HOST}:{config.port}"
    finally:
        server.should_exit = True
        thread.join(10)
