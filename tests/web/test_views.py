"""The map's network view, the reach heat-map grid and the design view."""

from __future__ import annotations

import math

import numpy as np

from rocketpost.core.reach import compute_reach
from rocketpost.network import Network
from rocketpost.service.web.views import REACH_CELL_DEG, design_view, reach_grid


def test_reach_grid_bins_every_city_once(network: Network) -> None:
    grid = reach_grid(network, "any")
    result = compute_reach(network, mode="any")
    cells = np.array(
        [[c[0], c[1], np.nan if c[2] is None else c[2], c[3], c[4]] for c in grid["cells"]]
    )
    # Population, covered population and the share add up to the reach computation's.
    assert round(cells[:, 3].sum()) == result.population_total
    assert round(cells[:, 4].sum()) == result.population_covered
    assert grid["share"] == round(result.share, 6)
    # Cells are whole grid squares on the globe, each listed once.
    assert np.all(cells[:, 0] >= -90) and np.all(cells[:, 0] < 90)
    assert np.all(cells[:, 1] >= -180) and np.all(cells[:, 1] < 180)
    assert np.allclose(np.mod(cells[:, :2], REACH_CELL_DEG), 0.0)
    assert len({(a, b) for a, b in cells[:, :2]}) == len(cells)
    # A cell's promise is the best promise to a city inside it.
    cities = result.cities
    best_min = (np.asarray(result.best_s) + network.promise.buffer_s) / 60.0
    i = int(np.nanargmin(np.where(np.isfinite(best_min), best_min, np.nan)))
    lat0 = math.floor((cities.lat_deg[i] + 90) / REACH_CELL_DEG) * REACH_CELL_DEG - 90
    lon0 = math.floor((cities.lon_deg[i] + 180) / REACH_CELL_DEG) * REACH_CELL_DEG - 180
    row = next(c for c in grid["cells"] if c[0] == lat0 and c[1] == lon0)
    assert abs(row[2] - best_min[i]) <= 0.05
    # Covered people are exactly those within the promise.
    assert all(c[4] == 0 or (c[2] is not None and c[2] <= 60.0 + 0.05) for c in grid["cells"])


def test_design_view_without_a_designer_frontier_shows_the_network_sites(
    network: Network,
) -> None:
    view = design_view(network)
    assert view["available"] is False
    assert [s["id"] for s in view["chosen_sites"]] == list(network.site_ids)
