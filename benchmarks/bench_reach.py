"""The whole ``rocketpost reach`` command in a fresh process (target < 3 s), best of 3; also per
preset and ``--mode``; and reach at the confidence (``--confidence``, ``--climate``) for every
city of ≥ 15,000 people: the library call alone (first in a process: its distributions built;
then again: cached per lane) and the whole command."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rocketpost.cli", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def at_confidence_in_process() -> None:
    """The library call on ~34,000 cities, rocket-hour preset, stock in China."""
    from rocketpost.core.reach import compute_reach
    from rocketpost.core.reach_confidence import reach_at_confidence
    from rocketpost.network import default_network
    from rocketpost.promise.conditions import Conditions

    network = default_network("rocket-hour")
    for mode in ("any", "rocket", "ground"):
        base = compute_reach(network, stock_hubs=["HZB", "SHA", "SZX"], mode=mode)
        for climate in (False, True):
            times = []
            for _ in range(3):
                start = time.perf_counter()
                result = reach_at_confidence(base, Conditions(), climate=climate)
                times.append(time.perf_counter() - start)
            label = "--climate" if climate else "--confidence"
            print(
                f"reach_at_confidence {label} --mode {mode}, {len(base.cities):,} cities: "
                f"first {times[0]:.2f} s, then best {min(times[1:]):.2f} s "
                f"({result.share:.2%} of city people)"
            )


def main() -> None:
    at_confidence_in_process()
    timed(["reach", "--json"])  # warm the land-mask cache and the OS file cache
    with tempfile.TemporaryDirectory() as tmp:
        plain = min(timed(["reach"]) for _ in range(3))
        as_json = min(timed(["reach", "--json"]) for _ in range(3))
        with_files = min(
            timed(
                [
                    "reach",
                    "--map",
                    str(Path(tmp) / "r.png"),
                    "--geojson",
                    str(Path(tmp) / "r.geojson"),
                ]
            )
            for _ in range(3)
        )
    print(f"rocketpost reach (table), whole process: {plain:.2f} s (target < 3 s)")
    print(f"rocketpost reach --json, whole process: {as_json:.2f} s")
    print(f"rocketpost reach --map --geojson, whole process: {with_files:.2f} s")
    for preset in ("today", "rocket-hour"):
        args = ["reach", "--hubs", "HZB,SHA,SZX", "--preset", preset, "--json"]
        timed([*args, "--mode", "rocket"])  # the landing sites' water routes, cached on disk
        for mode in ("rocket", "ground", "any"):
            best = min(timed([*args, "--mode", mode]) for _ in range(3))
            print(f"rocketpost reach --preset {preset} --mode {mode} --json: {best:.2f} s")
            for rule in ("--confidence", "--climate"):
                best = min(timed([*args, "--mode", mode, rule]) for _ in range(3))
                print(
                    f"rocketpost reach --preset {preset} --mode {mode} {rule} --json: {best:.2f} s"
                )


if __name__ == "__main__":
    main()
