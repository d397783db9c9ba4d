"""Rows into orders: grouped by id wherever they stand, rejected whole."""

from __future__ import annotations

from pathlib import Path

from rocketpost.orders.io import read_orders
from tests.orders.io import (
    GOOD,
    assert_counts_add_up,
    rejects_by_line,
    with_field,
    write_csv,
)


def test_an_order_is_rejected_whole(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "o.csv",
        GOOD.replace("S1", "L1"),  # line 2, fine on its own
        GOOD.replace("A1", "B1"),  # line 3, another order
        with_field("quantity", "x", GOOD.replace("S1", "L2")),  # line 4, bad, order A1
        "A1,broken row",  # line 5, malformed, names order A1
    )
    result = read_orders(path)
    assert_counts_add_up(result)
    assert result.orders.order_id.tolist() == ["B1"]
    assert (result.orders_read, result.orders_rejected) == (2, 1)
    rejects = rejects_by_line(result)
    assert sorted(rejects) == [2, 4, 5]
    assert rejects[2] == ("order_id", "order_id: order rejected whole: line 4 is invalid")


def test_lines_of_an_order_need_not_be_adjacent(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "o.csv",
        GOOD,
        GOOD.replace("A1", "B1"),
        GOOD.replace("S1", "S2"),
    )
    result = read_orders(path)
    assert result.orders.order_id.tolist() == ["A1", "B1"]
    assert result.items.sku.tolist() == ["S1", "S2", "S1"]
    assert result.items.order_index.tolist() == [0, 0, 1]
