"""``rocketpost serve``, ``rocketpost db …`` and ``rocketpost merchants …``: the booking service."""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path
from typing import Annotated

import typer

from rocketpost.cli.common import JsonOption, PresetOption
from rocketpost.cli.output import console, fail, print_json
from rocketpost.network import PRESET_ENV

__all__ = ["db_app", "merchants_app", "serve", "tcp_listener", "worker_listeners"]

DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="sqlite:///path or postgresql://… (default: $ROCKETPOST_DATABASE_URL or "
        "sqlite:///rocketpost.db).",
        show_default=False,
    ),
]

db_app = typer.Typer(help="Booking-service database: migrations.", no_args_is_help=True)
merchants_app = typer.Typer(help="Merchants and their API keys.", no_args_is_help=True)


def _url(database_url: str | None) -> str:
    from rocketpost.service.settings import Settings

    return Settings.from_env(database_url=database_url).database_url


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrlOption = None) -> None:
    """Migrate the database to the latest schema (creates a SQLite file)."""
    from rocketpost.service.db import head_revision, upgrade

    url = _url(database_url)
    upgrade(url)
    console.print(f"database at revision {head_revision()}")


@db_app.command("current")
def db_current(database_url: DatabaseUrlOption = None, json: JsonOption = False) -> None:
    """Show the database's revision and the newest one shipped."""
    from rocketpost.service.db import current_revision, head_revision

    url = _url(database_url)
    current, head = current_revision(url), head_revision()
    if json:
        print_json({"current": current, "head": head, "up_to_date": current == head})
    else:
        state = "up to date" if current == head else "needs: rocketpost db upgrade"
        console.print(f"current {current or 'none'}, head {head} ({state})")


@merchants_app.command("create")
def merchants_create(
    name: Annotated[str, typer.Argument(help="Merchant name.")],
    ops: Annotated[bool, typer.Option("--ops", help="Create the ops principal instead.")] = False,
    webhook_url: Annotated[
        str | None, typer.Option("--webhook-url", help="Register a webhook endpoint too.")
    ] = None,
    database_url: DatabaseUrlOption = None,
    json: JsonOption = False,
) -> None:
    """Create a merchant and print its API key (shown once, stored only as a hash)."""
    from rocketpost.service.db import check_migrated
    from rocketpost.service.merchants import add_webhook, create_merchant

    url = _url(database_url)
    check_migrated(url)
    merchant_id, api_key = create_merchant(url, name, ops=ops)
    out: dict[str, str] = {
        "merchant_id": merchant_id,
        "name": name.strip(),
        "api_key": api_key,
        "role": "ops" if ops else "merchant",
    }
    if webhook_url is not None:
        out["webhook_id"], out["webhook_secret"] = add_webhook(url, merchant_id, webhook_url)
    if json:
        print_json(out)
        return
    console.print(f"{out['role']} {merchant_id} ({out['name']})", markup=False)
    console.print(f"api key (shown once): {api_key}", markup=False, soft_wrap=True)
    if webhook_url is not None:
        console.print(
            f"webhook {out['webhook_id']} → {webhook_url}, secret (shown once): "
            f"{out['webhook_secret']}",
            markup=False,
            soft_wrap=True,
        )


@merchants_app.command("list")
def merchants_list(database_url: DatabaseUrlOption = None, json: JsonOption = False) -> None:
    """List merchants (never their keys)."""
    from rich.table import Table

    from rocketpost.service.db import check_migrated
    from rocketpost.service.merchants import list_merchants

    url = _url(database_url)
    check_migrated(url)
    merchants = list_merchants(url)
    if json:
        print_json(merchants)
        return
    table = Table("id", "name", "role", "active", "created")
    for m in merchants:
        table.add_row(m.merchant_id, m.name, m.role, str(m.active), m.created_at.isoformat())
    console.print(table)


def serve(
    database_url: DatabaseUrlOption = None,
    host: Annotated[str | None, typer.Option("--host", help="Listen address.")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Listen port.")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes.")] = None,
    network: Annotated[
        Path | None, typer.Option("--network", help="Network TOML file.", show_default=False)
    ] = None,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
    preset: PresetOption = None,
    replay: Annotated[
        Path | None,
        typer.Option(
            "--replay",
            help="Plan directory (rocketpost plan run --out DIR, simulated or not) that the "
            "control room replays (else ROCKETPOST_REPLAY_DIR).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the booking service (uvicorn). Refuses an unmigrated database (exit status 2)."""
    import uvicorn

    from rocketpost.service.web.replay import REPLAY_DIR_ENV

    if preset is not None:  # the workers load the network themselves: hand it over there
        os.environ[PRESET_ENV] = preset
    if replay is not None:
        if not replay.is_dir():  # its flights.parquet is read when the page asks
            fail(f"--replay {replay}: no such directory")
        os.environ[REPLAY_DIR_ENV] = str(replay.resolve())

    from rocketpost.service.db import NotMigratedError, check_migrated
    from rocketpost.service.settings import Settings

    settings = Settings.from_env(
        database_url=database_url,
        host=host,
        port=port,
        workers=workers,
        network=None if network is None else str(network),
    )
    try:
        check_migrated(settings.database_url)
    except NotMigratedError as error:
        fail(str(error))
    # Worker processes rebuild the settings from the environment: hand the flags over there.
    os.environ.update(settings.to_env())
    if settings.workers > 1:
        _serve_workers(settings.host, settings.port, settings.workers, log_level)
        return
    uvicorn.run(
        "rocketpost.service.app:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=log_level,
        access_log=False,
    )


def tcp_listener(sock: socket.socket) -> socket.socket:
    """The same listening socket, with its protocol recorded as TCP (``IPPROTO_TCP``).

    uvicorn's multi-worker mode binds ``socket.socket(family)``, whose ``proto`` is 0; accepted
    connections inherit that, and asyncio sets ``TCP_NODELAY`` only on sockets whose ``proto``
    is ``IPPROTO_TCP`` (Kludex/uvicorn#3149). Without it every keep-alive response that leaves
    in two writes meets Nagle plus the client's delayed ACK: ~40 ms stalls, a 15× slowdown.
    Re-wrapping the same descriptor fixes the recorded protocol (nothing else changes); spawned
    workers rebuild the socket from its family, type and proto, so they inherit the fix.
    Unix sockets are returned as they are.
    """
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto == socket.IPPROTO_TCP:
        return sock
    wrapped = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    wrapped.set_inheritable(True)
    return wrapped


def worker_listeners(host: str, port: int, workers: int) -> list[socket.socket]:
    """One listening TCP socket per worker on ``host:port`` (``SO_REUSEPORT``), ``IPPROTO_TCP``.

    With one shared listener, whichever worker wakes first accepts every pending connection (a
    keep-alive client's connections arrive together), so one worker serves all the load while
    the others idle. With a socket per worker the kernel spreads new connections over the
    workers by hash.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listeners = []
    for _ in range(workers):
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.set_inheritable(True)
        listeners.append(sock)
    return listeners


def _serve_workers(host: str, port: int, workers: int, log_level: str) -> None:
    """``uvicorn.run(..., workers=N)``, with a TCP_NODELAY-capable listener per worker."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors.multiprocess import Multiprocess, Process

    config = uvicorn.Config(
        "rocketpost.service.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
    )
    if port == 0 or not hasattr(socket, "SO_REUSEPORT"):
        # An ephemeral port cannot be shared by separate binds: one listener for everyone.
        per_worker = [[tcp_listener(config.bind_socket())]] * workers
    else:
        per_worker = [[s] for s in worker_listeners(host, port, workers)]
        console.print(f"rocketpost serving on {host}:{port} with {workers} workers", markup=False)

    class _PerWorkerSockets(Multiprocess):
        """uvicorn's supervisor, but worker *i* (and its replacements) listen on socket *i*."""

        def _spawn(self, index: int) -> Process:
            process = Process(self.config, per_worker[index])
            process.start()
            return process

        def init_processes(self) -> None:
            self.processes = [self._spawn(i) for i in range(self.processes_num)]

        def restart_all(self) -> None:
            for index, old in enumerate(self.processes):
                if self.should_exit.is_set():
                    return
                new = self._spawn(index)
                if not new.wait_until_ready(
                    self.config.timeout_worker_healthcheck, self.should_exit
                ):
                    new.kill()
                    new.join()
                    return
                old.terminate()
                old.join()
                self.processes[index] = new

        def keep_subprocess_alive(self) -> None:
            for index, process in enumerate(self.processes):
                if self.should_exit.is_set():
                    return
                if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                    continue
                process.kill()
                process.join()
                if process.exitcode == STARTUP_FAILURE:  # restarting would fail the same way
                    self.should_exit.set()
                    return
                self.processes[index] = self._spawn(index)

    with contextlib.suppress(KeyboardInterrupt):
        _PerWorkerSockets(config, sockets=per_worker[0]).run()
