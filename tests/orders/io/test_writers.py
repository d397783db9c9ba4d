"""Writing orders: exact round trips in every format, the written layout and types."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rocketpost.orders.convert import from_orders, to_orders
from rocketpost.orders.generator import GeneratorParams, generate_orders
from rocketpost.orders.io import COLUMNS, read_orders, write_orders
from tests.orders.io import (
    FORMATS,
    TRICKY,
    FakeResolver,
    assert_counts_add_up,
    tables_equal,
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_of_tricky_orders_is_exact(tmp_path: Path, fmt: str) -> None:
    orders, items = from_orders(TRICKY)
    path = tmp_path / f"orders.{fmt}"
    write_orders(path, orders, items)
    result = read_orders(path, resolve_place=FakeResolver())
    assert result.rows_rejected == 0, list(result.rejects.reason)
    tables_equal(orders, result.orders)
    tables_equal(items, result.items)
    assert to_orders(result.orders, result.items) == TRICKY


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_of_a_generated_day_is_exact(tmp_path: Path, fmt: str) -> None:
    orders, items = generate_orders(
        400,
        GeneratorParams(
            b2b_share=0.2, backhaul_origins={"ICN": "KR", "LIS": "PT"}, keep_on_land=False
        ),
        day=date(2025, 6, 1),
        rng=np.random.default_rng(3),
    )
    path = tmp_path / f"day.{fmt}"
    write_orders(path, orders, items)
    result = read_orders(path, known_hubs={"ICN", "LIS"})
    assert_counts_add_up(result)
    assert result.rows_rejected == 0
    tables_equal(orders, result.orders)
    tables_equal(items, result.items)


def test_written_csv_layout(tmp_path: Path) -> None:
    orders, items = from_orders(TRICKY[1:])
    path = tmp_path / "one.csv"
    write_orders(path, orders, items)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COLUMNS
    assert rows[0]["created_at"] == "1999-12-31T00:00:00Z"
    assert rows[0]["unit_value"] == "0.000001"
    assert rows[0]["origin_hub"] == "" and rows[0]["dangerous_goods_class"] == ""


def test_parquet_types(tmp_path: Path) -> None:
    orders, items = from_orders(TRICKY)
    write_orders(tmp_path / "o.parquet", orders, items)
    schema = pq.read_schema(tmp_path / "o.parquet")
    created = schema.field("created_at").type
    assert pa.types.is_timestamp(created) and created.tz == "UTC"  # Parquet has no second unit
    assert schema.field("unit_value").type == pa.decimal128(18, 6)
    assert schema.names == list(COLUMNS)
