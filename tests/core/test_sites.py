"""Landing sites in the kernel: drones from the vessel, boat and port, launch slots, fastest arcs.

Every expectation is computed by hand from the legs (the fastest coast from
:func:`rocketpost.core.fastest.fastest_trajectory`), not by the kernel.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rocketpost.core.eta import LEG_NAMES, EtaOptions, Parcel, eta_to_place, eta_to_places
from rocketpost.core.fastest import fastest_trajectory
from rocketpost.core.geo import destination_point, great_circle_km
from rocketpost.core.reach import compute_reach
from rocketpost.network import LandingSite, Network, load_network
from rocketpost.world.cities import load_cities

_S_PER_H = 3600.0


@pytest.fixture()
def site_network(tiny_network: Network) -> Network:
    """The tiny network plus two extra sites, drones from vessels, on-demand launch at A and
    the fastest arcs within 7,900 m/s."""
    sites = (
        LandingSite("S1", (0.5, 4.0), "XXS1AA", (0.5, 3.95), 6.0, drones=3),
        LandingSite("S2", (-0.5, 5.0), "XXS2AA", (-0.5, 4.95), 12.0, drones=0),
    )
    hub_a = dataclasses.replace(
        tiny_network.hubs[0],
        launch="on_demand",
        pads=2,
        pad_turnaround_min=10.0,  # a slot every 5 min
        prestaged_handling_min=2.0,
    )
    return dataclasses.replace(
        tiny_network,
        hubs=(hub_a, tiny_network.hubs[1]),
        extra_sites=sites,
        rocket=dataclasses.replace(
            tiny_network.rocket, trajectory="fastest", max_burnout_speed_ms=7900.0
        ),
        drone=dataclasses.replace(tiny_network.drone, from_vessel=True, vessel_transfer_min=3.0),
    )


def _flight_s(net: Network, hub: int, site: LandingSite) -> tuple[float, float]:
    pad, rocket = net.hubs[hub].pad, net.rocket
    arc = fastest_trajectory(
        pad[0], pad[1], site.position[0], site.position[1],
        max_burnout_speed_ms=rocket.max_burnout_speed_ms,
        burnout_altitude_km=rocket.burnout_altitude_km, ascent_s=rocket.ascent_s,
        descent_s=rocket.descent_s,
    )  # fmt: skip
    return float(arc.flight_s), float(arc.coast_s)


def test_site_arrays_put_hub_zones_first(site_network: Network) -> None:
    assert site_network.site_ids == ("A", "B", "S1", "S2")
    assert [s.hub_index for s in site_network.landing_sites] == [0, 1, -1, -1]
    assert site_network.site_index("s1") == 2
    assert site_network.site_boat_route_km.tolist() == [10.0, 10.0, 6.0, 12.0]
    # On demand: the slot interval plays the wave interval's role, the pod is pre-staged.
    assert site_network.launch_wave_interval_s.tolist() == [300.0, 600.0]
    assert site_network.handling_s.tolist() == [120.0, 300.0]


def test_drone_from_the_vessel_by_hand(site_network: Network) -> None:
    site = site_network.landing_sites[2]
    lat, lon = destination_point(site.position[0], site.position[1], 0.0, 4.0)  # 4 km north
    route = eta_to_place(site_network, "A", float(lat), float(lon))
    flight_s, coast_s = _flight_s(site_network, 0, site)
    drone_s = float(great_circle_km(*site.position, lat, lon)) / 60.0 * _S_PER_H
    assert route.destination_hub == "S1" and route.mode == "rocket"
    assert route.last_mile_vehicle == "drone"
    legs = route.legs_s
    assert legs["origin_handling"] == pytest.approx(120.0)  # pre-staged pod
    assert legs["wave_wait"] == pytest.approx(300.0)  # worst case: one launch slot
    assert legs["coast"] == pytest.approx(coast_s, abs=1e-6)
    assert legs["vessel_transfer"] == pytest.approx(180.0)
    assert legs["sea_transfer"] == legs["boat"] == legs["port_handling"] == 0.0
    assert legs["last_mile"] == pytest.approx(drone_s, rel=1e-9)
    assert route.total_s == pytest.approx(120.0 + 300.0 + flight_s + 180.0 + drone_s, abs=1e-6)
    assert list(legs) == list(LEG_NAMES)


def test_heavy_parcel_goes_by_boat_and_van(site_network: Network) -> None:
    site = site_network.landing_sites[2]
    lat, lon = destination_point(site.position[0], site.position[1], 0.0, 4.0)
    route = eta_to_place(site_network, "A", float(lat), float(lon), parcel=Parcel(5.0, 0.05))
    flight_s, _ = _flight_s(site_network, 0, site)
    van_s = float(great_circle_km(*site.port_position, lat, lon)) / 30.0 * _S_PER_H
    assert route.destination_hub == "S1" and route.last_mile_vehicle == "van"
    legs = route.legs_s
    assert legs["vessel_transfer"] == 0.0
    assert legs["sea_transfer"] == pytest.approx(300.0)
    assert legs["boat"] == pytest.approx(6.0 / 60.0 * _S_PER_H)
    assert route.total_s == pytest.approx(
        120.0 + 300.0 + flight_s + 300.0 + 360.0 + 0.0 + van_s, abs=1e-6
    )


def test_site_without_drones_uses_its_port(site_network: Network) -> None:
    site = site_network.landing_sites[3]
    lat, lon = destination_point(site.port_position[0], site.port_position[1], 180.0, 3.0)
    route = eta_to_place(site_network, "A", float(lat), float(lon))
    flight_s, _ = _flight_s(site_network, 0, site)
    drone_s = float(great_circle_km(*site.port_position, lat, lon)) / 60.0 * _S_PER_H
    assert route.destination_hub == "S2" and route.last_mile_vehicle == "drone"
    assert route.legs_s["vessel_transfer"] == 0.0
    assert route.total_s == pytest.approx(
        120.0 + 300.0 + flight_s + 300.0 + 720.0 + drone_s, abs=1e-6
    )


def test_exact_launch_slot(site_network: Network) -> None:
    from datetime import UTC, datetime

    site = site_network.landing_sites[2]
    lat, lon = destination_point(site.position[0], site.position[1], 0.0, 4.0)
    at = datetime(2026, 1, 1, 0, 1, 0, tzinfo=UTC)  # ready at 00:03: the 00:05 slot
    route = eta_to_place(
        site_network, "A", float(lat), float(lon), options=EtaOptions(order_time=at)
    )
    assert route.legs_s["wave_wait"] == pytest.approx(120.0)


def test_eta_to_places_over_sites_equals_eta_to_place(site_network: Network) -> None:
    rng = np.random.default_rng(7)
    lat = rng.uniform(-1.0, 1.0, 40)
    lon = rng.uniform(-0.5, 9.5, 40)
    many = eta_to_places(site_network, lat, lon)
    for row, origin in enumerate(("A", "B")):
        for i in range(lat.size):
            one = eta_to_place(site_network, origin, float(lat[i]), float(lon[i]))
            assert one.total_s == pytest.approx(float(many.total_s[row, i]), abs=1e-9)
            assert one.destination_hub == site_network.site_ids[many.destination_index[row, i]]
            assert one.legs_s == {
                name: float(getattr(many.legs, name)[row, i]) for name in LEG_NAMES
            }


def test_without_extra_sites_nothing_changes(tiny_network: Network) -> None:
    same = dataclasses.replace(tiny_network, extra_sites=())
    assert same.site_ids == tiny_network.hub_ids
    a = eta_to_places(tiny_network, [0.0, 0.1], [9.0, 0.2])
    assert np.all(a.legs.vessel_transfer == 0.0)


@pytest.fixture(scope="module")
def concept() -> Network:
    return load_network(None, preset="rocket-hour")


def test_rocket_reach_of_the_concept_recomputed_from_its_legs(concept: Network) -> None:
    cities = load_cities(15_000)
    result = compute_reach(concept, stock_hubs=["HZB", "SHA", "SZX"], cities=cities, mode="rocket")
    assert result.share > 0.0 and result.mode == "rocket"
    assert set(result.best_mode[result.covered].tolist()) == {"rocket"}
    drone, boat = concept.drone, concept.boat
    for i in np.flatnonzero(result.covered)[:: max(1, int(result.covered.sum()) // 25)]:
        hub = int(result.best_origin[i])
        site = concept.landing_sites[int(result.best_destination[i])]
        flight_s, _ = _flight_s(concept, hub, site)
        start = concept.hubs[hub].prestaged_handling_min * 60.0 + (
            concept.hubs[hub].pad_turnaround_min / concept.hubs[hub].pads * 60.0
        )
        place = (cities.lat_deg[i], cities.lon_deg[i])
        port_km = float(great_circle_km(*site.port_position, *place))
        port_last = port_km * concept.van.road_factor / concept.van.speed_kmh * _S_PER_H + (
            concept.van.stop_min * 60.0
        )
        if port_km <= drone.range_km:
            port_last = min(
                port_last, port_km / drone.speed_kmh * _S_PER_H + drone.handover_min * 60
            )
        by_port = (
            boat.transfer_min * 60.0
            + site.boat_route_km / boat.speed_kmh * _S_PER_H
            + boat.port_handling_min * 60.0
            + port_last
        )
        site_km = float(great_circle_km(*site.position, *place))
        by_vessel = np.inf
        if site.drones > 0 and site_km <= drone.range_km:
            by_vessel = drone.vessel_transfer_min * 60.0 + (
                site_km / drone.speed_kmh * _S_PER_H + drone.handover_min * 60.0
            )
        expected = start + flight_s + min(by_port, by_vessel)
        assert float(result.best_s[i]) == pytest.approx(expected, abs=1e-3)
        assert expected + concept.promise.buffer_s <= concept.promise.one_hour_s + 1e-6
