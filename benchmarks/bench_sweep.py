"""Sweep speed-up from 1 to 2 Dask workers (target ≥ 1.6×), same results on both.

The same sweep (6 plan variants × 4 simulation settings = 24 scenarios × 8 replicates, on a
generated day of 200,000 orders with the stock at the Chinese hubs) runs on a local cluster of
one worker process and of two (one thread each, loopback only). Cluster start-up is timed
apart, and so is importing the modules the sweep needs on every worker (a warm-up that only
imports: no orders, no plans, no caches; the sweep does the same work as ``rocketpost sweep``).
The results tables must be identical.
"""

from __future__ import annotations

import importlib
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from rocketpost.simulation.montecarlo import dask_client
from rocketpost.simulation.sweep import run_sweep
from rocketpost.simulation.sweep_spec import parse_sweep_spec

SPEC = {
    "replicates": 8,
    "seed": 11,
    "orders": {"generate": 200_000, "seed": 5, "stock_at": ["HZB", "SHA", "SZX"]},
    "planning": {"max_cost_per_kg": 0},
    "grid": {
        "fleet_per_hub": [4, 8],
        "wave_interval_min": [10, 15, 20],
        "landing_zones": [1, 2],
        "scrub_share": [0.1, 0.29],
    },
}


# What a sweep task imports on a fresh worker (pyarrow imports pandas on its first array).
WARM_UP_MODULES = (
    "rocketpost.simulation.sweep",
    "rocketpost.simulation.scenarios",
    "rocketpost.planning",
    "rocketpost.orders.generator",
    "rocketpost.world.cities",
    "rocketpost.world.countries",
    "rocketpost.world.ports",
    "pandas",
)


def _import_modules() -> None:
    for name in WARM_UP_MODULES:
        importlib.import_module(name)


def _numpy_work(seed: int) -> float:
    a = np.random.default_rng(seed).random(2_000_000)
    return float(sum(np.sort(a)[0] for _ in range(30)))


def machine_parallelism() -> float:
    """Speed-up of two processes over one on plain NumPy work: what 2 workers can hope for on
    this (shared) machine right now."""
    start = time.perf_counter()
    _numpy_work(0)
    _numpy_work(1)
    serial = time.perf_counter() - start
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_numpy_work, [0]))  # start-up
        start = time.perf_counter()
        list(pool.map(_numpy_work, [0, 1]))
        parallel = time.perf_counter() - start
    return serial / parallel


def main() -> None:
    print(f"machine: plain NumPy speed-up 1 -> 2 processes right now: {machine_parallelism():.2f}x")
    spec = parse_sweep_spec(SPEC)
    print(f"scenarios: {len(spec.scenarios())} x {spec.replicates} replicates")
    walls = {}
    tables = {}
    for workers in (1, 2):
        start = time.perf_counter()
        with dask_client(workers) as client:
            print(f"{workers} worker(s): cluster start-up {time.perf_counter() - start:.1f} s")
            start = time.perf_counter()
            client.run(_import_modules)
            print(f"{workers} worker(s): worker imports {time.perf_counter() - start:.1f} s")
            start = time.perf_counter()
            tables[workers] = run_sweep(spec, client=client)
            walls[workers] = time.perf_counter() - start
        print(f"{workers} worker(s): sweep wall {walls[workers]:.1f} s")
    print(f"sweep speed-up 1 -> 2 workers: {walls[1] / walls[2]:.2f}x")
    print(f"identical results on 1 and 2 workers: {tables[1].equals(tables[2])}")


if __name__ == "__main__":
    main()
