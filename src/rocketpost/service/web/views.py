"""What the control room's map draws that the API does not answer: the reach heat map (it
depends on the network alone, an immutable object, so it is computed once per network) and
the design view. The network itself is ``GET /v1/ops/sites``
(:func:`rocketpost.service.controlroom.network_view`).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from rocketpost.network import Network

__all__ = ["REACH_CELL_DEG", "design_view", "reach_grid"]

REACH_CELL_DEG = 2.0
"""Side of a heat-map cell: ~220 km, finer than a landing site's drone catchment is useful at
world scale, coarse enough that the whole grid is a few thousand cells."""


def _finite_or_none(value: float) -> float | None:
    return round(float(value), 1) if math.isfinite(value) else None


@lru_cache(maxsize=4)
def reach_grid(network: Network, mode: str = "any") -> dict[str, Any]:
    """The reach heat map: per grid cell, the fastest promise to its cities and their people.

    Cities (≥ 15,000 people, :func:`rocketpost.core.reach.compute_reach`) are binned into
    :data:`REACH_CELL_DEG` cells; a cell's ``promise_min`` is the best promise (ETA plus the
    network's buffer, worst-case wave wait) to any of its cities, ``covered_pop`` the people of
    its cities within the one-hour promise, ``pop`` all of them. Only cells with cities are sent.
    """
    from rocketpost.core.reach import compute_reach

    result = compute_reach(network, mode=mode)
    cities = result.cities
    promise_min = (np.asarray(result.best_s) + network.promise.buffer_s) / 60.0
    row = np.floor((np.asarray(cities.lat_deg) + 90.0) / REACH_CELL_DEG).astype(np.int64)
    col = np.floor((np.asarray(cities.lon_deg) + 180.0) / REACH_CELL_DEG).astype(np.int64)
    n_cols = round(360.0 / REACH_CELL_DEG)
    cell = row * n_cols + col
    unique, inverse = np.unique(cell, return_inverse=True)
    best = np.full(unique.size, np.inf)
    np.minimum.at(best, inverse, promise_min)
    population = np.asarray(cities.population, dtype=np.float64)
    pop = np.bincount(inverse, weights=population, minlength=unique.size)
    covered = np.bincount(
        inverse, weights=np.where(result.covered, population, 0.0), minlength=unique.size
    )
    cells = [
        [
            round(-90.0 + float(u // n_cols) * REACH_CELL_DEG, 3),
            round(-180.0 + float(u % n_cols) * REACH_CELL_DEG, 3),
            _finite_or_none(b),
            int(p),
            int(c),
        ]
        for u, b, p, c in zip(unique.tolist(), best, pop, covered, strict=True)
    ]
    return {
        "mode": mode,
        "cell_deg": REACH_CELL_DEG,
        "threshold_min": result.threshold_min,
        "share": round(result.share, 6),
        "population_covered": result.population_covered,
        "columns": ["lat_deg", "lon_deg", "promise_min", "pop", "covered_pop"],
        "cells": cells,
    }


def design_view(network: Network) -> dict[str, Any]:
    """The designer's frontier and chosen sites, when :mod:`rocketpost.design` provides them.

    The designer (issue #15) has only its candidate generator so far; until it publishes a
    ``frontier`` this answers ``available: false`` with the network's own landing sites as the
    chosen ones, and the page shows the design view as "not designed yet".
    """
    import rocketpost.design as design

    frontier = getattr(design, "frontier", None)
    chosen = [
        {"id": s.site_id, "lat_deg": s.position[0], "lon_deg": s.position[1]}
        for s in network.landing_sites
    ]
    if frontier is None or not callable(frontier):
        return {"available": False, "frontier": [], "chosen_sites": chosen}
    try:
        points = frontier(network)
    except Exception as exc:  # the designer is another team's moving target: show, don't fail
        return {"available": False, "error": str(exc), "frontier": [], "chosen_sites": chosen}
    return {"available": True, "frontier": points, "chosen_sites": chosen}
