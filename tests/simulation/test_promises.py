"""The promises a dispatcher inside a simulated day would have made (seen_at at order time)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from rocketpost.network import Network, default_network
from rocketpost.orders.generator import generate_orders
from rocketpost.planning import Mode, plan_orders
from rocketpost.planning.params import PlanParams
from rocketpost.promise.conditions import Conditions
from rocketpost.promise.rates import WeatherModel
from rocketpost.simulation import Disruptions, SimConfig, SimInputs, inputs_from_plan
from rocketpost.simulation.engine import replicate_conditions
from rocketpost.simulation.promises import dispatcher_promises
from tests.simulation.conftest import FLY_ALWAYS


@pytest.fixture(scope="module")
def confident_day() -> tuple[Network, SimInputs]:
    """1,500 orders of the rocket-hour preset, stock in China, promised at the confidence."""
    network = default_network("rocket-hour")
    orders, _ = generate_orders(
        1500, day=date(2026, 11, 25), rng=np.random.default_rng(5), rocket=network.rocket
    )
    allowed = np.zeros((len(orders), len(network.hubs)), dtype=bool)
    allowed[:, [network.hub_index(h) for h in ("HZB", "SHA", "SZX")]] = True
    plan = plan_orders(
        network,
        orders,
        PlanParams(consolidation=FLY_ALWAYS),
        allowed_origins=allowed,
        promise_conditions=Conditions(),
    )
    return network, inputs_from_plan(plan, network)


def test_the_plan_records_the_p_it_promised_at(confident_day: tuple[Network, SimInputs]) -> None:
    network, inputs = confident_day
    rocket = inputs.order_mode == Mode.ROCKET
    assert rocket.any()
    assert (inputs.order_p_on_time >= network.promise.confidence).all()


@pytest.fixture(scope="module")
def held_day() -> tuple[Network, SimInputs, int]:
    """4,000 orders of the rocket-hour preset, stock in China, light flights held (the default
    consolidation) and never downgraded: ``(network, inputs, holds)``."""
    import math

    from rocketpost.planning.consolidation import ConsolidationPolicy

    network = default_network("rocket-hour")
    orders, _ = generate_orders(
        4000, day=date(2026, 11, 25), rng=np.random.default_rng(1), rocket=network.rocket
    )
    allowed = np.zeros((len(orders), len(network.hubs)), dtype=bool)
    allowed[:, [network.hub_index(h) for h in ("HZB", "SHA", "SZX")]] = True
    policy = ConsolidationPolicy(max_cost_per_kg_usd=math.inf)
    plan = plan_orders(network, orders, PlanParams(consolidation=policy), allowed_origins=allowed)
    holds = int(plan.kpis["light_lane_wave_decisions"]["hold"])
    return network, inputs_from_plan(plan, network), holds


def test_a_held_flight_records_the_p_of_the_wave_it_flies(
    held_day: tuple[Network, SimInputs, int],
) -> None:
    """The P(on time) a plan records is the one decision's at the flight's planned launch, held
    waves included (it used to be the earliest wave's: 0.9975 recorded for 0.9907 flown)."""
    from rocketpost.simulation.promises import planned_route_p

    network, inputs, holds = held_day
    assert holds > 0
    rows = np.flatnonzero(inputs.order_mode == Mode.ROCKET)
    assert rows.size
    flown = planned_route_p(inputs, rows, Conditions())
    recorded = inputs.order_p_on_time[rows]
    # Within the kernel's rounding of the planned legs (15 s quanta, 10⁻⁴ grounded odds).
    np.testing.assert_allclose(recorded, flown, atol=2e-3)
    assert (recorded >= network.promise.confidence).all()


def test_a_plan_at_the_confidence_keeps_a_reserve_airframe_at_every_hub(
    held_day: tuple[Network, SimInputs, int],
) -> None:
    """The spare that re-flies a lost landing (what the promise counts) is never planned."""
    network, inputs, _ = held_day
    planned = np.bincount(inputs.flight_airframe, minlength=len(inputs.airframe_hub))
    for h in range(len(network.hubs)):
        here = inputs.airframe_hub == h
        assert (planned[here] == 0).any(), network.hub_ids[h]


def test_calm_seas_and_skies_withdraw_nothing(confident_day: tuple[Network, SimInputs]) -> None:
    _, inputs = confident_day
    config = SimConfig(disruptions=Disruptions.none())
    seen = replicate_conditions(inputs, config, np.random.SeedSequence(0))
    made = dispatcher_promises(inputs, seen)
    assert made.promised.all() and not made.reconsidered.any()
    np.testing.assert_array_equal(made.p_on_time, inputs.order_p_on_time)


def test_a_front_over_every_hub_withdraws_every_rocket_promise(
    confident_day: tuple[Network, SimInputs],
) -> None:
    _, inputs = confident_day
    always_front = WeatherModel(scrub_share=1.0, front_share_of_scrubs=1.0, mean_front_h=1000.0)
    config = SimConfig(disruptions=replace(Disruptions(), weather=always_front))
    seen = replicate_conditions(inputs, config, np.random.SeedSequence(0))
    made = dispatcher_promises(inputs, seen)
    rocket = inputs.order_mode == Mode.ROCKET
    assert made.reconsidered[rocket].all() and not made.promised[rocket].any()
    assert made.promised[~rocket].all()  # the ground hour does not see the launch weather


def test_a_plan_by_the_buffer_is_simulated_as_promised(
    confident_day: tuple[Network, SimInputs],
) -> None:
    _, inputs = confident_day
    by_buffer = replace(inputs, order_p_on_time=np.full(inputs.n_orders, np.nan))
    always_front = WeatherModel(scrub_share=1.0, front_share_of_scrubs=1.0)
    config = SimConfig(disruptions=replace(Disruptions(), weather=always_front))
    made = dispatcher_promises(
        by_buffer, replicate_conditions(by_buffer, config, np.random.SeedSequence(0))
    )
    assert made.promised.all() and not made.reconsidered.any()


def test_the_dispatcher_counts_the_fallback_where_the_stock_is_clear(
    confident_day: tuple[Network, SimInputs],
) -> None:
    network, inputs = confident_day
    fronts = WeatherModel(scrub_share=0.2, front_share_of_scrubs=1.0, mean_front_h=12.0)
    config = SimConfig(disruptions=replace(Disruptions(), weather=fronts))
    china = np.zeros((inputs.n_orders, len(network.hubs)), dtype=bool)
    china[:, [network.hub_index(h) for h in ("HZB", "SHA", "SZX")]] = True
    own = np.zeros_like(china)
    own[np.arange(inputs.n_orders), inputs.order_origin] = True
    gained = 0
    for seed in range(6):
        seen = replicate_conditions(inputs, config, np.random.SeedSequence(seed))
        alone = dispatcher_promises(inputs, seen)
        counted = dispatcher_promises(replace(inputs, order_stock=china), seen, fallbacks=True)
        again = alone.reconsidered
        # Under a front the fallback only adds; elsewhere nothing changes.
        before, after = np.nan_to_num(alone.p_on_time), np.nan_to_num(counted.p_on_time)
        assert (after[again] >= before[again] - 1e-12).all()
        np.testing.assert_array_equal(after[~again], before[~again])
        gained += int((after[again] > before[again] + 0.5).sum())
        # Stock only at each order's own origin: no fallback exists, the same promises.
        stuck = dispatcher_promises(replace(inputs, order_stock=own), seen, fallbacks=True)
        # (equal up to the order of the onset products: 1e-16)
        np.testing.assert_allclose(np.nan_to_num(stuck.p_on_time), before, rtol=0, atol=1e-12)
    assert gained > 0


def test_a_gale_at_the_vessels_withdraws_their_drone_promises_unless_the_boat_way_keeps_them(
    confident_day: tuple[Network, SimInputs],
) -> None:
    """Wind far above the drones' limit all day: every vessel-drone order is decided again
    with its drones grounded for sure, and keeps its promise only if the boat way (boat →
    port → last mile, as the simulator sends it) still meets the confidence; the others are
    untouched (calm skies, open seas)."""
    from rocketpost.promise.rates import MetoceanModel, SeaStateModel

    network, inputs = confident_day
    gale = MetoceanModel(mean_wind_ms=60.0)
    calm = replace(Disruptions.none(), metocean=gale, sea_state=SeaStateModel(closed_share=0.0))
    seen = replicate_conditions(inputs, SimConfig(disruptions=calm), np.random.SeedSequence(0))
    made = dispatcher_promises(inputs, seen)
    vessel = (inputs.order_mode == Mode.ROCKET) & inputs.order_vessel
    assert vessel.any()
    assert made.reconsidered[vessel].all() and not made.reconsidered[~vessel].any()
    boat_way = inputs.order_port_instead_s + inputs.order_last_mile_instead_s
    drone_way = network.drone.vessel_transfer_min * 60.0 + (
        inputs.order_planned_s - inputs.order_port_s - inputs.order_inspection_s
    )
    late = vessel & (inputs.order_planned_s + boat_way - drone_way - inputs.order_created_s
                     > network.promise.one_hour_s)  # fmt: skip
    assert not made.promised[late].any()
    # The rest: a calm world otherwise (no holds, inspections or losses), the boat way on time.
    assert made.promised[vessel & ~late].all()
