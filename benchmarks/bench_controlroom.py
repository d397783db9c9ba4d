"""The control room's reads on a full day: 1,000 flights and 1,000,000 shipments, over HTTP.

Run: ``.venv/bin/python benchmarks/bench_controlroom.py [--backend sqlite|postgres]
[--flights 1000] [--shipments 1000000] [--updates 30] [--browser] [--polls 10] [--opens 5]``.

It bulk-loads one operational day into a fresh, migrated database — today's flights (UTC),
spread over the hubs and the day's waves, each with its plan (airframe, landing) and its share
of the shipments; flights before now have landed and their shipments are delivered (a few
late) or out for delivery, flights of the last hour are in the air, later ones are scheduled,
2 % are scrubbed — through the driver's bulk path (``executemany`` on SQLite, ``COPY`` on
PostgreSQL), then starts the real ``rocketpost serve`` and times, over loopback HTTP with one
keep-alive client:

* **first load ever**: what the control-room page reads for its first render —
  ``GET /v1/ops/overview`` (the network, the day's positions and KPIs and the conditions in one
  answer) — on the bulk-loaded day whose per-flight KPI tallies were never counted (a database
  filled behind the service's back; ``service/kpitally.py`` counts and stores them once);
* **first render**: the same again on the running server (target ≤ 1 s), and the separate
  reads it is made of (``GET /v1/ops/kpis``, ``/v1/ops/flights/positions``,
  ``/v1/ops/sites``, ``/v1/conditions``) one after the other;
* **each update**: what the page polls — KPIs and positions (target ≤ 200 ms), ``--updates``
  times, median, p95 and worst; and each endpoint alone, and ``GET /v1/flights?date=`` (100
  rows) first and deep in the day (keyset: the last page costs what the first does);
* **first load right after server start**: the server is stopped and started again and the
  page's requests timed at once: the tallies are read back from ``flight_tallies``, not
  counted (target ≤ 1 s: no warm-up);
* **in the browser** (``--browser``, Debian's ``chromium`` through Playwright): the control
  room opened ``--opens`` times in headless Chromium on the restarted server, each in a fresh
  browser context (no cache) — first render (navigation to map, network, flights and KPIs
  drawn and painted, the page's own ``performance.now()``), split by the page's
  ``performance.mark()``s (answers in, countries drawn, flights drawn, painted) — and each
  live update (one poll: fetch both answers and redraw the KPIs, the list and the 1,000
  flights), ``--polls`` of them in the first opening.

Figures are wall-clock on a shared 2-core machine (the client, the server and the database
share it): run it twice back to back before comparing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.postgres import throwaway_postgres
from tests.support.server import running_server

from rocketpost.core.eta import flight_matrix
from rocketpost.network import default_network
from rocketpost.service.db import upgrade
from rocketpost.service.merchants import create_merchant

SERVER_ENV = {"ROCKETPOST_RATE_LIMIT_PER_MIN": "0", "ROCKETPOST_WEBHOOKS": "0"}
_FLIGHT_COLUMNS = [
    "public_id",
    "origin_hub",
    "destination_hub",
    "launch_at",
    "status",
    "capacity_g",
    "capacity_cm3",
    "booked_g",
    "booked_cm3",
    "airframe_id",
    "landing_site",
    "landing_at",
    "planned_g",
    "planned_cm3",
    "planned_shipments",
    "created_at",
    "updated_at",
]
_SHIPMENT_COLUMNS = [
    "public_id",
    "tracking_number",
    "merchant_id",
    "merchant_public_id",
    "flight_id",
    "flight_public_id",
    "service",
    "mode",
    "channel",
    "status",
    "sub_status",
    "origin_hub",
    "destination_hub",
    "destination",
    "parcels",
    "mass_g",
    "volume_cm3",
    "ready_at",
    "launch_at",
    "promised_delivery_at",
    "price_amount",
    "price_currency",
    "last_mile_vehicle",
    "last_mile_stop",
    "planned_delivery_at",
    "delivered_at",
    "created_at",
    "updated_at",
]


def _stamp(seconds: float, backend: str) -> str:
    """A UTC instant as each backend stores it (SQLAlchemy's SQLite text; PostgreSQL input)."""
    value = datetime.fromtimestamp(seconds, tz=UTC)
    if backend == "sqlite":
        return value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat()


def make_day(
    n_flights: int, n_shipments: int, now_s: float, seed: int
) -> tuple[list[dict[str, object]], dict[str, np.ndarray]]:
    """The day's flights (dicts) and shipments (columns), statuses consistent with ``now``."""
    network = default_network()
    rng = np.random.default_rng(seed)
    day_s = float(np.floor(now_s / 86400.0) * 86400.0)
    hubs, sites = network.hub_ids, network.site_ids
    flight_s = np.asarray(flight_matrix(network).flight_s)
    flights: list[dict[str, object]] = []
    # Distinct (origin hub, landing site, wave) triples, drawn over the day's 144 waves.
    pairs = [(o, d) for o in range(len(hubs)) for d in range(len(sites)) if d != o]
    picks = rng.choice(len(pairs) * 144, size=n_flights, replace=False)
    for pick in sorted(picks.tolist(), key=lambda p: (p % 144, p)):
        (o, d), launch = pairs[pick // 144], day_s + 600.0 * (pick % 144)
        landing = launch + float(flight_s[o, d])
        if rng.random() < 0.02 and launch > now_s:
            status = "scrubbed"
        elif landing <= now_s:
            status = "landed"
        elif launch <= now_s:
            status = "launched"
        else:
            status = "scheduled"
        flights.append({"o": o, "d": d, "launch": launch, "landing": landing, "status": status})
    flying = [i for i, f in enumerate(flights) if f["status"] != "scrubbed"]
    on = np.repeat(
        np.asarray(flying), [len(c) for c in np.array_split(np.arange(n_shipments), len(flying))]
    )
    launch = np.array([flights[i]["launch"] for i in on], dtype=float)
    landing = np.array([flights[i]["landing"] for i in on], dtype=float)
    status = np.array([flights[i]["status"] for i in on])
    promised = launch + 2700.0 + rng.uniform(0, 600, len(on))
    planned = promised - rng.uniform(-120, 600, len(on))
    delivered = np.where(rng.random(len(on)) < 0.05, promised + 300.0, planned)
    done = (status == "landed") & (np.minimum(delivered, now_s) == delivered)
    columns = {
        "flight": on,
        "mass_g": rng.integers(1000, 9000, len(on)),
        "volume_cm3": rng.integers(5_000, 90_000, len(on)),
        "launch": launch,
        "landing": landing,
        "promised": promised,
        "planned": planned,
        "delivered": np.where(done, delivered, np.nan),
        "status": status,
    }
    return flights, columns


def _flight_rows(
    flights: list[dict[str, object]], cols: dict[str, np.ndarray], backend: str
) -> list[tuple[object, ...]]:
    network = default_network()
    hubs, sites = network.hub_ids, network.site_ids
    grams = np.bincount(cols["flight"], weights=cols["mass_g"], minlength=len(flights))
    cm3 = np.bincount(cols["flight"], weights=cols["volume_cm3"], minlength=len(flights))
    count = np.bincount(cols["flight"], minlength=len(flights))
    cap_g = int(network.rocket.payload_mass_kg * 1000)
    cap_cm3 = int(network.rocket.payload_volume_m3 * 1e6)
    rows = []
    for i, f in enumerate(flights):
        o, d, launch = int(f["o"]), int(f["d"]), float(f["launch"])  # type: ignore[call-overload]
        stamp = datetime.fromtimestamp(launch, tz=UTC).strftime("%Y%m%dT%H%MZ")
        at = _stamp(launch, backend)
        rows.append(
            (
                f"flt_{hubs[o]}_{sites[d]}_{stamp}",
                hubs[o],
                sites[d],
                at,
                f["status"],
                cap_g,
                cap_cm3,
                int(grams[i]),
                int(cm3[i]),
                f"{hubs[o]}-{i % 9 + 1:02d}",
                sites[d],
                _stamp(float(f["landing"]), backend),  # type: ignore[arg-type]
                int(grams[i]),
                int(cm3[i]),
                int(count[i]),
                at,
                at,
            )
        )
    return rows


def _shipment_rows(
    flights: list[dict[str, object]],
    flight_pk: list[int],
    flight_ids: list[str],
    cols: dict[str, np.ndarray],
    merchant: tuple[int, str],
    backend: str,
) -> Iterator[tuple[object, ...]]:
    network = default_network()
    hubs, sites = network.hub_ids, network.site_ids
    lat, lon = network.site_lat_deg, network.site_lon_deg
    sub = {"landed": "landed", "launched": "launched", "scheduled": "booked"}
    state = {"landed": "in_transit", "launched": "in_transit", "scheduled": "pre_transit"}
    for n in range(len(cols["flight"])):
        f = int(cols["flight"][n])
        o, d = int(flights[f]["o"]), int(flights[f]["d"])  # type: ignore[call-overload]
        status, sub_status = state[str(cols["status"][n])], sub[str(cols["status"][n])]
        delivered = float(cols["delivered"][n])
        if not np.isnan(delivered):
            status = sub_status = "delivered"
        elif status == "in_transit" and sub_status == "landed" and n % 3 == 0:
            status = sub_status = "out_for_delivery"
        destination = json.dumps(
            {"name": sites[d], "country": None, "lat_deg": float(lat[d]), "lon_deg": float(lon[d])}
        )
        at = _stamp(float(cols["launch"][n]) - 900.0, backend)
        yield (
            f"shp_b{n:010d}",
            f"RPB{n:010d}",
            merchant[0],
            merchant[1],
            flight_pk[f],
            flight_ids[f],
            "one_hour",
            "rocket",
            "b2c",
            status,
            sub_status,
            hubs[o],
            sites[d],
            destination,
            "[]",
            int(cols["mass_g"][n]),
            int(cols["volume_cm3"][n]),
            at,
            _stamp(float(cols["launch"][n]), backend),
            _stamp(float(cols["promised"][n]), backend),
            "25.00",
            "USD",
            f"{sites[d]}/van-{n % 40 + 1:02d}",
            n % 25 + 1,
            _stamp(float(cols["planned"][n]), backend),
            None if np.isnan(delivered) else _stamp(delivered, backend),
            at,
            at,
        )


def load(url: str, backend: str, n_flights: int, n_shipments: int, seed: int) -> float:
    """Create the schema and bulk-load the day; returns the seconds it took."""
    started = time.perf_counter()
    upgrade(url)
    merchant_public, _ = create_merchant(url, "bench-merchant")
    flights, cols = make_day(n_flights, n_shipments, time.time(), seed)
    flight_rows = _flight_rows(flights, cols, backend)
    names = ", ".join(_FLIGHT_COLUMNS)
    if backend == "sqlite":
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        merchant_pk = connection.execute(
            "SELECT id FROM merchants WHERE public_id = ?", (merchant_public,)
        ).fetchone()[0]
        marks = ", ".join("?" * len(_FLIGHT_COLUMNS))
        connection.executemany(f"INSERT INTO flights ({names}) VALUES ({marks})", flight_rows)
        ids = dict(connection.execute("SELECT public_id, id FROM flights").fetchall())
        flight_ids = [str(r[0]) for r in flight_rows]
        pks = [ids[i] for i in flight_ids]
        marks = ", ".join("?" * len(_SHIPMENT_COLUMNS))
        connection.executemany(
            f"INSERT INTO shipments ({', '.join(_SHIPMENT_COLUMNS)}) VALUES ({marks})",
            _shipment_rows(flights, pks, flight_ids, cols, (merchant_pk, merchant_public), backend),
        )
        connection.commit()
        connection.execute("ANALYZE")
        connection.close()
    else:
        import psycopg

        conninfo = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(conninfo) as connection, connection.cursor() as cursor:
            merchant_pk = cursor.execute(
                "SELECT id FROM merchants WHERE public_id = %s", (merchant_public,)
            ).fetchone()[0]  # type: ignore[index]
            with cursor.copy(f"COPY flights ({names}) FROM STDIN") as copy:
                for row in flight_rows:
                    copy.write_row(row)
            ids = dict(cursor.execute("SELECT public_id, id FROM flights").fetchall())
            flight_ids = [str(r[0]) for r in flight_rows]
            pks = [ids[i] for i in flight_ids]
            rows = _shipment_rows(
                flights, pks, flight_ids, cols, (merchant_pk, merchant_public), backend
            )
            with cursor.copy(f"COPY shipments ({', '.join(_SHIPMENT_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            connection.commit()
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _timed(call: Callable[[], httpx.Response]) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response


def measure(client: httpx.Client, updates: int) -> dict[str, object]:
    """The control room's requests, timed (see the module doc)."""
    today = datetime.now(UTC).date().isoformat()

    def kpis() -> httpx.Response:
        return client.get("/v1/ops/kpis", params={"date": today})

    def positions() -> httpx.Response:
        return client.get("/v1/ops/flights/positions")

    def page(cursor: str | None = None) -> httpx.Response:
        params = {"date": today, "limit": "100", **({"cursor": cursor} if cursor else {})}
        return client.get("/v1/flights", params=params)

    def sites() -> httpx.Response:
        return client.get("/v1/ops/sites")

    def conditions() -> httpx.Response:
        return client.get("/v1/conditions")

    def overview() -> httpx.Response:
        return client.get("/v1/ops/overview", params={"date": today})

    cold = _timed(overview)
    # A page opened on a running server (the day's tallies counted once, by the warm-up at
    # start or by the load above).
    first = _timed(overview)
    parts = [_timed(call) for call in (kpis, positions, sites, conditions)]
    body = first[1].json()
    out: dict[str, object] = {
        "cold_render_s": cold[0],
        "first_render_s": first[0],
        "first_render_bytes": len(first[1].content),
        "first_render_parts_s": {
            name: t
            for name, (t, _) in zip(
                ("kpis", "positions", "sites", "conditions"), parts, strict=True
            )
        },
        "kpis": body["kpis"],
        "positions_rows": len(body["positions"]["rows"]),
        "positions_bytes": len(parts[1][1].content),
    }
    bundle, alone = [], {"kpis": [], "positions": [], "flights_page": []}
    for _ in range(updates):
        a, _r = _timed(kpis)
        b, _r = _timed(positions)
        bundle.append(a + b)
        alone["kpis"].append(a)
        alone["positions"].append(b)
        alone["flights_page"].append(_timed(page)[0])
    cursor, pages, last = None, 0, 0.0
    while True:
        last, response = _timed(lambda after=cursor: page(after))
        pages += 1
        body = response.json()
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break

    def summary(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        return {
            "median_s": statistics.median(ordered),
            "p95_s": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
            "max_s": ordered[-1],
        }

    out["update_s"] = summary(bundle)
    out["alone"] = {name: summary(values) for name, values in alone.items()}
    out["flights_pages"] = pages
    out["last_flights_page_s"] = last
    return out


def first_load(client: httpx.Client) -> float:
    """The page's first read on a server that has just started (nothing warmed in it)."""
    today = datetime.now(UTC).date().isoformat()
    return _timed(lambda: client.get("/v1/ops/overview", params={"date": today}))[0]


_MARKS = ("answers", "countries", "flights", "painted")
_TIMELINE = (
    "JSON.stringify({"
    "marks: performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]),"
    "html: performance.getEntriesByType('navigation')[0].responseEnd,"
    "overview: performance.getEntriesByType('resource')"
    ".filter((r) => r.name.includes('/v1/ops/overview')).map((r) => [r.startTime, r.responseEnd])"
    "})"
)


def _open_page(browser: Any, base_url: str, ops_key: str, polls: int) -> dict[str, object]:
    """One opening of the control room in a fresh context; ``polls`` live updates if > 0."""
    context = browser.new_context(viewport={"width": 1600, "height": 900})
    context.add_init_script(f"sessionStorage.setItem('rocketpost.opsKey', {ops_key!r});")
    page = context.new_page()
    started = time.perf_counter()
    page.goto(f"{base_url}/?poll_ms=1000")
    page.wait_for_selector("body[data-ready=true]", timeout=120_000)
    wall = time.perf_counter() - started
    deadline = time.monotonic() + 60.0 + 5.0 * polls
    # Polled from here: the page's CSP forbids the eval that wait_for_function needs.
    while page.evaluate("window.controlRoom.updateMs.length") < polls:
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {polls} live updates in the page")
        time.sleep(0.25)
    timeline = json.loads(page.evaluate(_TIMELINE))
    marks = {name.removeprefix("controlroom:"): at for name, at in timeline["marks"]}
    (request,) = timeline["overview"]
    out = {
        "ready_ms": float(page.evaluate("window.controlRoom.readyMs")),
        "wall_s": wall,
        "updates_ms": [float(v) for v in page.evaluate("window.controlRoom.updateMs")][:polls],
        "flights": int(page.evaluate("window.controlRoom.flightCanvas.ids().length")),
        "html_ms": timeline["html"],
        "overview_ms": request,
        "marks_ms": [marks[name] for name in _MARKS],
    }
    context.close()
    return out


def in_browser(base_url: str, ops_key: str, polls: int, opens: int) -> dict[str, object]:
    """The control room in headless Chromium, opened ``opens`` times: first render (ms, as the
    page measures it: ``window.controlRoom.readyMs``, and its ``performance.mark()``s) each
    time, and ``polls`` live updates (``.updateMs``) in the first opening."""
    from tests.web.browser import chromium

    with chromium() as browser:
        runs = [
            _open_page(browser, base_url, ops_key, polls if i == 0 else 0) for i in range(opens)
        ]
    return {
        "ready_ms": [r["ready_ms"] for r in runs],
        "wall_s": [r["wall_s"] for r in runs],
        "updates_ms": runs[0]["updates_ms"],
        "flights": runs[0]["flights"],
        "runs": runs,
    }


@contextlib.contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'controlroom.db'}"
        return
    with throwaway_postgres(durable=True) as pg:
        yield pg.url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--flights", type=int, default=1_000)
    parser.add_argument("--shipments", type=int, default=1_000_000)
    parser.add_argument("--updates", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--browser", action="store_true", help="time the page in Chromium too")
    parser.add_argument("--polls", type=int, default=10, help="live updates timed in Chromium")
    parser.add_argument("--opens", type=int, default=5, help="page openings timed in Chromium")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="rocketpost-controlroom-") as tmp,
        database(args.backend, Path(tmp)) as url,
    ):
        load_s = load(url, args.backend, args.flights, args.shipments, args.seed)
        print(
            f"{args.backend}: loaded {args.flights:,} flights and {args.shipments:,} shipments "
            f"in {load_s:.1f} s"
        )
        with (
            running_server(url, env=SERVER_ENV, log_dir=Path(tmp)) as handle,
            handle.client(handle.ops_key) as client,
        ):
            result = measure(client, args.updates)
        # Stopped and started again: the first load must not pay for the day's tallies.
        with (
            running_server(url, env=SERVER_ENV, log_dir=Path(tmp)) as handle,
            handle.client(handle.ops_key) as client,
        ):
            restart = first_load(client)
            browser = (
                in_browser(handle.base_url, handle.ops_key, args.polls, args.opens)
                if args.browser
                else None
            )
    k = result["kpis"]
    assert isinstance(k, dict)
    print(
        f"  kpis: {k['shipments']:,} shipments, {k['delivered']:,} delivered, "
        f"{k['promises_kept']:,} kept, {k['late']:,} late, {k['at_risk']:,} at risk, "
        f"{k['in_the_air']:,} in the air, {k['scrubs']} scrubs, fill {k['fill']:.2f}"
    )
    parts = result["first_render_parts_s"]
    assert isinstance(parts, dict)
    print(
        f"  first load ever {1000 * float(result['cold_render_s']):.0f} ms (the bulk-loaded "  # type: ignore[arg-type]
        "day's tallies counted and stored by this load or the warm-up it races)"
    )
    print(
        f"  first load right after server start {1000 * restart:.0f} ms "
        "(target ≤ 1000; tallies read back)"
    )
    print(
        f"  first render's read (GET /v1/ops/overview) {1000 * float(result['first_render_s']):.0f}"  # type: ignore[arg-type]
        f" ms, {int(result['first_render_bytes']):,} bytes (target ≤ 1000); its parts alone: "  # type: ignore[call-overload]
        + ", ".join(f"{name} {1000 * t:.0f}" for name, t in parts.items())
        + f" ms; positions {result['positions_rows']} rows, {result['positions_bytes']:,} bytes"
    )
    update = result["update_s"]
    assert isinstance(update, dict)
    print(
        f"  each update (kpis + positions): median {1000 * update['median_s']:.0f} ms, "
        f"p95 {1000 * update['p95_s']:.0f} ms, max {1000 * update['max_s']:.0f} ms "
        f"(target ≤ 200)"
    )
    alone = result["alone"]
    assert isinstance(alone, dict)
    for name, s in alone.items():
        print(f"  {name:<13} median {1000 * s['median_s']:.1f} ms, p95 {1000 * s['p95_s']:.1f} ms")
    print(
        f"  flights by day: {result['flights_pages']} pages of 100, "
        f"the last in {1000 * float(result['last_flights_page_s']):.1f} ms"  # type: ignore[arg-type]
    )
    if browser is not None:
        _print_browser(browser)


def _print_browser(browser: dict[str, Any]) -> None:
    ready = sorted(browser["ready_ms"])
    updates_ms = sorted(browser["updates_ms"])
    print(
        f"  browser (headless Chromium, {browser['flights']} flights drawn): first render "
        f"median {statistics.median(ready):.0f} ms after navigation "
        f"(min {ready[0]:.0f}, max {ready[-1]:.0f} over {len(ready)} openings; target ≤ 1000); "
        f"each live update median {statistics.median(updates_ms):.0f} ms, "
        f"max {updates_ms[-1]:.0f} ms over {len(updates_ms)} polls (target ≤ 200)"
    )
    for run in browser["runs"]:
        start, end = run["overview_ms"]
        marks = dict(zip(_MARKS, run["marks_ms"], strict=True))
        print(
            f"    opening: page {run['html_ms']:.0f} ms, overview asked {start:.0f} and in "
            f"{end:.0f}; answers taken {marks['answers']:.0f}, countries drawn "
            f"{marks['countries']:.0f}, flights drawn {marks['flights']:.0f}, painted "
            f"{marks['painted']:.0f} (ready {run['ready_ms']:.0f}; the driver saw "
            f"{1000 * run['wall_s']:.0f})"
        )


if __name__ == "__main__":
    main()
