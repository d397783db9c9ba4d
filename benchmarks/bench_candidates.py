"""Candidate landing sites: build time cold (no cache) and warm (disk cache, memory), and counts.

The world tables (cities, ports, the land mask's own cache) are loaded first and timed apart,
so "cold" is the candidate search itself. The candidate cache lives in the user's world cache
directory (``rocketpost.world.cache.cache_dir()``), as in normal use.
Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_candidates.py [MIN_POPULATION]``.
"""

from __future__ import annotations

import sys
import time

from rocketpost.design import candidates as candidates_module
from rocketpost.design.candidates import (
    CandidateSettings,
    build_candidates,
    candidates_cache_file,
    covered_population,
    select_sites,
)
from rocketpost.world import coarse_mask, is_land, load_cities, load_ports


def _timed(label: str, function: object, *args: object, **kwargs: object) -> object:
    start = time.perf_counter()
    result = function(*args, **kwargs)  # type: ignore[operator]
    print(f"{label:<44} {time.perf_counter() - start:8.3f} s")
    return result


def main() -> None:
    min_population = int(sys.argv[1]) if len(sys.argv) > 1 else 15_000
    settings = CandidateSettings(min_population=min_population)
    _timed("world tables (cities, ports, mask, coarse)", lambda: (
        load_cities(min_population), load_ports(), is_land(0.0, 0.0), coarse_mask(0.1)
    ))  # fmt: skip
    table = _timed("cold build (no cache)", build_candidates, settings, use_cache=False)
    candidates_module._cached.cache_clear()
    candidates_cache_file(settings).unlink(missing_ok=True)  # our own file: measure a rebuild
    _timed("cold build + write disk cache", build_candidates, settings)
    candidates_module._cached.cache_clear()
    warm = _timed("warm: read disk cache", build_candidates, settings)
    _timed("warm: in-process cache", build_candidates, settings)
    selected = _timed("select 300 sites (greedy)", select_sites, warm, top_n=300)
    assert table.equals(warm)  # type: ignore[union-attr]
    print(f"cities >= {min_population:,}: {len(load_cities(min_population)):,}")
    print(f"candidates: {len(warm):,} (cache {candidates_cache_file(settings)})")
    print(
        f"selected: {len(selected)}; sum of drone catchments "
        f"{int(selected.drone_catchment.sum()) / 1e6:,.1f} M; distinct people in drone reach "
        f"{covered_population(selected, min_population=min_population) / 1e6:,.1f} M"
    )


if __name__ == "__main__":
    main()
