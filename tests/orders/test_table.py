"""Columnar orders: construction, totals, immutability, subsets."""

from __future__ import annotations

import numpy as np
import pytest

from rocketpost.errors import InputError
from rocketpost.orders.convert import from_orders, to_orders
from rocketpost.orders.table import ItemTable, OrderTable, subset_orders
from tests.orders import SAMPLE, T0, item, order


def test_totals_are_computed_from_the_items() -> None:
    orders, items = from_orders(SAMPLE)
    assert len(orders) == 3 and len(items) == 4
    np.testing.assert_allclose(orders.mass_kg, [2 * 1.5 + 1.0, 2000.0, 1.0])
    np.testing.assert_allclose(orders.volume_m3, [0.02 + 0.004, 6.0, 0.004])
    assert orders.n_items.tolist() == [2, 1, 1]
    assert orders.n_units.tolist() == [3, 4, 1]
    assert orders.declared_value_micros.tolist() == [21_100_000, 4_800_000_000, 1_500_000_000]
    assert orders.currency.tolist() == ["EUR", "USD", "JPY"]
    assert orders.item_offsets.tolist() == [0, 2, 3, 4]
    assert orders.is_b2b.tolist() == [False, True, False]
    assert orders.origin_hub.tolist() == ["", "ICN", ""]
    assert orders.created_at_s.tolist() == [int(T0.timestamp())] * 3


def test_columns_are_read_only_and_not_shared() -> None:
    source = np.array([10.0, 20.0, 30.0])
    view = source[:2]
    items = ItemTable(
        order_index=np.array([0, 1]),
        sku=np.array(["a", "b"]),
        description=np.array(["x", "y"]),
        hs_code=np.array(["610910", "610910"]),
        quantity=np.array([1, 1]),
        unit_value_micros=np.array([1, 2]),
        currency=np.array(["EUR", "EUR"]),
        unit_mass_kg=view,
        unit_volume_m3=np.array([0.1, 0.1]),
        dangerous_goods_class=np.array(["", ""]),
    )
    source[0] = -1.0  # a view is copied: the table does not see the change
    assert items.unit_mass_kg[0] == 10.0
    with pytest.raises(ValueError, match="read-only"):
        items.unit_mass_kg[0] = 5.0
    orders, _ = from_orders(SAMPLE)
    for column in orders.columns().values():
        assert not column.flags.writeable


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [
        ("quantity", 0, "quantity"),
        ("unit_mass_kg", -1.0, "unit_mass_kg"),
        ("unit_volume_m3", float("nan"), "unit_volume_m3"),
        ("hs_code", "61091", "hs_code"),
        ("unit_value_micros", -5, "unit_value_micros"),
        ("dangerous_goods_class", "12", "dangerous_goods_class"),
    ],
)
def test_item_table_rejects_bad_columns(column: str, value: object, field: str) -> None:
    _, items = from_orders(SAMPLE)
    columns = {name: np.array(array) for name, array in items.columns().items()}
    columns[column] = np.array([value] * len(items))
    with pytest.raises(InputError) as error:
        ItemTable(**columns)
    assert error.value.field == field


def test_item_table_requires_items_grouped_by_order() -> None:
    _, items = from_orders(SAMPLE)
    columns = items.columns()
    columns["order_index"] = np.array([1, 0, 1, 2])
    with pytest.raises(InputError, match="order_index"):
        ItemTable(**columns)


def test_an_order_has_one_currency_and_at_least_one_item() -> None:
    with pytest.raises(InputError) as error:
        from_orders([order("A", item(currency="EUR"), item(currency="USD"))])
    assert error.value.field == "currency"
    _, items = from_orders([SAMPLE[0]])
    with pytest.raises(InputError, match="at least one item"):
        OrderTable.from_items(
            items,
            order_id=np.array(["A", "B"]),
            merchant_id=np.array(["M", "M"]),
            channel=np.array(["b2c", "b2c"]),
            created_at=np.array([0, 0]).astype("datetime64[s]"),
            destination_lat_deg=np.zeros(2),
            destination_lon_deg=np.zeros(2),
            destination_country=np.array(["FR", "FR"]),
            recipient_id=np.array(["R", "R"]),
        )


def test_order_table_checks_its_own_columns() -> None:
    orders, _ = from_orders(SAMPLE)
    columns = orders.columns()
    columns["destination_lat_deg"] = np.array([0.0, 91.0, 0.0])
    with pytest.raises(InputError, match="destination_lat_deg"):
        OrderTable(**columns)
    columns = orders.columns()
    columns["channel"] = np.array(["b2c", "c2c", "b2c"])
    with pytest.raises(InputError, match="channel"):
        OrderTable(**columns)


def test_subset_keeps_items_in_step_in_any_order() -> None:
    orders, items = from_orders(SAMPLE)
    chosen, chosen_items = subset_orders(orders, items, np.array([2, 0]))
    assert to_orders(chosen, chosen_items) == [SAMPLE[2], SAMPLE[0]]
    masked, masked_items = subset_orders(orders, items, np.array([False, True, True]))
    assert to_orders(masked, masked_items) == SAMPLE[1:]
    assert len(orders.subset(np.zeros(3, dtype=bool))) == 0
    assert items.subset(items.order_index == 0).sku.tolist() == ["SKU-1", "B"]
    with pytest.raises(InputError, match="index"):
        orders.subset(np.array([3]))
    with pytest.raises(InputError, match="index"):
        orders.subset(np.array([True]))
