"""Columnar orders: construction, totals, immutability, subsets, conversions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rocketpost.errors import InputError
from rocketpost.orders.model import DANGEROUS_GOODS_CLASSES, Channel, Order, OrderItem
from rocketpost.orders.table import (
    DANGEROUS_GOODS_CLASS_ORDER,
    ItemTable,
    OrderTable,
    dangerous_goods_bits,
    empty_tables,
    from_orders,
    subset_orders,
    to_orders,
)

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def item(
    sku: str = "SKU-1",
    quantity: int = 1,
    value: str = "10.50",
    currency: str = "EUR",
    mass: float = 1.0,
    volume: float = 0.004,
    dg: str | None = None,
) -> OrderItem:
    return OrderItem(
        sku=sku,
        description="Cotton T-shirt",
        hs_code="610910",
        quantity=quantity,
        unit_value=Decimal(value),
        currency=currency,
        unit_mass_kg=mass,
        unit_volume_m3=volume,
        dangerous_goods_class=dg,
    )


def order(order_id: str, *items: OrderItem, **kwargs: object) -> Order:
    fields: dict[str, object] = {
        "merchant_id": "M1",
        "channel": Channel.B2C,
        "created_at": T0,
        "destination_lat_deg": 48.85,
        "destination_lon_deg": 2.35,
        "destination_country": "FR",
        "recipient_id": "R1",
    }
    fields.update(kwargs)
    return Order(order_id=order_id, items=items or (item(),), **fields)  # type: ignore[arg-type]


SAMPLE = [
    order("A", item(quantity=2, mass=1.5, volume=0.01), item("B", value="0.1", dg="9")),
    order(
        "B",
        item("PAL", quantity=4, value="1200", currency="USD", mass=500.0, volume=1.5, dg="4.1"),
        channel=Channel.B2B,
        origin_hub="ICN",
        destination_label="Seoul, KR",
        destination_country="KR",
        destination_lat_deg=37.56,
        destination_lon_deg=126.97,
    ),
    order("C", item(value="1500", currency="JPY")),
]


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


def test_dangerous_goods_bits_and_class_queries() -> None:
    orders, _ = from_orders(SAMPLE)
    assert orders.has_dangerous_goods.tolist() == [True, True, False]
    assert orders.carries_dangerous_goods("9").tolist() == [True, False, False]
    # A class covers its divisions: "4" matches 4.1.
    assert orders.carries_dangerous_goods("4").tolist() == [False, True, False]
    assert orders.carries_dangerous_goods("3", "9").tolist() == [True, False, False]
    with pytest.raises(InputError, match="dangerous_goods_class"):
        orders.carries_dangerous_goods("10")
    bits = dangerous_goods_bits(np.array(["", "9", "1.4"]))
    assert bits[0] == 0
    assert bits[1] == 1 << DANGEROUS_GOODS_CLASS_ORDER.index("9")
    with pytest.raises(InputError, match="dangerous_goods_class"):
        dangerous_goods_bits(np.array(["9", "X"]))


def test_round_trip_through_the_dataclasses() -> None:
    orders, items = from_orders(SAMPLE)
    assert to_orders(orders, items) == SAMPLE


def test_sub_second_parts_are_dropped() -> None:
    precise = order("A", created_at=T0 + timedelta(microseconds=999_999))
    orders, items = from_orders([precise])
    assert to_orders(orders, items)[0].created_at == T0


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


def test_money_with_more_than_six_decimals_is_refused() -> None:
    with pytest.raises(InputError, match="6 decimal places"):
        from_orders([order("A", item(value="0.0000001"))])


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


def test_empty_tables() -> None:
    orders, items = empty_tables()
    assert len(orders) == 0 and len(items) == 0
    assert to_orders(orders, items) == []
    assert orders.item_offsets.tolist() == [0]


# -- property: any valid list of orders survives the columnar round trip -----------------------

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
_ids = _text.filter(lambda t: t.strip() != "")
_items = st.builds(
    OrderItem,
    sku=_ids,
    description=_text,
    hs_code=st.from_regex(r"\A\d{6}\Z"),
    quantity=st.integers(1, 1000),
    unit_value=st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False),
    currency=st.just("EUR"),
    unit_mass_kg=st.floats(1e-6, 1e4, allow_nan=False),
    unit_volume_m3=st.floats(1e-6, 120, allow_nan=False),
    dangerous_goods_class=st.none() | st.sampled_from(sorted(DANGEROUS_GOODS_CLASSES)),
)
_orders = st.builds(
    Order,
    order_id=_ids,
    merchant_id=_ids,
    channel=st.sampled_from(list(Channel)),
    created_at=st.integers(0, 4_000_000_000).map(lambda s: datetime.fromtimestamp(s, tz=UTC)),
    destination_lat_deg=st.floats(-90, 90),
    destination_lon_deg=st.floats(-180, 180),
    destination_country=st.sampled_from(["FR", "KR", "US", "XK"]),
    recipient_id=_ids,
    items=st.lists(_items, min_size=1, max_size=4).map(tuple),
    origin_hub=st.none() | _ids,
    destination_label=st.none() | _ids,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_orders, max_size=6))
def test_any_orders_round_trip(orders: list[Order]) -> None:
    table, items = from_orders(orders)
    assert to_orders(table, items) == orders
    assert int(table.n_items.sum()) == len(items)
