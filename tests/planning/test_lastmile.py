"""Last mile with PyVRP: deadlines met where possible, late parcels marked, never hidden."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from rocketpost.core.geo import great_circle_km
from rocketpost.network import Network, default_network
from rocketpost.orders.table import OrderTable
from rocketpost.planning import check_plan, plan_orders, to_arrow, write_plan
from rocketpost.planning.lastmile import (
    LandingParcels,
    LandingRoutes,
    _model,
    _schedule,
    route_landing,
)
from rocketpost.planning.params import LastMileParams, PlanParams

from . import make_orders
from .test_pipeline import DAY_S, FLY_ALWAYS, tiny

_HALF_SECOND = LastMileParams(time_limit_s=0.5)


@pytest.fixture(scope="module")
def network() -> Network:
    return default_network()


def test_small_landing_meets_every_feasible_deadline_and_flags_the_impossible(
    network: Network,
) -> None:
    h = network.hub_index("ICN")
    lat0, lon0 = network.hubs[h].port_position
    rng = np.random.default_rng(2)
    n = 40
    lat = lat0 + rng.normal(0, 0.03, n)
    lon = lon0 + rng.normal(0, 0.03, n)
    mass = np.where(np.arange(n) % 4 == 0, 20.0, 1.0)  # every 4th parcel is too heavy for a drone
    volume = mass / 150.0
    release = 1_000.0 + rng.uniform(0, 300, n)
    deadline = release + 3600.0
    deadline[5] = release[5] + 10.0  # nothing reaches a door in 10 s
    routes = route_landing(
        network, h, LandingParcels(lat, lon, mass, volume, release, deadline), _HALF_SECOND
    )
    assert routes.late.tolist() == [i == 5 for i in range(n)]
    assert not routes.routed[5] and routes.vehicle[5] == "van-direct"
    assert routes.arrival_s[5] > deadline[5]
    served = routes.routed
    assert served.sum() == n - 1
    assert (routes.arrival_s[served] >= release[served]).all()
    # Heavy parcels never ride a drone.
    heavy = mass > network.drone.max_parcel_kg
    assert not any(v.startswith("drone") for v in routes.vehicle[heavy])
    # Stops on one route are numbered 1, 2, ... in time order.
    for v in set(routes.vehicle[served].tolist()):
        on = np.flatnonzero(routes.vehicle == v)
        assert sorted(routes.stop[on].tolist()) == list(range(1, len(on) + 1))
        assert np.all(np.diff(routes.arrival_s[on][np.argsort(routes.stop[on])]) > 0)


def test_no_vehicles_means_late_not_hidden(network: Network) -> None:
    h = network.hub_index("ICN")
    hub = dataclasses.replace(network.hubs[h], vans=0, drones=0)
    net = dataclasses.replace(network, hubs=(*network.hubs[:h], hub, *network.hubs[h + 1 :]))
    lat0, lon0 = hub.port_position
    routes = route_landing(
        net,
        h,
        LandingParcels(
            np.array([lat0 + 0.01]), np.array([lon0]), np.array([1.0]), np.array([0.004]),
            np.array([0.0]), np.array([3600.0]),
        ),
        LastMileParams(time_limit_s=0.2),
    )  # fmt: skip
    assert not routes.routed[0]
    assert routes.vehicle[0] == "van-direct"


def test_plan_with_last_mile_writes_routes_and_passes_the_check(tmp_path: Path) -> None:
    net, orders = tiny()
    plan = plan_orders(
        net,
        orders,
        PlanParams(consolidation=FLY_ALWAYS, last_mile=True, last_mile_options=LastMileParams(0.2)),
        promise_rule="buffer",
    )
    routes = to_arrow(plan, "routes").to_pylist()
    assert sorted(r["order_id"] for r in routes) == ["o0", "o1", "o2", "o3"]
    assert all(not r["late"] for r in routes)
    write_plan(plan, tmp_path)
    assert check_plan(tmp_path, orders, net) == []


def _with_fleet(network: Network, h: int, vans: int, drones: int) -> Network:
    hub = dataclasses.replace(network.hubs[h], vans=vans, drones=drones)
    return dataclasses.replace(network, hubs=(*network.hubs[:h], hub, *network.hubs[h + 1 :]))


def _assert_physical(
    network: Network,
    h: int,
    lat: np.ndarray,
    lon: np.ndarray,
    release: np.ndarray,
    routes: LandingRoutes,
) -> None:
    """Independent of the router: each stop no sooner than a trip from the port after its
    release allows, and a vehicle's stops numbered 1, 2 ... in time order."""
    lat0, lon0 = network.hubs[h].port_position
    km = great_circle_km(lat0, lon0, lat, lon)
    van, drone = network.van, network.drone
    by_van = km * van.road_factor / van.speed_kmh * 3600 + van.stop_min * 60
    by_drone = km / drone.speed_kmh * 3600 + drone.handover_min * 60
    is_drone = np.char.startswith(routes.vehicle, "drone")
    soonest = release + np.where(is_drone, by_drone, by_van)
    assert (routes.arrival_s >= soonest * (1 - 1e-3) - 2.0).all()
    for v in set(routes.vehicle[routes.routed].tolist()):
        on = np.flatnonzero(routes.vehicle == v)
        assert sorted(routes.stop[on].tolist()) == list(range(1, len(on) + 1))
        assert np.all(np.diff(routes.arrival_s[on][np.argsort(routes.stop[on])]) > 0)


def test_large_landing_in_sectors_then_whole_meets_every_deadline(network: Network) -> None:
    """More parcels than one problem takes: the sector phase, the merged warm start and the
    whole-landing phase all run, and every (generous) deadline is met."""
    h = network.hub_index("ICN")
    net = _with_fleet(network, h, vans=6, drones=3)
    lat0, lon0 = net.hubs[h].port_position
    rng = np.random.default_rng(3)
    n = 120
    lat = lat0 + rng.normal(0, 0.02, n)
    lon = lon0 + rng.normal(0, 0.02, n)
    mass = rng.lognormal(0.3, 0.9, n)
    volume = mass / 150.0
    release = 500.0 + rng.uniform(0, 600, n)
    deadline = release + 3 * 3600.0
    routes = route_landing(
        net,
        h,
        LandingParcels(lat, lon, mass, volume, release, deadline),
        LastMileParams(time_limit_s=1.5, max_stops_per_problem=40),
    )
    assert not routes.late.any()
    assert routes.routed.all()
    assert set(np.char.partition(routes.vehicle, "-")[:, 0].tolist()) <= {"van", "drone"}
    assert len(set(routes.vehicle.tolist())) <= 6 + 3
    _assert_physical(net, h, lat, lon, release, routes)


def test_scarce_vans_hand_light_near_parcels_to_drones(network: Network) -> None:
    """One van cannot make 24 two-minute stops in 30 minutes; with four drones it can."""
    h = network.hub_index("ICN")
    net = _with_fleet(network, h, vans=1, drones=4)
    lat0, lon0 = net.hubs[h].port_position
    rng = np.random.default_rng(4)
    n = 24
    lat = lat0 + rng.uniform(-0.012, 0.012, n)
    lon = lon0 + rng.uniform(-0.012, 0.012, n)
    mass = np.full(n, 1.0)
    volume = np.full(n, 0.004)
    release = np.zeros(n)
    deadline = np.full(n, 1800.0)
    routes = route_landing(
        net, h, LandingParcels(lat, lon, mass, volume, release, deadline), _HALF_SECOND
    )
    assert not routes.late.any()
    assert np.char.startswith(routes.vehicle, "drone").sum() >= 6
    _assert_physical(net, h, lat, lon, release, routes)


def test_repair_appends_left_out_parcels_to_the_soonest_vehicle(network: Network) -> None:
    """Parcels the solver did not route become extra trips, chained honestly per vehicle."""
    h = network.hub_index("ICN")
    lat0, lon0 = network.hubs[h].port_position
    lat = np.full(4, lat0 + 0.02)
    lon = np.full(4, lon0)
    mass = np.array([1.0, 1.0, 50.0, 50.0])  # the last two are too heavy for a drone
    volume = mass / 150.0
    release = np.full(4, 100.0)
    deadline = np.array([3700.0, 3700.0, 3700.0, 120.0])  # nothing makes the last one
    m = _model(network, h, lat, lon, mass, volume, release, deadline)
    feasible = np.array([True, True, True, False])
    routes = _schedule(m, [], (1, 1), feasible, release, deadline)
    # A drone is about four times as fast as a van on the road: its second trip still beats
    # the van, which takes the heavy parcel; the hopeless one goes late by a direct trip once
    # both vehicles are back.
    assert routes.vehicle.tolist() == ["drone-01", "drone-01", "van-01", "van-direct"]
    assert routes.stop.tolist() == [1, 2, 1, -1]
    assert routes.routed.tolist() == [True, True, True, False]
    assert routes.late.tolist() == [False, False, False, True]
    out, back = m.duration[1][0, 1], m.duration[1][1, 0]
    van_out, van_back = m.duration[0][0, 3], m.duration[0][3, 0]
    assert routes.arrival_s[:3] == pytest.approx(
        [100.0 + out, 100.0 + out + back + out, 100.0 + van_out]
    )
    both_back = max(100.0 + 2 * (out + back), 100.0 + van_out + van_back)
    assert routes.arrival_s[3] == pytest.approx(both_back + m.duration[0][0, 4])


def _vessel_day(tiny_network: Network) -> tuple[Network, OrderTable]:
    """The tiny network plus site S1 (3 drones on its vessel, 2 vans at its port); two light
    parcels and one too heavy for a drone, 4 km from the vessel, stock at A."""
    from rocketpost.core.geo import destination_point
    from rocketpost.network import LandingSite

    site = LandingSite("S1", (0.5, 4.0), "XXS1AA", (0.5, 3.95), 6.0, drones=3, vans=2)
    net = dataclasses.replace(
        tiny_network,
        extra_sites=(site,),
        drone=dataclasses.replace(tiny_network.drone, from_vessel=True),
    )
    lat, lon = destination_point(0.5, 4.0, 0.0, 4.0)
    place = (float(lat), float(lon))
    orders = make_orders(
        [place] * 3,
        [DAY_S + 3600, DAY_S + 3600 + 30, DAY_S + 3600 + 60],
        [1.0, 1.5, 5.0],
        [0.004, 0.004, 0.02],
        origin_hub=["A"] * 3,
    )
    return net, orders


def test_vessel_drones_are_a_depot_of_their_own(tiny_network: Network, tmp_path: Path) -> None:
    net, orders = _vessel_day(tiny_network)
    params = PlanParams(
        consolidation=FLY_ALWAYS, last_mile=True, last_mile_options=LastMileParams(0.2)
    )
    plan = plan_orders(net, orders, params, promise_rule="buffer")
    assert plan.outcomes.vessel.tolist() == [True, True, False]
    routes = {r["order_id"]: r for r in to_arrow(plan, "routes").to_pylist()}
    for light in ("o0", "o1"):
        assert routes[light]["depot"] == "vessel:S1" and routes[light]["kind"] == "drone"
        assert routes[light]["vehicle"].startswith("vessel-drone-")
    assert routes["o2"]["depot"] == "port:XXS1AA" and routes["o2"]["kind"] == "van"
    assert not any(r["late"] for r in routes.values())
    assert math.isfinite(plan.kpis["last_mile_objective"]) and plan.kpis["last_mile_objective"] > 0
    # The vessel's parcels leave the drone deck after the transfer, not the port.
    f = int(plan.outcomes.flight_id[0])
    landing = float(plan.flights.landing_s[f])
    assert plan.outcomes.port_arrival_s[0] == pytest.approx(landing + 180.0, abs=1e-3)
    write_plan(plan, tmp_path)
    assert check_plan(tmp_path, orders, net) == []


def test_grounded_vessel_sends_its_parcels_by_port(tiny_network: Network, tmp_path: Path) -> None:
    from rocketpost.promise.conditions import Conditions, SiteSea

    net, orders = _vessel_day(tiny_network)
    params = PlanParams(
        consolidation=FLY_ALWAYS, last_mile=True, last_mile_options=LastMileParams(0.2)
    )
    windy = Conditions(sites={"S1": SiteSea(wind_ms=net.drone.max_wind_ms + 1.0)})
    plan = plan_orders(net, orders, params, conditions=windy, promise_rule="buffer")
    assert not plan.outcomes.vessel.any()
    routes = to_arrow(plan, "routes").to_pylist()
    assert {r["depot"] for r in routes} == {"port:XXS1AA"}
    f = int(plan.outcomes.flight_id[0])
    landing = float(plan.flights.landing_s[f])
    boat = 5 * 60.0 + 6.0 / 60.0 * 3600.0  # transfer + 6 km at 60 km/h, no port handling
    assert plan.outcomes.port_arrival_s[0] == pytest.approx(landing + boat, abs=1e-3)
    write_plan(plan, tmp_path)
    assert check_plan(tmp_path, orders, net) == []


def test_check_refuses_a_drone_over_its_payload(tiny_network: Network, tmp_path: Path) -> None:
    net, orders = _vessel_day(tiny_network)
    params = PlanParams(
        consolidation=FLY_ALWAYS, last_mile=True, last_mile_options=LastMileParams(0.2)
    )
    plan = plan_orders(net, orders, params, promise_rule="buffer")
    write_plan(plan, tmp_path)
    lighter = dataclasses.replace(
        net, drone=dataclasses.replace(net.drone, max_parcel_kg=0.5, range_km=2.0)
    )
    problems = check_plan(tmp_path, orders, lighter)
    assert any("over the drone's 0.5 kg" in p for p in problems)
    assert any("over the drone's range" in p for p in problems)


def test_days_at_sea_are_costed(tiny_network: Network) -> None:
    """Landing at S1 (no pad) ships the airframe home: its days at sea enter the plan's cost."""
    from rocketpost.planning.fleet import site_returns

    net, orders = _vessel_day(tiny_network)
    plan = plan_orders(net, orders, PlanParams(consolidation=FLY_ALWAYS), promise_rule="buffer")
    k = plan.kpis
    _, at_sea_s = site_returns(net)
    days = float(at_sea_s[2]) / 86400.0
    assert k["sea_returns"] == 1 and k["airframe_days_at_sea"] == pytest.approx(days)
    rocket = net.rocket
    assert k["sea_return_cost_usd"] == pytest.approx(days * rocket.airframe_day_cost_usd)
    cost = k["flights"] * rocket.cost_per_flight_usd + days * rocket.airframe_day_cost_usd
    assert k["cost_usd"] == pytest.approx(cost)
    assert k["cost_per_kg_usd"] == pytest.approx(cost / k["carried_kg"])
