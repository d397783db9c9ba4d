"""Writing orders (and rejects) as CSV, Parquet or JSON Lines, deterministically.

Text formats hold exact decimals, shortest round-trip floats and ``…Z`` times; Parquet holds
typed columns (UTC timestamps, ``decimal128(18, 6)``). Reading a written file gives back the same
tables bit for bit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.orders.io.fields import np_bool, original_text
from rocketpost.orders.io.spec import COLUMNS, FileFormat, file_format
from rocketpost.orders.table import MICROS_PER_UNIT, ItemTable, OrderTable

__all__ = ["write_orders", "write_table"]


def _micros_text(micros: NDArray[np.int64]) -> pa.Array:
    """Exact decimal text of micros, without trailing zeros (19990000 -> "19.99")."""
    whole = pc.cast(pa.array(micros // MICROS_PER_UNIT), pa.string())
    fraction = pc.cast(pa.array(micros % MICROS_PER_UNIT + MICROS_PER_UNIT), pa.string())
    fraction = pc.utf8_rtrim(pc.utf8_slice_codeunits(fraction, 1), characters="0")
    dotted = pc.binary_join_element_wise(whole, fraction, ".")
    return pc.if_else(pc.equal(pc.utf8_length(fraction), 0), whole, dotted)


def _micros_decimal(micros: NDArray[np.int64]) -> pa.Array:
    """micros as ``decimal128(18, 6)`` (the 128-bit unscaled integer is the micros value)."""
    words = np.empty((len(micros), 2), dtype=np.int64)
    words[:, 0] = micros
    words[:, 1] = micros >> 63
    return pa.Array.from_buffers(pa.decimal128(18, 6), len(micros), [None, pa.py_buffer(words)])


def _flat_table(orders: OrderTable, items: ItemTable, fmt: FileFormat) -> pa.Table:
    if len(items) != int(orders.n_items.sum()):
        raise InputError("items", len(items), f"expected {int(orders.n_items.sum())} lines")
    index = items.order_index
    created = orders.created_at[index]
    if fmt == "parquet":
        created_column: pa.Array = pa.array(created, pa.timestamp("s")).cast(
            pa.timestamp("s", "UTC")
        )
        value_column = _micros_decimal(items.unit_value_micros)
    else:
        created_column = pa.array(np.strings.add(np.datetime_as_string(created, unit="s"), "Z"))
        value_column = _micros_text(items.unit_value_micros)
    columns: dict[str, pa.Array] = {
        "order_id": pa.array(orders.order_id[index]),
        "merchant_id": pa.array(orders.merchant_id[index]),
        "channel": pa.array(orders.channel[index]),
        "created_at": created_column,
        "destination": pa.array(orders.destination_label[index]),
        "destination_lat_deg": pa.array(orders.destination_lat_deg[index]),
        "destination_lon_deg": pa.array(orders.destination_lon_deg[index]),
        "destination_country": pa.array(orders.destination_country[index]),
        "recipient_id": pa.array(orders.recipient_id[index]),
        "origin_hub": pa.array(orders.origin_hub[index]),
        "sku": pa.array(items.sku),
        "description": pa.array(items.description),
        "hs_code": pa.array(items.hs_code),
        "quantity": pa.array(items.quantity),
        "unit_value": value_column,
        "currency": pa.array(items.currency),
        "unit_mass_kg": pa.array(items.unit_mass_kg),
        "unit_volume_m3": pa.array(items.unit_volume_m3),
        "dangerous_goods_class": pa.array(items.dangerous_goods_class),
    }
    return pa.table({c: columns[c] for c in COLUMNS})


def write_orders(path: str | os.PathLike[str], orders: OrderTable, items: ItemTable) -> None:
    """Write orders in the flat layout (one row per item), format by extension.

    ``.csv`` and ``.jsonl``/``.ndjson`` hold text (exact decimals, shortest round-trip floats,
    ``…Z`` times); ``.parquet`` holds typed columns (UTC timestamps,
    ``decimal128(18, 6)``). Reading the file back gives the same tables.

    Raises
    ------
    InputError
        For an unknown extension, or items that do not belong to these orders.
    """
    fmt = file_format(path)
    write_table(path, _flat_table(orders, items, fmt))


def write_table(path: str | os.PathLike[str], table: pa.Table) -> None:
    """Write an Arrow table as CSV, Parquet or JSONL by extension (deterministic bytes)."""
    fmt = file_format(path)
    path = Path(path)
    if fmt == "parquet":
        pq.write_table(table, path, compression="zstd")
    elif fmt == "csv":
        pa_csv.write_csv(table, path, pa_csv.WriteOptions(batch_size=1 << 16))
    else:
        _write_jsonl(table, path)


_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f]"


def _json_values(array: pa.Array) -> pa.Array:
    """JSON text of each value of a column (no per-row Python unless a rare control char)."""
    if pa.types.is_string(array.type):
        escaped = array.fill_null("")
        for old, new in _JSON_ESCAPES:
            escaped = pc.replace_substring(escaped, old, new)
        control = np_bool(pc.match_substring_regex(escaped, _CONTROL))
        quoted = pc.binary_join_element_wise('"', escaped, '"', "")
        if control.any():
            texts = quoted.to_pylist()
            originals = array.to_pylist()
            for k in np.flatnonzero(control):
                texts[k] = json.dumps(originals[k], ensure_ascii=False)
            quoted = pa.array(texts, pa.string())
        return quoted
    if pa.types.is_floating(array.type) or pa.types.is_integer(array.type):
        return pc.cast(array, pa.string()).fill_null("null")
    return _json_values(original_text(array))


def _write_jsonl(table: pa.Table, path: Path) -> None:
    """Each line is built column-wise; the joined lines are one Arrow buffer written at once."""
    keys = [json.dumps(name) + ":" for name in table.column_names]
    with path.open("wb") as handle:
        for batch in table.to_batches(max_chunksize=1 << 16):
            pieces: list[pa.Array | str] = []
            for k, column in enumerate(batch.columns):
                pieces.append(("{" if k == 0 else ",") + keys[k])
                pieces.append(_json_values(column))
            pieces.append("}\n")
            scalar_pieces = [pa.scalar(p) if isinstance(p, str) else p for p in pieces]
            lines = pc.binary_join_element_wise(*scalar_pieces, "")
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
            start = int(offsets[lines.offset])
            stop = int(offsets[lines.offset + len(lines)])
            handle.write(memoryview(lines.buffers()[2])[start:stop])
