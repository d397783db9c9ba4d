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
  the answer serialised: what the HTTP stack adds on top is in ``bench_service.py``; with
  ``--profile``, each step's share of it under cProfile;
* ``app`` (``--app``) — ``POST /v1/quotes`` and ``GET /health`` through the real ASGI app
  (``create_app`` on a fresh SQLite file, clear skies declared, the service benchmark's lanes
  and bodies), called in process without a socket: everything but uvicorn's HTTP parsing. With
  ``--app-only --requests N`` it is the unit to count instructions on (docs/service-performance.md:
  ``valgrind --tool=callgrind`` over two values of N, the difference divided by their
  difference), since wall clock is not stable on the shared machine;
* ``floor`` (with ``--app``; ``--app-only --path /bench/floor`` to count it) — the framework's
  share of a quote: ``floor_app.py``'s route with the signature of ``POST /v1/quotes`` that
  answers one fixed quote, added to the benchmark's own app. Whatever a quote does, it cannot
  cost less than this through FastAPI.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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

from floor_app import FLOOR_PATH, add_fixed_quote_route

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


def bench_issue(quotes: Quotes, *, profile: bool = False) -> None:
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
    if profile:
        print_shares(issue_all)


# The steps of a quote, as (file, function) of the calls that make it (rocketpost.service's,
# and pydantic's for the request and the answer's JSON), each timed inclusively: the shares of
# ``--profile``.
QUOTE_STEPS = {
    ("main.py", "model_validate_json"): "parsing and validating the request",
    ("quote_promise.py", "plan_from_stock"): "routing (the door-to-door kernel, one row)",
    ("clearance.py", "run_clearance"): "customs pre-clearance",
    ("sameday.py", "offer_same_day"): "the same-day offer",
    ("quotes.py", "at_confidence"): "the distribution and decision at the confidence",
    ("quoting.py", "assess"): "the one-hour rule (decide_service)",
    ("quote_answer.py", "public"): "building and validating the answer",
    ("tokens.py", "sign_token"): "signing the quote id",
    ("main.py", "model_dump_json"): "serialising the answer",
}


def print_shares(work: Callable[[], None]) -> None:
    """Each step's share of ``work`` under cProfile (which inflates many small Python calls:
    read the shares, not the times)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(work)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in stats.values())
    shown = 0.0
    for (path, _, name), (_, _, _, inclusive, _) in sorted(
        stats.items(), key=lambda item: -item[1][3]
    ):
        step = QUOTE_STEPS.get((Path(path).name, name))
        if step is not None and ("rocketpost" in path or "pydantic" in path):
            shown += inclusive / total
            print(f"  {inclusive / total:6.1%}  {step}")
    print(f"  {1.0 - shown:6.1%}  the rest (the glue between the steps, the loop)")


def _asgi_call(app: Any, method: str, path: str, key: str, body: bytes = b"") -> Any:
    """One request through the ASGI app (no socket): a coroutine that checks the status."""
    headers = [(b"host", b"127.0.0.1")]
    if key:
        headers.append((b"authorization", f"Bearer {key}".encode()))
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "headers": headers,
        "state": {},
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def call() -> None:
        await app(scope, receive, send)
        if statuses != [200]:
            raise SystemExit(f"{method} {path} answered {statuses}")

    return call()


def bench_app(requests: int, *, timed: bool, path: str = "/v1/quotes") -> None:
    """``POST /v1/quotes`` and ``GET /health`` through the ASGI app, in process."""
    from fastapi.testclient import TestClient
    from tests.support.conditions import declare_clear_skies

    from bench_service import quote_workload
    from rocketpost.service import Settings, create_app
    from rocketpost.service.db import upgrade
    from rocketpost.service.merchants import create_merchant

    url = f"sqlite:///{tempfile.mkdtemp(prefix='rocketpost-bench-')}/quotes.db"
    upgrade(url)
    declare_clear_skies(url)
    _, key = create_merchant(url, "bench")
    app = create_app(
        Settings.from_env({}, database_url=url, rate_limit_per_min=0.0, webhooks=False)
    )
    # The server re-reads the declared conditions once a second, over ~1,000 quotes; here the
    # calls are counted, so the read is taken out of them.
    app.state.rp.conditions.ttl_s = 1e9
    add_fixed_quote_route(app)
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        workload = quote_workload(client)
    rng = np.random.default_rng(20261125)  # the service benchmark's seed and bodies
    bodies = [json.dumps(workload.quote(rng)).encode() for _ in range(2_000)]
    loop = asyncio.new_event_loop()

    def run(n: int, path: str) -> None:
        for i in range(n):
            if path == "/health":
                loop.run_until_complete(_asgi_call(app, "GET", path, ""))
            else:
                loop.run_until_complete(_asgi_call(app, "POST", path, key, bodies[i % 2_000]))

    if not timed:  # counted under callgrind: warm only the route counted, every body once
        run(2_000, path)
        run(requests, path)
        return
    run(2_000, "/v1/quotes")
    run(2_000, FLOOR_PATH)
    health = best_of(3, lambda: run(requests, "/health")) / requests
    floor = best_of(3, lambda: run(requests, FLOOR_PATH)) / requests
    quote = best_of(3, lambda: run(requests, "/v1/quotes")) / requests
    print(
        f"app in process: POST /v1/quotes {quote * 1e6:.0f} µs, the same route answering a fixed "
        f"quote {floor * 1e6:.0f} µs, GET /health {health * 1e6:.0f} µs (ratio to /health: "
        f"quotes {health / quote:.2f}, fixed answer {health / floor:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app", action="store_true", help="also through the ASGI app")
    parser.add_argument("--app-only", action="store_true", help="only N quotes through the app")
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument(
        "--profile", action="store_true", help="each step's share of Quotes.issue (cProfile)"
    )
    parser.add_argument(
        "--path",
        choices=("/v1/quotes", FLOOR_PATH, "/health"),
        default="/v1/quotes",
        help="with --app-only: the route called N times",
    )
    args = parser.parse_args()
    if args.app_only:
        bench_app(args.requests, timed=False, path=args.path)
        return
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
    bench_issue(quotes, profile=args.profile)
    if args.app:
        bench_app(args.requests, timed=True)


if __name__ == "__main__":
    main()
