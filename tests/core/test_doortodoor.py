"""The one door-to-door kernel and its wrappers (eta, the quote's one row, per-origin, blocks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rocketpost.core.doortodoor import (
    LEG_NAMES,
    KernelOptions,
    ParcelRows,
    Routes,
    door_to_door,
    network_legs,
)
from rocketpost.core.eta import EtaOptions, Parcel, eta_to_place, eta_to_places
from rocketpost.errors import InputError
from rocketpost.network import default_network, load_network
from rocketpost.service.quoting import QuoteEngine, ResolvedPlace

NETWORK = default_network("today")
LEGS = network_legs(NETWORK)
ENGINE = QuoteEngine(NETWORK)
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


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(places(), offsets_us, masses, volumes, origins)
def test_quote_route_is_the_best_origin_of_eta_to_places(
    place: tuple[float, float], offset_us: int, mass: float, volume: float, origin: str | None
) -> None:
    """The quote's one row (best origin) and eta's per-origin cube pick the same route."""
    lat, lon = place
    when = T0 + timedelta(microseconds=offset_us)
    route = ENGINE.plan(
        ResolvedPlace("p", "US", lat, lon),
        mass_kg=mass,
        volume_m3=volume,
        ready_at=when,
        origin_hub=origin,
    )
    result = eta_to_places(
        NETWORK,
        [lat],
        [lon],
        origins=None if origin is None else [origin],
        parcel=Parcel(mass_kg=mass, volume_m3=volume),
        options=EtaOptions(order_time=when),
    )
    row = int(np.argmin(result.total_s[:, 0]))
    assert route.origin_hub == HUBS[int(result.origin_index[row])]
    assert route.destination_hub == HUBS[int(result.destination_index[row, 0])]
    assert route.mode == str(result.mode[row, 0])
    assert route.eta_s == float(result.total_s[row, 0])
    assert route.legs_s == {name: float(getattr(result.legs, name)[row, 0]) for name in LEG_NAMES}
    assert list(route.legs_s) == list(LEG_NAMES)


@settings(max_examples=100, deadline=None)
@given(places(), offsets_us, st.sampled_from(HUBS))
def test_eta_to_place_is_one_row_of_eta_to_places(
    place: tuple[float, float], offset_us: int, origin: str
) -> None:
    lat, lon = place
    when = T0 + timedelta(microseconds=offset_us)
    at = EtaOptions(order_time=when)
    one = eta_to_place(NETWORK, origin, lat, lon, options=at)
    many = eta_to_places(NETWORK, [lat], [lon], origins=[origin], options=at)
    assert one.total_s == float(many.total_s[0, 0])
    assert one.mode == str(many.mode[0, 0])
    assert one.last_mile_vehicle == str(many.last_mile_vehicle[0, 0])
    assert one.legs_s == {name: float(getattr(many.legs, name)[0, 0]) for name in LEG_NAMES}


def test_blocks_per_origin_and_best_agree() -> None:
    """Block-wise evaluation equals one block; the best row is the argmin of the per-origin."""
    rng = np.random.default_rng(20261125)
    lat = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, 1_500)))
    lon = rng.uniform(-180.0, 180.0, 1_500)
    ready = T0.timestamp() + rng.uniform(0, 86_400, 1_500)
    drone_ok = rng.random(1_500) < 0.5
    may_fly = rng.random(1_500) < 0.8
    allowed = rng.random((1_500, len(HUBS))) < 0.3
    rows = ParcelRows(lat, lon, ready_s=ready, drone_ok=drone_ok, may_fly=may_fly, allowed=allowed)
    whole = door_to_door(LEGS, rows)
    blocks = door_to_door(LEGS, rows, KernelOptions(block_rows=97))
    for name in ("origin", "destination", "ground", "drone", "total_s", "last_mile_s"):
        np.testing.assert_array_equal(getattr(whole, name), getattr(blocks, name))
    np.testing.assert_array_equal(whole.launch_s, blocks.launch_s)
    per = door_to_door(LEGS, rows, KernelOptions(per_origin=True))
    best = np.argmin(per.total_s, axis=0)
    cols = np.arange(lat.size)
    np.testing.assert_array_equal(per.total_s[best, cols], whole.total_s)
    np.testing.assert_array_equal(per.destination[best, cols], whole.destination)
    blocked = door_to_door(LEGS, rows, KernelOptions(per_origin=True, block_rows=97))
    np.testing.assert_array_equal(blocked.total_s, per.total_s)
    np.testing.assert_array_equal(blocked.last_mile_s, per.last_mile_s)
    # Nothing that may not fly flies; nothing with no stock has a route.
    assert whole.ground[~may_fly & np.isfinite(whole.total_s)].all()
    assert np.isinf(whole.total_s[~allowed.any(axis=1)]).all()
    assert not whole.drone[~drone_ok].any()


@pytest.mark.parametrize("preset", ["today", "rocket-hour"])
def test_a_single_row_is_its_row_of_a_block_bit_for_bit(preset: str) -> None:
    """A quote's row (Python floats, no row axis) equals its row of a 300-row block in every
    field, with per-row ready times, flags and stock, from every hub and from a few; the
    rocket-hour preset adds landing sites whose vessel launches drones."""
    legs = LEGS if preset == "today" else network_legs(load_network(None, preset=preset))
    rng = np.random.default_rng(7)
    n = 300
    # A third each near a pad (ground), near a landing site (the vessel's drone), anywhere.
    net = legs.network
    pad, site = rng.integers(0, legs.hub_count, n), rng.integers(0, legs.site_count, n)
    kind = rng.integers(0, 3, n)
    lat = np.select(
        [kind == 0, kind == 1],
        [net.pad_lat_deg[pad], net.site_lat_deg[site]],
        np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n))),
    )
    lon = np.select(
        [kind == 0, kind == 1],
        [net.pad_lon_deg[pad], net.site_lon_deg[site]],
        rng.uniform(-180.0, 180.0, n),
    )
    lat = (lat + np.where(kind < 2, rng.uniform(-0.2, 0.2, n), 0.0)).clip(-90.0, 90.0)
    lon = ((lon + np.where(kind < 2, rng.uniform(-0.2, 0.2, n), 0.0) + 180.0) % 360.0) - 180.0
    ready = T0.timestamp() + rng.uniform(0, 86_400, n)
    drone_ok, may_fly = rng.random(n) < 0.7, rng.random(n) < 0.8
    for origins in (None, np.array([0, 3, legs.hub_count - 1])):
        width = legs.hub_count if origins is None else origins.size
        allowed = rng.random((n, width)) < 0.7
        options = KernelOptions(origins=origins)
        block = door_to_door(legs, ParcelRows(lat, lon, ready, drone_ok, may_fly, allowed), options)
        if preset != "today" and origins is None:
            assert block.vessel.any() and block.ground.any() and block.drone.any()
        for i in range(n):
            one = door_to_door(
                legs,
                ParcelRows(
                    float(lat[i]),
                    float(lon[i]),
                    float(ready[i]),
                    bool(drone_ok[i]),
                    bool(may_fly[i]),
                    allowed[i],
                ),
                options,
            )
            for name in Routes.__dataclass_fields__:
                np.testing.assert_array_equal(
                    getattr(one, name), getattr(block, name)[i : i + 1], err_msg=f"{name} row {i}"
                )


def test_ground_and_rocket_both_occur() -> None:
    hub = NETWORK.hubs[0]
    lat, lon = hub.pad
    first_hub = KernelOptions(origins=np.array([0]))
    near = door_to_door(LEGS, ParcelRows(lat, lon, ready_s=T0.timestamp()), first_hub)
    assert near.ground[0] and near.destination[0] == near.origin[0] == 0
    far_lat, far_lon = NETWORK.hubs[-1].port_position
    far = door_to_door(LEGS, ParcelRows(far_lat, far_lon, ready_s=T0.timestamp()), first_hub)
    assert not far.ground[0] and far.wait_s[0] >= 0.0
    assert far.launch_s[0] % NETWORK.launch_wave_interval_s[0] == 0.0
    grounded = door_to_door(
        LEGS, ParcelRows(far_lat, far_lon, ready_s=T0.timestamp(), may_fly=False), first_hub
    )
    assert grounded.ground[0] and grounded.total_s[0] > far.total_s[0]


def test_refuses_bad_input() -> None:
    with pytest.raises(InputError, match="latitude"):
        door_to_door(LEGS, ParcelRows(91.0, 0.0))
    with pytest.raises(InputError, match="longitude"):
        door_to_door(LEGS, ParcelRows(0.0, float("nan")))
    with pytest.raises(InputError, match="allowed_origins"):
        door_to_door(LEGS, ParcelRows([0.0, 1.0], [0.0, 1.0], allowed=np.ones((3, 2), dtype=bool)))
    with pytest.raises(InputError, match="drone_ok"):
        door_to_door(LEGS, ParcelRows([0.0, 1.0], [0.0, 1.0], drone_ok=[True, False, True]))
    with pytest.raises(InputError, match="hub"):
        LEGS.origin_indices(["NOPE"])
    place = ResolvedPlace("p", "US", 0.0, 0.0)
    with pytest.raises(InputError, match="ready_at"):
        ENGINE.plan(place, mass_kg=1.0, volume_m3=0.005, ready_at=datetime(2026, 1, 1))
    with pytest.raises(InputError, match="origin_hub"):
        ENGINE.plan(place, mass_kg=1.0, volume_m3=0.005, ready_at=T0, origin_hub="NOPE")
