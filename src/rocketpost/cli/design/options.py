"""The options and small parsers the designer's commands share (``rocketpost design solve |
frontier | sensitivity``), and the command line a designed file records in its header."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated, Any

import typer

from rocketpost.cli.common import network_from
from rocketpost.design.demand import Demand, city_demand, orders_demand
from rocketpost.errors import InputError, NetworkFileError
from rocketpost.network import Network

StockOption = Annotated[
    str,
    typer.Option("--stock-at", help="Comma-separated hubs that hold the stock (rocket origins)."),
]
DesignPresetOption = Annotated[
    str | None,
    typer.Option(
        "--preset",
        help="Preset of the network file the design starts from (default: rocket-hour when "
        "the file has it).",
        show_default=False,
    ),
]
DEFAULT_DESIGN_PRESET = "rocket-hour"
"""The one-hour rocket concept: sites near cities, drones from the vessel, fastest arcs."""
DemandOption = Annotated[
    str,
    typer.Option("--demand", help="'cities' (GeoNames population) or an orders file."),
]
MinPopulationOption = Annotated[
    int, typer.Option("--min-population", help="City size threshold (demand and candidates).")
]
KeepSitesOption = Annotated[
    bool,
    typer.Option(
        "--keep-sites/--no-keep-sites",
        help="Keep the network's own landing sites fixed in (default: design from its hubs).",
    ),
]
CostsOption = Annotated[
    Path | None,
    typer.Option("--costs", help="Annual cost model TOML (default: the packaged one)."),
]
OutOption = Annotated[Path | None, typer.Option("--out", help="Directory to write the outputs to.")]


def _command_line(command: str, options: dict[str, Any]) -> str:
    """The command as a user would type it (from the parsed options, not ``sys.argv``);
    ``command`` "" is ``rocketpost design`` itself."""
    words = ["rocketpost", "design", *([command] if command else [])]
    for name, value in options.items():
        if value is None or value is False:
            continue
        words += (
            [f"--{name}"]
            if value is True
            else [f"--{name}", f"{value:g}" if isinstance(value, float) else str(value)]
        )
    return shlex.join(words)


def _solve_command(options: dict[str, Any]) -> str:
    return _command_line("solve", options)


def _stock(text: str) -> list[str]:
    hubs = [h.strip().upper() for h in text.split(",") if h.strip()]
    if not hubs:
        raise InputError("stock-at", text, "must name at least one hub")
    return hubs


def _numbers(text: str | None, field: str) -> list[float]:
    if not text:
        return []
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError(field, text, "must be comma-separated numbers") from None


def _out_dir(out: Path | None) -> Path | None:
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    return out


def _demand(demand: str, min_population: int) -> Demand:
    return city_demand(min_population) if demand == "cities" else orders_demand(demand)


def _base_network(network_file: Path | None, preset: str | None) -> Network:
    """The network the design starts from: ``preset``, else rocket-hour when the file has it
    (a designed network file has no presets and is read as it is)."""
    if preset is not None:
        return network_from(network_file, preset)
    try:
        return network_from(network_file, DEFAULT_DESIGN_PRESET)
    except NetworkFileError as error:
        if error.field != "presets":
            raise
        return network_from(network_file, None)


def _concepts(**values: str) -> list[tuple[str, float]]:
    """The sensitivity's concepts from its per-lever options (``drone_range_km="25,30"`` ...),
    in option order; an empty option tries nothing for that lever."""
    return [
        (lever, value)
        for lever, text in values.items()
        for value in _numbers(text, lever.replace("_", "-"))
    ]
