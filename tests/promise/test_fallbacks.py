"""The fallback a promise counts: its mixture against Monte Carlo of the re-planning policy, the
hub it picks, and the decision under a front at the origin with stock elsewhere (or nowhere)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from rocketpost.core.doortodoor import network_legs
from rocketpost.core.eligibility import Mode, Reason, parcel_routes
from rocketpost.network import default_network
from rocketpost.planning.service_choice import choose_service
from rocketpost.promise.conditions import Conditions, HubWeather
from rocketpost.promise.decision import kernel_p_on_time, meets_confidence
from rocketpost.promise.distribution import DeliveryModel, delivery_distribution
from rocketpost.promise.fallbacks import (
    best_fallbacks,
    may_stand_in,
    mixture,
    p_on_time_with_fallback,
    trigger_p,
)
from rocketpost.promise.rates import Disruptions
from rocketpost.promise.sampling import sample_delivery_s
from tests.planning import make_orders

CLIMATE = Disruptions()
T0 = 1_795_651_200.0  # a whole multiple of every wave interval
HOLD_P = CLIMATE.weather.isolated_scrub_p

PRIMARY = DeliveryModel(
    fixed_s=1500.0,
    wave_interval_s=300.0,
    launch_offset_s=700.0,
    landing_offset_s=1500.0,
    scrub_p=HOLD_P,
    front_mean_s=6 * 3600.0,
    sea_closed_mean_s=None,
    boat_s=600.0,
    detour_s=0.0,
    boat_sigma=CLIMATE.noise.boat_sigma,
    inspection_p=CLIMATE.customs.inspection_p,
    inspection_median_s=CLIMATE.customs.median_delay_min * 60.0,
    inspection_sigma=CLIMATE.customs.sigma,
    last_mile_s=900.0,
    last_mile_sigma=CLIMATE.noise.last_mile_sigma,
)
# Re-picked at the primary's planned wave: 5 min later, 200 s longer in the air.
FALLBACK = replace(
    PRIMARY, fixed_s=2000.0, launch_offset_s=1000.0, landing_offset_s=2000.0, front_mean_s=None
)
N = 100_000
Z99 = 2.5758


def _held_waves(rng: np.random.Generator, scrub_p: float, n: int) -> np.ndarray:
    """Isolated holds as the simulator draws them: a Bernoulli per wave until one launches."""
    waves = np.zeros(n)
    going = np.ones(n, dtype=bool)
    while going.any():
        going &= rng.random(n) < scrub_p
        waves += going
    return waves


def _policy_monte_carlo(rng: np.random.Generator, n: int) -> np.ndarray:
    """Delivery times under the ``other_hub`` policy, drawn wave by wave as the simulator flies
    them: the origin's front has an exponential remaining duration (memoryless); the first
    wave it scrubs moves the parcels to the fallback, which then waits out its own holds."""
    front_left = rng.exponential(PRIMARY.front_mean_s, n)
    interval = PRIMARY.wave_interval_s
    moved = np.zeros(n, dtype=bool)
    lost = np.zeros(n)
    undecided = np.ones(n, dtype=bool)
    k = 0
    while undecided.any():
        wave_at = PRIMARY.launch_offset_s + k * interval
        in_front = undecided & (front_left > wave_at)
        moved |= in_front  # scrubbed by the front: the policy re-routes
        undecided &= ~in_front
        held = undecided & (rng.random(n) < PRIMARY.scrub_p)
        lost += held
        undecided = held
        k += 1
    calm = replace(PRIMARY, front_mean_s=None, scrub_p=0.0)
    stay = sample_delivery_s(calm, rng, n) + lost * interval
    fallback_calm = replace(FALLBACK, scrub_p=0.0)
    held_there = _held_waves(rng, FALLBACK.scrub_p, n)
    there = sample_delivery_s(fallback_calm, rng, n) + held_there * FALLBACK.wave_interval_s
    return np.where(moved, there, stay)


@pytest.mark.parametrize("t_s", [2700.0, 3300.0, 3600.0, 4200.0, 6000.0])
def test_the_mixture_is_the_policy_in_monte_carlo(t_s: float) -> None:
    draws = _policy_monte_carlo(np.random.default_rng(11), N)
    sampled = float(np.mean(draws <= t_s))
    closed = p_on_time_with_fallback(PRIMARY, FALLBACK, t_s)
    half_width = Z99 * np.sqrt(max(sampled * (1 - sampled), 1e-4) / N)
    assert abs(closed - sampled) <= half_width, (closed, sampled, half_width)


def test_the_fallback_is_worth_counting_and_nothing_without_one() -> None:
    without = delivery_distribution(PRIMARY).p_within(3600.0)
    with_fallback = p_on_time_with_fallback(PRIMARY, FALLBACK, 3600.0)
    assert without < 0.2 < 0.5 < with_fallback
    assert p_on_time_with_fallback(PRIMARY, None, 3600.0) == pytest.approx(without)
    # A site closed and holding flights: the fallback would wait for the same sea.
    closed = replace(PRIMARY, sea_closed_mean_s=12 * 3600.0)
    assert p_on_time_with_fallback(closed, FALLBACK, 3600.0) == pytest.approx(
        delivery_distribution(closed).p_within(3600.0)
    )


def test_trigger_is_the_front_outlasting_the_planned_wave() -> None:
    q = trigger_p([700.0, 700.0, 0.0], [6 * 3600.0, np.nan, 3600.0])
    assert q[0] == pytest.approx(np.exp(-700.0 / (6 * 3600.0)))
    assert q[1] == 0.0 and q[2] == pytest.approx(1.0)
    assert mixture(0.5, 0.9, 0.25, fallback_survival=0.5).item() == pytest.approx(
        0.75 * 0.5 + 0.25 * 0.45
    )


def test_best_fallback_is_a_clear_hub_of_the_country_with_the_stock() -> None:
    network = default_network("rocket-hour")
    legs = network_legs(network)
    hz, sha, szx = (network.hub_index(h) for h in ("HZB", "SHA", "SZX"))
    pus = network.hub_index("PUS")  # a Korean hub's site: the destination
    stand_in = may_stand_in(network)
    assert stand_in[sha, hz] and stand_in[sha, szx] and not stand_in[sha, sha]
    assert not stand_in[sha, network.hub_index("ICN")]  # another country
    every = np.ones(len(network.hubs), dtype=bool)
    at = T0 + 600.0
    hub, launch, landing = best_fallbacks(legs, sha, pus, at, every, every)
    assert hub[0] in (hz, szx)
    assert launch[0] == pytest.approx(at + 300.0)  # re-picked in 3 min: the next 5-min slot
    other = szx if hub[0] == hz else hz
    landings = {h: at + 300.0 + legs.touchdown_s[h, pus] for h in (hz, szx)}
    assert landing[0] == pytest.approx(landings[int(hub[0])])
    assert landing[0] <= landings[other]
    only_other = np.zeros_like(every)
    only_other[other] = True
    assert best_fallbacks(legs, sha, pus, at, only_other, every)[0][0] == other  # the stock
    assert best_fallbacks(legs, sha, pus, at, every, only_other)[0][0] == other  # a front
    nowhere = np.zeros_like(every)
    nowhere[sha] = True
    hub, launch, _ = best_fallbacks(legs, sha, pus, at, nowhere, every)
    assert hub[0] == -1 and np.isnan(launch[0])


def test_an_order_under_a_front_is_promised_through_a_clear_hub_with_its_stock() -> None:
    network = default_network("rocket-hour")
    legs = network_legs(network)
    sha, hz = network.hub_index("SHA"), network.hub_index("HZB")
    front = Conditions(
        hubs={"SHA": HubWeather("front"), "HZB": HubWeather("clear")}, known_ids=network.hub_ids
    )
    busan = (np.array([35.10]), np.array([129.04]))
    routes = parcel_routes(
        legs, *busan, ready_s=T0 + 1, mass_kg=np.ones(1), volume_m3=np.full(1, 0.005),
        origins=np.array([sha]),
    )  # fmt: skip
    stock_elsewhere = np.zeros(len(network.hubs), dtype=bool)
    stock_elsewhere[[sha, hz]] = True
    only_here = np.zeros_like(stock_elsewhere)
    only_here[sha] = True
    common = {"promise_s": network.promise.one_hour_s, "cross_border": False}
    target = network.promise.confidence
    through = kernel_p_on_time(network, routes, front, stock=stock_elsewhere, **common)
    stuck = kernel_p_on_time(network, routes, front, stock=only_here, **common)
    uncounted = kernel_p_on_time(network, routes, front, **common)
    assert meets_confidence(through, target).all()
    assert stuck[0] == pytest.approx(uncounted[0]) and not meets_confidence(stuck, target).any()
    # HZB under a front too: no clear hub holds the stock, no fallback.
    both = front.with_hub("HZB", HubWeather("front"))
    assert kernel_p_on_time(network, routes, both, stock=stock_elsewhere, **common)[0] < 0.5


def test_the_planner_counts_the_fallback_from_the_allowed_origins() -> None:
    network = default_network("rocket-hour")
    sha, hz = network.hub_index("SHA"), network.hub_index("HZB")
    orders = make_orders([(35.10, 129.04)], [T0 + 1], [1.0], [0.005])  # to Busan
    front = Conditions(hubs={"SHA": HubWeather("front"), "HZB": HubWeather("clear")})
    allowed = np.zeros((1, len(network.hubs)), dtype=bool)
    allowed[0, [sha, hz]] = True
    only_sha = np.zeros_like(allowed)
    only_sha[0, sha] = True
    # The kernel's fastest origin is SHA (under the front); a screened parcel (no inspection).
    fallback = choose_service(
        network, orders, conditions=front, allowed_origins=allowed, inspection_p=[0.0],
        fallbacks=True, same_day=False,
    )  # fmt: skip
    stuck = choose_service(
        network, orders, conditions=front, allowed_origins=only_sha, inspection_p=[0.0],
        fallbacks=True, same_day=False,
    )  # fmt: skip
    assert fallback.mode[0] == Mode.ROCKET and fallback.p_on_time[0] >= network.promise.confidence
    assert stuck.mode[0] != Mode.ROCKET
    assert stuck.reason_names()[0] == Reason.BELOW_CONFIDENCE.value
