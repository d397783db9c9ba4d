"""Door-to-door ETA: leg arithmetic on a hand-checkable network, vectorisation, honesty."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import numpy as np
import pytest

from rocketpost.core.ballistics import min_energy_trajectory
from rocketpost.core.eta import (
    LEG_NAMES,
    EtaOptions,
    Parcel,
    WaveWait,
    eta_to_place,
    eta_to_places,
    last_mile_s,
    wave_wait_s,
)
from rocketpost.core.geo import destination_point
from rocketpost.errors import InputError
from rocketpost.network import Network


def _flight_s(net: Network, origin: int, dest: int, rotating: bool) -> float:
    o, d = net.hubs[origin], net.hubs[dest]
    trajectory = min_energy_trajectory(
        o.pad[0], o.pad[1], d.landing_zone[0], d.landing_zone[1],
        burnout_altitude_km=net.rocket.burnout_altitude_km, ascent_s=net.rocket.ascent_s,
        descent_s=net.rocket.descent_s, rotating=rotating,
    )  # fmt: skip
    return float(trajectory.flight_s)


@pytest.mark.parametrize("rotating", [False, True])
def test_hand_checked_rocket_route(tiny_network: Network, rotating: bool) -> None:
    # 5 km east of port B: drone, 5 km at 60 km/h = 300 s.
    lat, lon = destination_point(0.0, tiny_network.hubs[1].port_position[1], 90.0, 5.0)
    route = eta_to_place(
        tiny_network,
        "A",
        float(lat),
        float(lon),
        options=EtaOptions(rotating=rotating),
        promise_rule="buffer",
    )
    flight = _flight_s(tiny_network, 0, 1, rotating)
    assert route.mode == "rocket"
    assert route.destination_hub == "B"
    assert route.last_mile_vehicle == "drone"
    assert route.legs_s["origin_handling"] == pytest.approx(300.0)
    assert route.legs_s["wave_wait"] == pytest.approx(600.0)  # worst case: a full interval
    assert route.legs_s["ascent"] + route.legs_s["coast"] + route.legs_s[
        "descent"
    ] == pytest.approx(flight)
    assert route.legs_s["sea_transfer"] == pytest.approx(300.0)
    assert route.legs_s["boat"] == pytest.approx(600.0)  # 10 km at 60 km/h
    assert route.legs_s["last_mile"] == pytest.approx(300.0, rel=1e-3)
    expected = 300 + 600 + flight + 300 + 600 + 0 + 0 + 300
    assert route.total_s == pytest.approx(expected, rel=1e-4)
    assert route.total_s == pytest.approx(sum(route.legs_s.values()))
    assert route.promise_possible is (expected <= 3600)


def test_ground_delivery_near_the_origin(tiny_network: Network) -> None:
    lat, lon = destination_point(0.0, 0.0, 0.0, 20.0)  # 20 km north of pad A: van, 40 min
    route = eta_to_place(tiny_network, "A", float(lat), float(lon))
    assert route.mode == "ground"
    assert route.destination_hub == "A"
    assert route.last_mile_vehicle == "van"
    assert route.legs_s["wave_wait"] == 0.0 and route.legs_s["coast"] == 0.0
    assert route.total_s == pytest.approx(300 + 20.0 / 30.0 * 3600, rel=1e-3)


def test_unreachable_promise_reports_the_earliest_time(tiny_network: Network) -> None:
    # 60 km inland of B by van: 120 min of driving alone.
    lat, lon = destination_point(0.0, tiny_network.hubs[1].port_position[1], 0.0, 60.0)
    route = eta_to_place(
        tiny_network, "A", float(lat), float(lon), threshold_min=60.0, promise_rule="buffer"
    )
    assert not route.promise_possible
    assert not eta_to_place(tiny_network, "A", float(lat), float(lon)).promise_possible
    assert route.total_s > 3600.0
    assert route.legs_s["last_mile"] == pytest.approx(7200.0, rel=1e-3)


def test_wave_wait_policies_and_exact_time(tiny_network: Network) -> None:
    origin = np.array([0])
    assert wave_wait_s(tiny_network, origin, policy="worst")[0] == 600.0
    assert wave_wait_s(tiny_network, origin, policy="mean")[0] == 300.0
    assert wave_wait_s(tiny_network, origin, policy="none")[0] == 0.0
    # Ordered 09:03 UTC, ready 09:08 after 5 min handling, wave at 09:10: 120 s.
    at = datetime(2026, 11, 25, 9, 3, tzinfo=UTC)
    assert wave_wait_s(tiny_network, origin, order_time=at)[0] == pytest.approx(120.0)
    # Ready exactly on a wave: it makes that wave.
    at = datetime(2026, 11, 25, 9, 5, tzinfo=UTC)
    assert wave_wait_s(tiny_network, origin, order_time=at)[0] == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(InputError, match="timezone"):
        wave_wait_s(tiny_network, origin, order_time=datetime(2026, 1, 1))


def test_exact_order_time_gives_launch_and_delivery_times(tiny_network: Network) -> None:
    at = datetime(2026, 11, 25, 9, 3, tzinfo=UTC)
    lat, lon = destination_point(0.0, tiny_network.hubs[1].port_position[1], 90.0, 5.0)
    route = eta_to_place(
        tiny_network, "A", float(lat), float(lon), options=EtaOptions(order_time=at)
    )
    assert route.launch_time == datetime(2026, 11, 25, 9, 10, tzinfo=UTC)
    assert route.delivery_time is not None
    assert (route.delivery_time - at).total_seconds() == pytest.approx(route.total_s)


def test_drone_limits(tiny_network: Network) -> None:
    seconds, drone = last_mile_s(tiny_network, np.array([5.0, 15.0]), Parcel(1.0, 0.005))
    assert drone.tolist() == [True, False]  # 15 km is beyond the 10 km drone range
    assert seconds[1] == pytest.approx(15.0 / 30.0 * 3600)
    _, heavy = last_mile_s(tiny_network, np.array([5.0]), Parcel(5.0, 0.005))
    assert not heavy[0]  # over the drone's 2 kg payload


def test_vectorised_matches_one_by_one(network: Network) -> None:
    rng = np.random.default_rng(7)
    lat = rng.uniform(-50, 60, 40)
    lon = rng.uniform(-180, 180, 40)
    many = eta_to_places(network, lat, lon, origins=["HZB", "NYC"])
    for j in range(0, 40, 7):
        for row, hub in enumerate(["HZB", "NYC"]):
            one = eta_to_place(network, hub, float(lat[j]), float(lon[j]))
            assert one.total_s == pytest.approx(many.total_s[row, j])
    legs_total = many.legs.total_s()
    np.testing.assert_allclose(legs_total, many.total_s, rtol=1e-9)


def test_a_hub_never_flies_to_itself(network: Network) -> None:
    result = eta_to_places(network, network.port_lat_deg, network.port_lon_deg)
    flown = result.mode == "rocket"
    assert not np.any(flown & (result.destination_index == result.origin_index[:, None]))


def test_worst_wait_is_never_faster_than_mean(network: Network) -> None:
    lat, lon = network.port_lat_deg, network.port_lon_deg
    worst = eta_to_places(network, lat, lon, options=EtaOptions(wave_wait=WaveWait.WORST)).total_s
    mean = eta_to_places(network, lat, lon, options=EtaOptions(wave_wait=WaveWait.MEAN)).total_s
    assert np.all(worst >= mean - 1e-9)


def test_published_budget_new_york_from_hangzhou_bay_is_honest(network: Network) -> None:
    # 11,800 km: ~35 min coast plus the fixed legs cannot fit in an hour with a boat run.
    route = eta_to_place(network, "HZB", 40.7128, -74.0060)
    assert route.mode == "rocket"
    assert route.destination_hub == "NYC"
    assert set(route.legs_s) == set(LEG_NAMES)
    assert route.total_s > 3600.0 and not route.promise_possible


def test_bad_places_are_input_errors(network: Network) -> None:
    with pytest.raises(InputError, match="latitude"):
        eta_to_places(network, [91.0], [0.0])
    with pytest.raises(InputError, match="hub"):
        eta_to_place(network, "NOPE", 0.0, 0.0)
    with pytest.raises(InputError, match=r"parcel\.mass_kg"):
        Parcel(-1.0)


def test_promise_buffer_tightens_the_promise_not_the_eta(tiny_network: Network) -> None:
    lat, lon = tiny_network.hubs[1].port_position
    plain = eta_to_place(tiny_network, "A", lat + 0.05, lon, promise_rule="buffer")
    assert plain.promise_possible
    spare_min = 60.0 - plain.total_s / 60.0
    buffered = dataclasses.replace(
        tiny_network,
        promise=dataclasses.replace(tiny_network.promise, buffer_min=spare_min + 0.5),
    )
    route = eta_to_place(buffered, "A", lat + 0.05, lon, promise_rule="buffer")
    assert route.total_s == pytest.approx(plain.total_s)
    assert not route.promise_possible
    within = eta_to_places(buffered, [lat + 0.05], [lon], origins=["A"]).within(60.0)
    assert not within[0, 0]


def test_the_promise_is_decided_at_the_confidence_by_default(network: Network) -> None:
    from rocketpost.promise.conditions import Conditions, HubWeather

    lat, lon = network.hub("SHA").port_position  # within China: no customs inspection
    place = (lat + 0.02, lon + 0.02)
    default = eta_to_place(network, "HZB", *place, country="CN")
    climate = eta_to_place(network, "HZB", *place, country="CN", conditions=Conditions())
    assert default.at_confidence is not None and default.at_confidence == climate.at_confidence
    assert default.promise_possible is default.at_confidence.kept
    assert default.at_confidence.target == network.promise.confidence
    clear, front = (
        eta_to_place(
            network,
            "HZB",
            *place,
            country="CN",
            conditions=Conditions(hubs={"HZB": HubWeather(weather)}),
        )
        for weather in ("clear", "front")
    )
    assert clear.at_confidence is not None and front.at_confidence is not None
    assert clear.promise_possible and not front.promise_possible
    assert front.at_confidence.p_on_time < clear.at_confidence.p_on_time
    by_buffer = eta_to_place(network, "HZB", *place, promise_rule="buffer")
    assert by_buffer.at_confidence is None
    assert by_buffer.total_s == default.total_s
    with pytest.raises(InputError, match="promise_rule"):
        eta_to_place(network, "HZB", *place, promise_rule="flat")


def test_stock_at_another_hub_counts_the_planners_fallback() -> None:
    from rocketpost.network import default_network
    from rocketpost.planning.service_choice import choose_service
    from rocketpost.promise.conditions import Conditions, HubWeather
    from tests.planning import make_orders

    network = default_network("rocket-hour")
    busan = (35.10, 129.04)
    at = datetime(2026, 12, 3, 10, 0, 1, tzinfo=UTC)
    front = Conditions(hubs={"SHA": HubWeather("front"), "HZB": HubWeather("clear")})
    options = EtaOptions(order_time=at)
    alone = eta_to_place(network, "SHA", *busan, options=options, conditions=front, country="KR")
    counted = eta_to_place(
        network, "SHA", *busan, options=options, conditions=front, country="KR",
        stock_at=["HZB", "SHA"],
    )  # fmt: skip
    assert alone.at_confidence is not None and counted.at_confidence is not None
    assert alone.at_confidence.fallback_hub is None and alone.at_confidence.p_on_time < 0.2
    assert counted.at_confidence.fallback_hub == "HZB" and counted.legs_s == alone.legs_s
    assert counted.at_confidence.p99_s < alone.at_confidence.p99_s
    # The planner's number for the same order with the stock at SHA and HZB (one rule).
    allowed = np.zeros((1, len(network.hubs)), dtype=bool)
    allowed[0, [network.hub_index("SHA"), network.hub_index("HZB")]] = True
    planned = choose_service(
        network, make_orders([busan], [at.timestamp()], [1.0], [0.005]), conditions=front,
        allowed_origins=allowed, fallbacks=True, same_day=False,
    )  # fmt: skip
    assert network.hub_ids[int(planned.origin[0])] == "SHA"
    assert counted.at_confidence.p_on_time == pytest.approx(float(planned.p_on_time[0]))
    assert counted.promise_possible is counted.at_confidence.kept
    with pytest.raises(InputError, match="unknown hub") as error:
        eta_to_place(network, "SHA", *busan, conditions=front, stock_at=["XXX"])
    assert error.value.field == "stock_at"
