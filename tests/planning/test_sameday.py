"""Same-day by rocket in the plan: top-ups of one-hour flights, extra flights, the day's KPIs."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rocketpost.core.eligibility import SAME_DAY_WINDOW_S
from rocketpost.network import Network, default_network
from rocketpost.orders.table import OrderTable
from rocketpost.planning import check_plan, plan_orders, write_plan
from rocketpost.planning.consolidation import ConsolidationPolicy
from rocketpost.planning.params import PlanParams
from rocketpost.planning.sameday import fill_same_day, take_prefix
from rocketpost.planning.service_choice import REASONS, Mode, Reason

from . import make_orders

DAY_S = 1_795_651_200  # 2026-11-25 00:00 UTC


@pytest.fixture(scope="module")
def network() -> Network:
    return default_network()


def test_take_prefix_is_greedy_in_priority_order_and_skips_what_no_longer_fits() -> None:
    mass = np.array([3.0, 8.0, 3.0, 3.0, 1.0])
    volume = np.zeros(5)
    # 3 fits, 8 does not (3 + 8 > 10), then 3 and 3 do, and 1 no longer (9 + 1 ≤ 10 does).
    assert take_prefix(mass, volume, 10.0, 1.0).tolist() == [0, 2, 3, 4]
    assert take_prefix(mass, volume, 2.0, 1.0).tolist() == [4]
    # Volume binds as well as mass.
    assert take_prefix(np.ones(3), np.array([0.6, 0.6, 0.3]), 10.0, 1.0).tolist() == [0, 2]


def _fill(**kwargs: Any) -> dict[str, Any]:
    n = 12
    base: dict[str, Any] = {
        "n_orders": n,
        "lane_ends": (np.array([0, 0]), np.array([1, 2])),
        "cap_kg": 1000.0,
        "cap_m3": 100.0,
        "min_fill": 0.8,
    }
    base.update(kwargs)
    return base


def test_same_day_tops_up_one_hour_flights_then_flies_only_full_extra_ones() -> None:
    # Lane 0 has a one-hour flight at t = 600 s with 150 kg of room; lane 1 has none.
    rows = np.arange(12)
    lane = np.array([0, 0, 0] + [1] * 9)
    mass = np.array([100.0, 100.0, 40.0] + [100.0] * 9)
    earliest = np.full(12, 0.0)
    latest = np.array([3000.0, 1000.0, 5000.0] + [7000.0] * 8 + [1300.0])
    fill = fill_same_day(
        rows,
        lane,
        earliest,
        latest,
        np.full(12, 600.0),
        mass,
        np.full(12, 0.1),
        **_fill(
            bin_lane=np.array([0]),
            bin_launch_s=np.array([600.0]),
            bin_room_kg=np.array([150.0]),
            bin_room_m3=np.array([50.0]),
        ),
    )
    # Earliest deadline first into the one-hour flight: order 1 (deadline 1000 s), then what
    # still fits (order 2's 40 kg); order 0 saw the full flight and nothing else flies its lane.
    assert fill.order_bin[:3].tolist() == [-1, 0, 0]
    assert fill.no_room.tolist() == [0]
    # Lane 1: nine 100 kg orders fill one extra flight to 90 % (≥ 80 %), at the wave of the
    # most urgent deadline (1,300 s -> 1,200 s), which every one of them is ready for.
    assert fill.new_launch_s == [1200.0]
    assert (fill.new_origin, fill.new_destination) == ([0], [2])
    assert set(fill.order_bin[3:].tolist()) == {1}


def test_too_little_same_day_for_an_extra_flight_goes_standard() -> None:
    rows = np.arange(7)
    fill = fill_same_day(
        rows,
        np.zeros(7, dtype=np.int64),
        np.zeros(7),
        np.full(7, 7000.0),
        np.full(7, 600.0),
        np.full(7, 100.0),
        np.full(7, 0.1),
        **_fill(
            n_orders=7,
            bin_lane=np.zeros(0, dtype=np.int64),
            bin_launch_s=np.zeros(0),
            bin_room_kg=np.zeros(0),
            bin_room_m3=np.zeros(0),
        ),
    )
    assert fill.new_launch_s == []
    assert sorted(fill.too_light.tolist()) == list(range(7))
    assert (fill.order_bin == -1).all()


def _b2b(orders: OrderTable, rows: list[int]) -> OrderTable:
    channel = np.array(orders.channel)
    channel[rows] = "b2b"
    return dataclasses.replace(orders, channel=channel)


def test_b2b_freight_fills_the_one_hour_flight_and_never_bumps_a_parcel(
    network: Network, tmp_path: Path
) -> None:
    lat, lon = network.hub("ICN").port_position
    place = (lat + 0.02, lon + 0.02)
    created = DAY_S + 3 * 3600
    # Five one-hour parcels and three 4 t pallets, all HZB -> ICN at the same minute.
    orders = _b2b(
        make_orders(
            [place] * 8,
            [created] * 8,
            [1.0] * 5 + [4000.0] * 3,
            [0.004] * 5 + [4.0] * 3,
            origin_hub=["HZB"] * 8,
        ),
        [5, 6, 7],
    )
    always = ConsolidationPolicy(max_cost_per_kg_usd=math.inf)
    plan = plan_orders(network, orders, PlanParams(consolidation=always), promise_rule="buffer")
    out = plan.outcomes
    assert out.one_hour[:5].all() and (out.mode[:5] == Mode.ROCKET).all()
    # Two pallets ride the parcels' flight; the third would fly a 40 % rocket of its own: no.
    assert list(out.mode[5:7]) == [Mode.SAME_DAY] * 2
    assert {REASONS[r] for r in out.reason[5:7]} == {Reason.SAME_DAY_REQUESTED}
    assert len(set(out.flight_id[:7].tolist())) == 1 and out.flight_id[0] >= 0
    assert out.mode[7] == Mode.STANDARD and REASONS[out.reason[7]] is Reason.NO_CAPACITY
    np.testing.assert_allclose(out.promised_s[5:7], created + SAME_DAY_WINDOW_S)
    assert out.on_time.all()
    k = plan.kpis
    assert (k["cargo_flights"], k["same_day_orders"], k["same_day_kg"]) == (1, 2, 8000.0)
    assert k["one_hour_flights_fill_by_weight_before"] == pytest.approx(5.0 / 10_000)
    assert k["one_hour_flights_fill_by_weight_after"] == pytest.approx(8005.0 / 10_000)
    write_plan(plan, tmp_path)
    assert check_plan(tmp_path, orders, network) == []

    # Without the tier (or with B2B as one-hour freight) the pallets fly rockets of their own.
    off = ConsolidationPolicy(max_cost_per_kg_usd=math.inf, same_day=False)
    before = plan_orders(network, orders, PlanParams(consolidation=off), promise_rule="buffer")
    assert before.kpis["cargo_flights"] == 2 and before.kpis["same_day_orders"] == 0
    assert before.outcomes.one_hour.all()


def test_a_late_parcel_waits_for_a_later_flight_with_room(network: Network) -> None:
    lat, lon = network.hub("ICN").port_position
    place = (lat + 0.02, lon + 0.02)
    created = DAY_S + 3 * 3600
    # A one-hour promise too short for anyone: every parcel misses the hour; 9.5 t of them
    # on one lane fill an extra same-day flight (95 %) and fly within twelve hours.
    orders = make_orders(
        [place] * 19, [created] * 19, [500.0] * 19, [0.5] * 19, origin_hub=["HZB"] * 19
    )
    params = PlanParams(promise_s=600.0, consolidation=ConsolidationPolicy())
    plan = plan_orders(network, orders, params, promise_rule="buffer")
    out = plan.outcomes
    assert (out.mode == Mode.SAME_DAY).all() and not out.one_hour.any()
    assert {REASONS[r] for r in out.reason} <= {
        Reason.LAST_MILE_TOO_LONG,
        Reason.NO_LANDING_ZONE_IN_REACH,
    }
    assert plan.kpis["cargo_flights"] == 1 and plan.kpis["same_day_flights"] == 1
    assert plan.kpis["fill_by_weight"] == pytest.approx(0.95)
    assert (out.planned_delivery_s <= created + SAME_DAY_WINDOW_S).all() and out.on_time.all()
