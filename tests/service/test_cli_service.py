"""``rocketpost db``, ``merchants`` and ``serve`` (refusal on an unmigrated database)."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from rocketpost.cli.service import db_app, merchants_app, serve


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(db_app, name="db")
    app.add_typer(merchants_app, name="merchants")
    app.command("serve")(serve)
    return app


def test_cli_flow(tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'cli.db'}"
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
