"""``rocketpost serve``, ``rocketpost db …`` and ``rocketpost merchants …``: the booking service."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from rocketpost.cli.common import JsonOption
from rocketpost.cli.output import console, fail, print_json

__all__ = ["db_app", "merchants_app", "serve"]

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
) -> None:
    """Run the booking service (uvicorn). Refuses an unmigrated database (exit status 2)."""
    import uvicorn

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
    uvicorn.run(
        "rocketpost.service.app:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=log_level,
        access_log=False,
    )
