"""Fleet scheduling: airframes are physical, drift with the flights, and get repositioned."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rocketpost.core.eta import flight_matrix
from rocketpost.network import Network, default_network
from rocketpost.planning.fleet import (
    FleetSchedule,
    initial_fleet,
    reserve_mask,
    schedule_fleet,
    weather_margin_s,
    weather_wait_tail,
)

DAY_S = 1_795_651_200.0


def two_hubs(fleet_a: int, fleet_b: int, cycle_h: float) -> Network:
    """HZB and ICN of the shipped network with small fleets and a chosen reuse cycle."""
    base = default_network()
    a, b = base.hub("HZB"), base.hub("ICN")
    return dataclasses.replace(
        base,
        hubs=(dataclasses.replace(a, fleet=fleet_a), dataclasses.replace(b, fleet=fleet_b)),
        rocket=dataclasses.replace(base.rocket, recovery_h=cycle_h / 2, turnaround_h=cycle_h / 2),
    )


def run(
    network: Network,
    origins: list[int],
    dests: list[int],
    launches: list[float],
    fills: list[float],
    *,
    reserve_for_fuller: bool = True,
    weather_margin_h: float | None = None,
) -> FleetSchedule:
    margin = (
        None if weather_margin_h is None else np.full(len(network.hubs), weather_margin_h * 3600)
    )
    return schedule_fleet(
        network,
        np.array(origins, dtype=np.intp),
        np.array(dests, dtype=np.intp),
        np.array(launches),
        np.array(fills),
        fleet=initial_fleet(network, DAY_S),
        reserve_for_fuller=reserve_for_fuller,
        weather_margin=margin,
    )


def test_second_flight_from_an_emptied_hub_gets_a_repositioned_airframe() -> None:
    net = two_hubs(1, 1, cycle_h=1.0)
    # No weather margin: the ferry only has to land and turn round before the launch.
    sched = run(
        net, [0, 0], [1, 1], [DAY_S + 3600, DAY_S + 5 * 3600], [0.3, 0.2], weather_margin_h=0.0
    )
    flight_s = flight_matrix(net).flight_s
    # Known best: HZB-01 flies the first load; ICN-01 (idle at ICN) repositions to HZB at the
    # first wave of the day and flies the second load. Three flights, one of them empty.
    assert sched.flight_bin.tolist() == [-1, 0, 1]
    assert sched.flight_airframe.tolist() == [1, 0, 1]
    assert sched.flight_origin.tolist() == [1, 0, 0]
    assert sched.flight_destination.tolist() == [0, 1, 1]
    assert sched.flight_launch_s[0] == DAY_S
    assert sched.flight_landing_s[0] == pytest.approx(DAY_S + flight_s[1, 0])
    assert sched.repositioning.sum() == 1
    assert [a.location for a in sched.airframes] == [1, 1]
    assert [a.flights for a in sched.airframes] == [1, 2]
    assert sched.bin_flight.tolist() == [1, 2]
    assert sched.utilisation() == 1.0


def test_a_ferry_is_planned_only_with_the_weather_margin_before_the_launch() -> None:
    net = two_hubs(1, 1, cycle_h=1.0)
    margin_s = float(weather_margin_s(net)[1])
    assert 40 * 3600 < margin_s < 60 * 3600  # the climate's fronts and closed seas, at 99 %
    ferry_ready_s = DAY_S + flight_matrix(net).flight_s[1, 0] + net.rocket.reuse_cycle_s
    # The second load four hours on: the ferry would be ready in time if no weather held it,
    # but not with the margin, so the load is not flown (its orders go standard).
    tight = run(net, [0, 0], [1, 1], [DAY_S + 3600, DAY_S + 5 * 3600], [0.3, 0.2])
    assert tight.flight_bin.tolist() == [0]
    assert tight.bin_flight.tolist() == [0, -1]
    # With the margin and a wave to spare it is: ICN-01 flies over at the first wave.
    later = ferry_ready_s + margin_s + 300.0
    roomy = run(net, [0, 0], [1, 1], [DAY_S + 3600, later], [0.3, 0.2])
    assert roomy.flight_bin.tolist() == [-1, 0, 1]
    assert roomy.flight_launch_s[0] == DAY_S
    # A wave short of the margin, it is not.
    short = run(net, [0, 0], [1, 1], [DAY_S + 3600, later - 600.0], [0.3, 0.2])
    assert short.bin_flight.tolist() == [0, -1]
    # The network's own margin replaces the climate's.
    own = dataclasses.replace(net, promise=dataclasses.replace(net.promise, weather_margin_h=0.0))
    assert weather_margin_s(own).tolist() == [0.0, 0.0]
    assert run(
        own, [0, 0], [1, 1], [DAY_S + 3600, DAY_S + 5 * 3600], [0.3, 0.2]
    ).flight_bin.tolist() == [-1, 0, 1]


def test_an_airframe_that_is_not_there_is_never_used() -> None:
    # 66 h reuse cycle: nothing can be repositioned within the day, so the second load stays.
    net = two_hubs(1, 1, cycle_h=66.0)
    sched = run(net, [0, 0], [1, 1], [DAY_S + 3600, DAY_S + 5 * 3600], [0.3, 0.2])
    assert sched.flight_bin.tolist() == [0]
    assert sched.bin_flight.tolist() == [0, -1]


def test_an_airframe_in_turnaround_is_not_reused() -> None:
    net = two_hubs(1, 0, cycle_h=2.0)
    # Out and back: the return leaves ICN 30 min after landing, inside the 2 h cycle → not flown.
    launches = [DAY_S, DAY_S + 1800, DAY_S + 4 * 3600]
    sched = run(net, [0, 1, 1], [1, 0, 0], launches, [0.9, 0.9, 0.9], weather_margin_h=0.0)
    assert sched.bin_flight.tolist() == [0, -1, 1]
    assert sched.flight_airframe.tolist() == [0, 0]


def test_an_airframe_flies_again_only_the_weather_margin_after_its_cycle() -> None:
    """Its first flight may be held at HZB by a front (or cancelled there): the airframe counts
    as ready for the next one the margin after its cycle, as a ferry's does."""
    net = two_hubs(1, 0, cycle_h=2.0)
    margin_s = float(weather_margin_s(net)[0])
    ready_s = DAY_S + flight_matrix(net).flight_s[0, 1] + net.rocket.reuse_cycle_s + margin_s
    for back_s, flown in ((DAY_S + 4 * 3600, False), (ready_s - 300, False), (ready_s + 300, True)):
        sched = run(net, [0, 1], [1, 0], [DAY_S, back_s], [0.9, 0.9])
        assert sched.bin_flight.tolist() == ([0, 1] if flown else [0, -1]), back_s - DAY_S
    assert sched.airframes[0].ready_s > back_s + margin_s  # and again after the second


def test_a_light_early_flight_leaves_the_airframe_to_a_fuller_later_one() -> None:
    net = two_hubs(1, 0, cycle_h=66.0)
    sched = run(net, [0, 0], [1, 1], [DAY_S + 3600, DAY_S + 7200], [0.1, 0.9])
    assert sched.bin_flight.tolist() == [-1, 0]
    greedy = run(
        net, [0, 0], [1, 1], [DAY_S + 3600, DAY_S + 7200], [0.1, 0.9], reserve_for_fuller=False
    )
    assert greedy.bin_flight.tolist() == [0, -1]


def test_an_airframe_is_kept_for_a_fuller_flight_of_the_same_day_only() -> None:
    net = two_hubs(1, 0, cycle_h=66.0)
    # A light flight today and a fuller one tomorrow: tomorrow's orders are not known today,
    # so today's flies (and the 66 h cycle leaves tomorrow's without an airframe).
    sched = run(net, [0, 0], [1, 1], [DAY_S + 3600, DAY_S + 86_400 + 3600], [0.1, 0.9])
    assert sched.bin_flight.tolist() == [0, -1]
    # The same two flights within one day: the light one waits for the fuller one.
    sched = run(net, [0, 0], [1, 1], [DAY_S + 3600, DAY_S + 5 * 3600], [0.1, 0.9])
    assert sched.bin_flight.tolist() == [-1, 0]


def test_a_held_reserve_airframe_is_never_flown() -> None:
    net = two_hubs(2, 1, cycle_h=66.0)
    fleet = initial_fleet(net, DAY_S)
    fleet[1] = dataclasses.replace(fleet[1], ready_s=DAY_S - 60.0)  # HZB-02 ready first
    held = reserve_mask(fleet, len(net.hubs), 1)
    assert held.tolist() == [False, True, True]  # the readiest of HZB, ICN's only one
    assert not reserve_mask(fleet, len(net.hubs), 0).any()
    bins = (np.array([0, 0], np.intp), np.array([1, 1], np.intp))
    launches, fills = np.array([DAY_S + 3600, DAY_S + 5 * 3600]), np.array([0.5, 0.5])
    copy = [dataclasses.replace(a) for a in fleet]  # the scheduler moves its airframes
    sched = schedule_fleet(net, *bins, launches, fills, fleet=copy, held=held)
    # HZB-01 flies the first load; the second has no airframe left (HZB-02 is held), where
    # without the reserve HZB-02 flies it.
    assert sched.flight_airframe.tolist() == [0]
    assert sched.bin_flight.tolist() == [0, -1]
    free = schedule_fleet(net, *bins, launches, fills, fleet=fleet)
    assert free.flight_airframe.tolist() == [1, 0]


def test_the_reuse_limit_retires_an_airframe() -> None:
    net = two_hubs(1, 1, cycle_h=0.0)
    net = dataclasses.replace(net, rocket=dataclasses.replace(net.rocket, flights_per_airframe=1))
    sched = run(net, [0, 0], [1, 1], [DAY_S + 3600, DAY_S + 7200], [0.9, 0.9])
    # HZB-01 is spent after one flight; ICN-01 could reposition but would then be spent too.
    assert sched.bin_flight.tolist() == [0, -1]


def test_an_airframe_landing_at_a_site_without_a_pad_is_shipped_to_the_nearest_hub() -> None:
    """A rocket that lands at a sea site near Busan cannot launch from there: it is recovered to
    the site's port, shipped to the nearest hub's port (ICN is nearer Busan than HZB) at the
    rocket's return-ship speed, and flies again from that hub after its turnaround."""
    from rocketpost.network import LandingSite
    from rocketpost.planning.fleet import site_returns

    base = two_hubs(1, 0, 66.0)
    busan = LandingSite("KR-BUSAN", (35.02, 129.0), "KRPUS", (35.1, 129.04), 6.0, drones=4)
    network = dataclasses.replace(base, extra_sites=(busan,))
    hub_of, sea_s = site_returns(network)
    site = network.site_index("KR-BUSAN")
    assert hub_of[site] == network.hub_index("ICN")
    # The sea leg is searoute's distance between the two ports at the return-ship speed:
    # Busan to Incheon by sea (round the south-west corner of Korea) is several hundred km.
    sea_km = sea_s[site] / 3600.0 * network.rocket.return_ship_speed_kmh
    assert 400.0 < sea_km < 1200.0
    assert hub_of[: len(network.hubs)].tolist() == [0, 1] and not sea_s[:2].any()

    fleet = initial_fleet(network, DAY_S)
    hzb = network.hub_index("HZB")
    schedule = schedule_fleet(
        network,
        np.array([hzb], dtype=np.intp),
        np.array([site], dtype=np.intp),
        np.array([DAY_S + 600.0]),
        np.array([0.5]),
        fleet=fleet,
    )
    assert schedule.flight_return_s.tolist() == [pytest.approx(sea_s[site])]
    [airframe] = schedule.airframes
    assert airframe.location == network.hub_index("ICN")
    landing = float(schedule.flight_landing_s[0])
    margin_s = float(weather_margin_s(network)[hzb])  # the flight's weather at HZB, counted
    cycle_s = network.rocket.reuse_cycle_s
    assert airframe.ready_s == pytest.approx(landing + sea_s[site] + cycle_s + margin_s)


def test_the_weather_wait_is_the_simulators_weather_and_sea() -> None:
    """``weather_wait_tail`` against the simulator's own draws: HZB's fronts and isolated holds
    and ICN's landing zone over 30,000 days, every wave a ferry could be planned at, waiting
    for the first that flies. The tail's long end is where the margin is read."""
    from rocketpost.simulation import SimConfig
    from rocketpost.simulation.conditions import Conditions

    base = default_network()
    net = dataclasses.replace(base, hubs=(base.hub("HZB"), base.hub("ICN")))
    interval = float(net.launch_wave_interval_s[0])
    days = 30_000
    end = DAY_S + days * 86_400.0
    rng_weather, rng_sea = np.random.default_rng(1), np.random.default_rng(2)
    drawn = Conditions(net, SimConfig(), rng_weather, rng_sea, DAY_S, end + 5 * 86_400.0)
    scrubbed = drawn.scrubbed_wave[0]
    waves = (drawn.wave0[0] + np.arange(len(scrubbed))) * interval
    switch, closed_at_start = drawn.zone_switch[1][0]
    closed = (np.searchsorted(switch, waves, side="right") % 2 == 1) ^ closed_at_start
    flies = np.flatnonzero(~scrubbed & ~closed)
    planned = np.arange(np.searchsorted(waves, DAY_S), np.searchsorted(waves, end))
    lost = flies[np.searchsorted(flies, planned)] - planned
    tail = weather_wait_tail(interval)
    for hours, tolerance in ((0, 0.02), (6, 0.04), (12, 0.05), (24, 0.08), (36, 0.12), (48, 0.15)):
        m = int(hours * 3600 / interval)
        assert np.mean(lost > m) == pytest.approx(tail[m], rel=tolerance), hours
    # The margin is the wait a ferry outlasts but for a tenth of the promise's 1 %.
    margin_waves = int(weather_margin_s(net)[0] / interval)
    assert tail[margin_waves] <= 0.001 < tail[margin_waves - 1]
    assert np.mean(lost > margin_waves) == pytest.approx(0.001, rel=0.25)
