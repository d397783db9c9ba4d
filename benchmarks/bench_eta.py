"""ETA for every city ≥15,000 × every hub × every landing site (target < 1 s), warm and cold,
for the ``today`` preset (21 hub zones) and ``rocket-hour`` (321 sites, drones from vessels,
fastest arcs); a quote's routing.

Both go through the one door-to-door kernel (``rocketpost.core.doortodoor``): the cube as
``eta_to_places`` (every origin × every destination hub × every city, in blocks), the quote as
one row (``QuoteEngine.plan``: the per-request part of ``POST /v1/quotes``).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import numpy as np

from rocketpost.core.doortodoor import flight_matrix, network_legs
from rocketpost.core.eta import eta_to_places
from rocketpost.network import default_network, load_network
from rocketpost.service.quoting import QuoteEngine, ResolvedPlace
from rocketpost.world.cities import load_cities

QUOTES = 2_000


def bench_cities(preset: str) -> None:
    network = load_network(None, preset=preset)
    cities = load_cities(15_000)
    flight_matrix.cache_clear()
    network_legs.cache_clear()
    start = time.perf_counter()
    result = eta_to_places(network, cities.lat_deg, cities.lon_deg)
    cold = time.perf_counter() - start
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        eta_to_places(network, cities.lat_deg, cities.lon_deg)
        runs.append(time.perf_counter() - start)
    cells = result.total_s.size
    sites = len(network.landing_sites)
    print(
        f"[{preset}] cities: {len(cities)}  hubs: {len(network.hubs)}  sites: {sites}  "
        f"origin x site x city cells: {cells * sites:,}"
    )
    print(
        f"[{preset}] eta all cities x hubs x sites, cold (incl. {len(network.hubs)}x{sites} "
        f"rotating {network.rocket.trajectory} flight matrix): {cold:.3f} s"
    )
    print(
        f"[{preset}] eta all cities x hubs x sites, warm, best of 5: {min(runs):.3f} s "
        "(target < 1 s)"
    )


def bench_quote_routing() -> None:
    """Per-request routing of a quote (2,000 random places and ready times, best of 5)."""
    engine = QuoteEngine(default_network())
    rng = np.random.default_rng(1)
    lat = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, QUOTES)))
    lon = rng.uniform(-180.0, 180.0, QUOTES)
    places = [ResolvedPlace("p", "US", float(a), float(b)) for a, b in zip(lat, lon, strict=True)]
    t0 = datetime(2026, 11, 25, tzinfo=UTC)
    for origin in (None, "NYC"):
        best = np.inf
        for _ in range(5):
            start = time.perf_counter()
            for i, place in enumerate(places):
                engine.plan(
                    place,
                    mass_kg=1.0,
                    volume_m3=0.005,
                    ready_at=t0 + timedelta(seconds=7 * i),
                    origin_hub=origin,
                )
            best = min(best, (time.perf_counter() - start) / QUOTES)
        label = "any origin (all hubs)" if origin is None else f"origin {origin}"
        print(f"quote routing (QuoteEngine.plan, one kernel row), {label}: {best * 1e6:.1f} µs")


def main() -> None:
    bench_cities("today")
    bench_cities("rocket-hour")
    bench_quote_routing()


if __name__ == "__main__":
    main()
