"""The whole ``rocketpost reach`` command in a fresh process (target < 3 s), best of 3; also per
preset and ``--mode``."""

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


def main() -> None:
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


if __name__ == "__main__":
    main()
