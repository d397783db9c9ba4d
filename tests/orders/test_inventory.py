"""Inventory: reading stock files and deciding which hubs can ship which orders."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rocketpost.errors import InputError
from rocketpost.orders.convert import from_orders
from rocketpost.orders.generator import GeneratorParams, generate_orders
from rocketpost.orders.inventory import Inventory, can_ship, read_inventory
from rocketpost.orders.model import Channel, Order, OrderItem


def item(sku: str, quantity: int = 1) -> OrderItem:
    return OrderItem(sku, "Cotton T-shirt", "610910", quantity, Decimal("12"), "EUR", 0.2, 0.002)


def order(order_id: str, *items: OrderItem, origin_hub: str | None = None) -> Order:
    return Order(
        order_id=order_id,
        merchant_id="M1",
        channel=Channel.B2C,
        created_at=datetime(2025, 6, 1, 12, tzinfo=UTC),
        destination_lat_deg=48.85,
        destination_lon_deg=2.35,
        destination_country="FR",
        recipient_id="R1",
        items=items or (item("S1"),),
        origin_hub=origin_hub,
    )


def test_read_inventory_rejects_bad_rows_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "stock.csv"
    path.write_text(
        "hub,sku,quantity\n"
        "ICN,S1,10\n"  # 2
        "ICN,S2,-1\n"  # 3 negative
        ",S3,4\n"  # 4 missing hub
        "XXX,S1,5\n"  # 5 unknown hub
        "LIS,S1,2.5\n"  # 6 not whole
        "ICN,S1,7\n"  # 7 duplicate of line 2
        "LIS,S1,0\n"  # 8 zero is a valid "out of stock"
        "LIS\n"  # 9 malformed
    )
    result = read_inventory(path, known_hubs={"ICN", "LIS"})
    assert result.rows_read == 8
    assert result.rows_read == result.rows_accepted + result.rows_rejected
    assert (result.rows_accepted, result.rows_rejected) == (2, 6)
    reasons = dict(zip(result.rejects.line.tolist(), result.rejects.reason.tolist(), strict=True))
    assert sorted(reasons) == [3, 4, 5, 6, 7, 9]
    assert reasons[3] == "quantity: must be ≥ 0 (got '-1')"
    assert reasons[4] == "hub: required, but missing"
    assert reasons[5] == "hub: unknown hub (got 'XXX')"
    assert "whole number" in reasons[6]
    assert reasons[7] == "sku: repeats hub and SKU of line 2 (got 'S1')"
    assert "expected 3 fields" in reasons[9]
    inventory = result.inventory
    assert inventory.stock("ICN", "S1") == 10 and inventory.stock("LIS", "S1") == 0
    assert inventory.hubs == ("ICN", "LIS")
    result.write_rejects(tmp_path / "rejects.csv")
    assert (tmp_path / "rejects.csv").read_text().count("\n") == 7


def test_inventory_file_needs_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "stock.csv"
    path.write_text("hub,item\nICN,S1\n")
    with pytest.raises(InputError, match="quantity"):
        read_inventory(path)


def test_inventory_constructor_checks() -> None:
    with pytest.raises(InputError, match="twice"):
        Inventory(hub=np.array(["A", "A"]), sku=np.array(["S", "S"]), quantity=np.array([1, 2]))
    with pytest.raises(InputError, match="quantity"):
        Inventory(hub=np.array(["A"]), sku=np.array(["S"]), quantity=np.array([-1]))


INVENTORY = Inventory(
    hub=np.array(["A", "A", "B", "B"]),
    sku=np.array(["S1", "S2", "S1", "S3"]),
    quantity=np.array([5, 1, 2, 9]),
)


def test_can_ship_needs_every_sku_in_the_summed_quantity() -> None:
    orders, items = from_orders(
        [
            order("o1", item("S1", quantity=2)),  # A and B
            order("o2", item("S1", quantity=2), item("S1", quantity=1)),  # 3 units: A only
            order("o3", item("S1"), item("S2")),  # A only
            order("o4", item("S3")),  # B only
            order("o5", item("S9")),  # nowhere
            order("o6", item("S9"), origin_hub="B"),  # pinned: B whatever the stock
        ]
    )
    mask = INVENTORY.can_ship(orders, items, ["A", "B", "C"])
    assert mask.tolist() == [
        [True, True, False],
        [True, False, False],
        [True, False, False],
        [False, True, False],
        [False, False, False],
        [False, True, False],
    ]
    assert INVENTORY.can_ship(orders, items).shape == (6, 2)
    unpinned = INVENTORY.can_ship(orders, items, ["A", "B"], respect_origin_hub=False)
    assert unpinned[5].tolist() == [False, False]


def test_without_an_inventory_stock_is_everywhere() -> None:
    orders, items = from_orders([order("o1", item("S9")), order("o2", item("S1"), origin_hub="B")])
    mask = can_ship(None, orders, items, ["A", "B"])
    assert mask.tolist() == [[True, True], [False, True]]
    assert can_ship(INVENTORY, orders, items, ["A"]).tolist() == [[False], [False]]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), stocked=st.floats(0.0, 1.0))
def test_vectorised_check_matches_a_plain_loop(seed: int, stocked: float) -> None:
    rng = np.random.default_rng(seed)
    orders, items = generate_orders(
        60, GeneratorParams(b2b_share=0.3, keep_on_land=False), day=date(2025, 6, 1), rng=rng
    )
    skus = np.unique(items.sku)
    hubs = ["H1", "H2", "H3"]
    rows = [(h, s) for h in hubs for s in skus if rng.random() < stocked]
    inventory = Inventory(
        hub=np.array([r[0] for r in rows], dtype=str),
        sku=np.array([r[1] for r in rows], dtype=str),
        quantity=rng.integers(0, 12, size=len(rows)),
    )
    mask = inventory.can_ship(orders, items, hubs)
    offsets = orders.item_offsets
    for i in range(len(orders)):
        need: dict[str, int] = {}
        for k in range(offsets[i], offsets[i + 1]):
            need[str(items.sku[k])] = need.get(str(items.sku[k]), 0) + int(items.quantity[k])
        for j, hub in enumerate(hubs):
            expected = all(inventory.stock(hub, s) >= q for s, q in need.items())
            assert mask[i, j] == expected
