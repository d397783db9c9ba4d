"""Kernel rows as the decision reads them: offsets, rounded legs, shapes shared by a lane."""

from __future__ import annotations

import numpy as np

from rocketpost.core.doortodoor import network_legs
from rocketpost.core.eligibility import parcel_routes
from rocketpost.network import default_network
from rocketpost.promise.conditions import Conditions, HubWeather
from rocketpost.promise.kernelrows import QUANTUM_S, kernel_rows, row_shapes

T0 = 1_795_651_200.0


def test_a_lane_shares_one_shape_under_clear_skies_and_not_under_a_front() -> None:
    network = default_network("rocket-hour")
    n = 40
    routes = parcel_routes(
        network_legs(network), np.full(n, 35.10), np.full(n, 129.04),
        ready_s=T0 + np.arange(n) * 47.0, mass_kg=np.ones(n), volume_m3=np.full(n, 0.005),
        origins=np.array([network.hub_index("SHA")]),
    )  # fmt: skip
    facts = {
        "inspection_s": np.zeros(n),
        "inspection_p": None,
        "cross_border": np.ones(n, dtype=bool),
        "grounded_extra_s": np.full(n, np.inf),
    }
    clear = Conditions(hubs={"SHA": HubWeather("clear")}, onsets=False)
    rows = kernel_rows(network, clear, routes, **facts)
    assert (rows.boat_s % QUANTUM_S == 0).all() and (rows.last_mile_s % QUANTUM_S == 0).all()
    assert np.allclose(rows.launch_s, routes.handling_s + routes.wait_s)
    assert (rows.landing_s > rows.launch_s).all() and (rows.odds == clear.customs_p).all()
    shapes, which = row_shapes(network, clear, rows)
    assert which.shape == (n,) and set(which.tolist()) == set(range(len(shapes)))
    # Under clear skies a wave's offset changes nothing but the vessel drones' odds (a later
    # landing looks further ahead); under a front it is the wave the front may hold.
    assert len({(s.grounded_p, s.boat_s, s.last_mile_s) for s in shapes}) == len(shapes)
    assert all(s.launch_offset_s == 0.0 for s in shapes)
    front = clear.with_hub("SHA", HubWeather("front"))
    at_front, _ = row_shapes(network, front, kernel_rows(network, front, routes, **facts))
    assert len(at_front) == len(np.unique(rows.launch_s)) > len(shapes)
    assert all(s.front_mean_s is not None for s in at_front)
