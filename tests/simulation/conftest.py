"""Fixtures: a one-order, one-flight day on the tiny network, and a small generated plan."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from rocketpost.network import Network, default_network
from rocketpost.orders.generator import generate_orders
from rocketpost.orders.table import OrderTable
from rocketpost.planning import ConsolidationPolicy, Plan, plan_orders
from rocketpost.planning.params import PlanParams
from rocketpost.simulation import SimInputs, inputs_from_plan

DAY_S = 1_795_651_200  # a midnight UTC (2026-11-26)
FLY_ALWAYS = ConsolidationPolicy(hold_below_fill=0.0, max_cost_per_kg_usd=math.inf)


def one_order(network: Network, created_s: float, origin: str = "A") -> OrderTable:
    """One small parcel to 5.5 km east of hub B's port, shipped from ``origin``."""
    lat, lon = network.hub("B").port_position
    return OrderTable(
        order_id=np.array(["o0"]),
        merchant_id=np.array(["m1"]),
        channel=np.array(["b2c"]),
        created_at=np.array([created_s], dtype=np.int64).astype("datetime64[s]"),
        destination_lat_deg=np.array([lat]),
        destination_lon_deg=np.array([lon + 0.05]),
        destination_country=np.array(["YY"]),
        destination_label=np.array([""]),
        recipient_id=np.array(["r0"]),
        origin_hub=np.array([origin]),
        mass_kg=np.array([1.0]),
        volume_m3=np.array([0.005]),
        n_items=np.ones(1, dtype=np.int64),
        n_units=np.ones(1, dtype=np.int64),
        currency=np.array(["USD"]),
        declared_value_micros=np.array([10_000_000], dtype=np.int64),
        dangerous_goods_bits=np.zeros(1, np.uint32),
    )


@pytest.fixture()
def one_flight(tiny_network: Network) -> tuple[Plan, SimInputs]:
    """The hand-worked day: one order at 01:00 from A to B, so one flight A → B at 01:10."""
    orders = one_order(tiny_network, DAY_S + 3600)
    plan = plan_orders(
        tiny_network, orders, PlanParams(consolidation=FLY_ALWAYS), promise_rule="buffer"
    )
    return plan, inputs_from_plan(plan, tiny_network)


@pytest.fixture(scope="session")
def small_day() -> tuple[Network, OrderTable, np.ndarray]:
    """3,000 generated orders with the stock at the Chinese hubs, on the `today` preset."""
    network = default_network("today")
    orders, _ = generate_orders(3000, day=date(2026, 11, 25), rng=np.random.default_rng(3))
    china = [network.hub_index(h) for h in ("HZB", "SHA", "SZX")]
    allowed = np.zeros((len(orders), len(network.hubs)), dtype=bool)
    allowed[:, china] = True
    return network, orders, allowed


@pytest.fixture(scope="session")
def small_plan(small_day: tuple[Network, OrderTable, np.ndarray]) -> tuple[Plan, SimInputs]:
    network, orders, allowed = small_day
    plan = plan_orders(
        network,
        orders,
        PlanParams(consolidation=FLY_ALWAYS),
        allowed_origins=allowed,
        promise_rule="buffer",
    )
    return plan, inputs_from_plan(plan, network)
