"""Simulator inputs from a plan in memory and from its directory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rocketpost.errors import InputError
from rocketpost.planning import Plan, write_plan
from rocketpost.simulation import SimInputs, inputs_from_plan, load_inputs


def test_directory_and_memory_agree(small_plan: tuple[Plan, SimInputs], tmp_path: Path) -> None:
    plan, inputs = small_plan
    write_plan(plan, tmp_path)
    loaded = load_inputs(tmp_path, inputs.network)
    for name in ("flight_launch_s", "flight_duration_s", "order_promised_s", "order_planned_s"):
        np.testing.assert_allclose(getattr(loaded, name), getattr(inputs, name), atol=1e-3)
    assert loaded.order_flight.tolist() == inputs.order_flight.tolist()
    assert loaded.n_orders == plan.kpis["one_hour_orders"]
    assert loaded.standard_orders == plan.kpis["standard_orders"]


def test_not_a_plan_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="plan_dir"):
        load_inputs(tmp_path / "missing")
    with pytest.raises(InputError, match=r"no flights\.parquet"):
        load_inputs(tmp_path)


def test_stock_is_kept_for_the_one_hour_orders(small_plan: tuple[Plan, SimInputs]) -> None:
    plan, inputs = small_plan
    network = inputs.network
    n = len(plan.outcomes.one_hour)
    stock = np.zeros((n, len(network.hubs)), dtype=bool)
    stock[np.arange(n), np.arange(n) % len(network.hubs)] = True
    with_stock = inputs_from_plan(plan, network, stock=stock)
    assert inputs.order_stock is None
    np.testing.assert_array_equal(with_stock.order_stock, stock[plan.outcomes.one_hour])
    with pytest.raises(InputError, match="stock"):
        inputs_from_plan(plan, network, stock=stock[:-1])
