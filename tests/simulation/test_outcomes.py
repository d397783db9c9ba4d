"""Per-order outcomes: the hand-worked lateness, re-dispatch chains, the standard fallback."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rocketpost.core.eligibility import Mode
from rocketpost.planning import Plan
from rocketpost.simulation import (
    Disruptions,
    FlightRecord,
    OrderOutcomes,
    ReplanAction,
    ReplanPolicy,
    SimConfig,
    SimInputs,
    order_outcomes,
    simulate_flights,
)
from rocketpost.simulation.disruptions import CustomsModel, LandingModel
from rocketpost.simulation.outcomes import final_flights

CALM = SimConfig(disruptions=Disruptions.none())
RNG = np.random.default_rng(0)


def outcome(inputs: SimInputs, config: SimConfig) -> tuple[FlightRecord, OrderOutcomes]:
    record = simulate_flights(inputs, config, np.random.SeedSequence(1))
    return record, order_outcomes(inputs, record, config.disruptions, np.random.default_rng(0))


def test_calm_day_delivers_as_planned(one_flight: tuple[Plan, SimInputs]) -> None:
    _, inputs = one_flight
    _, out = outcome(inputs, CALM)
    assert out.actual_s[0] == pytest.approx(inputs.order_planned_s[0], abs=1e-3)
    assert out.on_time.tolist() == [True]


def test_a_front_over_two_waves_makes_the_order_late_by_a_known_amount(
    one_flight: tuple[Plan, SimInputs],
) -> None:
    _, inputs = one_flight
    wave = float(inputs.flight_launch_s[0])
    one = dataclasses.replace(CALM, scripted_scrubs=(("A", wave),))
    _, out = outcome(inputs, one)
    slack = inputs.order_promised_s[0] - inputs.order_planned_s[0]  # 792.6 s
    assert out.lateness_s[0] == pytest.approx(600.0 - slack, abs=1e-3)  # still on time
    assert out.on_time.tolist() == [True]
    two = dataclasses.replace(CALM, scripted_scrubs=(("A", wave), ("A", wave + 600.0)))
    _, out = outcome(inputs, two)
    assert out.lateness_s[0] == pytest.approx(1200.0 - slack, abs=1e-3)  # 407.4 s late
    assert out.lateness_s[0] == pytest.approx(407.4, abs=0.1)
    assert out.on_time.tolist() == [False]
    assert out.delivered_by.tolist() == [1]


def test_standard_fallback_is_a_broken_promise(one_flight: tuple[Plan, SimInputs]) -> None:
    _, inputs = one_flight
    config = dataclasses.replace(
        CALM,
        scripted_scrubs=(("A", float(inputs.flight_launch_s[0])),),
        policy=ReplanPolicy(ReplanAction.STANDARD),
    )
    _, out = outcome(inputs, config)
    assert out.delivered_by.tolist() == [0]
    assert out.actual_s[0] == inputs.order_created_s[0] + 5 * 86400.0
    assert out.on_time.tolist() == [False]


def test_lost_cargo_rides_the_replacement(one_flight: tuple[Plan, SimInputs]) -> None:
    _, inputs = one_flight
    fail_once = dataclasses.replace(CALM, disruptions=Disruptions.none())
    record = simulate_flights(inputs, fail_once, np.random.SeedSequence(1))
    assert record.replaced_by.tolist() == [-1]
    d = dataclasses.replace(Disruptions.none(), landing=LandingModel(failure_p=1.0))
    record, out = outcome(inputs, dataclasses.replace(CALM, disruptions=d))
    assert out.final_flight.tolist() == [2] and out.redispatched.tolist() == [True]
    assert out.delivered_by.tolist() == [0]  # the last replacement found no airframe


def test_final_flights_follow_chains() -> None:
    replaced_by = np.array([2, -1, 3, -1])
    assert final_flights(np.array([0, 1, -1, 3]), replaced_by).tolist() == [3, 1, -1, 3]


def test_table_has_one_row_per_one_hour_order(small_plan: tuple[Plan, SimInputs]) -> None:
    _, inputs = small_plan
    record, out = outcome(inputs, SimConfig())
    table = out.to_table(inputs, record)
    assert table.num_rows == inputs.n_orders
    lateness = table["lateness_s"].to_numpy()
    assert np.array_equal(table["on_time"].to_numpy(), lateness <= 1e-6)
    ground = table["mode"].to_numpy(zero_copy_only=False) == "ground"
    assert ground.any() and not table["redispatched"].to_numpy()[ground].any()


def test_inspections_are_drawn_at_the_odds_the_promise_counted(
    small_plan: tuple[Plan, SimInputs],
) -> None:
    """The plan records each order's odds of an unplanned inspection; the simulator picks each
    parcel at those odds (NaN, a buffer plan: the climate's rate for cross-border parcels)."""
    _, inputs = small_plan
    customs = dataclasses.replace(
        CALM, disruptions=dataclasses.replace(Disruptions.none(), customs=CustomsModel(0.5))
    )
    rocket = inputs.order_mode == Mode.ROCKET
    assert rocket.sum() >= 10 and np.isnan(inputs.order_inspection_p).all()
    _, climate = outcome(inputs, customs)
    assert (climate.customs_delay_s[~rocket] == 0).all()
    never = dataclasses.replace(inputs, order_inspection_p=np.zeros(inputs.n_orders))
    _, out = outcome(never, customs)
    assert (out.customs_delay_s == 0).all()  # screened clean: the promise counted none
    always = dataclasses.replace(inputs, order_inspection_p=np.where(rocket, 1.0, 0.0))
    _, out = outcome(always, customs)
    picked = out.customs_delay_s > 0
    assert picked[rocket].all() and not picked[~rocket].any()
