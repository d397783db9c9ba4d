"""World-data timings: city loading, place resolution, ports and the land mask, cold and warm.

"Cold" figures run in a fresh interpreter (a subprocess), so no module-level cache helps them;
the land-mask cache is built in a throwaway directory so the user's cache is left alone.
Run: ``.venv/bin/python benchmarks/bench_world.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from typing import Any

import numpy as np

_HEADER = "import json, sys, time\nstarted = time.perf_counter()\n"
# VmHWM, not ru_maxrss: on Linux the latter survives exec and would report this parent's peak.
_FOOTER = (
    "status = dict(line.split(':', 1) for line in open('/proc/self/status'))\n"
    "peak_mb = int(status['VmHWM'].split()[0]) / 1024\n"
    'print(json.dumps({"result": result, "peak_mb": peak_mb}))\n'
)


def _fresh(body: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``body`` (which sets ``result``) in a new interpreter and return its JSON output."""
    code = _HEADER + textwrap.dedent(body) + _FOOTER
    completed = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    output: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return output


def _best_of(repeats: int, function: object, *args: object) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(*args)  # type: ignore[operator]
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    cold = _fresh(
        """
        from rocketpost.world.cities import load_cities
        t0 = time.perf_counter(); table = load_cities(); t1 = time.perf_counter()
        result = {"import": t0 - started, "load": t1 - t0, "n": len(table),
                  "people": table.total_population}
        """
    )["result"]
    print(f"import rocketpost.world.cities (cold): {cold['import']:.3f} s")
    print(f"load_cities() cold, cities15000: {cold['load']:.3f} s")
    print(f"cities >= 15,000: {cold['n']:,.0f} holding {cold['people'] / 1e9:.3f} bn people")

    from rocketpost.world import cities as cities_module
    from rocketpost.world.cities import load_cities

    cities_module._clear_cache()
    print(f"load_cities() first call in process: {_best_of(1, load_cities):.3f} s")
    print(f"load_cities() warm (cached): {_best_of(5, load_cities) * 1e6:.1f} us")
    cities_module._clear_cache()
    print(f"load_cities(5000) cold: {_best_of(1, load_cities, 5000):.3f} s")

    resolve_first = """
        from rocketpost.world.places import resolve_place
        t0 = time.perf_counter(); resolve_place("Seoul"); t1 = time.perf_counter()
        result = {"first": t1 - t0}
        """
    with tempfile.TemporaryDirectory() as scratch:
        empty = _fresh(resolve_first, {"ROCKETPOST_CACHE_DIR": scratch})["result"]
        print(f"resolve_place first call, index built: {empty['first']:.3f} s")
        cached = _fresh(resolve_first, {"ROCKETPOST_CACHE_DIR": scratch})["result"]
        print(f"resolve_place first call, index from disk cache: {cached['first']:.3f} s")

    from rocketpost.world import place_index

    table = load_cities()
    build_s = _best_of(1, place_index.build_names, 15_000)
    print(f"name index build alone (table loaded, file re-read): {build_s:.3f} s")
    place_index.load_place_index(15_000)
    cache_file = place_index.index_cache_file(15_000)
    read_s = _best_of(3, place_index.read_index_cache, cache_file, table)
    print(f"name index read from disk cache: {read_s:.3f} s")

    from rocketpost.world.places import resolve_place

    queries = ["Paris", "London, GB", "New York", "São Paulo", "Busan, KR", "Los Angeles"]
    queries += ["Portland, OR, US", "USNYC", "48.8566, 2.3522", "Hangzhou"]
    for query in queries:
        resolve_place(query)
    rounds = 200
    start = time.perf_counter()
    for _ in range(rounds):
        for query in queries:
            resolve_place(query)
    per_query = (time.perf_counter() - start) / (rounds * len(queries))
    print(f"resolve_place warm, mixed queries: {per_query * 1e6:.1f} us per query")

    ports = _fresh(
        """
        from rocketpost.world.ports import load_ports
        t0 = time.perf_counter(); index = load_ports(); t1 = time.perf_counter()
        result = {"load": t1 - t0, "n": len(index)}
        """
    )["result"]
    print(f"load_ports() cold: {ports['load']:.3f} s ({ports['n']:,.0f} ports)")

    with tempfile.TemporaryDirectory() as scratch:
        env = {"ROCKETPOST_CACHE_DIR": scratch}
        build = _fresh(
            """
            from rocketpost.world.landmask import is_land
            t0 = time.perf_counter(); is_land(48.8566, 2.3522); t1 = time.perf_counter()
            result = {"first": t1 - t0}
            """,
            env,
        )
        print(f"land mask cache build (first is_land, no cache): {build['result']['first']:.2f} s")
        print(f"land mask cache build peak RSS: {build['peak_mb']:.0f} MB")
        size_mb = sum(entry.stat().st_size for entry in os.scandir(scratch)) / 1e6
        print(f"land mask cache file: {size_mb:.1f} MB")
        opened = _fresh(
            """
            from rocketpost.world.landmask import is_land
            t0 = time.perf_counter(); is_land(48.8566, 2.3522); t1 = time.perf_counter()
            result = {"first": t1 - t0}
            """,
            env,
        )
        print(
            f"is_land first call, cache present (fresh process): {opened['result']['first']:.3f} s"
        )
        print(f"is_land first call, cache present, peak RSS: {opened['peak_mb']:.0f} MB")
        coarse = _fresh(
            """
            from rocketpost.world.landmask import coarse_mask, is_land
            is_land(0.0, 0.0)
            t0 = time.perf_counter(); coarse_mask(0.25); t1 = time.perf_counter()
            result = {"first": t1 - t0}
            """,
            env,
        )
        print(f"coarse_mask(0.25) computed from the packed grid: {coarse['result']['first']:.2f} s")
        coarse_again = _fresh(
            """
            from rocketpost.world.landmask import coarse_mask, is_land
            is_land(0.0, 0.0)
            t0 = time.perf_counter(); coarse_mask(0.25); t1 = time.perf_counter()
            result = {"first": t1 - t0}
            """,
            env,
        )
        print(f"coarse_mask(0.25) from its disk cache: {coarse_again['result']['first']:.3f} s")

    reference = _fresh(
        """
        from global_land_mask import globe
        t0 = time.perf_counter(); globe.is_land(48.8566, 2.3522); t1 = time.perf_counter()
        result = {"import": t0 - started}
        """
    )
    print(f"for comparison, import global_land_mask: {reference['result']['import']:.2f} s")
    print(f"for comparison, import global_land_mask peak RSS: {reference['peak_mb']:.0f} MB")

    from rocketpost.world.coast import distance_to_land_km, segment_crosses_land
    from rocketpost.world.landmask import is_land

    rng = np.random.default_rng(1)
    lat = rng.uniform(-90.0, 90.0, 1_000_000)
    lon = rng.uniform(-180.0, 180.0, 1_000_000)
    is_land(0.0, 0.0)
    print(f"is_land 1,000,000 random points, first pass: {_best_of(1, is_land, lat, lon):.3f} s")
    print(f"is_land 1,000,000 random points, warm: {_best_of(3, is_land, lat, lon):.3f} s")
    offshore = _best_of(3, distance_to_land_km, 44.5, -1.51)
    print(f"distance_to_land_km ~20 km offshore: {offshore * 1e3:.1f} ms")
    open_sea = _best_of(3, distance_to_land_km, 30.0, -40.0)
    print(f"distance_to_land_km open sea (no land within 50 km): {open_sea * 1e3:.1f} ms")
    crossing = _best_of(3, segment_crosses_land, 40.5, -73.5, 38.6, -9.5)
    print(f"segment_crosses_land New York-Lisbon (5,400 km, 0.5 km steps): {crossing * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
