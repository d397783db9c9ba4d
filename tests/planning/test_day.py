"""A whole day (stock, customs, the plan) decided at the network's confidence by default."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from rocketpost.errors import InputError
from rocketpost.network import default_network
from rocketpost.orders.generator import generate_orders
from rocketpost.planning import ConsolidationPolicy, Mode, plan_day
from rocketpost.planning.params import PlanParams
from rocketpost.promise.conditions import Conditions


def test_the_day_is_promised_at_the_confidence_unless_the_buffer_is_asked_for() -> None:
    network = default_network("rocket-hour")
    orders, items = generate_orders(
        300, day=date(2026, 11, 25), rng=np.random.default_rng(11), rocket=network.rocket
    )
    fly = PlanParams(
        consolidation=ConsolidationPolicy(hold_below_fill=0.0, max_cost_per_kg_usd=math.inf)
    )
    default = plan_day(network, orders, items, fly)
    climate = plan_day(network, orders, items, fly, promise_conditions=Conditions())
    np.testing.assert_array_equal(default.outcomes.mode, climate.outcomes.mode)
    np.testing.assert_array_equal(default.outcomes.p_on_time, climate.outcomes.p_on_time)
    rocket = default.outcomes.mode == Mode.ROCKET
    assert rocket.any()
    assert (default.outcomes.p_on_time[rocket] >= network.promise.confidence).all()
    by_buffer = plan_day(network, orders, items, fly, promise_rule="buffer")
    assert np.isnan(by_buffer.outcomes.p_on_time).all()
    with pytest.raises(InputError, match="promise_rule"):
        plan_day(network, orders, items, promise_conditions=Conditions(), promise_rule="buffer")
