"""Customs pre-clearance: an error per order, aligned with the orders, where it cannot declare."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pytest

from rocketpost.customs import clear_orders
from rocketpost.errors import InputError
from rocketpost.network import default_network
from rocketpost.orders.generator import generate_orders
from rocketpost.orders.model import Order
from rocketpost.planning import preclearance
from rocketpost.planning.preclearance import pre_clear


@pytest.fixture(scope="module")
def day() -> Any:
    orders, items = generate_orders(120, day=date(2026, 11, 25), rng=np.random.default_rng(8))
    return default_network(), orders, items


def test_a_clean_day_has_no_errors(day: Any) -> None:
    network, orders, items = day
    cleared = pre_clear(network, orders, items)
    assert cleared.error.shape == (len(orders),)
    assert (cleared.error == "").all()
    assert cleared.table["error"].to_pylist() == [""] * len(orders)


def test_unknown_hs_code_holds_that_order_only(day: Any) -> None:
    network, orders, items = day
    hs = items.hs_code.copy()
    bad_order = 7
    hs[np.flatnonzero(items.order_index == bad_order)[0]] = "999999"
    cleared = pre_clear(network, orders, dataclasses.replace(items, hs_code=hs))
    assert cleared.error[bad_order].startswith("invalid declaration: hs_code:")
    assert cleared.held[bad_order]
    others = np.arange(len(orders)) != bad_order
    assert (cleared.error[others] == "").all()


def test_orders_the_batch_refuses_are_found_one_by_one(
    day: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anything the cheap checks miss: the batch is split until each refused order is alone."""
    network, orders, items = day
    reference = pre_clear(network, orders, items)
    refused = {"unit_value": orders.order_id[3], "origin": orders.order_id[90]}

    def strict(batch: Sequence[Order], **kwargs: Any) -> Any:
        for i, order in enumerate(batch):
            for field, order_id in refused.items():
                if order.order_id == order_id:
                    raise InputError(f"orders[{i}].items[0].{field}", order_id, "is refused")
        return clear_orders(batch, **kwargs)

    monkeypatch.setattr(preclearance, "clear_orders", strict)
    cleared = pre_clear(network, orders, items)
    assert cleared.error[3] == "invalid declaration: items[0].unit_value: is refused"
    assert cleared.error[90] == "invalid declaration: items[0].origin: is refused"
    assert cleared.held[[3, 90]].all()
    rest = np.ones(len(orders), dtype=bool)
    rest[[3, 90]] = False
    assert (cleared.error[rest] == "").all()
    # The others are cleared together, as without the refused ones.
    assert (
        cleared.table["decision"].to_pylist()[4:90] == reference.table["decision"].to_pylist()[4:90]
    )
