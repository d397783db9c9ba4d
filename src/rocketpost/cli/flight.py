"""``rocketpost flight FROM TO``: the rocket's trajectory (minimum-energy or fastest) between two
places."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from rocketpost.cli.common import JsonOption, NetworkOption, PresetOption, network_from
from rocketpost.cli.output import console, print_json
from rocketpost.core.networklegs import rocket_trajectory
from rocketpost.network import Network
from rocketpost.world.places import Place, resolve_place

__all__ = ["flight", "resolve_endpoint"]


def resolve_endpoint(text: str, network: Network, *, landing: bool) -> tuple[str, float, float]:
    """A hub id (its pad when launching, its landing zone when landing), a landing-site id
    (landing only) or any place."""
    if text.strip().isupper() and text.strip() in network.hub_ids:
        hub = network.hub(text.strip())
        lat, lon = hub.landing_zone if landing else hub.pad
        return f"{hub.hub_id} {'landing zone' if landing else 'pad'}", lat, lon
    if landing and text.strip().isupper() and text.strip() in network.site_ids:
        site = network.landing_sites[network.site_index(text.strip())]
        return f"{site.site_id} landing site ({site.serves})", *site.position
    place: Place = resolve_place(text)
    label = place.name if place.country_code is None else f"{place.name}, {place.country_code}"
    return label, place.lat_deg, place.lon_deg


def flight(
    origin: Annotated[
        str,
        typer.Argument(metavar="FROM", help="Place: 'City, CC', UN/LOCODE, 'lat,lon' or a hub id."),
    ],
    destination: Annotated[
        str,
        typer.Argument(metavar="TO", help="Place: 'City, CC', UN/LOCODE, 'lat,lon' or a hub id."),
    ],
    no_rotation: Annotated[
        bool, typer.Option("--no-rotation", help="Solve on a non-rotating Earth.")
    ] = False,
    trajectory: Annotated[
        str | None,
        typer.Option(
            "--trajectory",
            help="min_energy or fastest (default: the network's rocket class).",
            show_default=False,
        ),
    ] = None,
    max_burnout_speed_ms: Annotated[
        float | None,
        typer.Option(
            "--max-burnout-speed-ms",
            help="Inertial burnout-speed budget of the fastest arc (default: the network's).",
            show_default=False,
        ),
    ] = None,
    network_file: NetworkOption = None,
    preset: PresetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ballistic flight between two places (ascent, coast, re-entry and landing): the
    minimum-energy arc, or the fastest within the burnout-speed budget."""
    network = network_from(network_file, preset)
    from_label, lat1, lon1 = resolve_endpoint(origin, network, landing=False)
    to_label, lat2, lon2 = resolve_endpoint(destination, network, landing=True)
    rocket = network.rocket
    kind = rocket.trajectory if trajectory is None else trajectory
    arc = rocket_trajectory(
        rocket,
        lat1,
        lon1,
        lat2,
        lon2,
        rotating=not no_rotation,
        trajectory=kind,
        max_burnout_speed_ms=max_burnout_speed_ms,
    )
    values: dict[str, Any] = {
        "from": {"name": from_label, "lat_deg": lat1, "lon_deg": lon1},
        "to": {"name": to_label, "lat_deg": lat2, "lon_deg": lon2},
        "rocket": rocket.name,
        "trajectory": kind,
        **arc.to_dict(),
    }
    if kind == "fastest":
        values["max_burnout_speed_ms"] = (
            rocket.max_burnout_speed_ms if max_burnout_speed_ms is None else max_burnout_speed_ms
        )
    values["flight_min"] = round(float(values["flight_s"]) / 60.0, 2)
    if as_json:
        print_json(values)
        return
    table = Table(title=f"{rocket.name}: {from_label} → {to_label} ({kind})", show_header=False)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    rows = [
        ("ground range", f"{values['range_km']:,.0f} km"),
        ("free-flight range angle", f"{values['range_angle_deg']:.2f}°"),
        ("burnout altitude", f"{values['burnout_altitude_km']:.0f} km"),
        ("burnout speed (inertial)", f"{values['burnout_speed_ms']:,.0f} m/s"),
        ("burnout speed (Earth-relative)", f"{values['burnout_speed_relative_ms']:,.0f} m/s"),
        ("flight-path angle", f"{values['flight_path_angle_deg']:.2f}°"),
        ("apogee", f"{values['apogee_km']:,.0f} km"),
        ("ascent", f"{values['ascent_s'] / 60:.1f} min"),
        ("coast", f"{values['coast_s'] / 60:.1f} min"),
        ("re-entry and landing", f"{values['descent_s'] / 60:.1f} min"),
        ("launch to touchdown", f"{values['flight_s'] / 60:.1f} min"),
        ("Earth rotation", "included" if not no_rotation else "ignored (--no-rotation)"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
