"""Orders benchmark: a generated day of 1,000,000 orders, written and read back.

Prints one figure per line: generation time and peak memory, then Parquet and CSV write and
read (validation included) times with the round trip checked. Targets (brief): generation well
under ~15 s on this 2-core machine.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

from rocketpost.network import default_network
from rocketpost.orders.generator import GeneratorParams, describe, generate_orders
from rocketpost.orders.io import read_orders, write_orders
from rocketpost.world.cities import load_cities

N_ORDERS = 1_000_000
BACKHAUL = {"ICN": "KR", "PUS": "KR", "KEL": "DE", "LIS": "PT"}


def peak_mib() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    load_cities()  # loaded once per process, not part of a day's generation
    rocket = default_network().rocket  # likewise: the rocket class sizes loads and unit limits
    start = time.perf_counter()
    orders, items = generate_orders(
        N_ORDERS,
        GeneratorParams(backhaul_origins=BACKHAUL),
        day=date(2025, 6, 1),
        rng=np.random.default_rng(1),
        rocket=rocket,
    )
    elapsed = time.perf_counter() - start
    figures = describe(orders)
    print(f"generate {N_ORDERS:,} orders ({len(items):,} lines): {elapsed:.2f} s")
    print(f"peak memory after generate: {peak_mib():.0f} MiB")
    print(
        f"b2c median parcel: {figures['b2c_median_kg']:.2f} kg, {figures['b2c_median_dm3']:.1f} dm3"
    )
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("parquet", "csv"):
            path = Path(folder) / f"day.{fmt}"
            start = time.perf_counter()
            write_orders(path, orders, items)
            written = time.perf_counter() - start
            start = time.perf_counter()
            result = read_orders(path, known_hubs=set(BACKHAUL), rocket=rocket)
            read = time.perf_counter() - start
            same = all(
                np.array_equal(column, getattr(result.orders, name))
                for name, column in orders.columns().items()
            ) and all(
                np.array_equal(column, getattr(result.items, name))
                for name, column in items.columns().items()
            )
            size_mb = path.stat().st_size / 1e6
            print(f"{fmt} write: {written:.2f} s ({size_mb:.0f} MB)")
            print(f"{fmt} read + validate: {read:.2f} s ({result.rows_rejected} rejected)")
            print(f"{fmt} round trip identical: {same}")
            if not same or result.rows_rejected:
                return 1
    print(f"peak memory overall: {peak_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
