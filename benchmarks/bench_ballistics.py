"""Benchmark of rocketpost.core.ballistics: a million-pair rotating solve and the hub × hub table.

Run: ``.venv/bin/python benchmarks/bench_ballistics.py [--pairs N] [--repeat K]``. Prints one
figure per line; times are the best of ``--repeat`` runs (the machine is shared, and the best
run is the one least disturbed by other work).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from rocketpost.core.ballistics import min_energy_trajectory
from rocketpost.core.burnout import burnout_state_inertial

HUBS = {  # 16 plausible hub sites (lat, lon)
    "Shanghai": (31.23, 121.47),
    "Shenzhen": (22.54, 114.06),
    "Seoul": (37.57, 126.98),
    "Tokyo": (35.68, 139.69),
    "Singapore": (1.35, 103.82),
    "Dubai": (25.20, 55.27),
    "Mumbai": (19.08, 72.88),
    "Frankfurt": (50.11, 8.68),
    "London": (51.51, -0.13),
    "Rotterdam": (51.92, 4.48),
    "New York": (40.71, -74.01),
    "Los Angeles": (34.05, -118.24),
    "Mexico City": (19.43, -99.13),
    "São Paulo": (-23.55, -46.63),
    "Lagos": (6.52, 3.38),
    "Sydney": (-33.87, 151.21),
}


def best_of(repeat: int, call: Callable[[], object]) -> float:
    """Shortest wall time of ``repeat`` calls (s)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.pairs
    rng = np.random.default_rng(20250601)
    # Uniform on the sphere: latitude from arcsin of a uniform sine.
    lat1 = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))
    lat2 = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))
    lon1 = rng.uniform(-180.0, 180.0, n)
    lon2 = rng.uniform(-180.0, 180.0, n)

    rotating_s = best_of(args.repeat, lambda: min_energy_trajectory(lat1, lon1, lat2, lon2))
    print(f"min_energy_trajectory {n:,} random pairs, rotating: {rotating_s:.3f} s")
    print(f"min_energy_trajectory rotating throughput: {n / rotating_s:,.0f} pairs/s")
    state = burnout_state_inertial(lat1, lon1, lat2, lon2)
    print(f"rotation iterations to converge (|dT| < 1e-6 s), {n:,} pairs: {state.iterations}")
    state_s = best_of(args.repeat, lambda: burnout_state_inertial(lat1, lon1, lat2, lon2))
    print(f"burnout_state_inertial {n:,} random pairs, rotating: {state_s:.3f} s")
    fixed_s = best_of(
        args.repeat, lambda: min_energy_trajectory(lat1, lon1, lat2, lon2, rotating=False)
    )
    print(f"min_energy_trajectory {n:,} random pairs, non-rotating: {fixed_s:.3f} s")
    print(f"min_energy_trajectory non-rotating throughput: {n / fixed_s:,.0f} pairs/s")

    hub_lat = np.array([p[0] for p in HUBS.values()])
    hub_lon = np.array([p[1] for p in HUBS.values()])
    k = hub_lat.size

    def hub_table() -> object:
        return min_energy_trajectory(
            hub_lat[:, None], hub_lon[:, None], hub_lat[None, :], hub_lon[None, :]
        )

    hub_s = best_of(200, hub_table)
    table = min_energy_trajectory(
        hub_lat[:, None], hub_lon[:, None], hub_lat[None, :], hub_lon[None, :]
    )
    hub_state = burnout_state_inertial(
        hub_lat[:, None], hub_lon[:, None], hub_lat[None, :], hub_lon[None, :]
    )
    off_diagonal = ~np.eye(k, dtype=bool)
    print(f"hub x hub {k}x{k} rotating: {hub_s * 1e3:.3f} ms")
    print(f"hub x hub rotation iterations: {hub_state.iterations}")
    print(
        f"hub x hub flight time (off-diagonal): min {table.flight_s[off_diagonal].min() / 60:.1f}"
        f" min, max {table.flight_s[off_diagonal].max() / 60:.1f} min"
    )


if __name__ == "__main__":
    main()
