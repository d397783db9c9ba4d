"""``rocketpost design candidates``: landing sites near coastal cities, written as TOML."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rocketpost.cli.common import JsonOption, NetworkOption, PresetOption, network_from
from rocketpost.cli.output import console, print_json
from rocketpost.design.candidates import (
    CandidateSettings,
    build_candidates,
    covered_population,
    landing_sites_toml,
    select_sites,
)
from rocketpost.design.table import CandidateTable

__all__ = ["app", "sites_file_header"]

app = typer.Typer(
    help="Network design. Without a subcommand, the whole design with a progress bar: "
    "candidates, coverage, the covering model (optionally choosing the stock hubs), frontier "
    "and sensitivity sweeps (on Dask), economics, and the files in --out. The subcommands run "
    "one step each.",
    no_args_is_help=True,
)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:  # pragma: no cover - dependencies
        return "unknown"


def sites_file_header(
    command: str,
    settings: CandidateSettings,
    *,
    candidates: int,
    selected: CandidateTable,
    top_n: int,
    max_per_country: int | None,
    min_separation_km: float,
) -> str:
    """Header comment of a generated landing-sites file: how it was made and from what."""
    s = settings
    covered = covered_population(
        selected, drone_radius_km=s.drone_radius_km, min_population=s.min_population
    )
    return "\n".join(
        [
            "Landing sites: sea points near coastal cities, each with a recovery vessel, its",
            "delivery drones and a boat route to a real port. GENERATED; do not edit by hand.",
            f"Command: {command}",
            f"Thresholds: cities >= {s.min_population:,} people; sea point >= "
            f"{s.min_offshore_km:g} km from land (searched at +{s.offshore_margin_km:g} km) and "
            f"<= {s.max_sea_distance_km:g} km from the city centre; boat route <= "
            f"{s.max_boat_route_km:g} km; sites merged within {s.merge_km:g} km; drone catchment "
            f"radius {s.drone_radius_km:g} km around the site, van catchment "
            f"{s.van_radius_km:g} km around the port; exposure fetch {s.fetch_km:g} km.",
            f"Selection: {len(selected)} of {candidates} candidates, greedy by drone-catchment "
            f"population not yet covered (top {top_n}, min separation {min_separation_km:g} km, "
            f"max per country {max_per_country if max_per_country else 'none'}); "
            f"{covered / 1e6:,.1f} M people within drone reach of a site (sum of the sites' "
            f"drone catchments {int(selected.drone_catchment.sum()) / 1e6:,.1f} M).",
        ]
    )


@app.command("candidates")
def candidates(
    min_population: Annotated[
        int, typer.Option("--min-population", help="Cities at or above this population.")
    ] = 15_000,
    top: Annotated[int, typer.Option("--top", help="How many sites to select.")] = 300,
    max_per_country: Annotated[
        int | None,
        typer.Option("--max-per-country", help="At most this many sites per country."),
    ] = None,
    min_separation_km: Annotated[
        float, typer.Option("--min-separation-km", help="No two selected sites closer than this.")
    ] = 10.0,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the selected sites as [[landing_sites]] TOML here."),
    ] = None,
    network: NetworkOption = None,
    preset: PresetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Candidate sea landing sites near coastal cities, and a greedy worldwide selection.

    The safety rules (offshore distance, longest boat route) and the drone radius are the
    network's (default: the shipped one).
    """
    chosen_network = network_from(network, preset)
    settings = CandidateSettings.for_network(chosen_network, min_population)
    table = build_candidates(settings)
    selected = select_sites(
        table,
        top_n=top,
        max_per_country=max_per_country,
        min_separation_km=min_separation_km,
        drone_radius_km=settings.drone_radius_km,
        min_population=settings.min_population,
    )
    covered = covered_population(
        selected, drone_radius_km=settings.drone_radius_km, min_population=settings.min_population
    )
    if out is not None:
        command = f"rocketpost design candidates --min-population {min_population} --top {top}"
        if max_per_country is not None:
            command += f" --max-per-country {max_per_country}"
        command += f" --min-separation-km {min_separation_km:g} --out {out.name}"
        header = sites_file_header(
            command,
            settings,
            candidates=len(table),
            selected=selected,
            top_n=top,
            max_per_country=max_per_country,
            min_separation_km=min_separation_km,
        )
        out.write_text(
            landing_sites_toml(selected, chosen_network.drone, header=header), encoding="utf-8"
        )
    if as_json:
        print_json(
            {
                "settings": settings,
                "candidates": len(table),
                "selected": list(selected),
                "drone_catchment_sum": int(selected.drone_catchment.sum()),
                "drone_covered_population": covered,
                "out": str(out) if out is not None else None,
            }
        )
        return
    view = Table(
        title=f"{len(selected)} of {len(table)} candidate sites "
        f"({covered / 1e6:,.1f} M people within drone reach)"
    )
    for column in ("site", "serves", "port", "boat km", "drone catchment M", "exposure"):
        view.add_column(column, justify="left" if column in ("site", "serves", "port") else "right")
    for site in selected:
        view.add_row(
            site.site_id,
            f"{site.city}, {site.country_code}",
            site.port,
            f"{site.boat_route_km:.1f}",
            f"{site.drone_catchment / 1e6:.2f}",
            f"{site.open_ocean_share:.2f}",
        )
    console.print(view)
    if out is not None:
        console.print(f"wrote {len(selected)} landing sites to {out}")
