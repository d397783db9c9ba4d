"""The typed plan tables: aligned columns, millisecond times, schemas that match the docs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rocketpost.errors import InputError
from rocketpost.planning.tables import PLAN_TABLES, Codec, Manifests, Routes, schema_of

DOCS = Path(__file__).parents[2] / "docs" / "planning.md"


def test_columns_must_align() -> None:
    with pytest.raises(InputError, match=r"manifests\.parquet"):
        Manifests(flight_id=np.arange(3), order_id=np.array(["a", "b"]))


def test_times_are_held_at_the_millisecond_and_types_are_the_schemas() -> None:
    routes = Routes(
        flight_id=[1],
        vehicle=["van-01"],
        kind=["van"],
        depot=["port:KRINC"],
        stop=[1],
        order_id=np.array(["o1"], dtype=object),
        arrival_s=[100.00049],
        late=[False],
    )
    assert routes.arrival_s.tolist() == [100.0]
    assert routes.flight_id.dtype == np.int64 and routes.order_id.dtype.kind == "U"
    assert len(Routes.empty()) == 0


def test_every_file_column_is_documented_with_its_type_unit_and_meaning() -> None:
    """docs/planning.md lists each plan file's columns; they must say what the code does."""
    text = DOCS.read_text()
    for table in PLAN_TABLES.values():
        section = text[text.index(f"**`{table.FILE}`**") :]
        for column, field in zip(table.COLUMNS, schema_of(table), strict=True):
            arrow = "timestamp[ms, UTC]" if column.codec is Codec.TIME else str(field.type)
            row = f"| `{column.name}` | {arrow} | {column.unit} | {column.meaning} |"
            assert row in section, row
