"""A quote's per-request work in process (no HTTP): its routing, its distribution, all of it.

Run: ``.venv/bin/python benchmarks/bench_quote.py``. Figures, best of 5, one per line:

* ``quote routing`` — ``QuoteEngine.plan`` (one row of the door-to-door kernel, every hub an
  origin) to 2,000 places drawn uniformly in latitude −60…60° and longitude, one order time:
  the figure issue #11 compares with the code before the one-kernel restructuring (44.9 µs
  at commit 137a7de on the same machine, measured side by side);
* ``distribution`` — ``promise_at_confidence`` of one rocket lane under clear skies, first
  call (its grids built) and then for later order times (grids and quantiles cached: the
  conditions change rarely and many quotes share a lane);
* ``Quotes.issue`` — the whole use-case of ``POST /v1/quotes`` on the service benchmark's
  workload (24 lanes, about half cross-border with customs items), request JSON validated and
  the answer serialised: what the HTTP stack adds on top is in ``bench_service.py``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from rocketpost.network import default_network
from rocketpost.promise.conditions import Conditions, HubWeather
from rocketpost.promise.confidence import RouteFacts, promise_at_confidence, route_model
from rocketpost.promise.distribution import delivery_distribution
from rocketpost.service import schemas
from rocketpost.service.auth import Principal
from rocketpost.service.quotes import Quotes
from rocketpost.service.quoting import QuoteEngine, ResolvedPlace

# Run as `python benchmarks/bench_quote.py`: the shared workload lives in tests/support.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.workload import Workload, candidate_routes

PLACES = 2_000
REQUESTS = 500


def best_of(runs: int, work: Callable[[], None]) -> float:
    """Best wall time of ``runs`` calls of ``work``, seconds."""
    best = np.inf
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return float(best)


def bench_routing(engine: QuoteEngine) -> None:
    rng = np.random.default_rng(0)
    lat, lon = rng.uniform(-60, 60, PLACES), rng.uniform(-180, 180, PLACES)
    places = [ResolvedPlace("p", "XX", float(a), float(b)) for a, b in zip(lat, lon, strict=True)]
    t0 = datetime(2026, 11, 25, 9, 3, tzinfo=UTC)

    def route_all() -> None:
        for place in places:
            engine.plan(place, mass_kg=1.0, volume_m3=0.005, ready_at=t0)

    route_all()
    per_quote = best_of(5, route_all) / PLACES
    print(f"quote routing (QuoteEngine.plan, any origin): {per_quote * 1e6:.1f} µs")


def bench_distribution(quotes: Quotes, origin_hub: str, place: ResolvedPlace) -> None:
    engine = quotes.engine
    t0 = datetime(2026, 11, 25, 9, 3, tzinfo=UTC)
    routes = [
        engine.plan(
            place,
            mass_kg=1.0,
            volume_m3=0.005,
            ready_at=t0 + timedelta(seconds=s),
            origin_hub=origin_hub,
        )
        for s in range(0, 3_600, 7)
    ]
    models = [
        route_model(
            r.legs_s,
            quotes.conditions,
            RouteFacts(
                rocket=r.mode == "rocket",
                origin_hub=r.origin_hub,
                landing_site=r.destination_hub,
                wave_interval_s=r.wave_interval_s,
                boat_speed_kmh=float(engine.network.boat.speed_kmh),
                cross_border=True,
            ),
        )
        for r in routes
    ]
    start = time.perf_counter()
    promise_at_confidence(models[0], promise_s=engine.one_hour_s, target=quotes.target)
    first = time.perf_counter() - start

    def decide_all() -> None:
        for model in models:
            promise_at_confidence(model, promise_s=engine.one_hour_s, target=quotes.target)

    later = best_of(5, decide_all) / len(models)
    grid = delivery_distribution(models[0]).continuous_cdf.size
    print(
        f"distribution (promise_at_confidence, {routes[0].mode} lane {origin_hub}, {grid} bins): "
        f"first {first * 1e3:.2f} ms, later order times {later * 1e6:.0f} µs"
    )


def bench_issue(quotes: Quotes) -> None:
    principal = Principal(1, "mer_bench", "bench", "merchant")
    lanes = []
    for route in candidate_routes():
        body = schemas.QuoteRequest.model_validate(route.body(mass_kg=1.0, volume_m3=0.005))
        answer = quotes.issue(principal, body)
        if answer.one_hour.available and answer.one_hour.mode == "rocket":
            lanes.append(route)
        if len(lanes) == 24:
            break
    workload = Workload(tuple(lanes), datetime.now(UTC))
    rng = np.random.default_rng(1)
    requests = [json.dumps(workload.quote(rng)).encode() for _ in range(REQUESTS)]
    cross_border = sum(b'"customs"' in r for r in requests) / REQUESTS

    def issue_all() -> None:
        for raw in requests:
            quotes.issue(principal, schemas.QuoteRequest.model_validate_json(raw)).model_dump_json()

    issue_all()
    per_quote = best_of(5, issue_all) / REQUESTS
    print(
        f"Quotes.issue (validate, route, customs, distribution, sign, serialise; "
        f"{cross_border:.0%} cross-border): {per_quote * 1e6:.0f} µs"
    )


def main() -> None:
    network = default_network()
    engine = QuoteEngine(network)
    # The service benchmark's forecast (tests/support/conditions.py): every hub clear, no
    # unplanned customs inspections, so the workload's rocket lanes promise the hour.
    clear_skies = Conditions(
        hubs={hub_id: HubWeather("clear") for hub_id in network.hub_ids},
        inspection_p=0.0,
        known_ids=network.hub_ids,
    )
    quotes = Quotes(engine, b"bench-signing-key", ttl_s=900.0, conditions=clear_skies)
    bench_routing(engine)
    lane_end = network.hubs[1]  # from hub 0 to hub 1's port: a rocket lane
    place = ResolvedPlace("port", lane_end.country, *lane_end.port_position)
    bench_distribution(quotes, network.hubs[0].hub_id, place)
    bench_issue(quotes)


if __name__ == "__main__":
    main()
