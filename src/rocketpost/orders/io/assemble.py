"""From validated rows to tables: rows grouped into orders, accepted orders into columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from rocketpost.orders.convert import empty_tables
from rocketpost.orders.io.fields import Coded, np_bool
from rocketpost.orders.io.rejects import RowErrors
from rocketpost.orders.io.rows import RawRows
from rocketpost.orders.table import ItemTable, OrderTable

__all__ = [
    "ParsedColumns",
    "build_tables",
    "guess_order_ids",
    "order_codes",
    "reject_partial_orders",
]


def order_codes(order_id: Coded, guessed: Sequence[str]) -> tuple[NDArray[np.int64], int]:
    """Group number of every row (well-formed rows, then malformed ones) by order id.

    Ids are numbered in order of first appearance; a row without an id is a group of its own.
    """
    dictionary = order_id.dictionary
    codes = order_id.codes
    if guessed:
        # Malformed rows join the order they name (or start a new one).
        extra = pa.array(list(guessed), pa.string())
        position = pc.index_in(extra, value_set=dictionary)
        position_np = np.asarray(position.fill_null(-1).to_numpy(zero_copy_only=False))
        new_ids = pc.unique(extra.filter(pc.is_null(position)))
        dictionary = pa.concat_arrays([dictionary, new_ids])
        late = pc.index_in(extra, value_set=dictionary).to_numpy(zero_copy_only=False)
        codes = np.concatenate((codes, np.where(position_np >= 0, position_np, late)))
    codes = codes.astype(np.int64)
    is_empty = np_bool(pc.equal(pc.utf8_length(dictionary), 0))
    empty = is_empty[codes] if len(dictionary) else np.zeros(len(codes), dtype=bool)
    # Renumber by first appearance, giving every id-less row its own group.
    key = np.where(empty, len(dictionary) + np.arange(len(codes)), codes)
    _, first_index, inverse = np.unique(key, return_index=True, return_inverse=True)
    rank = np.empty(len(first_index), dtype=np.int64)
    rank[np.argsort(first_index, kind="stable")] = np.arange(len(first_index))
    return rank[inverse], len(first_index)


def reject_partial_orders(
    raw: RawRows,
    errors: RowErrors,
    codes: NDArray[np.int64],
    n_groups: int,
    order_fields: Mapping[str, NDArray[Any]],
) -> NDArray[np.bool_]:
    """An order goes whole or not at all: reject disagreeing lines, then every line of a bad order.

    A row whose order fields differ from its order's first sound line fails those fields; then
    every sound line of an order with any bad (or malformed) line is rejected, naming that line.
    Returns which orders (groups) are rejected.

    ``codes`` numbers the rows' orders (well-formed rows, then malformed ones, see
    :func:`order_codes`); ``order_fields`` are compared as codes or numbers, never as strings.
    """
    n = len(raw.line)
    row_codes = codes[:n]
    sound = np.flatnonzero(~errors.bad)
    first = np.full(n_groups, n, dtype=np.int64)
    np.minimum.at(first, row_codes[sound], sound)
    reference = first[row_codes[sound]]
    for column, values in order_fields.items():
        differs = np.zeros(n, dtype=bool)
        differs[sound] = values[sound] != values[reference]
        errors.add(
            differs,
            column,
            lambda row: f"differs from line {int(raw.line[first[row_codes[row]]])} of this order",
        )

    n_malformed = len(raw.malformed_line)
    row_bad = np.concatenate((errors.bad, np.ones(n_malformed, dtype=bool)))
    all_lines = np.concatenate((raw.line, raw.malformed_line))
    first_bad_line = np.full(n_groups, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_bad_line, codes[row_bad], all_lines[row_bad])
    group_bad = first_bad_line != np.iinfo(np.int64).max
    errors.add(
        group_bad[row_codes] & ~errors.bad,
        "order_id",
        lambda row: f"order rejected whole: line {int(first_bad_line[row_codes[row]])} is invalid",
        show=False,
    )
    return group_bad


def guess_order_ids(raw: RawRows) -> list[str]:
    """The order id of each malformed row, read from its header position when it has one."""
    if "order_id" not in raw.columns:
        return [""] * len(raw.malformed_line)
    position = raw.columns.index("order_id")
    return [f[position].strip() if len(f) > position else "" for f in raw.malformed_fields]


@dataclass(frozen=True, eq=False)
class ParsedColumns:
    """The columns parsed into numbers, one entry per row (well-formed rows in file order).

    ``created_s`` is Unix seconds; ``lat_deg``, ``lon_deg`` and ``country`` are the resolved
    destination; ``unit_value_micros`` is exact micros of the row's currency.
    """

    created_s: NDArray[np.int64]
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    country: NDArray[np.str_]
    quantity: NDArray[np.int64]
    unit_value_micros: NDArray[np.int64]
    unit_mass_kg: NDArray[np.float64]
    unit_volume_m3: NDArray[np.float64]


def build_tables(
    accepted: NDArray[np.intp],
    row_codes: NDArray[np.int64],
    parsed: ParsedColumns,
    *,
    order_columns: Mapping[str, Coded],
    item_columns: Mapping[str, Coded],
) -> tuple[OrderTable, ItemTable]:
    """Accepted rows as tables: orders by first appearance, each one's lines in file order."""
    created_s, lat, lon, country = parsed.created_s, parsed.lat_deg, parsed.lon_deg, parsed.country
    quantity, micros = parsed.quantity, parsed.unit_value_micros
    mass, volume = parsed.unit_mass_kg, parsed.unit_volume_m3
    if not len(accepted):
        return empty_tables()
    # Items grouped by order, orders in order of first appearance, lines in file order.
    rows = accepted[np.argsort(row_codes[accepted], kind="stable")]
    group_codes, order_index = np.unique(row_codes[rows], return_inverse=True)
    first_rows = rows[np.searchsorted(row_codes[rows], group_codes)]
    items = ItemTable(
        order_index=order_index.astype(np.int64),
        sku=item_columns["sku"].strings(rows),
        description=item_columns["description"].strings(rows),
        hs_code=item_columns["hs_code"].strings(rows),
        quantity=quantity[rows],
        unit_value_micros=micros[rows],
        currency=item_columns["currency"].strings(rows),
        unit_mass_kg=mass[rows],
        unit_volume_m3=volume[rows],
        dangerous_goods_class=item_columns["dangerous_goods_class"].strings(rows),
    )
    order_text = {name: coded.strings(first_rows) for name, coded in order_columns.items()}
    orders = OrderTable.from_items(
        items,
        created_at=created_s[first_rows].astype("datetime64[s]"),
        destination_lat_deg=lat[first_rows],
        destination_lon_deg=lon[first_rows],
        destination_country=country[first_rows],
        **order_text,
    )
    return orders, items
