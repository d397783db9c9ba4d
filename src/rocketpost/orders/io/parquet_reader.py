"""Parquet rows: typed columns as stored, record numbers as line numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from rocketpost.errors import InputError
from rocketpost.orders.io.rows import RawRows
from rocketpost.orders.io.spec import COLUMN_ALIASES

__all__ = ["read_parquet_rows"]


def read_parquet_rows(path: Path) -> RawRows:
    """Rows of a Parquet file; an unreadable file raises, since no row could be trusted."""
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(str(path), "", f"not a readable Parquet file: {exc}") from None
    names = [COLUMN_ALIASES.get(c, c) for c in table.column_names]
    duplicates = sorted({c for c in names if names.count(c) > 1})
    if duplicates:
        raise InputError(str(path), ", ".join(duplicates), "duplicate column names")
    values = {}
    for name, column in zip(names, table.columns, strict=True):
        array = column.combine_chunks()
        if pa.types.is_dictionary(array.type):
            array = array.dictionary_decode()
        values[name] = array
    return RawRows(
        columns=tuple(names),
        values=values,
        line=np.arange(1, table.num_rows + 1, dtype=np.int64),
        malformed_line=np.zeros(0, dtype=np.int64),
        malformed_reason=[],
        malformed_raw=[],
        malformed_fields=[],
        raw_text=lambda rows: [""] * len(rows),
    )
