"""``rocketpost reach``: share of the world's city population within a delivery threshold."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rocketpost.cli.common import JsonOption, NetworkOption, PresetOption, network_from
from rocketpost.cli.output import console, print_json
from rocketpost.core.eta import EtaOptions, Parcel, WaveWait
from rocketpost.core.reach import AreaReach, ReachResult, compute_reach
from rocketpost.errors import InputError

__all__ = ["print_reach", "reach", "rule_text"]


def reach(
    minutes: Annotated[
        float | None,
        typer.Option("--minutes", help="Delivery threshold, minutes (default: the promise)."),
    ] = None,
    hubs: Annotated[
        str | None,
        typer.Option("--hubs", help="Comma-separated hubs holding stock (default: all)."),
    ] = None,
    min_population: Annotated[
        int, typer.Option("--min-population", help="City size threshold (≥ 500).")
    ] = 15_000,
    wait: Annotated[
        WaveWait, typer.Option("--wait", help="Launch-wave wait assumed.")
    ] = WaveWait.WORST,
    parcel_kg: Annotated[
        float, typer.Option("--parcel-kg", help="Parcel mass (drone eligibility).")
    ] = 1.0,
    map_file: Annotated[
        Path | None, typer.Option("--map", help="Write a PNG world map here.")
    ] = None,
    geojson_file: Annotated[
        Path | None, typer.Option("--geojson", help="Write GeoJSON here.")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Countries to list in the table.")] = 15,
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help="Routes that count: any (the fastest), rocket (no ground delivery) or ground.",
        ),
    ] = "any",
    confidence: Annotated[
        bool,
        typer.Option(
            "--confidence",
            help="Count a city when the promise holds at the network's confidence (P(on time) "
            "through the door-to-door kernel) under the climate or --weather, not by the buffer.",
        ),
    ] = False,
    weather: Annotated[
        list[str] | None,
        typer.Option(
            "--weather",
            help="With --confidence: HUB=clear|hold_risk|front[:HOURS] (repeatable).",
        ),
    ] = None,
    climate: Annotated[
        bool,
        typer.Option(
            "--climate",
            help="At the confidence, averaged over the weather climate: each stock hub not "
            "in --weather is under a front the climate's share of the time; a city counts for "
            "the share of time it is promised (implies --confidence).",
        ),
    ] = False,
    network_file: NetworkOption = None,
    preset: PresetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Who can be promised delivery within --minutes, by continent and country."""
    network = network_from(network_file, preset)
    stock = [h.strip() for h in hubs.split(",") if h.strip()] if hubs else None
    if stock is not None and not stock:
        raise InputError("hubs", hubs, "must name at least one hub")
    result = compute_reach(
        network,
        threshold_min=minutes,
        stock_hubs=stock,
        min_population=min_population,
        parcel=Parcel(mass_kg=parcel_kg),
        options=EtaOptions(wave_wait=wait),
        mode=mode,
    )
    if confidence or climate:
        from rocketpost.core.reach_confidence import reach_at_confidence
        from rocketpost.promise.conditions import Conditions, parse_weather

        declared = dict(parse_weather(spec) for spec in weather or [])
        result = reach_at_confidence(
            result,
            Conditions(hubs=declared, known_ids=network.hub_ids),
            climate=climate,
            parcel=Parcel(mass_kg=parcel_kg),
        )
    elif weather:
        raise InputError("weather", weather[0], "needs --confidence")
    written = write_outputs(result, map_file, geojson_file)
    if as_json:
        summary = result.summary()
        summary["outputs"] = [str(p) for p in written]
        print_json(summary)
        return
    print_reach(result, top=top)
    for path in written:
        console.print(f"wrote {path}")


def write_outputs(
    result: ReachResult, map_file: Path | None, geojson_file: Path | None
) -> list[Path]:
    """Write the optional map and GeoJSON files."""
    import json

    written: list[Path] = []
    if geojson_file is not None:
        if geojson_file.parent and not geojson_file.parent.exists():
            raise InputError("geojson", str(geojson_file), "directory does not exist")
        geojson_file.write_text(json.dumps(result.geojson()), encoding="utf-8")
        written.append(geojson_file)
    if map_file is not None:
        from rocketpost.cli.reach_map import render_reach_map

        written.append(render_reach_map(result, map_file))
    return written


def _area_table(title: str, rows: tuple[AreaReach, ...] | list[AreaReach]) -> Table:
    table = Table(title=title)
    table.add_column("code")
    table.add_column("name")
    table.add_column("covered (M)", justify="right")
    table.add_column("cities pop. (M)", justify="right")
    table.add_column("share", justify="right")
    table.add_column("cities", justify="right")
    for row in rows:
        table.add_row(
            row.code,
            row.name,
            f"{row.population_covered / 1e6:,.1f}",
            f"{row.population_total / 1e6:,.1f}",
            f"{row.share:.1%}",
            f"{row.cities_covered}/{row.cities_total}",
        )
    return table


def print_reach(result: ReachResult, *, top: int = 15) -> None:
    """Human-readable reach tables."""
    # Averaged over the climate the counts are expectations (shares of time promised).
    over = "" if result.promised_share is None else ", expected over the climate"
    console.print(
        _area_table(f"{result.threshold_min:g}-minute reach by continent{over}", result.continents)
    )
    covered = [r for r in result.countries if r.population_covered > 0][: max(top, 0)]
    if covered:
        console.print(
            _area_table(f"top {len(covered)} countries by covered population{over}", covered)
        )
    expected = "expected " if result.promised_share is not None else ""
    console.print(
        f"[bold]{result.threshold_min:g}-minute reach:[/bold] {expected}"
        f"{result.population_covered:,} of "
        f"{result.population_total:,} city people ({result.share:.2%}) in "
        f"{expected}{result.cities_covered:,} of {len(result.cities):,} cities; stock at "
        f"{', '.join(result.stock_hubs)}; wave wait {result.wave_wait.value}; "
        f"{result.mode} routes; {rule_text(result)}"
        + ("" if result.network.preset is None else f"; preset {result.network.preset}")
    )


def rule_text(result: ReachResult) -> str:
    """How the promise was decided, in words (the table's last line, the map's caption)."""
    rule = result.rule
    promise = result.network.promise
    if rule is None:
        return f"ETA + {promise.buffer_min:g}-min buffer"
    declared = ", ".join(f"{h} {w.state.value}" for h, w in rule.conditions.hubs.items())
    weather = f"declared {declared}" if declared else ""
    if rule.climate:
        front = rule.conditions.rates.weather.front_share
        climate = f"averaged over the climate (a front {front:.0%} of the time)"
        weather = f"{weather}, other hubs {climate}" if weather else climate
    return f"at {promise.confidence:.0%} confidence" + (f", {weather}" if weather else "")
