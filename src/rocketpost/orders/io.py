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

Written files: ``created_at`` is ``…Z`` text in CSV/JSONL and a UTC timestamp in Parquet
(stored in milliseconds: Parquet has no second unit); ``unit_value`` is exact decimal text in
CSV/JSONL and ``decimal128(18, 6)`` in Parquet; numbers are written in their shortest
round-trip form, so write → read gives back the same tables bit for bit.

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
    "RowErrors",
    "file_format",
    "read_orders",
    "read_raw_rows",
    "rejects_from",
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
    *(c for c in ITEM_COLUMNS if c != "dangerous_goods_class"),
)
"""Columns a CSV header or Parquet schema must have (plus a destination, see the module doc)."""

_ALIASES = {"destination_lat": "destination_lat_deg", "destination_lon": "destination_lon_deg"}
_REJECT_FIXED = ("line", "field", "reason")
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
    def country_code(self) -> str | None: ...


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
        data[int(s) : int(e)].decode("utf-8", errors="replace")
        for s, e in zip(starts, ends, strict=True)
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


def _quotes_well_formed(buf: NDArray[np.uint8], quotes: NDArray[np.intp]) -> bool:
    """Every quote opens a field, closes it, or is half of a doubled quote inside it.

    Taking quotes in pairs (opening, closing) by parity: an opening quote must follow a comma, a
    newline or the start of the file, or directly follow the previous pair's closing quote (a
    doubled quote inside the field); a closing quote must precede a comma, a CR or LF, the end
    of the file, or the next opening quote (the same doubled quote).
    """
    opening, closing = quotes[0::2], quotes[1::2]
    doubled = opening[1:] - closing[:-1] == 1
    before = np.where(opening > 0, buf[np.maximum(opening - 1, 0)], 10)
    opening_ok = (before == 44) | (before == 10)
    opening_ok[1:] |= doubled
    last = len(buf) - 1
    after = np.where(closing < last, buf[np.minimum(closing + 1, last)], 10)
    closing_ok = (after == 44) | (after == 10) | (after == 13)
    closing_ok[:-1] |= doubled
    return bool(opening_ok.all() and closing_ok.all())


def _read_csv_fast(data: bytes, name: str) -> RawRows | None:
    """Vectorised record cutting plus Arrow's parser; ``None`` if the slow reader must decide.

    Records (and so line numbers) are cut at newlines outside quotes, where "inside quotes" is
    the parity of the number of quote characters before a position. That is exact for RFC 4180
    files — quotes only open a field, close it, or come doubled inside it — which the check
    below verifies on the quote positions alone. Arrow then splits the fields; rows with the
    wrong number of fields come back through its invalid-row handler. Anything else (a stray
    ``5" screen``, invalid UTF-8, a disagreement on the row count) goes to the slow reader,
    which uses the csv module row by row.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    size = len(buf)
    quotes = np.flatnonzero(buf == 34)
    if len(quotes) % 2:
        return None
    if len(quotes) and not _quotes_well_formed(buf, quotes):
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

    blank = ends == starts
    records = np.flatnonzero(~blank)
    if not len(records):
        raise InputError(name, "", "empty file: no header row")
    head = records[0]
    try:
        header = _csv_header(data[starts[head] : ends[head]].decode("utf-8"), name)
    except UnicodeDecodeError:
        return None
    body = records[1:]
    parsed = _parse_csv_records(data, starts, full_ends, body, header, bool(quoted_newline.any()))
    if parsed is None:
        return None
    values, invalid_texts = parsed
    # Arrow skipped the rows it could not split into the header's columns and handed over
    # their text; find them among our records (only records of a matching length are compared).
    bad_mask = np.zeros(len(body), dtype=bool)
    if invalid_texts:
        wanted = set(invalid_texts)
        lengths = {len(t.encode("utf-8")) for t in wanted}
        candidates = np.flatnonzero(np.isin(ends[body] - starts[body], sorted(lengths)))
        for k in candidates.tolist():
            record = body[k]
            text = data[int(starts[record]) : int(ends[record])].decode("utf-8", "replace")
            if text in wanted:
                bad_mask[k] = True
        if int(bad_mask.sum()) != len(invalid_texts):
            return None
    good, bad = body[~bad_mask], body[bad_mask]
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
) -> tuple[dict[str, pa.Array], list[str]] | None:
    """Arrow's CSV parser over the given records (already cut): columns and invalid row texts.

    ``None`` when Arrow's row count disagrees with the records (then the slow reader decides).
    """
    if not len(rows):
        return {h: pa.array([], pa.string()) for h in header}, []
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    run_first = rows[np.concatenate(([0], breaks))]
    run_last = rows[np.concatenate((breaks - 1, [len(rows) - 1]))]
    source: Any
    if len(run_first) == 1:
        # One contiguous run (no blank lines between rows): a zero-copy slice of the file.
        start, stop = int(starts[run_first[0]]), int(full_ends[run_last[0]])
        source = pa.BufferReader(pa.py_buffer(data).slice(start, stop - start))
    else:
        pieces = [
            data[int(starts[a]) : int(full_ends[b])]
            for a, b in zip(run_first, run_last, strict=True)
        ]
        pieces = [p if p.endswith(b"\n") else p + b"\n" for p in pieces]
        source = io.BytesIO(b"".join(pieces))
    names = [f"c{i}" for i in range(len(header))]
    invalid: list[str] = []

    def skip(row: Any) -> str:
        invalid.append(str(row.text))
        return "skip"

    try:
        table = pa_csv.read_csv(
            source,
            read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pa_csv.ParseOptions(
                newlines_in_values=newlines_in_values, invalid_row_handler=skip
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if table.num_rows + len(invalid) != len(rows):
        return None
    columns = {h: table.column(c).combine_chunks() for h, c in zip(header, names, strict=True)}
    return columns, invalid


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
        return data[lo : max(lo, hi)].decode("utf-8", errors="replace")

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
    present = [
        c
        for c in table.column_names
        if c not in _JSON_TEXT_FIELDS or table.column(c).null_count < table.num_rows
    ]
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
            row = {
                _ALIASES.get(str(key), str(key)): _json_scalar_text(v) for key, v in record.items()
            }
        except TypeError as exc:
            nested = [key for key, v in record.items() if isinstance(v, dict | list)]
            malformed.append(
                (int(k) + 1, f"{', '.join(nested)}: must be a plain value, not {exc}", text)
            )
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


class Fields:
    """Lazy views of a file's columns: trimmed text and presence, computed once when needed.

    Typed columns (Parquet, JSON numbers) are parsed from their values directly; their text is
    only made for columns that are parsed as text (and, for messages, for rejected rows).
    """

    def __init__(self, raw: RawRows) -> None:
        self.raw = raw
        self.n = len(raw.line)
        self._text: dict[str, pa.Array] = {}
        self._present: dict[str, NDArray[np.bool_]] = {}

    def array(self, name: str) -> pa.Array | None:
        """The column as read (``None`` when the file has no such column)."""
        return self.raw.values.get(name)

    def typed(self, name: str) -> bool:
        """Whether the column holds typed values rather than text."""
        array = self.array(name)
        return array is not None and not _is_text_type(array.type)

    def text(self, name: str) -> pa.Array:
        """Trimmed text of the column; ``""`` where absent or null."""
        if name not in self._text:
            array = self.array(name)
            if array is None:
                self._text[name] = pa.nulls(self.n, pa.string()).fill_null("")
            else:
                self._text[name] = pc.utf8_trim_whitespace(_original_text(array))
        return self._text[name]

    def present(self, name: str) -> NDArray[np.bool_]:
        """Rows where the column has a value (non-empty after trimming)."""
        if name not in self._present:
            array = self.array(name)
            if array is None:
                self._present[name] = np.zeros(self.n, dtype=bool)
            elif self.typed(name):
                self._present[name] = _np_bool(array.is_valid())
            else:
                lengths = pc.utf8_length(self.text(name)).to_numpy(zero_copy_only=False)
                self._present[name] = np.asarray(lengths > 0)
        return self._present[name]


def _is_text_type(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
    )


def _np_bool(array: pa.Array) -> NDArray[np.bool_]:
    return np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _cast_all(
    text: pa.Array, present: NDArray[np.bool_], kind: pa.DataType | None
) -> pa.Array | None:
    """Whole-column conversion of the present values (``kind`` None: a ``…Z``/offset time).

    The common case — a clean column — costs one Arrow cast; ``None`` means some value did not
    convert and the caller's row-by-row masks must find which.
    """
    values = pc.if_else(pa.array(present), text, pa.scalar(None, pa.string()))
    try:
        if kind is None:
            return pc.strptime(values, format="%Y-%m-%dT%H:%M:%S%z", unit="s")
        if pa.types.is_integer(kind) and _np_bool(pc.match_substring(values, ".")).any():
            return None  # "2.0" casts to 2 in some Arrow versions; a quantity must be whole
        return pc.cast(values, kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _parse_float(fields: Fields, name: str) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Values (NaN where unusable) and a parse-ok mask (True where absent: another rule)."""
    raw = fields.array(name)
    if raw is not None and (pa.types.is_floating(raw.type) or pa.types.is_integer(raw.type)):
        values = pc.cast(raw, pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
        values = np.asarray(values, dtype=np.float64)
        return values, ~fields.present(name) | np.isfinite(values)
    text = fields.text(name)
    fast = _cast_all(text, fields.present(name), pa.float64())
    if fast is not None:
        values = np.asarray(fast.fill_null(np.nan).to_numpy(zero_copy_only=False), np.float64)
        return values, ~fields.present(name) | np.isfinite(values)
    ok = _np_bool(pc.match_substring_regex(text, _NUMBER)) if fields.n else np.zeros(0, bool)
    values = np.full(fields.n, np.nan)
    if ok.any():
        parsed = pc.cast(pc.if_else(pa.array(ok), text, pa.scalar(None, pa.string())), pa.float64())
        values = np.asarray(
            parsed.fill_null(np.nan).to_numpy(zero_copy_only=False), dtype=np.float64
        )
    ok = ok & np.isfinite(values)
    return values, ok | ~fields.present(name)


def _parse_int(fields: Fields, name: str) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Whole numbers; a parse-ok mask (True where absent)."""
    raw = fields.array(name)
    n = fields.n
    if raw is not None and pa.types.is_integer(raw.type):
        values = np.asarray(pc.cast(raw, pa.int64()).fill_null(0).to_numpy(), dtype=np.int64)
        return values, np.ones(n, dtype=bool)
    if raw is not None and pa.types.is_floating(raw.type):
        floats = np.asarray(pc.cast(raw, pa.float64()).fill_null(0.0).to_numpy(), dtype=np.float64)
        ok = np.isfinite(floats) & (floats == np.round(floats)) & (np.abs(floats) < 2**53)
        return np.where(ok, floats, 0).astype(np.int64), ok | ~fields.present(name)
    text = fields.text(name)
    fast = _cast_all(text, fields.present(name), pa.int64())
    if fast is not None:
        return np.asarray(fast.fill_null(0).to_numpy(), dtype=np.int64), np.ones(n, dtype=bool)
    ok = _np_bool(pc.match_substring_regex(text, _INTEGER)) if n else np.zeros(0, dtype=bool)
    values = np.zeros(n, dtype=np.int64)
    if ok.any():
        parsed = pc.cast(pc.if_else(pa.array(ok), text, pa.scalar("0")), pa.int64())
        values = np.asarray(parsed.to_numpy(), dtype=np.int64)
    return values, ok | ~fields.present(name)


def _parse_money(
    fields: Fields, name: str
) -> tuple[NDArray[np.int64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Exact micros from decimal text (typed decimals and floats go through their text).

    Returns the micros and two masks: parsed ok (True where absent), negative.
    """
    text = fields.text(name)
    n = fields.n
    present = fields.present(name)
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, bool)
    negative = _np_bool(pc.match_substring_regex(text, r"^-\s*(\d|\.\d)")) & present
    ok = _np_bool(pc.match_substring_regex(text, _MONEY))
    micros = np.zeros(n, dtype=np.int64)
    if ok.any():
        clean = pc.if_else(pa.array(ok), pc.replace_substring(text, "+", ""), pa.scalar("0"))
        # Give every amount a dot so that the split always yields [whole, fraction].
        dotted = pc.if_else(
            pc.match_substring(clean, "."), clean, pc.binary_join_element_wise(clean, ".", "")
        )
        parts = pc.split_pattern(dotted, ".", max_splits=1)
        whole = pc.list_element(parts, 0)
        whole = pc.if_else(pc.equal(pc.utf8_length(whole), 0), pa.scalar("0"), whole)
        fraction = pc.list_element(parts, 1)
        fraction = pc.utf8_slice_codeunits(pc.utf8_rpad(fraction, 6, "0"), 0, 6)
        micros = np.asarray(pc.cast(whole, pa.int64()).to_numpy(), dtype=np.int64) * MICROS_PER_UNIT
        micros += np.asarray(pc.cast(fraction, pa.int64()).to_numpy(), dtype=np.int64)
    return micros, ok | ~present, negative


def _parse_timestamp(
    fields: Fields, name: str
) -> tuple[NDArray[np.int64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Epoch seconds; masks: ok (True where absent), and "a time without a UTC offset"."""
    raw = fields.array(name)
    n = fields.n
    present = fields.present(name)
    if raw is not None and pa.types.is_timestamp(raw.type):
        if raw.type.tz is None:
            return np.zeros(n, np.int64), ~present, present
        seconds = pc.cast(pc.cast(raw, pa.timestamp(raw.type.unit, "UTC")), pa.int64())
        divisor = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[raw.type.unit]
        values = np.asarray(seconds.fill_null(0).to_numpy(), dtype=np.int64) // divisor
        return values, np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, bool)
    fast = _cast_all(fields.text(name), present, None)
    if fast is not None:
        values = np.asarray(pc.cast(fast, pa.int64()).fill_null(0).to_numpy(), dtype=np.int64)
        return values, np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    upper = pc.utf8_upper(fields.text(name))
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


Reason = str | Callable[[int], str]


class RowErrors:
    """Per-row failures of a file, recorded as masks; worded only for the rows that fail.

    Shared by the readers of this package (orders, inventory): each rule adds a boolean mask
    over the well-formed rows; :func:`rejects_from` turns the failures and the malformed rows
    into a :class:`RejectTable`.
    """

    def __init__(self, n: int, display: Mapping[str, pa.Array]) -> None:
        """``display``: the columns as read, quoted in the reasons (only for failing rows)."""
        self.bad = np.zeros(n, dtype=bool)
        self._display = display
        self._rules: list[tuple[NDArray[np.bool_], str, Reason, bool]] = []

    def add(self, mask: NDArray[np.bool_], field: str, reason: Reason, show: bool = True) -> None:
        """Rows in ``mask`` fail ``field``; ``reason`` is a text or a function of the row.

        ``show`` appends the offending value as given in the file.
        """
        if mask.any():
            self._rules.append((mask, field, reason, show))
            self.bad |= mask

    def missing(self, mask: NDArray[np.bool_], field: str) -> None:
        self.add(mask, field, "required, but missing", show=False)

    def worded(self) -> dict[int, tuple[list[str], list[str]]]:
        """Row -> (failing fields, reasons), in rule order."""
        out: dict[int, tuple[list[str], list[str]]] = {}
        for mask, field_name, reason, show in self._rules:
            rows = np.flatnonzero(mask)
            shown = self._display.get(field_name) if show else None
            values = (
                _original_text(shown.take(pa.array(rows))).to_pylist()
                if shown is not None
                else None
            )
            for k, row in enumerate(rows.tolist()):
                text = reason if isinstance(reason, str) else reason(row)
                if values is not None:
                    text = f"{text} (got {values[k]!r})"
                fields_, reasons = out.setdefault(row, ([], []))
                if field_name not in fields_:
                    fields_.append(field_name)
                reasons.append(f"{field_name}: {text}")
        return out


def _check_columns(columns: Collection[str], name: str) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    has_coords = "destination_lat_deg" in columns and "destination_lon_deg" in columns
    if "destination" not in columns and not has_coords:
        missing.append("destination (or destination_lat_deg and destination_lon_deg)")
    if missing:
        raise InputError(name, ", ".join(missing), "missing required columns")


def read_orders(
    path: str | os.PathLike[str],
    *,
    known_hubs: Collection[str] | None = None,
    max_unit_mass_kg: float = ROCKET_PAYLOAD_KG,
    max_unit_volume_m3: float = ROCKET_HOLD_M3,
    resolve_place: Callable[[str], PlaceLike] | None = None,
) -> ImportResult:
    """Read, validate and tabulate an orders file; bad rows go to the rejects, never lost.

    Parameters
    ----------
    path
        ``.csv``, ``.parquet``/``.pq`` or ``.jsonl``/``.ndjson`` file (layout: module doc).
    known_hubs
        Hub ids an ``origin_hub`` may name; ``None`` skips that check (any id is accepted).
    max_unit_mass_kg, max_unit_volume_m3
        A single unit above these cannot fly on any rocket (default: XZY-1's 10 t / 120 m³);
        such rows are rejected as standard freight.
    resolve_place
        Turns ``destination`` text into a place; default
        :func:`rocketpost.world.places.resolve_place`. Called once per distinct text.

    Returns
    -------
    ImportResult
        Accepted orders and items (orders in order of first appearance), the rejects, and
        counts that add up.

    Raises
    ------
    InputError
        Only for the file as a whole: missing, unknown extension, unreadable Parquet, empty
        CSV, duplicate or missing required columns (CSV header, Parquet schema; in JSONL every
        record carries its own keys, so a missing key is a row error).
    """
    fmt = file_format(path)
    raw = read_raw_rows(path, fmt)
    name = str(path)
    if fmt != "jsonl":
        _check_columns(raw.columns, name)
    n = len(raw.line)
    fields = Fields(raw)
    text, present = fields.text, fields.present
    errors = RowErrors(n, raw.values)

    for column in REQUIRED_COLUMNS:
        errors.missing(~present(column), column)

    channel = pc.utf8_lower(text("channel"))
    errors.add(
        present("channel") & ~_is_in(channel, pa.array(["b2c", "b2b"])),
        "channel",
        "must be 'b2c' or 'b2b'",
    )

    created_s, ok, naive = _parse_timestamp(fields, "created_at")
    errors.add(naive, "created_at", "needs a UTC offset, e.g. 2025-06-01T12:00:00Z")
    errors.add(~ok & ~naive, "created_at", "is not an ISO 8601 date-time with a UTC offset")

    # -- destination ---------------------------------------------------------------------------
    lat, lat_ok = _parse_float(fields, "destination_lat_deg")
    lon, lon_ok = _parse_float(fields, "destination_lon_deg")
    has_lat, has_lon = present("destination_lat_deg"), present("destination_lon_deg")
    has_coords = has_lat & has_lon
    has_text = present("destination")
    errors.add(~lat_ok, "destination_lat_deg", "is not a number")
    errors.add(~lon_ok, "destination_lon_deg", "is not a number")
    errors.add(
        lat_ok & has_lat & ~(np.abs(lat) <= 90.0), "destination_lat_deg", "must be in [-90, 90]"
    )
    errors.add(
        lon_ok & has_lon & ~(np.abs(lon) <= 180.0), "destination_lon_deg", "must be in [-180, 180]"
    )
    errors.add(
        has_lat & ~has_lon, "destination_lon_deg", "required with destination_lat_deg", False
    )
    errors.add(
        has_lon & ~has_lat, "destination_lat_deg", "required with destination_lon_deg", False
    )
    errors.add(
        ~has_lat & ~has_lon & ~has_text,
        "destination",
        "required: give destination or destination_lat_deg and destination_lon_deg",
        show=False,
    )
    country = _Coded.of(pc.utf8_upper(text("destination_country")))
    has_country = present("destination_country")
    errors.add(
        has_country & ~country.isin(_countries()),
        "destination_country",
        "is not an ISO 3166-1 alpha-2 country code",
    )
    label = text("destination")
    # Place text is looked up where it supplies the point or the country.
    need = has_text & (~has_lat & ~has_lon | has_coords & ~has_country)
    place_lat, place_lon, place_country, failure = _resolve(label, need, resolve_place)
    errors.add(failure != "", "destination", lambda row: str(failure[row]), show=False)
    country_np = country.strings()
    errors.add(
        need & has_country & (place_country != "") & (country_np != place_country),
        "destination_country",
        lambda row: f"does not match the destination's country {place_country[row]}",
    )
    final_lat = np.where(has_coords, lat, place_lat)
    final_lon = np.where(has_coords, lon, place_lon)
    final_country = np.where(has_country, country_np, place_country)
    located = has_coords | (need & (failure == ""))
    errors.missing(located & (final_country == ""), "destination_country")

    # -- origin hub ----------------------------------------------------------------------------
    origin = _Coded.of(text("origin_hub"))
    if known_hubs is not None:
        known = pa.array(sorted({str(h) for h in known_hubs}), pa.string())
        errors.add(present("origin_hub") & ~origin.isin(known), "origin_hub", "unknown hub")

    # -- items -------------------------------------------------------------------------------
    hs_code = _Coded.of(pc.replace_substring_regex(text("hs_code"), r"[.\s]", ""))
    errors.add(
        present("hs_code") & ~hs_code.matches(r"^\d{6}$"),
        "hs_code",
        "must be a 6-digit HS code",
    )
    quantity, ok = _parse_int(fields, "quantity")
    errors.add(~ok, "quantity", "must be a whole number")
    errors.add(ok & present("quantity") & (quantity <= 0), "quantity", "must be > 0")

    micros, ok, negative = _parse_money(fields, "unit_value")
    errors.add(negative, "unit_value", "must be ≥ 0")
    errors.add(~ok & ~negative, "unit_value", "must be a decimal amount with at most 6 decimals")
    currency = _Coded.of(pc.utf8_upper(text("currency")))
    errors.add(
        present("currency") & ~currency.isin(_currencies()),
        "currency",
        "is not an ISO 4217 currency code",
    )

    measures = {}
    for column, limit, unit in (
        ("unit_mass_kg", max_unit_mass_kg, "kg"),
        ("unit_volume_m3", max_unit_volume_m3, "m³"),
    ):
        values, ok = _parse_float(fields, column)
        errors.add(~ok, column, "is not a number")
        errors.add(ok & present(column) & ~(values > 0), column, "must be > 0")
        what = "payload" if unit == "kg" else "hold"
        errors.add(
            ok & (values > limit),
            column,
            f"exceeds rocket {what} ({limit:g} {unit} per unit); ship as standard freight",
        )
        measures[column] = values

    dangerous_goods = _Coded.of(
        pc.replace_substring_regex(text("dangerous_goods_class"), r"^(\d)\.0$", r"\1")
    )
    errors.add(
        present("dangerous_goods_class") & ~dangerous_goods.isin(_dangerous_goods_classes()),
        "dangerous_goods_class",
        "is not a UN hazard class (1-9 or a division such as 4.1)",
    )

    # -- orders: group rows by id; order fields must agree; an order goes whole or not at all --
    order_id = _Coded.of(text("order_id"))
    codes, n_groups = _order_codes(order_id, _guess_order_ids(raw))
    row_codes = codes[:n]
    merchant = _Coded.of(text("merchant_id"))
    recipient = _Coded.of(text("recipient_id"))
    channel_coded = _Coded.of(channel)
    label_coded = _Coded.of(label)
    # Compared as dictionary codes (equal text, equal code) or numbers: no string compares.
    order_fields: dict[str, NDArray[Any]] = {
        "merchant_id": merchant.codes,
        "channel": channel_coded.codes,
        "created_at": created_s,
        "destination": label_coded.codes,
        "destination_lat_deg": final_lat,
        "destination_lon_deg": final_lon,
        "destination_country": final_country,
        "recipient_id": recipient.codes,
        "origin_hub": origin.codes,
        "currency": currency.codes,
    }
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

    accepted = np.flatnonzero(~errors.bad)
    orders, items = _build_tables(
        accepted,
        row_codes,
        order_columns={
            "order_id": order_id,
            "merchant_id": merchant,
            "channel": channel_coded,
            "destination_label": label_coded,
            "recipient_id": recipient,
            "origin_hub": origin,
        },
        item_columns={
            "sku": _Coded.of(text("sku")),
            "description": _Coded.of(text("description")),
            "hs_code": hs_code,
            "currency": currency,
            "dangerous_goods_class": dangerous_goods,
        },
        created_s=created_s,
        lat=final_lat,
        lon=final_lon,
        country=final_country,
        quantity=quantity,
        micros=micros,
        mass=measures["unit_mass_kg"],
        volume=measures["unit_volume_m3"],
    )
    rejects = rejects_from(raw, errors)
    rows_rejected = len(rejects)
    orders_rejected = int(group_bad.sum())
    return ImportResult(
        orders=orders,
        items=items,
        rejects=rejects,
        rows_read=raw.n_rows,
        rows_accepted=raw.n_rows - rows_rejected,
        rows_rejected=rows_rejected,
        orders_read=n_groups,
        orders_accepted=n_groups - orders_rejected,
        orders_rejected=orders_rejected,
        source=name,
        ignored_columns=tuple(c for c in raw.columns if c not in COLUMNS),
    )


@dataclass(frozen=True, eq=False)
class _Coded:
    """A text column as dictionary codes: each distinct string is handled once.

    Comparing codes compares texts; turning the column into NumPy unicode converts each distinct
    string once and then indexes (a million rows of a few hundred SKUs cost a gather, not a
    million Python strings).
    """

    codes: NDArray[np.int64]
    dictionary: pa.Array

    @classmethod
    def of(cls, text: pa.Array) -> _Coded:
        encoded = pc.dictionary_encode(text.fill_null(""))
        codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        return cls(codes=codes, dictionary=encoded.dictionary)

    @property
    def words(self) -> NDArray[np.str_]:
        return _to_str(self.dictionary)

    def strings(self, rows: NDArray[np.intp] | None = None) -> NDArray[np.str_]:
        """The texts of ``rows`` (all rows by default) as NumPy unicode."""
        words = self.words
        if not len(words):
            return np.zeros(len(self.codes) if rows is None else len(rows), dtype="<U1")
        return words[self.codes if rows is None else self.codes[rows]]

    def isin(self, allowed: pa.Array) -> NDArray[np.bool_]:
        return _np_bool(pc.is_in(self.dictionary, value_set=allowed))[self.codes]

    def matches(self, pattern: str) -> NDArray[np.bool_]:
        return _np_bool(pc.match_substring_regex(self.dictionary, pattern))[self.codes]


@lru_cache(maxsize=1)
def _dangerous_goods_classes() -> pa.Array:
    return pa.array(sorted(DANGEROUS_GOODS_CLASSES), pa.string())


def _to_str(array: pa.Array) -> NDArray[np.str_]:
    """Arrow text -> fixed-width NumPy unicode (no object array survives).

    Goes through Python strings: use it on small arrays (dictionaries, see :class:`_Coded`).
    """
    if len(array) == 0:
        return np.zeros(0, dtype="<U1")
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=str)


def _order_codes(order_id: _Coded, guessed: Sequence[str]) -> tuple[NDArray[np.int64], int]:
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
    is_empty = _np_bool(pc.equal(pc.utf8_length(dictionary), 0))
    empty = is_empty[codes] if len(dictionary) else np.zeros(len(codes), dtype=bool)
    # Renumber by first appearance, giving every id-less row its own group.
    key = np.where(empty, len(dictionary) + np.arange(len(codes)), codes)
    _, first_index, inverse = np.unique(key, return_index=True, return_inverse=True)
    rank = np.empty(len(first_index), dtype=np.int64)
    rank[np.argsort(first_index, kind="stable")] = np.arange(len(first_index))
    return rank[inverse], len(first_index)


def _guess_order_ids(raw: RawRows) -> list[str]:
    """The order id of each malformed row, read from its header position when it has one."""
    if "order_id" not in raw.columns:
        return [""] * len(raw.malformed_line)
    position = raw.columns.index("order_id")
    return [f[position].strip() if len(f) > position else "" for f in raw.malformed_fields]


def _resolve(
    label: pa.Array,
    need: NDArray[np.bool_],
    resolve_place: Callable[[str], PlaceLike] | None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.str_], NDArray[np.str_]]:
    """Point, country and failure text per row, resolving each distinct text once."""
    n = len(label)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    country = np.full(n, "", dtype="<U2")
    failure = np.full(n, "", dtype=object)
    if not need.any():
        return lat, lon, country, failure.astype(str)
    rows = np.flatnonzero(need)
    wanted = label.take(pa.array(rows))
    distinct = pc.unique(wanted)
    resolver = resolve_place or _default_resolver()
    d_lat = np.full(len(distinct), np.nan)
    d_lon = np.full(len(distinct), np.nan)
    d_country = np.full(len(distinct), "", dtype="<U2")
    d_failure = np.full(len(distinct), "", dtype=object)
    for k, query in enumerate(distinct.to_pylist()):
        try:
            place = resolver(query)
        except InputError as exc:
            d_failure[k] = str(exc)
            continue
        d_lat[k], d_lon[k] = float(place.lat_deg), float(place.lon_deg)
        d_country[k] = (place.country_code or "").upper()
        if not (np.isfinite(d_lat[k]) and np.isfinite(d_lon[k])):
            d_failure[k] = f"place {query!r} has no coordinates"
    position = np.asarray(pc.index_in(wanted, value_set=distinct).to_numpy(zero_copy_only=False))
    position = position.astype(np.int64)
    lat[rows], lon[rows] = d_lat[position], d_lon[position]
    country[rows] = d_country[position]
    failure[rows] = d_failure[position]
    return lat, lon, country, failure.astype(str)


def _default_resolver() -> Callable[[str], PlaceLike]:
    try:
        from rocketpost.world import places
    except ImportError:

        def unavailable(query: str) -> PlaceLike:
            raise InputError("destination", query, "place lookup is not available")

        return unavailable

    def resolve(query: str) -> PlaceLike:
        return places.resolve_place(query)

    return resolve


def _build_tables(
    accepted: NDArray[np.intp],
    row_codes: NDArray[np.int64],
    *,
    order_columns: Mapping[str, _Coded],
    item_columns: Mapping[str, _Coded],
    created_s: NDArray[np.int64],
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    country: NDArray[np.str_],
    quantity: NDArray[np.int64],
    micros: NDArray[np.int64],
    mass: NDArray[np.float64],
    volume: NDArray[np.float64],
) -> tuple[OrderTable, ItemTable]:
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


def _original_text(array: pa.Array) -> pa.Array:
    """A column as the text a person would recognise (untrimmed; null -> "")."""
    if pa.types.is_string(array.type):
        return array.fill_null("")
    if pa.types.is_timestamp(array.type) and array.type.tz is not None:
        return pc.strftime(array, format="%Y-%m-%dT%H:%M:%SZ").fill_null("")
    try:
        return pc.cast(array, pa.string()).fill_null("")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        texts = ["" if v is None else str(v) for v in array.to_pylist()]
        return pa.array(texts, pa.string())


def rejects_from(raw: RawRows, errors: RowErrors) -> RejectTable:
    """Rejects of a file: rows failing a rule plus malformed rows, sorted by line."""
    worded = errors.worded()
    rows = np.array(sorted(worded), dtype=np.int64)
    n_malformed = len(raw.malformed_line)
    take = pa.array(rows, pa.int64())
    values: dict[str, NDArray[np.str_]] = {}
    for column in raw.columns:
        kept = (
            _to_str(_original_text(raw.values[column]).take(take))
            if len(rows)
            else np.zeros(0, "<U1")
        )
        values[column] = np.concatenate((kept, np.full(n_malformed, "", dtype="<U1")))
    line = np.concatenate((raw.line[rows], raw.malformed_line))
    field_ = [";".join(worded[r][0]) for r in rows.tolist()] + ["row"] * n_malformed
    reason = ["; ".join(worded[r][1]) for r in rows.tolist()] + list(raw.malformed_reason)
    raw_text = raw.raw_text(rows) + list(raw.malformed_raw)
    order = np.argsort(line, kind="stable")
    return RejectTable(
        line=line[order],
        field=np.array(field_, dtype=str)[order] if field_ else np.zeros(0, "<U1"),
        reason=np.array(reason, dtype=str)[order] if reason else np.zeros(0, "<U1"),
        values={c: v[order] for c, v in values.items()},
        raw=np.array(raw_text, dtype=str)[order] if raw_text else np.zeros(0, "<U1"),
    )


# ============================================================================================
# writing


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
        control = _np_bool(pc.match_substring_regex(escaped, _CONTROL))
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
    return _json_values(_original_text(array))


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
