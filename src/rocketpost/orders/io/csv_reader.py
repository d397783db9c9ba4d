"""CSV rows with their physical line numbers: a vectorised fast path, a careful slow one.

The fast path cuts records with NumPy and lets Arrow split the fields; whatever it cannot vouch
for (stray quotes, invalid UTF-8, a row count that disagrees) goes to the slow reader, which uses
the :mod:`csv` module row by row. Both give the same :class:`~rocketpost.orders.io.rows.RawRows`.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.orders.io.rows import RawRows, decode_spans, line_spans, strip_bom
from rocketpost.orders.io.spec import COLUMN_ALIASES

__all__ = ["read_csv_fast", "read_csv_rows", "read_csv_slow"]


def read_csv_rows(data: bytes, name: str) -> RawRows:
    """Rows of a CSV file's bytes: the fast path when it can vouch for the cut, else the slow."""
    data = strip_bom(data)
    fast = read_csv_fast(data, name)
    return fast if fast is not None else read_csv_slow(data, name)


def _csv_header(text: str, name: str) -> tuple[str, ...]:
    header = tuple(h.strip() for h in next(csv.reader([text])))
    header = tuple(COLUMN_ALIASES.get(h, h) for h in header)
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


def read_csv_fast(data: bytes, name: str) -> RawRows | None:
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
    bad_raw = decode_spans(data, starts[bad], ends[bad])
    bad_fields = [_split_line(text) for text in bad_raw]

    def raw_text(rows: NDArray[np.int64]) -> list[str]:
        return decode_spans(data, starts[good[rows]], ends[good[rows]])

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


def read_csv_slow(data: bytes, name: str) -> RawRows:
    """Row-by-row reader for files the fast path cannot cut safely (stray quotes, bad UTF-8)."""
    text = data.decode("utf-8", errors="surrogateescape")
    buf = np.frombuffer(data, dtype=np.uint8)
    line_starts, line_ends = line_spans(buf)
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
