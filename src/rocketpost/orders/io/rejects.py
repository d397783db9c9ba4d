"""Rejects: every row that fails, with its line number, the failing fields and the reasons.

Rules record their failures as masks (:class:`RowErrors`); only the failing rows are worded.

Rejects file
------------

Rejects file
------------
One row per rejected input row, sorted by ``line``: ``line`` (CSV and JSONL: 1-based physical
line, the CSV header being line 1; Parquet: 1-based row number), ``field`` (the failing fields,
``;``-separated), ``reason`` (one ``field: why (got 'value')`` per failure, ``; ``-separated),
then every input column with its original text, then ``raw`` (the row exactly as it stood in the
CSV or JSONL file; empty for Parquet). Its format follows the extension given to
:meth:`ImportResult.write_rejects` (CSV recommended: it opens in any spreadsheet).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from rocketpost.orders.io.fields import original_text, to_str
from rocketpost.orders.io.rows import RawRows
from rocketpost.orders.io.writers import write_table

__all__ = ["RejectTable", "RowErrors", "rejects_from"]


_REJECT_FIXED = ("line", "field", "reason")


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
                original_text(shown.take(pa.array(rows))).to_pylist() if shown is not None else None
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


def rejects_from(raw: RawRows, errors: RowErrors) -> RejectTable:
    """Rejects of a file: rows failing a rule plus malformed rows, sorted by line."""
    worded = errors.worded()
    rows = np.array(sorted(worded), dtype=np.int64)
    n_malformed = len(raw.malformed_line)
    take = pa.array(rows, pa.int64())
    values: dict[str, NDArray[np.str_]] = {}
    for column in raw.columns:
        kept = (
            to_str(original_text(raw.values[column]).take(take))
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
