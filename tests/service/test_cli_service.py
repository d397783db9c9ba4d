"""``rocketpost db``, ``merchants`` and ``serve`` (refusal on an unmigrated database; listeners)."""

from __future__ import annotations

import asyncio
import json
import socket

import typer
from typer.testing import CliRunner

from rocketpost.cli.service import db_app, merchants_app, serve, tcp_listener, worker_listeners


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(db_app, name="db")
    app.add_typer(merchants_app, name="merchants")
    app.command("serve")(serve)
    return app


def test_cli_flow(tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    no_day = runner.invoke(_app(), ["serve", "--replay", str(tmp_path / "no-such-plan")])
    assert no_day.exit_code != 0 and "no such directory" in no_day.output
    refused = runner.invoke(_app(), ["serve", "--database-url", url])
    assert refused.exit_code == 2
    assert "not migrated" in refused.output and "rocketpost db upgrade" in refused.output
    assert runner.invoke(_app(), ["db", "upgrade", "--database-url", url]).exit_code == 0
    current = runner.invoke(_app(), ["db", "current", "--database-url", url, "--json"])
    assert json.loads(current.output)["up_to_date"] is True
    created = runner.invoke(
        _app(), ["merchants", "create", "Acme", "--json", "--database-url", url]
    )
    assert created.exit_code == 0, created.output
    out = json.loads(created.output)
    assert set(out) >= {"merchant_id", "name", "api_key"} and out["name"] == "Acme"
    ops = runner.invoke(_app(), ["merchants", "create", "Ops", "--ops", "--database-url", url])
    assert ops.exit_code == 0 and "rp_live_" in ops.output
    listed = runner.invoke(_app(), ["merchants", "list", "--json", "--database-url", url])
    rows = json.loads(listed.output)
    assert [r["role"] for r in rows] == ["merchant", "ops"]
    assert out["api_key"] not in listed.output


async def _nodelay_of_accepted(listener: socket.socket) -> int:
    """TCP_NODELAY on the server side of a connection accepted by asyncio from ``listener``."""
    seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def handle(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(handle, sock=listener)
    async with server:
        _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        value = await asyncio.wait_for(seen, 10)
        writer.close()
    return value


def test_tcp_listener_gets_nodelay_connections() -> None:
    """uvicorn#3149: a listener made with proto 0 yields connections without TCP_NODELAY."""
    plain = socket.socket(socket.AF_INET)  # what uvicorn's multi-worker mode binds
    plain.bind(("127.0.0.1", 0))
    assert asyncio.run(_nodelay_of_accepted(plain)) == 0  # the bug (the test can fail)

    broken = socket.socket(socket.AF_INET)
    broken.bind(("127.0.0.1", 0))
    port = broken.getsockname()[1]
    fixed = tcp_listener(broken)
    assert fixed.proto == socket.IPPROTO_TCP and fixed.getsockname()[1] == port
    assert fixed.get_inheritable()
    assert asyncio.run(_nodelay_of_accepted(fixed)) != 0
    assert tcp_listener(fixed) is fixed


def test_worker_listeners_share_the_port_and_spread_connections() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    listeners = worker_listeners("127.0.0.1", port, 2)
    try:
        assert [s.getsockname()[1] for s in listeners] == [port, port]
        assert all(s.proto == socket.IPPROTO_TCP for s in listeners)
        for s in listeners:
            s.listen(64)
            s.setblocking(False)
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(32)]
        accepted = [0, 0]
        for i, s in enumerate(listeners):
            while True:
                try:
                    conn, _ = s.accept()
                except BlockingIOError:
                    break
                conn.close()
                accepted[i] += 1
        for c in clients:
            c.close()
        # The kernel hashes connections over the listeners: all 32 on one is a 2^-31 chance.
        assert sum(accepted) == 32 and min(accepted) > 0, accepted
    finally:
        for s in listeners:
            s.close()
