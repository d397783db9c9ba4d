"""The quote fast path equals ``rocketpost.core.eta`` leg by leg, on random places and times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rocketpost.core.eta import LEG_NAMES, Parcel, eta_to_place, eta_to_places
from rocketpost.errors import InputError
from rocketpost.network import default_network
from rocketpost.service.fastquote import FastRouter

NETWORK = default_network()
ROUTER = FastRouter(NETWORK)
HUBS = NETWORK.hub_ids
T0 = datetime(2026, 11, 25, tzinfo=UTC)

latitudes = st.floats(min_value=-90.0, max_value=90.0, allow_nan=False)
longitudes = st.floats(min_value=-180.0, max_value=180.0, allow_nan=False)
# Drone-eligible and van-only parcels both occur (the drone's payload limits are a few kg).
masses = st.floats(min_value=0.01, max_value=10_000.0, allow_nan=False)
volumes = st.floats(min_value=1e-4, max_value=120.0, allow_nan=False)
# Any instant in a month, to the microsecond: wave waits of every phase, exact boundaries too.
offsets_us = st.integers(min_value=0, max_value=30 * 86_400 * 10**6)
origins = st.one_of(st.none(), st.sampled_from(HUBS))


def _near_hub(draw: st.DrawFn) -> tuple[float, float]:
    """A point a few km from a hub's port or pad: where ground vs rocket and drone vs van flip."""
    hub = NETWORK.hubs[draw(st.integers(0, len(NETWORK.hubs) - 1))]
    lat, lon = hub.port_position if draw(st.booleans()) else hub.pad
    dlat = draw(st.floats(min_value=-0.5, max_value=0.5))
    dlon = draw(st.floats(min_value=-0.5, max_value=0.5))
    return float(np.clip(lat + dlat, -90, 90)), float(((lon + dlon + 180.0) % 360.0) - 180.0)


@st.composite
def places(draw: st.DrawFn) -> tuple[float, float]:
    if draw(st.booleans()):
        return _near_hub(draw)
    return draw(latitudes), draw(longitudes)


def _expected(
    lat: float, lon: float, when: datetime, mass: float, volume: float, origin: str | None
) -> dict[str, object]:
    result = eta_to_places(
        NETWORK,
        [lat],
        [lon],
        origins=None if origin is None else [origin],
        parcel=Parcel(mass_kg=mass, volume_m3=volume),
        order_time=when,
    )
    row = int(np.argmin(result.total_s[:, 0]))
    return {
        "origin_index": int(result.origin_index[row]),
        "destination_index": int(result.destination_index[row, 0]),
        "mode": str(result.mode[row, 0]),
        "last_mile_vehicle": str(result.last_mile_vehicle[row, 0]),
        "last_mile_km": float(result.last_mile_km[row, 0]),
        "range_km": float(result.range_km[row, 0]),
        "legs_s": {name: float(getattr(result.legs, name)[row, 0]) for name in LEG_NAMES},
        "total_s": float(result.total_s[row, 0]),
    }


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(places(), offsets_us, masses, volumes, origins)
def test_equals_eta_to_places_leg_by_leg(
    place: tuple[float, float], offset_us: int, mass: float, volume: float, origin: str | None
) -> None:
    lat, lon = place
    when = T0 + timedelta(microseconds=offset_us)
    fast = ROUTER.route(
        lat,
        lon,
        order_time=when,
        mass_kg=mass,
        volume_m3=volume,
        origins=None if origin is None else [origin],
    )
    expected = _expected(lat, lon, when, mass, volume, origin)
    # Exact equality, not approx: the fast path repeats eta's arithmetic in eta's order.
    assert {
        "origin_index": fast.origin_index,
        "destination_index": fast.destination_index,
        "mode": fast.mode,
        "last_mile_vehicle": fast.last_mile_vehicle,
        "last_mile_km": fast.last_mile_km,
        "range_km": fast.range_km,
        "legs_s": fast.legs_s,
        "total_s": fast.total_s,
    } == expected
    assert list(fast.legs_s) == list(LEG_NAMES)


@settings(max_examples=200, deadline=None)
@given(places(), offsets_us, st.sampled_from(HUBS))
def test_equals_eta_to_place(place: tuple[float, float], offset_us: int, origin: str) -> None:
    lat, lon = place
    when = T0 + timedelta(microseconds=offset_us)
    route = eta_to_place(NETWORK, origin, lat, lon, order_time=when)
    fast = ROUTER.route(lat, lon, order_time=when, mass_kg=1.0, volume_m3=0.005, origins=[origin])
    assert HUBS[fast.origin_index] == route.origin_hub
    assert HUBS[fast.destination_index] == route.destination_hub
    assert fast.mode == route.mode
    assert fast.last_mile_vehicle == route.last_mile_vehicle
    assert fast.last_mile_km == route.last_mile_km
    assert fast.range_km == route.range_km
    assert fast.legs_s == route.legs_s
    assert fast.total_s == route.total_s


def test_many_random_places_against_one_vectorised_call() -> None:
    """2,000 places in one eta_to_places call (every origin) against the fast path one by one."""
    rng = np.random.default_rng(20261125)
    lat = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, 2_000)))
    lon = rng.uniform(-180.0, 180.0, 2_000)
    when = T0 + timedelta(seconds=float(rng.uniform(0, 86_400)))
    result = eta_to_places(NETWORK, lat, lon, order_time=when)
    rows = np.argmin(result.total_s, axis=0)
    for p in range(lat.size):
        fast = ROUTER.route(
            float(lat[p]), float(lon[p]), order_time=when, mass_kg=1.0, volume_m3=0.005
        )
        row = int(rows[p])
        assert fast.total_s == float(result.total_s[row, p])
        assert fast.origin_index == int(result.origin_index[row])
        assert fast.destination_index == int(result.destination_index[row, p])
        assert fast.legs_s == {
            name: float(getattr(result.legs, name)[row, p]) for name in LEG_NAMES
        }


def test_ground_and_rocket_both_occur() -> None:
    """The comparison above is not vacuous: next to a hub it's ground, far away a rocket."""
    hub = NETWORK.hubs[0]
    near = ROUTER.route(*hub.pad, order_time=T0, mass_kg=1.0, volume_m3=0.005, origins=[hub.hub_id])
    assert near.mode == "ground" and near.destination_index == near.origin_index
    far_hub = NETWORK.hubs[-1]
    far = ROUTER.route(
        *far_hub.port_position, order_time=T0, mass_kg=1.0, volume_m3=0.005, origins=[hub.hub_id]
    )
    assert far.mode == "rocket" and far.legs_s["wave_wait"] >= 0.0


def test_refuses_bad_input() -> None:
    with pytest.raises(InputError, match="latitude"):
        ROUTER.route(91.0, 0.0, order_time=T0, mass_kg=1.0, volume_m3=0.005)
    with pytest.raises(InputError, match="longitude"):
        ROUTER.route(0.0, float("nan"), order_time=T0, mass_kg=1.0, volume_m3=0.005)
    with pytest.raises(InputError, match="order_time"):
        ROUTER.route(0.0, 0.0, order_time=datetime(2026, 1, 1), mass_kg=1.0, volume_m3=0.005)
    with pytest.raises(InputError, match="hub"):
        ROUTER.route(0.0, 0.0, order_time=T0, mass_kg=1.0, volume_m3=0.005, origins=["NOPE"])
