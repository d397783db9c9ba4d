"""``rocketpost conditions …``: read and declare the conditions quotes are made under.

Talks to the service's database directly (as ``rocketpost merchants`` does), through the one
writer :class:`rocketpost.service.conditions_store.ConditionsStore`; running servers quote
under a change within a second. Who set it is recorded as ``cli:$USER``.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Annotated, Any

import typer

from rocketpost.cli.common import JsonOption, NetworkOption, PresetOption, network_from
from rocketpost.cli.output import console, print_json
from rocketpost.cli.service import DatabaseUrlOption

__all__ = ["app"]

app = typer.Typer(
    help="Declared conditions (hub weather, landing-site sea) in the service's database.",
    no_args_is_help=True,
)


def _store(database_url: str | None, network: Any, preset: str | None) -> Any:
    from rocketpost.service.conditions_store import ConditionsStore
    from rocketpost.service.db import Database, check_migrated
    from rocketpost.service.settings import Settings

    url = Settings.from_env(database_url=database_url).database_url
    check_migrated(url)
    return ConditionsStore(Database.connect(url, pool_size=1), network_from(network, preset))


def _show_after(
    database_url: str | None,
    network: Any,
    preset: str | None,
    json: bool,
    change: Callable[[Any, str], Any],
) -> None:
    """Open the store, make ``change(store, set_by)`` (or read), show the result, close."""
    store = _store(database_url, network, preset)
    try:
        _show(change(store, f"cli:{getpass.getuser()}"), store.network.hub_ids, json)
    finally:
        store.db.dispose()


def _rows(stored: Any, hub_ids: tuple[str, ...]) -> list[dict[str, Any]]:
    c = stored.conditions
    rows = []
    for hub_id in hub_ids:
        front_s, closed_s = c.front_mean_s(hub_id), c.sea_closed_mean_s(hub_id)
        hub_by, site_by = stored.hubs.get(hub_id), stored.sites.get(hub_id)
        rows.append(
            {
                "hub_id": hub_id,
                "weather": c.weather(hub_id).state.value,
                "weather_declared": hub_by is not None,
                "scrub_p": c.scrub_p(hub_id),
                "front_remaining_h": None if front_s is None else front_s / 3600.0,
                "sea": c.sea(hub_id).state.value,
                "sea_declared": site_by is not None,
                "alternate": c.sea(hub_id).alternate,
                "closed_remaining_h": None if closed_s is None else closed_s / 3600.0,
                "set_by": (hub_by or site_by).set_by if (hub_by or site_by) else None,
                "set_at": (hub_by or site_by).set_at.isoformat() if (hub_by or site_by) else None,
            }
        )
    return rows


def _show(stored: Any, hub_ids: tuple[str, ...], json: bool) -> None:
    from rich.table import Table

    rows = _rows(stored, hub_ids)
    inspection_p = stored.conditions.customs_p
    if json:
        print_json({"hubs": rows, "inspection_p": inspection_p, "stored": "database"})
        return
    table = Table("hub", "weather", "scrub p", "front h", "sea", "alternate", "set by", "set at")
    for r in rows:
        star = "" if r["weather_declared"] else " (climate)"
        table.add_row(
            r["hub_id"],
            r["weather"] + star,
            f"{r['scrub_p']:.3f}",
            "" if r["front_remaining_h"] is None else f"{r['front_remaining_h']:g}",
            r["sea"],
            "yes" if r["alternate"] else "",
            r["set_by"] or "",
            r["set_at"] or "",
        )
    console.print(table)
    console.print(f"unplanned inspections (base rate): {inspection_p:.2%}")


@app.command("show")
def show(
    database_url: DatabaseUrlOption = None,
    network: NetworkOption = None,
    preset: PresetOption = None,
    json: JsonOption = False,
) -> None:
    """Every hub's weather and landing site's sea, declared or the climate."""
    _show_after(database_url, network, preset, json, lambda store, _by: store.read())


@app.command("set-hub")
def set_hub(
    hub_id: Annotated[str, typer.Argument(help="Hub id, e.g. HZB.")],
    weather: Annotated[str, typer.Option("--weather", help="clear, hold_risk or front.")],
    hours: Annotated[
        float | None,
        typer.Option("--hours", help="A front's expected remaining duration (h)."),
    ] = None,
    scrub_p: Annotated[
        float | None, typer.Option("--scrub-p", help="Per-wave isolated-hold probability.")
    ] = None,
    database_url: DatabaseUrlOption = None,
    network: NetworkOption = None,
    preset: PresetOption = None,
    json: JsonOption = False,
) -> None:
    """Declare a hub's launch weather."""
    from rocketpost.errors import InputError
    from rocketpost.promise.conditions import HubWeather

    if hours is not None and weather != "front":
        raise InputError("hours", hours, "only a front has remaining hours")
    declared = HubWeather(weather, scrub_p, hours)  # type: ignore[arg-type]
    _show_after(
        database_url,
        network,
        preset,
        json,
        lambda store, by: store.declare_hub(hub_id, declared, set_by=by),
    )


@app.command("set-site")
def set_site(
    site_id: Annotated[str, typer.Argument(help="Landing site id (today a hub's id).")],
    sea: Annotated[str, typer.Option("--sea", help="open or closed.")],
    alternate: Annotated[
        bool, typer.Option("--alternate", help="A closed site diverts to its alternate zone.")
    ] = False,
    hours: Annotated[
        float | None, typer.Option("--hours", help="A closure's expected remaining hours.")
    ] = None,
    database_url: DatabaseUrlOption = None,
    network: NetworkOption = None,
    preset: PresetOption = None,
    json: JsonOption = False,
) -> None:
    """Declare a landing site's sea state."""
    from rocketpost.promise.conditions import SiteSea

    declared = SiteSea(sea, alternate, hours)  # type: ignore[arg-type]
    _show_after(
        database_url,
        network,
        preset,
        json,
        lambda store, by: store.declare_site(site_id, declared, set_by=by),
    )


@app.command("set-customs")
def set_customs(
    inspection_p: Annotated[
        float,
        typer.Option("--inspection-p", help="Base rate of unplanned inspections (typical risk)."),
    ],
    database_url: DatabaseUrlOption = None,
    network: NetworkOption = None,
    preset: PresetOption = None,
    json: JsonOption = False,
) -> None:
    """Declare the base rate of unplanned customs inspections of released parcels."""
    _show_after(
        database_url,
        network,
        preset,
        json,
        lambda store, by: store.declare_customs(inspection_p, set_by=by),
    )
