"""Between the columnar tables and the one-order dataclasses (edges only: these make objects).

The HTTP API, customs and tests speak :class:`~rocketpost.orders.model.Order`; the planner
speaks :class:`~rocketpost.orders.table.OrderTable`. These functions translate, exactly: money
goes through :class:`~decimal.Decimal` and micros, times through whole UTC seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.orders.model import Channel, Order, OrderItem
from rocketpost.orders.table import ItemTable, OrderTable

__all__ = ["empty_tables", "from_orders", "to_orders"]

_SECONDS = np.dtype("datetime64[s]")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros_to_decimal(micros: int) -> Decimal:
    value = Decimal(micros).scaleb(-6)
    normal = value.normalize()
    # normalize() turns 100 into 1E+2; keep plain integers plain.
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def _decimal_to_micros(value: Decimal, field: str) -> int:
    scaled = value.scaleb(6)
    if scaled != scaled.to_integral_value():
        raise InputError(field, value, "has more than 6 decimal places")
    return int(scaled)


def to_orders(orders: OrderTable, items: ItemTable) -> list[Order]:
    """One :class:`Order` per row (for the HTTP API, customs, tests; not for bulk work)."""
    offsets = orders.item_offsets
    if len(items) != offsets[-1]:
        raise InputError("items", len(items), f"expected {int(offsets[-1])} lines for these orders")
    item_list = [
        OrderItem(
            sku=str(items.sku[k]),
            description=str(items.description[k]),
            hs_code=str(items.hs_code[k]),
            quantity=int(items.quantity[k]),
            unit_value=_micros_to_decimal(int(items.unit_value_micros[k])),
            currency=str(items.currency[k]),
            unit_mass_kg=float(items.unit_mass_kg[k]),
            unit_volume_m3=float(items.unit_volume_m3[k]),
            dangerous_goods_class=str(items.dangerous_goods_class[k]) or None,
        )
        for k in range(len(items))
    ]
    created = orders.created_at_s
    result = []
    for i in range(len(orders)):
        result.append(
            Order(
                order_id=str(orders.order_id[i]),
                merchant_id=str(orders.merchant_id[i]),
                channel=Channel(str(orders.channel[i])),
                created_at=datetime.fromtimestamp(int(created[i]), tz=UTC),
                destination_lat_deg=float(orders.destination_lat_deg[i]),
                destination_lon_deg=float(orders.destination_lon_deg[i]),
                destination_country=str(orders.destination_country[i]),
                recipient_id=str(orders.recipient_id[i]),
                items=tuple(item_list[offsets[i] : offsets[i + 1]]),
                origin_hub=str(orders.origin_hub[i]) or None,
                destination_label=str(orders.destination_label[i]) or None,
            )
        )
    return result


def from_orders(orders: Iterable[Order]) -> tuple[OrderTable, ItemTable]:
    """Tables holding ``orders`` (in the given order). Sub-second parts of times are dropped.

    Raises
    ------
    InputError
        If an order mixes currencies or a value has more than 6 decimal places.
    """
    order_list = list(orders)
    columns: dict[str, list[Any]] = {name: [] for name in ItemTable._DTYPES}
    for i, order in enumerate(order_list):
        for item in order.items:
            columns["order_index"].append(i)
            columns["sku"].append(item.sku)
            columns["description"].append(item.description)
            columns["hs_code"].append(item.hs_code)
            columns["quantity"].append(item.quantity)
            columns["unit_value_micros"].append(_decimal_to_micros(item.unit_value, "unit_value"))
            columns["currency"].append(item.currency)
            columns["unit_mass_kg"].append(item.unit_mass_kg)
            columns["unit_volume_m3"].append(item.unit_volume_m3)
            columns["dangerous_goods_class"].append(item.dangerous_goods_class or "")
    items = ItemTable(
        **{name: _column(values, ItemTable._DTYPES[name]) for name, values in columns.items()}
    )
    created = [int((o.created_at - _EPOCH).total_seconds() // 1) for o in order_list]
    table = OrderTable.from_items(
        items,
        order_id=_column([o.order_id for o in order_list], str),
        merchant_id=_column([o.merchant_id for o in order_list], str),
        channel=_column([o.channel.value for o in order_list], str),
        created_at=np.array(created, dtype=np.int64).astype(_SECONDS),
        destination_lat_deg=np.array([o.destination_lat_deg for o in order_list], dtype=float),
        destination_lon_deg=np.array([o.destination_lon_deg for o in order_list], dtype=float),
        destination_country=_column([o.destination_country for o in order_list], str),
        recipient_id=_column([o.recipient_id for o in order_list], str),
        origin_hub=_column([o.origin_hub or "" for o in order_list], str),
        destination_label=_column([o.destination_label or "" for o in order_list], str),
    )
    return table, items


def _column(values: list[Any], dtype: Any) -> NDArray[Any]:
    if dtype is str:
        return np.array(values, dtype=str) if values else np.zeros(0, dtype="<U1")
    return np.array(values, dtype=dtype)


def empty_tables() -> tuple[OrderTable, ItemTable]:
    """A pair of tables with no rows (typed like real ones)."""
    return from_orders(())
