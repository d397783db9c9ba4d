"""Tables to and from the one-order dataclasses: exact both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rocketpost.errors import InputError
from rocketpost.orders.convert import empty_tables, from_orders, to_orders
from rocketpost.orders.model import DANGEROUS_GOODS_CLASSES, Channel, Order, OrderItem
from tests.orders import SAMPLE, T0, item, order


def test_round_trip_through_the_dataclasses() -> None:
    orders, items = from_orders(SAMPLE)
    assert to_orders(orders, items) == SAMPLE


def test_sub_second_parts_are_dropped() -> None:
    precise = order("A", created_at=T0 + timedelta(microseconds=999_999))
    orders, items = from_orders([precise])
    assert to_orders(orders, items)[0].created_at == T0


def test_money_with_more_than_six_decimals_is_refused() -> None:
    with pytest.raises(InputError, match="6 decimal places"):
        from_orders([order("A", item(value="0.0000001"))])


def test_empty_tables() -> None:
    orders, items = empty_tables()
    assert len(orders) == 0 and len(items) == 0
    assert to_orders(orders, items) == []
    assert orders.item_offsets.tolist() == [0]


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
