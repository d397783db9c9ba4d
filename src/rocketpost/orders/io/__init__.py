"""Orders in and out: CSV, Parquet and JSON Lines, one row per item, order fields repeated.

Bad rows go to a rejects file with their line number, field and reason; nothing is dropped
silently. The package is split by responsibility:

* :mod:`~rocketpost.orders.io.spec` — the file format: columns, required columns, extensions.
* :mod:`~rocketpost.orders.io.readers` — a file's rows before validation (:class:`RawRows`),
  through :mod:`~rocketpost.orders.io.csv_reader`, :mod:`~rocketpost.orders.io.jsonl_reader`
  and :mod:`~rocketpost.orders.io.parquet_reader`.
* :mod:`~rocketpost.orders.io.fields` — field parsing as vectorised masks.
* :mod:`~rocketpost.orders.io.destinations` — place text to points, once per distinct text.
* :mod:`~rocketpost.orders.io.rejects` — :class:`RowErrors` and the line-numbered
  :class:`RejectTable`.
* :mod:`~rocketpost.orders.io.importer` — :func:`read_orders` and :class:`ImportResult`, with
  :mod:`~rocketpost.orders.io.assemble` grouping accepted rows into tables.
* :mod:`~rocketpost.orders.io.writers` — :func:`write_orders` and :func:`write_table`.
"""

from __future__ import annotations

from rocketpost.orders.io.destinations import PlaceLike
from rocketpost.orders.io.importer import ImportResult, read_orders
from rocketpost.orders.io.readers import read_raw_rows
from rocketpost.orders.io.rejects import RejectTable, RowErrors, rejects_from
from rocketpost.orders.io.rows import RawRows
from rocketpost.orders.io.spec import (
    COLUMNS,
    ITEM_COLUMNS,
    ORDER_COLUMNS,
    REQUIRED_COLUMNS,
    FileFormat,
    file_format,
)
from rocketpost.orders.io.writers import write_orders, write_table

__all__ = [
    "COLUMNS",
    "ITEM_COLUMNS",
    "ORDER_COLUMNS",
    "REQUIRED_COLUMNS",
    "FileFormat",
    "ImportResult",
    "PlaceLike",
    "RawRows",
    "RejectTable",
    "RowErrors",
    "file_format",
    "read_orders",
    "read_raw_rows",
    "rejects_from",
    "write_orders",
    "write_table",
]
