"""``rocketpost network check FILE``: validate a network file and summarise it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rocketpost.cli.common import JsonOption, PresetOption, network_from
from rocketpost.cli.output import console, print_json

__all__ = ["app"]

app = typer.Typer(help="Network files: validate and summarise.", no_args_is_help=True)


@app.command("check")
def check(
    file: Annotated[
        Path | None,
        typer.Argument(help="Network TOML (default: the shipped network).", show_default=False),
    ] = None,
    preset: PresetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Validate a network file against its schema and the world data (land mask, ports);
    with its landing sites and the chosen preset."""
    network = network_from(file, preset)
    if as_json:
        print_json(
            {
                "file": network.source,
                "valid": True,
                "rocket": network.rocket,
                "boat": network.boat,
                "van": network.van,
                "drone": network.drone,
                "safety": network.safety,
                "preset": network.preset,
                "hubs": list(network.hubs),
                "landing_sites": len(network.landing_sites),
            }
        )
        return
    preset = "" if network.preset is None else f" (preset {network.preset})"
    table = Table(
        title=f"{network.source}{preset}: {len(network.hubs)} hubs, "
        f"{len(network.landing_sites)} landing sites, rocket {network.rocket.name}"
    )
    for column in ("id", "name", "country", "port", "boat km", "fleet", "wave min", "handling min"):
        table.add_column(
            column,
            justify="right"
            if (column[0].islower() and " " in column) or column == "fleet"
            else "left",
        )
    for hub in network.hubs:
        table.add_row(
            hub.hub_id,
            hub.name,
            hub.country,
            hub.port,
            f"{hub.boat_route_km:.1f}",
            str(hub.fleet),
            f"{hub.launch_interval_min:g}",
            f"{hub.launch_handling_min:g}",
        )
    console.print(table)
    console.print(
        f"[green]valid[/green]: {sum(h.fleet for h in network.hubs)} airframes, every landing "
        f"zone at sea ≥ {network.safety.min_offshore_km:g} km offshore with a water route to "
        "its port"
    )
