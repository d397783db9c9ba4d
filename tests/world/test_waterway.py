"""Boat routes over water, on synthetic masks where the right answer is known."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.geo import great_circle_km
from rocketpost.world.waterway import MASK_CELL_DEG, boat_route_km

IsLand = Callable[[ArrayLike, ArrayLike], NDArray[np.bool_]]

START = (10.0, 10.0)
PORT = (10.0, 10.2)  # 21.9 km due east
WALL_LON = (10.09, 10.11)  # a north-south wall of land between them
CELL_KM = MASK_CELL_DEG * 111.2


def open_sea(lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
    return np.zeros(np.broadcast(np.asarray(lat_deg), np.asarray(lon_deg)).shape, dtype=bool)


def wall_with_gap_north_of(gap_lat_deg: float) -> IsLand:
    def is_land(lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
        lat, lon = np.broadcast_arrays(np.asarray(lat_deg), np.asarray(lon_deg))
        return (WALL_LON[0] <= lon) & (lon <= WALL_LON[1]) & (lat <= gap_lat_deg)

    return is_land


def straight_km() -> float:
    return float(great_circle_km(*START, *PORT))


def test_open_water_route_is_the_straight_line_within_the_grid_bound() -> None:
    route = boat_route_km(*START, *PORT, is_land=open_sea)
    assert route is not None
    # 8-connected grid paths overestimate a free heading by at most ~8 %; the start is snapped
    # to its mask cell, which may shorten the route by up to one cell (~0.93 km).
    assert straight_km() - CELL_KM <= route <= 1.09 * straight_km()


def test_route_goes_round_a_wall_through_its_gap() -> None:
    gap_lat = START[0] + 0.2  # 22 km north of the straight line, inside the 30 km margin
    route = boat_route_km(*START, *PORT, is_land=wall_with_gap_north_of(gap_lat))
    assert route is not None
    detour_km = 2.0 * float(great_circle_km(START[0], WALL_LON[0], gap_lat, WALL_LON[0]))
    assert route >= detour_km


def test_no_route_when_the_wall_closes_the_window() -> None:
    closed = wall_with_gap_north_of(START[0] + 5.0)  # beyond the search window
    assert boat_route_km(*START, *PORT, is_land=closed) is None


def test_a_wider_window_finds_the_route_round_a_far_headland() -> None:
    headland = wall_with_gap_north_of(START[0] + 0.4)  # 44 km north: outside a 30 km margin
    assert boat_route_km(*START, *PORT, is_land=headland) is None
    assert boat_route_km(*START, *PORT, is_land=headland, margin_km=60.0) is not None


def test_start_on_land_has_no_route() -> None:
    def land_at_start(lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
        lat, lon = np.broadcast_arrays(np.asarray(lat_deg), np.asarray(lon_deg))
        return (np.abs(lat - START[0]) < 0.02) & (np.abs(lon - START[1]) < 0.02)

    assert boat_route_km(*START, *PORT, is_land=land_at_start) is None


def test_a_port_on_its_quay_is_reached_from_the_water_beside_it() -> None:
    def quay(lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
        _, lon = np.broadcast_arrays(np.asarray(lat_deg), np.asarray(lon_deg))
        return lon >= PORT[1] - 0.005  # the port point is 0.5 km inland

    route = boat_route_km(*START, *PORT, is_land=quay)
    assert route is not None
    assert route == pytest.approx(straight_km(), rel=0.09)
    assert boat_route_km(*START, *PORT, is_land=quay, berth_reach_km=0.1) is None
