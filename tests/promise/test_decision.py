"""One decision at a confidence: the quote's route and the planner's rows get one P(on time)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from rocketpost.core.doortodoor import network_legs
from rocketpost.core.eligibility import Mode, Reason, parcel_routes
from rocketpost.network import default_network
from rocketpost.planning.service_choice import choose_service
from rocketpost.promise.conditions import Conditions, HubWeather
from rocketpost.promise.confidence import RouteFacts, promise_at_confidence, route_model
from rocketpost.promise.decision import (
    QUANTUM_S,
    kernel_p_on_time,
    meets_confidence,
    shape_of,
    shaped_distribution,
)
from rocketpost.promise.distribution import delivery_distribution
from tests.planning import make_orders

T0 = 1_795_651_200.0  # a whole multiple of every wave interval


def test_a_shape_is_the_model_less_its_fixed_seconds() -> None:
    model = route_model(
        {"origin_handling": 480.0, "wave_wait": 300.0, "ascent": 150.0, "coast": 900.0,
         "descent": 300.0, "sea_transfer": 360.0, "boat": 601.0, "port_handling": 180.0,
         "customs": 0.0, "last_mile": 83.0},
        Conditions(hubs={"HZB": HubWeather("front", front_remaining_h=2.0)}),
        RouteFacts(True, "HZB", "PUS", 600.0, 40.0, cross_border=True),
    )  # fmt: skip
    shape, fixed = shape_of(model)
    assert fixed == model.fixed_s and shape.fixed_s == 0.0
    assert shape.boat_s == 2 * 5 * 60 + QUANTUM_S and shape.last_mile_s == 90.0  # rounded up
    assert shape.launch_offset_s == model.launch_offset_s  # a front: the offset matters
    rounded = replace(model, boat_s=shape.boat_s, last_mile_s=shape.last_mile_s)
    exact = delivery_distribution(rounded)
    shaped = shaped_distribution(shape)
    for t in (2700.0, 3600.0, 9000.0):
        assert shaped.p_within(t - fixed) == pytest.approx(exact.p_within(t), abs=1e-12)
    assert meets_confidence([0.99, 0.98], 0.99).tolist() == [True, False]


def test_the_planner_rows_and_the_quote_route_agree() -> None:
    network = default_network("today")  # no vessel drones: the bare RouteFacts below
    legs = network_legs(network)
    conditions = Conditions(hubs={"NYC": HubWeather("clear")}, known_ids=network.hub_ids)
    lat, lon = np.array([25.77, 25.80]), np.array([-80.19, -80.13])  # Miami
    origins = np.array([network.hub_index("NYC")])
    routes = parcel_routes(
        legs, lat, lon, ready_s=T0, mass_kg=np.ones(2), volume_m3=np.full(2, 0.005),
        origins=origins,
    )  # fmt: skip
    p = kernel_p_on_time(
        network, routes, conditions, promise_s=network.promise.one_hour_s, cross_border=False
    )
    for i in range(2):
        model = route_model(
            routes.legs_s(legs, i),
            conditions,
            RouteFacts(True, "NYC", network.site_ids[int(routes.destination[i])],
                       float(network.launch_wave_interval_s[origins[0]]),
                       float(network.boat.speed_kmh), cross_border=False),
        )  # fmt: skip
        one = promise_at_confidence(model, promise_s=network.promise.one_hour_s, target=0.99)
        assert one.p_on_time == pytest.approx(p[i], abs=1e-12)


def test_the_planner_decides_at_the_confidence() -> None:
    network = default_network("today")  # NYC's 10-minute waves
    orders = make_orders([(25.77, -80.19)] * 2, [T0, T0], [1.0, 1.0], [0.005, 0.005],
                         origin_hub=["NYC", "NYC"])  # fmt: skip
    orders = replace(orders, destination_country=np.full(2, "US"))  # domestic: no inspection
    clear = Conditions(hubs={"NYC": HubWeather("clear")})
    front = Conditions(hubs={"NYC": HubWeather("front")})
    assert (choose_service(network, orders, conditions=clear).mode == Mode.ROCKET).all()
    held = choose_service(network, orders, conditions=front, same_day=False)
    assert (held.mode == Mode.STANDARD).all()
    assert set(held.reason_names().tolist()) == {Reason.BELOW_CONFIDENCE.value}
    climate = choose_service(network, orders, conditions=Conditions(), same_day=False)
    assert (climate.mode == Mode.STANDARD).all()  # 53.5 min: one wave of slack is not 99 %


def test_inspection_odds_follow_screening_risk() -> None:
    conditions = Conditions()
    base = conditions.customs_p
    assert conditions.inspection_odds(None) == base
    assert conditions.inspection_odds(0.5) == pytest.approx(base)
    assert conditions.inspection_odds(0.0) == pytest.approx(base / 10)
    assert conditions.inspection_odds(0.25) < base < conditions.inspection_odds(0.9)
