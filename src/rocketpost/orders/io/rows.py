"""A file's rows before validation, whatever its format: columns, line numbers, malformed rows.

Every reader (:mod:`~rocketpost.orders.io.csv_reader`, :mod:`~rocketpost.orders.io.jsonl_reader`,
:mod:`~rocketpost.orders.io.parquet_reader`) returns a :class:`RawRows`, so validation is written
once for all formats. Blank lines are not rows: they are skipped but still counted in line
numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

__all__ = ["RawRows", "decode_spans", "line_spans", "strip_bom"]


@dataclass(frozen=True, eq=False)
class RawRows:
    """A file's rows before validation (shared by the orders and inventory readers).

    Attributes
    ----------
    columns
        Column names in file order (CSV header, Parquet schema, JSON keys by first appearance).
    values
        Column name -> pyarrow array over the well-formed rows (strings for CSV; typed or
        strings for Parquet/JSONL; null = absent).
    line
        Line (CSV/JSONL) or record number (Parquet) of each well-formed row, 1-based.
    malformed_line, malformed_reason, malformed_raw, malformed_fields
        Rows that could not be split into the columns: their line, why, their text, and their
        fields when they could be split at all (for the best-effort order id).
    raw_text
        Function giving the original text of well-formed rows by position (``""`` for Parquet).
    """

    columns: tuple[str, ...]
    values: dict[str, pa.Array]
    line: NDArray[np.int64]
    malformed_line: NDArray[np.int64]
    malformed_reason: list[str]
    malformed_raw: list[str]
    malformed_fields: list[list[str]]
    raw_text: Callable[[NDArray[np.int64]], list[str]] = field(repr=False)

    @property
    def n_rows(self) -> int:
        """Rows read: well-formed plus malformed."""
        return len(self.line) + len(self.malformed_line)


def line_spans(buf: NDArray[np.uint8]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Start and end (exclusive, without ``\\r\\n``) of every physical line."""
    newlines = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], newlines + 1)).astype(np.int64)
    ends = np.concatenate((newlines, [len(buf)])).astype(np.int64)
    if starts[-1] == len(buf):  # file ends with a newline: no last empty line
        starts, ends = starts[:-1], ends[:-1]
    has_cr = ends > starts
    has_cr[has_cr] = buf[ends[has_cr] - 1] == 13
    ends = ends - has_cr
    return starts, ends


def strip_bom(data: bytes) -> bytes:
    """The bytes without a UTF-8 byte-order mark (spreadsheets write one; it is not data)."""
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def decode_spans(data: bytes, starts: NDArray[np.int64], ends: NDArray[np.int64]) -> list[str]:
    """Text of each span (bad UTF-8 replaced: this is for showing a row, not for parsing it)."""
    return [
        data[int(s) : int(e)].decode("utf-8", errors="replace")
        for s, e in zip(starts, ends, strict=True)
    ]
