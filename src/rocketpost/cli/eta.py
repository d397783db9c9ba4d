"""``rocketpost eta HUB PLACE``: the door-to-door budget, leg by leg, and the promise at the
network's confidence under the given conditions (``--weather HUB=front``)."""

from __future__ import annotations

import math
from typing import Annotated

import typer
from rich.table import Table

from rocketpost.cli.common import JsonOption, NetworkOption, PresetOption, network_from, parse_utc
from rocketpost.cli.output import console, print_json
from rocketpost.core.eta import LEG_NAMES, EtaOptions, Parcel, WaveWait, eta_to_place
from rocketpost.promise.conditions import Conditions, parse_weather
from rocketpost.world.places import resolve_place

__all__ = ["eta"]

_LEG_LABELS = {
    "origin_handling": "origin handling",
    "wave_wait": "wait for launch wave",
    "ascent": "ascent",
    "coast": "ballistic coast",
    "descent": "re-entry + landing",
    "vessel_transfer": "pod to the vessel's drone deck",
    "sea_transfer": "sea transfer",
    "boat": "boat to port",
    "port_handling": "port handling",
    "customs": "customs (pre-cleared)",
    "last_mile": "last mile",
}

_ROUTE_DEPENDENT_LEGS = ("vessel_transfer", "sea_transfer", "boat", "port_handling")


def eta(
    hub: Annotated[str, typer.Argument(help="Origin hub id (where the goods are), e.g. HZB.")],
    place: Annotated[str, typer.Argument(help="Destination: 'City, CC', UN/LOCODE or 'lat,lon'.")],
    minutes: Annotated[
        float | None,
        typer.Option("--minutes", help="Promise to test, minutes (default: the network's)."),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="Order time (ISO-8601, UTC if no offset); gives the exact wave wait."
        ),
    ] = None,
    wait: Annotated[
        WaveWait, typer.Option("--wait", help="Wave wait when --at is not given.")
    ] = WaveWait.WORST,
    parcel_kg: Annotated[
        float, typer.Option("--parcel-kg", help="Parcel mass (drone eligibility).")
    ] = 1.0,
    parcel_m3: Annotated[
        float, typer.Option("--parcel-m3", help="Parcel volume (drone eligibility).")
    ] = 0.005,
    no_rotation: Annotated[
        bool, typer.Option("--no-rotation", help="Solve flights on a non-rotating Earth.")
    ] = False,
    weather: Annotated[
        list[str] | None,
        typer.Option(
            "--weather",
            help="A hub's launch weather: HUB=clear, HUB=hold_risk or HUB=front[:HOURS] "
            "(repeatable; undeclared hubs: the climate).",
        ),
    ] = None,
    stock_at: Annotated[
        str | None,
        typer.Option(
            "--stock-at",
            help="Other hubs that hold the goods too, comma-separated (e.g. HZB,SZX): the "
            "promise counts the fallback another clear hub of the country flies if a front "
            "scrubs the origin's wave.",
        ),
    ] = None,
    network_file: NetworkOption = None,
    preset: PresetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Earliest door-to-door delivery from a hub to a place, and whether the promise holds at
    the network's confidence (P(on time), P50 / P90 / P99) under the given conditions."""
    network = network_from(network_file, preset)
    conditions = Conditions(known_ids=network.hub_ids)
    for spec in weather or ():
        hub_id, declared = parse_weather(spec)
        conditions = Conditions(
            hubs={**conditions.hubs, hub_id: declared}, known_ids=network.hub_ids
        )
    destination = resolve_place(place)
    order_time = parse_utc(at) if at is not None else None
    route = eta_to_place(
        network,
        hub,
        destination.lat_deg,
        destination.lon_deg,
        parcel=Parcel(parcel_kg, parcel_m3),
        threshold_min=minutes,
        options=EtaOptions(wave_wait=wait, order_time=order_time, rotating=not no_rotation),
        conditions=conditions,
        country=destination.country_code,
        stock_at=None if stock_at is None else [h.strip() for h in stock_at.split(",")],
    )
    label = (
        destination.name
        if destination.country_code is None
        else f"{destination.name}, {destination.country_code}"
    )
    at_confidence = route.at_confidence
    assert at_confidence is not None  # decided at the confidence: the library's default
    promise_s = at_confidence.promise_s
    if as_json:
        print_json(
            {
                "origin_hub": route.origin_hub,
                "destination": {
                    "name": label,
                    "lat_deg": destination.lat_deg,
                    "lon_deg": destination.lon_deg,
                },
                "destination_hub": route.destination_hub,
                "mode": route.mode,
                "last_mile_vehicle": route.last_mile_vehicle,
                "last_mile_km": round(route.last_mile_km, 3),
                "range_km": round(route.range_km, 1),
                "legs_s": {k: round(v, 1) for k, v in route.legs_s.items()},
                "total_s": round(route.total_s, 1),
                "total_min": round(route.total_s / 60.0, 2),
                "threshold_min": route.threshold_min,
                "confidence": at_confidence.target,
                "p_on_time": round(at_confidence.p_on_time, 6),
                "p50_min": _minutes(at_confidence.p50_s),
                "p90_min": _minutes(at_confidence.p90_s),
                "p99_min": _minutes(at_confidence.p99_s),
                "earliest_at_confidence_min": _minutes(at_confidence.earliest_at_target_s),
                "limiting_leg": at_confidence.limiting_leg,
                "fallback_hub": at_confidence.fallback_hub,
                "promise_possible": at_confidence.kept,
                "weather": {h: w.state.value for h, w in conditions.hubs.items()},
                "wave_wait": "exact" if order_time else wait.value,
                "order_time": route.order_time,
                "launch_time": route.launch_time,
                "delivery_time": route.delivery_time,
            }
        )
        return
    via = (
        f"rocket to {route.destination_hub} ({route.range_km:,.0f} km)"
        if route.mode == "rocket"
        else "ground from the fulfilment centre"
    )
    table = Table(title=f"{route.origin_hub} → {label} via {via}")
    table.add_column("leg")
    table.add_column("minutes", justify="right")
    for name in LEG_NAMES:
        seconds = route.legs_s[name]
        # Legs a route does not use (ground: the rocket's; by vessel: boat and port; by boat:
        # the drone deck) are left out; customs stays, it says "pre-cleared".
        unused = route.mode == "ground" or name in _ROUTE_DEPENDENT_LEGS
        if seconds == 0.0 and unused and name != "customs":
            continue
        extra = (
            f" ({route.last_mile_vehicle}, {route.last_mile_km:.1f} km)"
            if name == "last_mile"
            else ""
        )
        table.add_row(_LEG_LABELS[name] + extra, f"{seconds / 60.0:.1f}")
    table.add_row("[bold]door to door[/bold]", f"[bold]{route.total_s / 60.0:.1f}[/bold]")
    c = at_confidence
    table.add_row(
        f"P50 / P90 / P99 (weather at {route.origin_hub}: "
        f"{conditions.weather(route.origin_hub).state.value})",
        " / ".join(_fmt(_minutes(v)) for v in (c.p50_s, c.p90_s, c.p99_s)),
    )
    console.print(table)
    if c.fallback_hub is not None:
        console.print(
            f"counting the fallback: {c.fallback_hub} flies the parcels if the front at "
            f"{route.origin_hub} scrubs the wave"
        )
    threshold = promise_s / 60.0
    if c.kept:
        console.print(
            f"[green]{threshold:g}-minute promise: possible[/green] at {c.target:.0%} "
            f"(P(on time) {c.p_on_time:.2%})"
        )
    else:
        console.print(
            f"[red]{threshold:g}-minute promise: not possible[/red] at {c.target:.0%} "
            f"(P(on time) {c.p_on_time:.2%}"
            + (f", limited by {c.limiting_leg}" if c.limiting_leg else "")
            + f"); earliest delivery in {route.total_s / 60.0:.1f} min, earliest promise at "
            f"{c.target:.0%}: {_fmt(_minutes(c.earliest_at_target_s))} min"
        )
    if route.delivery_time is not None:
        console.print(
            f"order {route.order_time:%Y-%m-%d %H:%M:%S}Z → "
            f"delivered by {route.delivery_time:%H:%M:%S}Z"
        )


def _minutes(seconds: float) -> float | None:
    return None if not math.isfinite(seconds) else round(seconds / 60.0, 2)


def _fmt(minutes: float | None) -> str:
    return "beyond 48 h" if minutes is None else f"{minutes:.1f}"
