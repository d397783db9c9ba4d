"""One entry point over the per-format readers: a path in, :class:`RawRows` out."""

from __future__ import annotations

import os
from pathlib import Path

from rocketpost.errors import InputError
from rocketpost.orders.io.csv_reader import read_csv_rows
from rocketpost.orders.io.jsonl_reader import read_jsonl_rows
from rocketpost.orders.io.parquet_reader import read_parquet_rows
from rocketpost.orders.io.rows import RawRows
from rocketpost.orders.io.spec import FileFormat, file_format

__all__ = ["read_raw_rows"]


def read_raw_rows(path: str | os.PathLike[str], fmt: FileFormat | None = None) -> RawRows:
    """Split a CSV, Parquet or JSONL file into rows and columns, keeping line numbers.

    Raises
    ------
    InputError
        If the file does not exist, cannot be read as its format at all (not a single row can be
        trusted: an unreadable Parquet footer, an empty CSV), or has duplicate column names.
    """
    path = Path(path)
    fmt = fmt or file_format(path)
    if not path.is_file():
        raise InputError("path", str(path), "no such file")
    if fmt == "parquet":
        return read_parquet_rows(path)
    data = path.read_bytes()
    if fmt == "csv":
        return read_csv_rows(data, str(path))
    return read_jsonl_rows(data, str(path))
