"""Load benchmark of the booking service over loopback HTTP, on SQLite and on PostgreSQL.

Run: ``.venv/bin/python benchmarks/bench_service.py [--duration 6] [--concurrency 16]
[--backends sqlite,postgres] [--workers 1,2]``.

For each backend and uvicorn worker count it starts a fresh database (a SQLite file; a
throwaway PostgreSQL with fsync and synchronous commit *on*, so bookings/s is not flattered) and
the real ``rocketpost serve`` subprocess, then measures, one figure per line:

* ``bare /health`` — the same server's endpoint that touches neither the database nor the
  domain: the ceiling of this HTTP stack on this machine;
* ``quotes`` and ``bookings`` at full speed (closed loop: ``--concurrency`` keep-alive
  connections, each sending its next request as soon as the previous answer arrives);
* ``quotes @ 1000/s`` and ``bookings @ 200/s`` — paced at the issue's target rates, latency
  measured from each request's *scheduled* send time, so a stalled server cannot hide its
  queue (no coordinated omission);
* ``quotes on the booked days`` — the same quotes again after the bookings, whose ~1,000
  flights the flight board reads (a quote offers the wave a booking would take);
* the ratio quotes/s ÷ bare/s, and the overbooking audit after the bookings. With
  ``--rounds N`` the bare and quotes phases alternate N times and the medians are printed: on a
  shared machine one pair can be off by tens of per cent;
* with one worker (``--no-floor`` to skip), the framework's floor: a second server,
  ``floor_app.py``'s (the service's app plus ``POST /bench/floor``, the quote route's signature
  answering one fixed quote, under uvicorn as ``serve`` runs one worker), where bare
  ``/health``, the fixed answer and quotes alternate: the fixed answer's ratio to bare is the
  most a quote could reach through this stack, and quotes/s ÷ fixed answer/s is what the
  quote's own work costs with the framework's share on both sides.

The load generator is a minimal asyncio HTTP/1.1 client (prebuilt request bytes, responses
parsed only as far as needed), because it shares the machine's two cores with the server: a
general-purpose client such as httpx costs several times more CPU per request and would
measure itself. Bookings are spread over the lanes on which the service promises a one-hour
rocket at *any* wave, the network's promise buffer included (so that their 409s come from full
flights, not from a promise a later wave cannot keep), ready within the next six hours (many
flights of many waves), plus 10 % B2B cartons (150 kg / 1.2 m³) all ready at the same instant
on one lane: one hot flight that fills up under load.

The server books on the shipped network with a larger fleet at every hub
(``tests/support/fleet.py``): the workload opens hundreds of flights a day on a few lanes, far
more than the shipped fleets fly, and with them most bookings would be refused for want of an
airframe (cheap or dear 409s that measure the refusal, not the booking). Every opening still
counts the day's airframes (:mod:`rocketpost.service.fleetadmission`); the fleet never binds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from floor_app import FLOOR_PATH
from rocketpost.network import default_network

# Run as `python benchmarks/bench_service.py`: Python puts benchmarks/, not the repository root,
# on the path; the shared test infrastructure is the package `tests.support` under the root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.audit import audit_flights, list_all, over_capacity, rocket_capacity
from tests.support.conditions import declare_clear_skies
from tests.support.fleet import roomy_fleet_env
from tests.support.postgres import throwaway_postgres
from tests.support.server import ServerHandle, free_port, running_server
from tests.support.workload import Workload, usable_routes

SERVER_ENV = {
    "ROCKETPOST_RATE_LIMIT_PER_MIN": "0",  # 0 disables the limiter: we measure the service
    "ROCKETPOST_WEBHOOKS": "0",  # no receiver on loopback; the outbox rows are still written
    **roomy_fleet_env(),  # the fleet never binds: see the module
}


@dataclass
class Request:
    """Prebuilt request bytes and what to remember about the answer."""

    data: bytes
    context: Any = None


@dataclass
class Run:
    """Answers and latencies of one measured phase."""

    label: str
    elapsed_s: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies_s) / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def percentile_ms(self, q: float) -> float:
        if not self.latencies_s:
            return math.nan
        return float(np.percentile(np.asarray(self.latencies_s), q) * 1000.0)

    def line(self, prefix: str) -> str:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (
            f"{prefix} {self.label}: {self.rate:,.0f}/s p50 {self.percentile_ms(50):.1f} ms "
            f"p99 {self.percentile_ms(99):.1f} ms (n {len(self.latencies_s)}; {statuses}"
            f"{f'; transport errors {self.errors}' if self.errors else ''})"
        )


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    chunked = False
    close = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    if not chunked:
        return status, await reader.readexactly(length), close
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailers
            return status, bytes(body), close
        body += await reader.readexactly(size)
        await reader.readexactly(2)


async def _drive(
    port: int,
    requests: Iterator[Request],
    *,
    concurrency: int,
    duration_s: float,
    rate_per_s: float | None,
    on_answer: Callable[[int, bytes, Any], None],
    label: str,
) -> Run:
    """Send ``requests`` over ``concurrency`` keep-alive connections for ``duration_s``."""
    run = Run(label)
    start = time.perf_counter()
    deadline = start + duration_s
    slots = itertools.count()

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while True:
                if rate_per_s is None:
                    scheduled = time.perf_counter()
                else:
                    scheduled = start + next(slots) / rate_per_s
                    delay = scheduled - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                # Paced: a slot whose time has passed the deadline is not sent, so a server that
                # falls behind shows as a rate below the target, not as a longer phase.
                if scheduled >= deadline or time.perf_counter() >= deadline:
                    return
                request = next(requests)
                try:
                    writer.write(request.data)
                    status, body, close = await _read_response(reader)
                except (OSError, asyncio.IncompleteReadError):
                    run.errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                run.latencies_s.append(time.perf_counter() - scheduled)
                run.statuses[status] += 1
                on_answer(status, body, request.context)
                if close:
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(concurrency)))
    run.elapsed_s = time.perf_counter() - start
    return run


def _request(
    method: str, path: str, port: int, key: str, body: Any = None, **headers: str
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    if key:
        lines.append(f"Authorization: Bearer {key}")
    payload = b""
    if body is not None:
        payload = json.dumps(body, separators=(",", ":")).encode()
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


@dataclass
class BookingLedger:
    """The 201 answers, summed per flight: the client's own record of what was promised."""

    kg: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    m3: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    booked: int = 0
    ground: int = 0
    bad_bodies: int = 0

    def record(self, status: int, body: bytes, _context: Any) -> None:
        if status != 201:
            return
        try:
            shipment = json.loads(body)
        except ValueError:
            self.bad_bodies += 1
            return
        self.booked += 1
        flight = shipment.get("flight")
        if not flight:
            self.ground += 1
            return
        self.kg[flight["id"]] += float(shipment["mass_kg"])
        self.m3[flight["id"]] += float(shipment["volume_m3"])


def _ignore(_status: int, _body: bytes, _context: Any) -> None:
    return None


def _cycle(items: list[bytes]) -> Iterator[Request]:
    return (Request(data) for data in itertools.cycle(items))


def _phase(
    port: int,
    label: str,
    requests: Iterator[Request],
    concurrency: int,
    duration_s: float,
    rate: float | None = None,
    on_answer: Callable[[int, bytes, Any], None] = _ignore,
) -> Run:
    """One measured phase against the server on ``port``."""
    return asyncio.run(
        _drive(
            port,
            requests,
            concurrency=concurrency,
            duration_s=duration_s,
            rate_per_s=rate,
            on_answer=on_answer,
            label=label,
        )
    )


def _alternate(
    port: int,
    routes: dict[str, list[bytes]],
    *,
    prefix: str,
    rounds: int,
    concurrency: int,
    duration_s: float,
) -> dict[str, list[float]]:
    """Bare ``/health`` and each of ``routes`` (label → request bytes), round after round, each
    with its ratio to that round's bare rate; with several rounds, the medians. Returns each
    label's rate per round.

    The machine is shared, and a neighbour's load moves every rate by tens of per cent within
    minutes: each round's ratios are taken from phases seconds apart, and the medians over the
    rounds are the figures to quote.
    """
    health = [_request("GET", "/health", port, "")]
    rates: dict[str, list[float]] = {"bare /health": [], **{label: [] for label in routes}}
    for k in range(rounds):
        at = prefix if rounds == 1 else f"{prefix} round {k + 1}"
        bare = _phase(port, "bare /health", _cycle(health), concurrency, duration_s)
        print(bare.line(at))
        rates["bare /health"].append(bare.rate)
        for label, requests in routes.items():
            run = _phase(port, label, _cycle(requests), concurrency, duration_s)
            print(run.line(at))
            print(f"{at} {label}/s ÷ bare /health/s: {run.rate / bare.rate:.2f}")
            rates[label].append(run.rate)
    if rounds > 1:
        bare_rates = np.array(rates["bare /health"])
        parts = [f"bare /health {np.median(bare_rates):,.0f}/s"]
        for label in routes:
            measured = np.array(rates[label])
            ratios = measured / bare_rates  # each round's pair
            parts.append(
                f"{label} {np.median(measured):,.0f}/s (range {measured.min():,.0f}–"
                f"{measured.max():,.0f}), ratio {np.median(ratios):.2f} (range "
                f"{ratios.min():.2f}–{ratios.max():.2f})"
            )
        print(f"{prefix} median of {rounds} rounds: " + "; ".join(parts))
    return rates


def _bookings(
    handle: ServerHandle, workload: Workload, rng: np.random.Generator
) -> Iterator[Request]:
    while True:
        body = workload.booking(rng)
        key = uuid.uuid4().hex
        yield Request(
            _request(
                "POST", "/v1/shipments", handle.port, handle.merchant_key, body, Idempotency_Key=key
            )
        )


def _promise_margin_s(one_hour: dict[str, Any]) -> float:
    """Seconds the promise adds to the ETA (the network's buffer, rounded up to the second)."""
    promised = datetime.fromisoformat(one_hour["promised_delivery_at"].replace("Z", "+00:00"))
    earliest = datetime.fromisoformat(one_hour["earliest_delivery_at"].replace("Z", "+00:00"))
    return (promised - earliest).total_seconds()


def quote_workload(client: Any) -> Workload:
    """The benchmark's workload on the service behind ``client``: its promise-safe lanes, from
    now (the quote bodies every measurement draws; a quote carries no ready time)."""
    return Workload(routes=tuple(promise_safe_routes(client)), start=datetime.now(UTC))


def promise_safe_routes(client: Any, *, limit: int = 24) -> list[Any]:
    """Lanes whose one-hour promise holds at *any* wave, the promise buffer included.

    :func:`usable_routes` checks the worst-case ETA against the hour but not the network's
    promise buffer; with a buffer, bookings ready at an unlucky minute on the lanes it keeps
    answer 409 ``one_hour_unavailable`` — cheap answers that would flatter bookings/s. Keep only
    the lanes whose worst ETA plus the buffer fits, so that the 409s measured come from full
    flights.
    """
    network = default_network()
    safe = []
    for route in usable_routes(client, limit=10_000):
        quoted = client.post("/v1/quotes", json=route.body(mass_kg=1.0, volume_m3=0.005))
        one_hour = quoted.json()["one_hour"]
        if one_hour["promised_delivery_at"] is None:
            continue  # the buffer alone breaks the promise at this wave already
        legs = {leg["leg"]: float(leg["duration_s"]) for leg in one_hour["legs"]}
        wave_interval_s = network.hub(one_hour["origin_hub"]).launch_wave_interval_min * 60.0
        worst_s = float(one_hour["eta_s"]) - legs["wave_wait"] + wave_interval_s
        if worst_s + _promise_margin_s(one_hour) <= network.promise.one_hour_s:
            safe.append(route)
            if len(safe) >= limit:
                break
    if not safe:
        raise SystemExit("no lane keeps the one-hour promise (buffer included) at every wave")
    return safe


def measure(
    handle: ServerHandle,
    *,
    prefix: str,
    duration_s: float,
    concurrency: int,
    quote_rate: float,
    booking_rate: float,
    seed: int,
    rounds: int = 1,
) -> None:
    """Run every phase against one server and print its figures (``rounds`` pairs of bare and
    quotes phases, then their medians)."""
    rng = np.random.default_rng(seed)
    with handle.client() as client:
        workload = quote_workload(client)
    port = handle.port
    quotes = [
        _request("POST", "/v1/quotes", port, handle.merchant_key, workload.quote(rng))
        for _ in range(2_000)
    ]

    def phase(
        label: str,
        requests: Iterator[Request],
        rate: float | None = None,
        on_answer: Callable[[int, bytes, Any], None] = _ignore,
    ) -> Run:
        return _phase(port, label, requests, concurrency, duration_s, rate, on_answer)

    _phase(port, "warm-up", _cycle(quotes), concurrency, 1.5)  # imports, pools, caches
    _alternate(
        port,
        {"quotes": quotes},
        prefix=prefix,
        rounds=rounds,
        concurrency=concurrency,
        duration_s=duration_s,
    )
    paced = phase(f"quotes @ {quote_rate:,.0f}/s", _cycle(quotes), rate=quote_rate)
    print(paced.line(prefix))
    ledger = BookingLedger()
    booked = phase("bookings", _bookings(handle, workload, rng), on_answer=ledger.record)
    print(booked.line(prefix))
    paced_bookings = phase(
        f"bookings @ {booking_rate:,.0f}/s",
        _bookings(handle, workload, rng),
        rate=booking_rate,
        on_answer=ledger.record,
    )
    print(paced_bookings.line(prefix))
    # The same quotes once their days carry the bookings' ~1,000 flights: the flight board
    # (service/flightboard.py) reads a day's loaded flights once a second and seats on them.
    print(phase("quotes on the booked days", _cycle(quotes)).line(prefix))
    _audit(handle, ledger, prefix)


class FixedAnswerServer(ServerHandle):
    """``floor_app.py``'s app — the service's, plus ``POST /bench/floor``, the quote route's
    signature answering one fixed quote — under uvicorn as ``rocketpost serve`` runs one worker
    (its C parser and event loop, no access log), on the same database and keys as ``of``."""

    def __init__(self, of: ServerHandle) -> None:
        super().__init__(
            database_url=of.database_url,
            port=free_port(),
            api_keys=(of.merchant_key, of.ops_key),
            workers=1,
            env=of.env,
            log_path=of.log_path.with_name("fixed-answer.log"),
            startup_timeout_s=of.startup_timeout_s,
        )

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "floor_app:create",
            "--factory",
            "--app-dir",
            str(Path(__file__).resolve().parent),
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--no-access-log",
        ]


def measure_floor(
    handle: ServerHandle,
    *,
    prefix: str,
    duration_s: float,
    concurrency: int,
    rounds: int,
    seed: int,
) -> None:
    """Bare ``/health``, the fixed answer and quotes, alternated on one fixed-answer server: the
    least a quote can cost through this stack, side by side with what it costs."""
    server = FixedAnswerServer(handle)
    server.start()
    try:
        with server.client() as client:
            workload = quote_workload(client)
        rng = np.random.default_rng(seed)  # the quotes phases' bodies
        bodies = [workload.quote(rng) for _ in range(2_000)]
        requests = {
            label: [_request("POST", path, server.port, server.merchant_key, b) for b in bodies]
            for label, path in (("fixed answer", FLOOR_PATH), ("quotes", "/v1/quotes"))
        }
        _phase(server.port, "warm-up", _cycle(requests["quotes"]), concurrency, 1.5)
        rates = _alternate(
            server.port,
            requests,
            prefix=f"{prefix} fixed-answer server:",
            rounds=rounds,
            concurrency=concurrency,
            duration_s=duration_s,
        )
        # What the quote's own work costs, with the framework's share taken out of both sides.
        own = np.array(rates["quotes"]) / np.array(rates["fixed answer"])
        print(
            f"{prefix} fixed-answer server: quotes/s ÷ fixed answer/s: median {np.median(own):.2f} "
            f"(range {own.min():.2f}–{own.max():.2f})"
        )
    finally:
        server.stop()


def _audit(handle: ServerHandle, ledger: BookingLedger, prefix: str) -> None:
    """Check every flight against the rocket's hold, three independent ways."""
    with handle.client(handle.ops_key) as ops:
        flights = {f["id"]: f for f in list_all(ops, "/v1/flights")}
    over_counter = [
        fid
        for fid, f in flights.items()
        if over_capacity(float(f["booked_kg"]), float(f["booked_m3"]))
    ]
    over_answers = [fid for fid in ledger.kg if over_capacity(ledger.kg[fid], ledger.m3[fid])]
    # Only this run books on this database: each counter must equal the 201 answers' sum.
    disagree = [
        fid
        for fid in set(flights) | set(ledger.kg)
        if fid not in flights
        or abs(float(flights[fid]["booked_kg"]) - ledger.kg.get(fid, 0.0)) > 1e-3
    ]
    fullest = sorted(ledger.kg, key=ledger.kg.__getitem__, reverse=True)[:20]
    audits = audit_flights(handle, fullest)
    over_manifest = [a.flight_id for a in audits if a.overbooked or not a.consistent]
    overbooked = set(over_counter) | set(over_answers) | set(over_manifest)
    capacity_kg, _ = rocket_capacity()
    full = sum(1 for fid in ledger.kg if ledger.kg[fid] > capacity_kg * 0.95)
    print(
        f"{prefix} bookings answered 201: {ledger.booked} on {len(ledger.kg)} flights "
        f"({full} of them ≥ 95 % full by mass; {ledger.ground} ground)"
    )
    if fullest:
        print(f"{prefix} fullest flight: {ledger.kg[fullest[0]]:,.1f} kg")
    print(f"{prefix} flights whose counter disagrees with the 201 answers: {len(disagree)}")
    print(f"{prefix} overbooked flights: {len(overbooked)}")
    if overbooked:
        print(f"{prefix} OVERBOOKED: {sorted(overbooked)[:10]}", file=sys.stderr)


@contextlib.contextmanager
def database(backend: str, workdir: Path, *, durable: bool = True) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    with throwaway_postgres(durable=durable, settings={"max_connections": "200"}) as pg:
        yield pg.url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=6.0, help="seconds per phase")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--workers", default="1,2", help="uvicorn worker counts to try")
    parser.add_argument("--quote-rate", type=float, default=1_000.0)
    parser.add_argument("--booking-rate", type=float, default=200.0)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="alternate the bare and quotes phases this many times and print their medians",
    )
    parser.add_argument(
        "--floor",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="with one worker, also measure the quote route answering a fixed quote (the "
        "framework's floor) beside bare /health and quotes, on a server of its own",
    )
    parser.add_argument(
        "--pg-durable",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="PostgreSQL with fsync and synchronous commit on (default) or off",
    )
    args = parser.parse_args()
    print(
        f"load generator: asyncio HTTP/1.1, {args.concurrency} keep-alive connections, "
        f"{args.duration:.0f} s per phase, same 2-core machine as the server; PostgreSQL "
        f"fsync {'on' if args.pg_durable else 'off'}"
    )
    for backend in args.backends.split(","):
        for workers in (int(w) for w in args.workers.split(",")):
            with (
                tempfile.TemporaryDirectory(prefix="rocketpost-bench-") as tmp,
                database(backend, Path(tmp), durable=args.pg_durable) as url,
                running_server(url, workers=workers, env=SERVER_ENV, log_dir=Path(tmp)) as handle,
            ):
                # Ops' forecast: every hub clear, so the lanes keep the 99 % promise (under the
                # bare climate few rocket lanes do; docs/promise.md).
                declare_clear_skies(url)
                phases = {
                    "prefix": f"{backend} workers={workers}",
                    "duration_s": args.duration,
                    "concurrency": args.concurrency,
                    "seed": args.seed,
                    "rounds": args.rounds,
                }
                measure(
                    handle,
                    quote_rate=args.quote_rate,
                    booking_rate=args.booking_rate,
                    **phases,
                )
                if args.floor and workers == 1:
                    measure_floor(handle, **phases)


if __name__ == "__main__":
    main()
