"""Demand points from cities and from an orders file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from rocketpost.design.demand import Demand, city_demand, orders_demand
from rocketpost.errors import InputError
from rocketpost.orders.generator import generate_orders
from rocketpost.orders.io import write_orders
from rocketpost.world.cities import load_cities


def test_city_demand_is_the_population() -> None:
    demand = city_demand(1_000_000)
    cities = load_cities(1_000_000)
    assert demand.total == cities.total_population and demand.unit == "people"
    assert not demand.weight.flags.writeable


def test_orders_demand_counts_orders_per_destination(tmp_path: Path) -> None:
    orders, items = generate_orders(300, day=date(2026, 11, 25), rng=np.random.default_rng(3))
    path = tmp_path / "day.parquet"
    write_orders(path, orders, items)
    demand = orders_demand(path)
    assert demand.unit == "orders" and demand.total == len(orders.order_id)
    assert 0 < len(demand) <= len(orders.order_id)


def test_bad_columns_are_refused() -> None:
    with pytest.raises(InputError):
        Demand(
            name=np.array(["a"], dtype=object),
            country_code=np.array(["FR"], dtype=object),
            lat_deg=np.array([1.0]),
            lon_deg=np.array([1.0]),
            weight=np.array([-1.0]),
        )
    with pytest.raises(InputError):
        Demand(
            name=np.array(["a", "b"], dtype=object),
            country_code=np.array(["FR"], dtype=object),
            lat_deg=np.array([1.0]),
            lon_deg=np.array([1.0]),
            weight=np.array([1.0]),
        )
