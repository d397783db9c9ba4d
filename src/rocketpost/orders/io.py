"""Orders in and out: CSV, Parquet and JSON Lines, one row per item, order fields repeated.

File layout (the same columns in all three formats; :data:`COLUMNS` is the written order)
-----------------------------------------------------------------------------------------
Order fields (repeated on every line of the order; rows of one order need not be adjacent):

==========================  ========  ====================================================
column                      required  content
==========================  ========  ====================================================
``order_id``                yes       groups lines into orders
``merchant_id``             yes
``channel``                 yes       ``b2c`` or ``b2b`` (case-insensitive)
``created_at``              yes       ISO 8601 with a UTC offset: ``2025-06-01T12:34:56Z``,
                                      ``…+09:00``; fractions of a second are dropped
``destination``             (a)       place text: ``Paris, FR``, a UN/LOCODE, ``48.85,2.35``
``destination_lat_deg``     (a)       degrees, [-90, 90] (alias ``destination_lat``)
``destination_lon_deg``     (a)       degrees, [-180, 180] (alias ``destination_lon``)
``destination_country``     (b)       ISO 3166-1 alpha-2 (``XK`` allowed)
``recipient_id``            yes
``origin_hub``              no        hub id the order must ship from; empty = planner picks
==========================  ========  ====================================================

Item fields:

==========================  ========  ====================================================
``sku``                     yes
``description``             yes       goods description as declared to customs
``hs_code``                 yes       6 digits; ``8517.62`` is accepted as ``851762``
``quantity``                yes       whole number > 0
``unit_value``              yes       decimal ≥ 0 in ``currency``, at most 6 decimals
``currency``                yes       ISO 4217 (pycountry); one currency per order
``unit_mass_kg``            yes       > 0 and ≤ the rocket payload (see below)
``unit_volume_m3``          yes       > 0 and ≤ the rocket hold
``dangerous_goods_class``   no        UN class/division (``9``, ``3``, ``4.1``); empty = none
==========================  ========  ====================================================

(a) Either ``destination_lat_deg`` + ``destination_lon_deg`` or ``destination``. Coordinates
win when both are given (the text is then kept as the display label). Place text is resolved
with :func:`rocketpost.world.places.resolve_place`, once per distinct text.
(b) Required unless it can be taken from the resolved place; if both are given they must agree.

Written files: ``created_at`` is ``…Z`` text in CSV/JSONL and ``timestamp[s, UTC]`` in
Parquet; ``unit_value`` is exact decimal text in CSV/JSONL and ``decimal128(18, 6)`` in Parquet;
numbers are written in their shortest round-trip form, so write → read gives back the same
tables bit for bit.

Reading: every row is validated, nothing is dropped silently
------------------------------------------------------------
Each rule is a vectorised mask over all rows (pyarrow compute and NumPy; Python only runs per
*rejected* row, to word its reason). A row fails on: wrong number of columns or unparseable
text (CSV/JSON), a missing required field, an unparseable number or date, a negative or zero
mass, volume or quantity, a negative value, an unknown currency or country, an HS code that is
not 6 digits, a latitude/longitude out of range, an unknown origin hub (when the caller passes
``known_hubs``), an unknown dangerous-goods class, a place that does not resolve, order fields
that differ from the order's other lines, or **a single unit heavier than the rocket's payload
(or bulkier than its hold)**: no rocket can lift it, so it is rejected with "exceeds rocket
payload; ship as standard freight" rather than planned. (An *order* over 10 t or 120 m³ made of
liftable units is fine: the planner splits or downgrades it with a reason.)

**An order is accepted or rejected whole.** If any of its lines fails, all its lines go to the
rejects; the sound lines say ``order rejected whole: line N is invalid``. A malformed CSV row
still names its order when its first fields can be read (the ``order_id`` position of the
header), so a partial order is never planned.

Counts always add up: ``rows_read == rows_accepted + rows_rejected`` and
``orders_read == orders_accepted + orders_rejected`` (a row with no readable order id counts as
an order of its own).

Rejects file
------------
One row per rejected input row, sorted by ``line``: ``line`` (CSV and JSONL: 1-based physical
line, the CSV header being line 1; Parquet: 1-based row number), ``field`` (the failing fields,
``;``-separated), ``reason`` (one ``field: why (got 'value')`` per failure, ``; ``-separated),
then every input column with its original text, then ``raw`` (the row exactly as it stood in the
CSV or JSONL file; empty for Parquet). Its format follows the extension given to
:meth:`ImportResult.write_rejects` (CSV recommended: it opens in any spreadsheet).

Blank lines are not rows: they are skipped but still counted in line numbers.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.orders.model import DANGEROUS_GOODS_CLASSES
from rocketpost.orders.table import MICROS_PER_UNIT, ItemTable, OrderTable, empty_tables

__all__ = [
    "COLUMNS",
    "ITEM_COLUMNS",
    "ORDER_COLUMNS",
    "REQUIRED_COLUMNS",
    "ROCKET_HOLD_M3",
    "ROCKET_PAYLOAD_KG",
    "FileFormat",
    "ImportResult",
    "PlaceLike",
    "RawRows",
    "RejectTable",
    "file_format",
    "read_orders",
    "read_raw_rows",
    "write_orders",
    "write_table",
]

ROCKET_PAYLOAD_KG = 10_000.0
"""XZY-1 payload: the default ceiling for a single unit's mass."""
ROCKET_HOLD_M3 = 120.0
"""XZY-1 hold volume: the default ceiling for a single unit's volume."""

ORDER_COLUMNS: tuple[str, ...] = (
    "order_id",
    "merchant_id",
    "channel",
    "created_at",
    "destination",
    "destination_lat_deg",
    "destination_lon_deg",
    "destination_country",
    "recipient_id",
    "origin_hub",
)
ITEM_COLUMNS: tuple[str, ...] = (
    "sku",
    "description",
    "hs_code",
    "quantity",
    "unit_value",
    "currency",
    "unit_mass_kg",
    "unit_volume_m3",
    "dangerous_goods_class",
)
COLUMNS: tuple[str, ...] = ORDER_COLUMNS + ITEM_COLUMNS
"""Every column, in the order :func:`write_orders` writes them."""

REQUIRED_COLUMNS: tuple[str, ...] = (
    "order_id",
    "merchant_id",
    "channel",
    "created_at",
    "recipient_id",
    "sku",
    "description",
    "hs_code",
    "quantity",
    "unit_value",
    "currency",
    "unit_mass_kg",
    "unit_volume_m3",
)
"""Columns a CSV header or Parquet schema must have (plus a destination, see the module doc)."""

_ALIASES = {"destination_lat": "destination_lat_deg", "destination_lon": "destination_lon_deg"}
_REJECT_FIXED = ("line", "field", "reason")
_ROW_FIELDS_ORDER_LEVEL = (
    "merchant_id",
    "channel",
    "created_at",
    "destination",
    "destination_lat_deg",
    "destination_lon_deg",
    "destination_country",
    "recipient_id",
    "origin_hub",
    "currency",
)

FileFormat = Literal["csv", "parquet", "jsonl"]
_EXTENSIONS: dict[str, FileFormat] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


class PlaceLike(Protocol):
    """What :func:`read_orders` needs from a resolved place."""

    @property
    def lat_deg(self) -> float: ...

    @property
    def lon_deg(self) -> float: ...

    @property
    def country_code(self) -> str: ...


def file_format(path: str | os.PathLike[str]) -> FileFormat:
    """Format named by the file extension (``.csv``, ``.parquet``/``.pq``, ``.jsonl``/``.ndjson``).

    Raises
    ------
    InputError
        For any other extension.
    """
    suffix = Path(path).suffix.lower()
    try:
        return _EXTENSIONS[suffix]
    except KeyError:
        raise InputError(
            "path", str(path), "unknown file type: use .csv, .parquet, .jsonl or .ndjson"
        ) from None


# ============================================================================================
# raw rows: every format becomes text-or-typed columns plus line numbers and malformed rows


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
        return _read_parquet_raw(path)
    data = path.read_bytes()
    if fmt == "csv":
        return _read_csv_raw(data, str(path))
    return _read_jsonl_raw(data, str(path))


def _line_spans(buf: NDArray[np.uint8]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
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


def _strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def _decode(data: bytes, starts: NDArray[np.int64], ends: NDArray[np.int64]) -> list[str]:
    return [
        data[int(s) : int(e)].decode("utf-8", errors="replace") for s, e in zip(starts, ends, strict=True)
    ]


# -- CSV --------------------------------------------------------------------------------------


def _read_csv_raw(data: bytes, name: str) -> RawRows:
    data = _strip_bom(data)
    fast = _read_csv_fast(data, name)
    return fast if fast is not None else _read_csv_slow(data, name)


def _csv_header(text: str, name: str) -> tuple[str, ...]:
    header = tuple(h.strip() for h in next(csv.reader([text])))
    header = tuple(_ALIASES.get(h, h) for h in header)
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise InputError(name, ", ".join(duplicates), "duplicate column names in the header")
    return header


def _read_csv_fast(data: bytes, name: str) -> RawRows | None:
    """Vectorised record splitting; ``None`` when the file needs the careful (slow) reader.

    Records are cut at newlines outside quotes, where "inside quotes" is the parity of the
    number of quote characters before a position. That is exact for RFC 4180 files — quotes
    only open a field, close it, or come doubled inside it — which the check below verifies on
    the quote positions alone. Anything else (a stray ``5" screen``, invalid UTF-8) goes to
    the slow reader, which uses the csv module row by row.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    buf = np.frombuffer(data, dtype=np.uint8)
    size = len(buf)
    quotes = np.flatnonzero(buf == 34)
    if len(quotes) % 2:
        return None
    if len(quotes):
        parity = np.arange(len(quotes)) % 2
        prev = np.where(quotes > 0, buf[np.maximum(quotes - 1, 0)], 10)
        nxt = np.where(quotes + 1 < size, buf[np.minimum(quotes + 1, size - 1)], 10)
        adjacent_prev = np.zeros(len(quotes), dtype=bool)
        adjacent_prev[1:] = np.diff(quotes) == 1
        adjacent_next = np.zeros(len(quotes), dtype=bool)
        adjacent_next[:-1] = np.diff(quotes) == 1
        opening_ok = (prev == 44) | (prev == 10) | adjacent_prev
        closing_ok = (nxt == 44) | (nxt == 10) | (nxt == 13) | adjacent_next
        if not np.where(parity == 0, opening_ok, closing_ok).all():
            return None

    newlines = np.flatnonzero(buf == 10)

    def inside(positions: NDArray[np.intp]) -> NDArray[np.bool_]:
        if not len(quotes):
            return np.zeros(len(positions), dtype=bool)
        return (np.searchsorted(quotes, positions) % 2).astype(bool)

    quoted_newline = inside(newlines)
    terminators = newlines[~quoted_newline]
    starts = np.concatenate(([0], terminators + 1)).astype(np.int64)
    ends = np.concatenate((terminators, [size])).astype(np.int64)
    if starts[-1] == size:
        starts, ends = starts[:-1], ends[:-1]
    full_ends = np.minimum(ends + 1, size)  # including the terminator, for re-assembly
    has_cr = ends > starts
    has_cr[has_cr] = buf[ends[has_cr] - 1] == 13
    ends = ends - has_cr
    lines = np.searchsorted(newlines, starts).astype(np.int64) + 1

    # Fields per record: commas outside quotes, counted chunk by chunk to bound memory.
    n_records = len(starts)
    commas = np.zeros(n_records, dtype=np.int64)
    chunk = 1 << 24
    for lo in range(0, size, chunk):
        positions = np.flatnonzero(buf[lo : lo + chunk] == 44) + lo
        if len(quotes):
            positions = positions[~inside(positions)]
        commas += np.bincount(np.searchsorted(terminators, positions), minlength=n_records)[
            :n_records
        ]
    blank = ends == starts
    records = np.flatnonzero(~blank)
    if not len(records):
        raise InputError(name, "", "empty file: no header row")
    head = records[0]
    header = _csv_header(data[starts[head] : ends[head]].decode("utf-8"), name)
    body = records[1:]
    good = body[commas[body] + 1 == len(header)]
    bad = body[commas[body] + 1 != len(header)]

    values = _parse_csv_records(data, starts, full_ends, good, header, bool(quoted_newline.any()))
    if values is None:
        return None
    bad_raw = _decode(data, starts[bad], ends[bad])
    bad_fields = [_split_line(text) for text in bad_raw]

    def raw_text(rows: NDArray[np.int64]) -> list[str]:
        return _decode(data, starts[good[rows]], ends[good[rows]])

    return RawRows(
        columns=header,
        values=values,
        line=lines[good],
        malformed_line=lines[bad],
        malformed_reason=[
            f"expected {len(header)} fields as in the header, found {len(f)}" for f in bad_fields
        ],
        malformed_raw=bad_raw,
        malformed_fields=bad_fields,
        raw_text=raw_text,
    )


def _split_line(text: str) -> list[str]:
    try:
        return next(csv.reader([text]), [])
    except csv.Error:
        return text.split(",")


def _parse_csv_records(
    data: bytes,
    starts: NDArray[np.int64],
    full_ends: NDArray[np.int64],
    rows: NDArray[np.intp],
    header: tuple[str, ...],
    newlines_in_values: bool,
) -> dict[str, pa.Array] | None:
    """Hand the well-formed records (already cut and counted) to Arrow's CSV parser."""
    if not len(rows):
        return {h: pa.array([], pa.string()) for h in header}
    # Contiguous runs of good records are copied as whole byte ranges.
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    run_first = rows[np.concatenate(([0], breaks))]
    run_last = rows[np.concatenate((breaks - 1, [len(rows) - 1]))]
    pieces = [data[int(starts[a]) : int(full_ends[b])] for a, b in zip(run_first, run_last, strict=True)]
    if not pieces[-1].endswith(b"\n"):
        pieces.append(b"\n")
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(b"".join(pieces)),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pa_csv.ParseOptions(newlines_in_values=newlines_in_values),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if table.num_rows != len(rows):
        return None
    return {h: table.column(c).combine_chunks() for h, c in zip(header, names, strict=True)}


def _read_csv_slow(data: bytes, name: str) -> RawRows:
    """Row-by-row reader for files the fast path cannot cut safely (stray quotes, bad UTF-8)."""
    text = data.decode("utf-8", errors="surrogateescape")
    buf = np.frombuffer(data, dtype=np.uint8)
    line_starts, line_ends = _line_spans(buf)
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    header: tuple[str, ...] | None = None
    good_fields: list[list[str]] = []
    good_span: list[tuple[int, int]] = []
    bad: list[tuple[int, int, str, list[str]]] = []
    previous = 0
    while True:
        try:
            fields_ = next(reader)
            error = ""
        except StopIteration:
            break
        except csv.Error as exc:
            fields_, error = [], f"unreadable CSV: {exc}"
        first, last = previous + 1, reader.line_num
        previous = reader.line_num
        if not error and not fields_:
            continue  # blank line
        if error and last < first:
            break
        if header is None and not error:
            header = _csv_header(",".join(_quote(f) for f in fields_), name)
            continue
        if header is None:
            raise InputError(name, first, "the header row is not readable CSV")
        if not error and any(_has_surrogate(f) for f in fields_):
            error = "not valid UTF-8 text"
        if not error and len(fields_) != len(header):
            error = f"expected {len(header)} fields as in the header, found {len(fields_)}"
        if error:
            bad.append((first, last, error, fields_))
        else:
            good_fields.append(fields_)
            good_span.append((first, last))
    if header is None:
        raise InputError(name, "", "empty file: no header row")

    def span_text(first: int, last: int) -> str:
        lo = int(line_starts[first - 1]) if first - 1 < len(line_starts) else len(data)
        hi = int(line_ends[min(last, len(line_ends)) - 1]) if len(line_ends) else 0
        return data[lo:max(lo, hi)].decode("utf-8", errors="replace")

    columns = list(zip(*good_fields, strict=True)) if good_fields else [()] * len(header)
    values = {h: pa.array(list(col), pa.string()) for h, col in zip(header, columns, strict=True)}
    spans = np.array(good_span, dtype=np.int64).reshape(-1, 2)

    def raw_text(rows: NDArray[np.int64]) -> list[str]:
        return [span_text(int(spans[r, 0]), int(spans[r, 1])) for r in rows]

    return RawRows(
        columns=header,
        values=values,
        line=spans[:, 0].copy(),
        malformed_line=np.array([b[0] for b in bad], dtype=np.int64),
        malformed_reason=[b[2] for b in bad],
        malformed_raw=[span_text(b[0], b[1]) for b in bad],
        malformed_fields=[[_clean_surrogates(f) for f in b[3]] for b in bad],
        raw_text=raw_text,
    )


_SURROGATE = re.compile("[\udc80-\udcff]")


def _has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def _clean_surrogates(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


# -- JSON Lines -------------------------------------------------------------------------------

_JSON_TEXT_FIELDS = (
    "order_id",
    "merchant_id",
    "channel",
    "created_at",
    "destination",
    "destination_country",
    "recipient_id",
    "origin_hub",
    "sku",
    "description",
    "currency",
)


def _read_jsonl_raw(data: bytes, name: str) -> RawRows:
    data = _strip_bom(data)
    buf = np.frombuffer(data, dtype=np.uint8)
    starts, ends = _line_spans(buf)
    blank = ends == starts
    short = np.flatnonzero(~blank & (ends - starts <= 16))
    for k in short:  # whitespace-only lines are blank too; only short lines can be
        if not data[int(starts[k]) : int(ends[k])].strip():
            blank[k] = True
    lines = np.flatnonzero(~blank)
    fast = _read_jsonl_fast(data, lines, starts, ends)
    if fast is not None:
        values, columns = fast
        malformed: list[tuple[int, str, str]] = []
        good = lines
    else:
        values, columns, good, malformed = _read_jsonl_slow(data, lines, starts, ends)

    def raw_text(rows: NDArray[np.int64]) -> list[str]:
        return _decode(data, starts[good[rows]], ends[good[rows]])

    return RawRows(
        columns=tuple(columns),
        values=values,
        line=(good + 1).astype(np.int64),
        malformed_line=np.array([m[0] for m in malformed], dtype=np.int64),
        malformed_reason=[m[1] for m in malformed],
        malformed_raw=[m[2] for m in malformed],
        malformed_fields=[[] for _ in malformed],
        raw_text=raw_text,
    )


def _read_jsonl_fast(
    data: bytes, lines: NDArray[np.intp], starts: NDArray[np.int64], ends: NDArray[np.int64]
) -> tuple[dict[str, pa.Array], list[str]] | None:
    """Arrow's JSON reader when every line parses with one consistent type per field."""
    if not len(lines):
        return {}, []
    schema = pa.schema([(f, pa.string()) for f in _JSON_TEXT_FIELDS])
    try:
        table = pa_json.read_json(
            io.BytesIO(data),
            read_options=pa_json.ReadOptions(block_size=1 << 24),
            parse_options=pa_json.ParseOptions(
                explicit_schema=schema, unexpected_field_behavior="infer"
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != len(lines):
        return None
    if any(pa.types.is_nested(t) for t in table.schema.types):
        return None
    # Columns of the explicit schema exist even when no record has them: keep the real ones.
    first_line = data[int(starts[lines[0]]) : int(ends[lines[0]])]
    try:
        first_keys = list(json.loads(first_line))
    except ValueError:
        return None
    present = [c for c in table.column_names if c not in _JSON_TEXT_FIELDS or table.column(c).null_count < table.num_rows]
    ordered = [k for k in first_keys if k in present] + [c for c in present if c not in first_keys]
    values = {_ALIASES.get(c, c): table.column(c).combine_chunks() for c in ordered}
    return values, [_ALIASES.get(c, c) for c in ordered]


def _json_scalar_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    raise TypeError(type(value).__name__)


def _read_jsonl_slow(
    data: bytes, lines: NDArray[np.intp], starts: NDArray[np.int64], ends: NDArray[np.int64]
) -> tuple[dict[str, pa.Array], list[str], NDArray[np.intp], list[tuple[int, str, str]]]:
    records: list[dict[str, str | None]] = []
    good: list[int] = []
    malformed: list[tuple[int, str, str]] = []
    columns: dict[str, None] = {}
    for k in lines:
        text = data[int(starts[k]) : int(ends[k])].decode("utf-8", errors="replace")
        try:
            record = json.loads(data[int(starts[k]) : int(ends[k])])
        except ValueError as exc:
            malformed.append((int(k) + 1, f"not valid JSON: {exc}", text))
            continue
        if not isinstance(record, dict):
            malformed.append((int(k) + 1, "not a JSON object", text))
            continue
        try:
            row = {_ALIASES.get(key, key): _json_scalar_text(v) for key, v in record.items()}
        except TypeError as exc:
            nested = [key for key, v in record.items() if isinstance(v, dict | list)]
            malformed.append((int(k) + 1, f"{', '.join(nested)}: must be a plain value, not {exc}", text))
            continue
        for key in row:
            columns.setdefault(key)
        records.append(row)
        good.append(int(k))
    values = {c: pa.array([r.get(c) for r in records], pa.string()) for c in columns}
    return values, list(columns), np.array(good, dtype=np.intp), malformed


# -- Parquet ----------------------------------------------------------------------------------


def _read_parquet_raw(path: Path) -> RawRows:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(str(path), "", f"not a readable Parquet file: {exc}") from None
    names = [_ALIASES.get(c, c) for c in table.column_names]
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


# ============================================================================================
# field parsers: (values, present, ok) masks over all rows, no per-row Python


_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_INTEGER = r"^[+-]?\d{1,18}$"
_MONEY = r"^\+?\d{1,12}(\.\d{0,6}0*)?$"
_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$"
_NAIVE_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$"


def _as_text(array: pa.Array | None, n: int) -> pa.Array:
    """Trimmed text of a column ("" where absent or null), whatever its Arrow type."""
    if array is None:
        return pa.array([""] * n, pa.string()) if n < 1024 else pc.cast(pa.nulls(n), pa.string()).fill_null("")
    if pa.types.is_timestamp(array.type) and array.type.tz is not None:
        array = pc.strftime(array, format="%Y-%m-%dT%H:%M:%SZ")
    elif pa.types.is_floating(array.type):
        array = pc.cast(array, pa.string())
    elif pa.types.is_large_string(array.type) or pa.types.is_string_view(array.type):
        array = pc.cast(array, pa.string())
    elif not pa.types.is_string(array.type):
        try:
            array = pc.cast(array, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            array = pa.array([None if v is None else str(v) for v in array.to_pylist()], pa.string())
    return pc.utf8_trim_whitespace(array.fill_null(""))


def _np_bool(array: pa.Array) -> NDArray[np.bool_]:
    return np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _present(text: pa.Array) -> NDArray[np.bool_]:
    return np.asarray(pc.utf8_length(text).to_numpy(zero_copy_only=False) > 0)


def _parse_float(
    raw: pa.Array | None, text: pa.Array
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Values (NaN where unusable) and a parse-ok mask (True where absent: that is another rule)."""
    n = len(text)
    if raw is not None and (pa.types.is_floating(raw.type) or pa.types.is_integer(raw.type)):
        values = pc.cast(raw, pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
        values = np.asarray(values, dtype=np.float64)
        present = np.asarray(raw.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        return values, ~present | np.isfinite(values)
    ok = _np_bool(pc.match_substring_regex(text, _NUMBER)) if n else np.zeros(0, dtype=bool)
    values = np.full(n, np.nan)
    if ok.any():
        parsed = pc.cast(pc.if_else(pa.array(ok), text, pa.scalar(None, pa.string())), pa.float64())
        values = np.asarray(parsed.fill_null(np.nan).to_numpy(zero_copy_only=False), dtype=np.float64)
    ok = ok & np.isfinite(values)
    return values, ok | ~_present(text)


def _parse_int(
    raw: pa.Array | None, text: pa.Array
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    n = len(text)
    if raw is not None and pa.types.is_integer(raw.type):
        values = np.asarray(pc.cast(raw, pa.int64()).fill_null(0).to_numpy(), dtype=np.int64)
        return values, np.ones(n, dtype=bool)
    if raw is not None and pa.types.is_floating(raw.type):
        floats = np.asarray(pc.cast(raw, pa.float64()).fill_null(0.0).to_numpy(), dtype=np.float64)
        ok = np.isfinite(floats) & (floats == np.round(floats)) & (np.abs(floats) < 2**53)
        return np.where(ok, floats, 0).astype(np.int64), ok
    ok = _np_bool(pc.match_substring_regex(text, _INTEGER)) if n else np.zeros(0, dtype=bool)
    values = np.zeros(n, dtype=np.int64)
    if ok.any():
        parsed = pc.cast(pc.if_else(pa.array(ok), text, pa.scalar("0")), pa.int64())
        values = np.asarray(parsed.to_numpy(), dtype=np.int64)
    return values, ok | ~_present(text)


def _parse_money(text: pa.Array) -> tuple[NDArray[np.int64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Exact micros from decimal text; masks: parse ok, negative."""
    n = len(text)
    present = _present(text)
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, bool)
    negative = _np_bool(pc.match_substring_regex(text, r"^-\s*(\d|\.\d)")) & present
    ok = _np_bool(pc.match_substring_regex(text, _MONEY))
    micros = np.zeros(n, dtype=np.int64)
    if ok.any():
        clean = pc.if_else(pa.array(ok), pc.replace_substring(text, "+", ""), pa.scalar("0"))
        parts = pc.split_pattern(clean, ".", max_splits=1)
        whole = pc.list_element(parts, 0)
        whole = pc.if_else(pc.equal(pc.utf8_length(whole), 0), pa.scalar("0"), whole)
        has_fraction = pc.equal(pc.list_value_length(parts), 2)
        fraction = pc.if_else(has_fraction, pc.list_element(parts, 1), pa.scalar(""))
        fraction = pc.utf8_slice_codeunits(pc.utf8_rpad(fraction, 6, "0"), 0, 6)
        micros = np.asarray(pc.cast(whole, pa.int64()).to_numpy(), dtype=np.int64) * MICROS_PER_UNIT
        micros += np.asarray(pc.cast(fraction, pa.int64()).to_numpy(), dtype=np.int64)
    return micros, ok | ~present, negative


def _parse_timestamp(
    raw: pa.Array | None, text: pa.Array
) -> tuple[NDArray[np.int64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Epoch seconds; masks: ok, and "looks like a time but has no UTC offset"."""
    n = len(text)
    present = _present(text)
    if raw is not None and pa.types.is_timestamp(raw.type):
        if raw.type.tz is None:
            return np.zeros(n, np.int64), ~present, present
        seconds = pc.cast(pc.cast(raw, pa.timestamp(raw.type.unit, "UTC")), pa.int64())
        divisor = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[raw.type.unit]
        values = np.asarray(seconds.fill_null(0).to_numpy(), dtype=np.int64) // divisor
        return values, np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, bool)
    upper = pc.utf8_upper(text)
    shaped = _np_bool(pc.match_substring_regex(upper, _TIMESTAMP))
    naive = _np_bool(pc.match_substring_regex(upper, _NAIVE_TIMESTAMP)) & ~shaped
    clean = pc.replace_substring_regex(upper, r"\.\d+", "")
    clean = pc.replace_substring_regex(clean, r"^(\d{4}-\d{2}-\d{2}) ", r"\1T")
    clean = pc.replace_substring_regex(
        clean, r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(Z|[+-])", r"\1:00\2"
    )
    clean = pc.if_else(pa.array(shaped), clean, pa.scalar(None, pa.string()))
    parsed = pc.strptime(clean, format="%Y-%m-%dT%H:%M:%S%z", unit="s", error_is_null=True)
    ok = np.asarray(parsed.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    values = np.asarray(pc.cast(parsed, pa.int64()).fill_null(0).to_numpy(), dtype=np.int64)
    return values, ok | ~present, naive


@lru_cache(maxsize=1)
def _currencies() -> pa.Array:
    import pycountry

    return pa.array(sorted(c.alpha_3 for c in pycountry.currencies), pa.string())


@lru_cache(maxsize=1)
def _countries() -> pa.Array:
    from rocketpost.world.countries import country_codes

    return pa.array(sorted(country_codes()), pa.string())


def _is_in(text: pa.Array, allowed: pa.Array) -> NDArray[np.bool_]:
    return _np_bool(pc.is_in(text, value_set=allowed))


# ============================================================================================
# rejects


@dataclass(frozen=True, eq=False)
class RejectTable:
    """Rejected input rows with their line, the failing fields and the reasons.

    Attributes
    ----------
    line
        1-based line (CSV, JSONL) or record number (Parquet) of each rejected row.
    field, reason
        Failing fields (``;``-separated) and reasons (``; ``-separated, each naming its field
        and the offending value).
    values
        Input column -> original text of each rejected row (empty for a malformed row).
    raw
        The row's text as it stood in a CSV/JSONL file (empty for Parquet).
    """

    line: NDArray[np.int64]
    field: NDArray[np.str_]
    reason: NDArray[np.str_]
    values: Mapping[str, NDArray[np.str_]]
    raw: NDArray[np.str_]

    def __post_init__(self) -> None:
        for name in ("line", "field", "reason", "raw"):
            array = np.asarray(getattr(self, name))
            if name != "line" and array.dtype.kind != "U":
                array = array.astype(str) if array.size else np.zeros(0, "<U1")
            array.flags.writeable = False
            object.__setattr__(self, name, array)
        frozen = {}
        for name, column in self.values.items():
            array = np.asarray(column)
            if array.dtype.kind != "U":
                array = array.astype(str) if array.size else np.zeros(0, "<U1")
            array.flags.writeable = False
            frozen[name] = array
        object.__setattr__(self, "values", frozen)

    def __len__(self) -> int:
        return len(self.line)

    def to_arrow(self) -> pa.Table:
        """As a table: ``line, field, reason``, the input columns, ``raw``."""
        columns: dict[str, pa.Array] = {
            "line": pa.array(self.line, pa.int64()),
            "field": pa.array(self.field, pa.string()),
            "reason": pa.array(self.reason, pa.string()),
        }
        for name, column in self.values.items():
            key = name if name not in (*_REJECT_FIXED, "raw") else f"input_{name}"
            columns[key] = pa.array(column, pa.string())
        columns["raw"] = pa.array(self.raw, pa.string())
        return pa.table(columns)

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write to ``path`` in the format its extension names (CSV, Parquet or JSONL)."""
        write_table(path, self.to_arrow())

    def rows(self) -> Iterator[dict[str, Any]]:
        """Rejects as dictionaries (for display and JSON output)."""
        for k in range(len(self)):
            yield {
                "line": int(self.line[k]),
                "field": str(self.field[k]),
                "reason": str(self.reason[k]),
            }


@dataclass(frozen=True, eq=False)
class ImportResult:
    """Outcome of :func:`read_orders`: the accepted tables, the rejects and the counts."""

    orders: OrderTable
    items: ItemTable
    rejects: RejectTable
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    orders_read: int
    orders_accepted: int
    orders_rejected: int
    source: str = ""
    ignored_columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.rows_read != self.rows_accepted + self.rows_rejected:
            raise AssertionError("row counts do not add up")  # a bug, never user input
        if self.orders_read != self.orders_accepted + self.orders_rejected:
            raise AssertionError("order counts do not add up")

    def write_rejects(self, path: str | os.PathLike[str]) -> None:
        """Write the rejects file (format by extension; CSV opens in any spreadsheet)."""
        self.rejects.write(path)

    def summary(self) -> dict[str, Any]:
        """Counts as a plain dictionary (the CLI's ``--json`` output)."""
        return {
            "source": self.source,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "orders_read": self.orders_read,
            "orders_accepted": self.orders_accepted,
            "orders_rejected": self.orders_rejected,
            "ignored_columns": list(self.ignored_columns),
        }


# ============================================================================================
# validation


