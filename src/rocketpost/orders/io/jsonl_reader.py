"""JSON Lines rows: Arrow's reader when every line agrees, one line at a time otherwise.

A line that is not JSON, not an object, or holds a nested value is a malformed row with its line
number, never a reason to give up on the file.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.json as pa_json
from numpy.typing import NDArray

from rocketpost.orders.io.rows import RawRows, decode_spans, line_spans, strip_bom
from rocketpost.orders.io.spec import COLUMN_ALIASES

__all__ = ["read_jsonl_rows"]


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


def read_jsonl_rows(data: bytes, name: str) -> RawRows:
    """Rows of a JSON Lines file's bytes, one object per non-blank line."""
    data = strip_bom(data)
    buf = np.frombuffer(data, dtype=np.uint8)
    starts, ends = line_spans(buf)
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
        return decode_spans(data, starts[good[rows]], ends[good[rows]])

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
    values = {COLUMN_ALIASES.get(c, c): table.column(c).combine_chunks() for c in ordered}
    return values, [COLUMN_ALIASES.get(c, c) for c in ordered]


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
                COLUMN_ALIASES.get(str(key), str(key)): _json_scalar_text(v)
                for key, v in record.items()
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
