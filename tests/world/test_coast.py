"""Distance to land and land crossings, on the real mask near known coasts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rocketpost.core.geo import destination_point
from rocketpost.errors import InputError
from rocketpost.world.coast import distance_to_land_km, segment_crosses_land
from rocketpost.world.landmask import is_land

PARIS = (48.8566, 2.3522)
MID_ATLANTIC = (30.0, -40.0)


def _straight_coast() -> tuple[float, float]:
    """First land cell going east at 44.5° N: the dead-straight Landes coast of France."""
    lat = 44.5
    lons = np.arange(-2.5, 0.0, 0.0005)
    coast = float(lons[np.argmax(is_land(lat, lons))])
    assert -1.4 < coast < -1.1
    return lat, coast


@pytest.mark.parametrize("offshore_km", [5.0, 20.0, 35.0])
def test_distance_to_land_off_a_straight_coast(offshore_km: float) -> None:
    lat, coast = _straight_coast()
    sea_lat, sea_lon = destination_point(lat, coast, 270.0, offshore_km)
    distance = distance_to_land_km(float(sea_lat), float(sea_lon))
    assert distance == pytest.approx(offshore_km, abs=2.0)


def test_distance_to_land_limits() -> None:
    assert distance_to_land_km(*PARIS) == 0.0
    assert distance_to_land_km(*MID_ATLANTIC) == math.inf
    lat, coast = _straight_coast()
    sea_lat, sea_lon = destination_point(lat, coast, 270.0, 20.0)
    assert distance_to_land_km(float(sea_lat), float(sea_lon), max_km=10.0) == math.inf


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_km": 0.0}, "max_km"),
        ({"max_km": float("nan")}, "max_km"),
        ({"step_km": -1.0}, "step_km"),
        ({"lat_deg": 91.0}, "lat_deg"),
    ],
)
def test_distance_to_land_rejects_bad_input(kwargs: dict[str, float], field: str) -> None:
    arguments = {"lat_deg": 30.0, "lon_deg": -40.0, **kwargs}
    with pytest.raises(InputError, match=field):
        distance_to_land_km(**arguments)


def test_segment_crosses_land() -> None:
    assert segment_crosses_land(45.0, -3.0, 43.0, 5.0)  # Bay of Biscay to the Gulf of Lion
    assert not segment_crosses_land(30.0, -40.0, 35.0, -30.0)  # open Atlantic


def test_segment_from_a_shore_port_is_allowed() -> None:
    lat, coast = _straight_coast()  # a land cell on the beach, like a port's quay point
    assert bool(is_land(lat, coast))
    assert not segment_crosses_land(lat, coast, lat, coast - 0.2)
    assert segment_crosses_land(lat, coast, lat, coast - 0.2, endpoint_clearance_km=0.0)
    assert not segment_crosses_land(lat, coast, lat, coast - 0.01)  # shorter than 2 km


def test_segment_rejects_bad_input() -> None:
    with pytest.raises(InputError, match="step_km"):
        segment_crosses_land(0.0, 0.0, 1.0, 1.0, step_km=0.0)
    with pytest.raises(InputError, match="lat_deg"):
        segment_crosses_land(95.0, 0.0, 1.0, 1.0)
