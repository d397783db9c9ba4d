"""Last mile with PyVRP: deadlines met where possible, late parcels marked, never hidden."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rocketpost.network import Network, default_network
from rocketpost.planning import check_plan, plan_orders, write_plan
from rocketpost.planning.lastmile import route_landing

from .test_plan import FLY_ALWAYS, tiny


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
    routes = route_landing(network, h, lat, lon, mass, volume, release, deadline, time_limit_s=0.5)
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
    import dataclasses

    h = network.hub_index("ICN")
    hub = dataclasses.replace(network.hubs[h], vans=0, drones=0)
    net = dataclasses.replace(network, hubs=(*network.hubs[:h], hub, *network.hubs[h + 1 :]))
    lat0, lon0 = hub.port_position
    routes = route_landing(
        net, h, np.array([lat0 + 0.01]), np.array([lon0]), np.array([1.0]), np.array([0.004]),
        np.array([0.0]), np.array([3600.0]), time_limit_s=0.2,
    )  # fmt: skip
    assert not routes.routed[0]
    assert routes.vehicle[0] == "van-direct"


def test_plan_with_last_mile_writes_routes_and_passes_the_check(tmp_path: Path) -> None:
    net, orders = tiny()
    plan = plan_orders(net, orders, policy=FLY_ALWAYS, last_mile=True, last_mile_time_limit_s=0.2)
    routes = plan.routes.to_pylist()
    assert sorted(r["order_id"] for r in routes) == ["o0", "o1", "o2", "o3"]
    assert all(not r["late"] for r in routes)
    write_plan(plan, tmp_path)
    assert check_plan(tmp_path, orders, net) == []
