"""Columnar orders: one NumPy array per field, so a day of a million orders is a handful of arrays.

The planner works on whole days at once ("which of these million orders can fly?"), which is
array arithmetic, not a loop over :class:`~rocketpost.orders.model.Order` objects. Two tables
carry the same information as a list of orders:

* :class:`OrderTable` — one row per order: who, when, where to, and the per-order totals the
  planner needs without touching the items (mass, volume, declared value, dangerous goods).
* :class:`ItemTable` — one row per order line, with ``order_index`` pointing at its order's row.
  Items are grouped by order (``order_index`` never decreases), so the items of order ``i`` are
  the slice ``items[offsets[i]:offsets[i + 1]]`` with ``offsets = orders.item_offsets``.

Representation choices
----------------------
* Text columns are fixed-width NumPy unicode arrays (``<U…``), not object arrays, so no Python
  object exists per row; ``""`` stands for "none" (no origin hub, no dangerous goods, no label).
* ``created_at`` is ``datetime64[s]`` in UTC (``created_at_s`` is the same as int64 epoch
  seconds). Orders are timed to the second; sub-second parts are dropped on the way in.
* Money is exact: ``unit_value_micros`` holds millionths of the currency unit as int64 (the
  "micros" convention of ad and payment APIs). ISO 4217 currencies have at most 4 minor digits,
  so every real amount is exact, and int64 covers up to ~9.2 trillion units. All lines of an
  order share one currency (a commercial invoice and a customs declaration have one); the order
  row carries it with the exact total ``declared_value_micros``. Conversion to USD is the
  customs module's job (it owns the exchange rates).
* Dangerous goods: items carry the UN class string (``"9"``, ``"4.1"``); orders carry a bit set
  ``dangerous_goods_bits`` over :data:`DANGEROUS_GOODS_CLASS_ORDER` so that "orders with class 9"
  is one bitwise AND.

Tables are immutable: every column is a read-only array. A fresh array handed to a constructor
is frozen in place (no copy); a view of someone else's array is copied first, so nobody can edit
a table behind its back (:mod:`rocketpost.orders.columns`). Conversions to and from the
one-order dataclasses are in :mod:`rocketpost.orders.convert`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.errors import InputError
from rocketpost.orders.columns import first_bad, freeze_columns, row_selector
from rocketpost.orders.dangerous_goods import (
    DANGEROUS_GOODS_CLASS_ORDER,
    class_mask,
    dangerous_goods_bits,
)
from rocketpost.orders.model import Channel

# DANGEROUS_GOODS_CLASS_ORDER and dangerous_goods_bits live in orders.dangerous_goods; they stay
# importable from here because the tables' ``dangerous_goods_bits`` column is defined by them.
__all__ = [
    "DANGEROUS_GOODS_CLASS_ORDER",
    "MICROS_PER_UNIT",
    "ItemTable",
    "OrderTable",
    "concat_orders",
    "dangerous_goods_bits",
    "subset_orders",
]

MICROS_PER_UNIT = 1_000_000
"""``unit_value_micros`` per currency unit."""

_SECONDS = np.dtype("datetime64[s]")


# --------------------------------------------------------------------------------------------
# items


@dataclass(frozen=True, eq=False)
class ItemTable:
    """Order lines as read-only columns, grouped by order.

    Attributes
    ----------
    order_index
        Row of the line's order in the companion :class:`OrderTable`; non-decreasing.
    sku, description
        Stock-keeping unit (inventory is counted per SKU and hub) and customs description.
    hs_code
        6-digit Harmonized System subheading.
    quantity
        Units on the line (> 0).
    unit_value_micros
        Declared value per unit in millionths of ``currency`` (exact, ≥ 0).
    currency
        ISO 4217 code; the same on every line of one order.
    unit_mass_kg, unit_volume_m3
        Packed mass and volume per unit (> 0).
    dangerous_goods_class
        UN hazard class (``"9"`` lithium batteries, ``"3"`` flammable liquids), ``""`` if none.
    """

    order_index: NDArray[np.int64]
    sku: NDArray[np.str_]
    description: NDArray[np.str_]
    hs_code: NDArray[np.str_]
    quantity: NDArray[np.int64]
    unit_value_micros: NDArray[np.int64]
    currency: NDArray[np.str_]
    unit_mass_kg: NDArray[np.float64]
    unit_volume_m3: NDArray[np.float64]
    dangerous_goods_class: NDArray[np.str_]

    _DTYPES: ClassVar[dict[str, Any]] = {
        "order_index": np.int64,
        "sku": str,
        "description": str,
        "hs_code": str,
        "quantity": np.int64,
        "unit_value_micros": np.int64,
        "currency": str,
        "unit_mass_kg": np.float64,
        "unit_volume_m3": np.float64,
        "dangerous_goods_class": str,
    }

    def __post_init__(self) -> None:
        length = freeze_columns(self, self._DTYPES, "order_index")
        if length == 0:
            return
        if self.order_index[0] < 0 or (np.diff(self.order_index) < 0).any():
            raise InputError(
                "ItemTable.order_index",
                "unsorted or negative",
                "must be ≥ 0 and non-decreasing (items grouped by order)",
            )
        for name in ("quantity",):
            bad = getattr(self, name) <= 0
            if bad.any():
                raise InputError(name, int(getattr(self, name)[first_bad(bad)]), "must be > 0")
        bad = self.unit_value_micros < 0
        if bad.any():
            raise InputError(
                "unit_value_micros", int(self.unit_value_micros[first_bad(bad)]), "must be ≥ 0"
            )
        for name in ("unit_mass_kg", "unit_volume_m3"):
            values = getattr(self, name)
            bad = ~(np.isfinite(values) & (values > 0))
            if bad.any():
                raise InputError(name, float(values[first_bad(bad)]), "must be positive and finite")
        bad = np.strings.str_len(self.hs_code) != 6
        bad |= ~np.strings.isdigit(self.hs_code)
        if bad.any():
            raise InputError("hs_code", str(self.hs_code[first_bad(bad)]), "must be 6 digits")
        dangerous_goods_bits(self.dangerous_goods_class)  # validates the class strings

    def __len__(self) -> int:
        return len(self.order_index)

    @property
    def mass_kg(self) -> NDArray[np.float64]:
        """Line mass (kg): unit mass × quantity."""
        return self.unit_mass_kg * self.quantity

    @property
    def volume_m3(self) -> NDArray[np.float64]:
        """Line volume (m³): unit volume × quantity."""
        return self.unit_volume_m3 * self.quantity

    @property
    def value_micros(self) -> NDArray[np.int64]:
        """Line value in millionths of ``currency``."""
        return self.unit_value_micros * self.quantity

    def columns(self) -> dict[str, NDArray[Any]]:
        """The columns by name (the arrays themselves, read-only)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def subset(self, index: ArrayLike) -> ItemTable:
        """Rows by boolean mask or sorted integer index; ``order_index`` values are kept as is.

        To follow a selection of *orders* (renumbering ``order_index``) use :meth:`for_orders`
        or :func:`subset_orders`.
        """
        selector = row_selector(index, len(self))
        return ItemTable(**{name: column[selector] for name, column in self.columns().items()})

    def offsets(self, n_orders: int) -> NDArray[np.int64]:
        """CSR offsets: the items of order ``i`` are rows ``offsets[i]:offsets[i + 1]``."""
        return np.searchsorted(self.order_index, np.arange(n_orders + 1)).astype(np.int64)

    def for_orders(self, order_rows: ArrayLike, n_orders: int) -> ItemTable:
        """Items of the selected orders, in selection order, renumbered ``0..len(selection)-1``.

        Parameters
        ----------
        order_rows
            Boolean mask over the ``n_orders`` orders or integer order rows (any order; repeats
            allowed).
        n_orders
            Number of rows of the companion order table.
        """
        selector = row_selector(order_rows, n_orders)
        rows = np.arange(n_orders)[selector] if selector.dtype == np.bool_ else selector
        rows = np.where(rows < 0, rows + n_orders, rows)
        offsets = self.offsets(n_orders)
        starts = offsets[rows]
        counts = offsets[rows + 1] - starts
        total = int(counts.sum())
        # Gather all selected slices at once: item k of selected order j sits at starts[j] + k.
        group_start = np.cumsum(counts) - counts
        item_rows = np.repeat(starts - group_start, counts) + np.arange(total)
        columns = {name: column[item_rows] for name, column in self.columns().items()}
        columns["order_index"] = np.repeat(np.arange(len(rows), dtype=np.int64), counts)
        return ItemTable(**columns)


# --------------------------------------------------------------------------------------------
# orders


@dataclass(frozen=True, eq=False)
class OrderTable:
    """Orders as read-only columns (row ``i`` is one order).

    Build it with :meth:`from_items`, which computes the per-order totals from the items; the
    plain constructor checks each column on its own but cannot check totals against items.

    Attributes
    ----------
    order_id, merchant_id, recipient_id
        Identifiers (``recipient_id`` lets customs sum one person's same-day parcels).
    channel
        ``"b2c"`` or ``"b2b"`` (:class:`~rocketpost.orders.model.Channel` values).
    created_at
        When the order was placed, ``datetime64[s]`` in UTC.
    destination_lat_deg, destination_lon_deg
        Delivery point (degrees).
    destination_country
        ISO 3166-1 alpha-2 of the delivery point (``"XK"`` allowed, as GeoNames uses it).
    destination_label
        The place as the customer wrote it (display only), ``""`` if given as coordinates.
    origin_hub
        Hub id the order must ship from (B2B backhaul freight tendered at a hub), ``""`` to let
        the planner choose.
    mass_kg, volume_m3
        Totals over the items (packed).
    n_items, n_units
        Number of lines and of units (sum of quantities).
    currency, declared_value_micros
        The order's currency and its exact declared value in millionths of it.
    dangerous_goods_bits
        Bit set of the items' UN classes over :data:`DANGEROUS_GOODS_CLASS_ORDER`.
    """

    order_id: NDArray[np.str_]
    merchant_id: NDArray[np.str_]
    channel: NDArray[np.str_]
    created_at: NDArray[np.datetime64]
    destination_lat_deg: NDArray[np.float64]
    destination_lon_deg: NDArray[np.float64]
    destination_country: NDArray[np.str_]
    destination_label: NDArray[np.str_]
    recipient_id: NDArray[np.str_]
    origin_hub: NDArray[np.str_]
    mass_kg: NDArray[np.float64]
    volume_m3: NDArray[np.float64]
    n_items: NDArray[np.int64]
    n_units: NDArray[np.int64]
    currency: NDArray[np.str_]
    declared_value_micros: NDArray[np.int64]
    dangerous_goods_bits: NDArray[np.uint32]

    _DTYPES: ClassVar[dict[str, Any]] = {
        "order_id": str,
        "merchant_id": str,
        "channel": str,
        "created_at": _SECONDS,
        "destination_lat_deg": np.float64,
        "destination_lon_deg": np.float64,
        "destination_country": str,
        "destination_label": str,
        "recipient_id": str,
        "origin_hub": str,
        "mass_kg": np.float64,
        "volume_m3": np.float64,
        "n_items": np.int64,
        "n_units": np.int64,
        "currency": str,
        "declared_value_micros": np.int64,
        "dangerous_goods_bits": np.uint32,
    }

    def __post_init__(self) -> None:
        length = freeze_columns(self, self._DTYPES, "order_id")
        if length == 0:
            return
        bad = (self.channel != Channel.B2C.value) & (self.channel != Channel.B2B.value)
        if bad.any():
            raise InputError("channel", str(self.channel[first_bad(bad)]), "must be 'b2c' or 'b2b'")
        lat, lon = self.destination_lat_deg, self.destination_lon_deg
        bad = ~(np.isfinite(lat) & (np.abs(lat) <= 90.0))
        if bad.any():
            raise InputError(
                "destination_lat_deg", float(lat[first_bad(bad)]), "must be in [-90, 90]"
            )
        bad = ~(np.isfinite(lon) & (np.abs(lon) <= 180.0))
        if bad.any():
            raise InputError(
                "destination_lon_deg", float(lon[first_bad(bad)]), "must be in [-180, 180]"
            )
        bad = np.isnat(self.created_at)
        if bad.any():
            raise InputError("created_at", "NaT", "must be a time")
        for name in ("mass_kg", "volume_m3"):
            values = getattr(self, name)
            bad = ~(np.isfinite(values) & (values > 0))
            if bad.any():
                raise InputError(name, float(values[first_bad(bad)]), "must be positive and finite")
        bad = self.n_items <= 0
        if bad.any():
            raise InputError("n_items", int(self.n_items[first_bad(bad)]), "must be > 0")

    def __len__(self) -> int:
        return len(self.order_id)

    # -- derived views -----------------------------------------------------------------------

    @property
    def created_at_s(self) -> NDArray[np.int64]:
        """``created_at`` as int64 UTC epoch seconds (a view, no copy)."""
        return self.created_at.view(np.int64)

    @property
    def is_b2b(self) -> NDArray[np.bool_]:
        """True for marketplace freight orders."""
        return self.channel == Channel.B2B.value

    @property
    def has_dangerous_goods(self) -> NDArray[np.bool_]:
        """True where any line carries a UN hazard class."""
        return self.dangerous_goods_bits != 0

    @property
    def declared_value(self) -> NDArray[np.float64]:
        """Declared value in ``currency`` as float (for screening; exact value in micros)."""
        return self.declared_value_micros / MICROS_PER_UNIT

    @property
    def item_offsets(self) -> NDArray[np.int64]:
        """CSR offsets into the companion :class:`ItemTable` (``len(self) + 1`` entries)."""
        offsets = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(self.n_items, out=offsets[1:])
        return offsets

    def carries_dangerous_goods(self, *classes: str) -> NDArray[np.bool_]:
        """Orders with any of ``classes`` (a class covers its divisions: ``"4"`` -> 4.1 ...).

        With no argument: orders with any dangerous goods.
        """
        if not classes:
            return self.has_dangerous_goods
        return (self.dangerous_goods_bits & class_mask(classes)) != 0

    def columns(self) -> dict[str, NDArray[Any]]:
        """The columns by name (the arrays themselves, read-only)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def subset(self, index: ArrayLike) -> OrderTable:
        """Rows by boolean mask or integer index (copies). Pair with :meth:`ItemTable.for_orders`
        or use :func:`subset_orders` to keep the items in step."""
        selector = row_selector(index, len(self))
        return OrderTable(**{name: column[selector] for name, column in self.columns().items()})

    # -- construction ------------------------------------------------------------------------

    # Each keyword is one column of the table, as in the dataclass's own constructor: a
    # parameter object would only repeat the column list (hence the PLR0913 exemption).
    # Each keyword is one column of the table, as in the dataclass's own constructor: a
    # parameter object would only repeat the column list (hence the PLR0913 exemption).
    @classmethod
    def from_items(  # noqa: PLR0913
        cls,
        items: ItemTable,
        *,
        order_id: ArrayLike,
        merchant_id: ArrayLike,
        channel: ArrayLike,
        created_at: ArrayLike,
        destination_lat_deg: ArrayLike,
        destination_lon_deg: ArrayLike,
        destination_country: ArrayLike,
        recipient_id: ArrayLike,
        origin_hub: ArrayLike | None = None,
        destination_label: ArrayLike | None = None,
    ) -> OrderTable:
        """Orders with their totals computed from ``items`` (vectorised, one pass per total).

        Every order must own at least one item and all of an order's items one currency.

        Raises
        ------
        InputError
            Naming the field: an order without items, items pointing past the last order, an
            order mixing currencies, or any column check of the constructor.
        """
        ids = np.asarray(order_id)
        n = len(ids)
        if len(items) and int(items.order_index[-1]) >= n:
            raise InputError(
                "ItemTable.order_index", int(items.order_index[-1]), f"must be < {n} orders"
            )
        index = items.order_index
        n_items = np.bincount(index, minlength=n).astype(np.int64)
        if n and (n_items == 0).any():
            raise InputError(
                "items", str(ids[first_bad(n_items == 0)]), "an order needs at least one item"
            )
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(n_items, out=offsets[1:])
        first_item = offsets[:-1]
        currency = items.currency[first_item] if n else np.zeros(0, "<U3")
        mixed = items.currency != currency[index]
        if mixed.any():
            row = int(index[first_bad(mixed)])
            raise InputError(
                "currency", str(ids[row]), "all lines of an order must use one currency"
            )
        value = _segment_sum_int(items.value_micros, offsets)
        bits = np.zeros(n, dtype=np.uint32)
        item_bits = dangerous_goods_bits(items.dangerous_goods_class)
        has = item_bits != 0
        if has.any():
            np.bitwise_or.at(bits, index[has], item_bits[has])
        empty = np.zeros(n, dtype="<U1")
        return cls(
            order_id=ids,
            merchant_id=np.asarray(merchant_id),
            channel=np.asarray(channel),
            created_at=np.asarray(created_at).astype(_SECONDS),
            destination_lat_deg=np.asarray(destination_lat_deg, dtype=np.float64),
            destination_lon_deg=np.asarray(destination_lon_deg, dtype=np.float64),
            destination_country=np.asarray(destination_country),
            destination_label=empty if destination_label is None else np.asarray(destination_label),
            recipient_id=np.asarray(recipient_id),
            origin_hub=empty if origin_hub is None else np.asarray(origin_hub),
            mass_kg=np.asarray(np.bincount(index, items.mass_kg, n), dtype=np.float64),
            volume_m3=np.asarray(np.bincount(index, items.volume_m3, n), dtype=np.float64),
            n_items=n_items,
            n_units=np.bincount(index, weights=items.quantity, minlength=n).astype(np.int64),
            currency=currency,
            declared_value_micros=value,
            dangerous_goods_bits=bits,
        )


def _segment_sum_int(values: NDArray[np.int64], offsets: NDArray[np.int64]) -> NDArray[np.int64]:
    """Exact int64 sums of consecutive segments (``bincount`` would go through float64)."""
    if len(values) == 0:
        return np.zeros(len(offsets) - 1, dtype=np.int64)
    running = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(values, out=running[1:])
    return running[offsets[1:]] - running[offsets[:-1]]


def subset_orders(
    orders: OrderTable, items: ItemTable, index: ArrayLike
) -> tuple[OrderTable, ItemTable]:
    """The selected orders and their items, kept in step (``order_index`` renumbered)."""
    selector = row_selector(index, len(orders))
    return orders.subset(selector), items.for_orders(selector, len(orders))


def concat_orders(parts: list[tuple[OrderTable, ItemTable]]) -> tuple[OrderTable, ItemTable]:
    """Order tables one after the other, each with its items (``order_index`` shifted by the
    orders before it); at least one part."""
    if not parts:
        raise InputError("parts", 0, "must hold at least one (orders, items) pair")
    starts = np.cumsum([0, *(len(orders) for orders, _ in parts[:-1])])
    order_columns = [orders.columns() for orders, _ in parts]
    item_columns = [items.columns() for _, items in parts]
    joined = {
        name: np.concatenate([columns[name] for columns in order_columns])
        for name in order_columns[0]
    }
    lines = {
        name: np.concatenate([columns[name] for columns in item_columns])
        for name in item_columns[0]
    }
    lines["order_index"] = np.concatenate(
        [items.order_index + start for (_, items), start in zip(parts, starts, strict=True)]
    )
    return OrderTable(**joined), ItemTable(**lines)
