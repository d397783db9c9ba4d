"""Parquet rows: typed columns written by other tools."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from rocketpost.orders.io import read_orders
from tests.orders.io import (
    good_record,
    rejects_by_line,
)


def test_parquet_from_another_tool(tmp_path: Path) -> None:
    """Typed columns: doubles for money, a naive timestamp column, record numbers as lines."""
    records = [good_record(), good_record(order_id="A2", unit_value=-3.0)]
    table = pa.Table.from_pylist(
        [{**r, "unit_value": float(str(r["unit_value"]))} for r in records]
    )
    table = table.set_column(
        table.schema.get_field_index("created_at"),
        "created_at",
        pa.array([datetime(2025, 6, 1, 10), datetime(2025, 6, 1, 11)], pa.timestamp("ms", "UTC")),
    )
    pq.write_table(table, tmp_path / "o.parquet")
    result = read_orders(tmp_path / "o.parquet")
    assert result.orders.order_id.tolist() == ["A1"]
    assert result.items.unit_value_micros.tolist() == [12_500_000]
    assert rejects_by_line(result) == {2: ("unit_value", "unit_value: must be ≥ 0 (got '-3')")}
    naive = table.set_column(
        table.schema.get_field_index("created_at"),
        "created_at",
        pa.array([datetime(2025, 6, 1, 10)] * 2, pa.timestamp("s")),
    )
    pq.write_table(naive, tmp_path / "n.parquet")
    assert read_orders(tmp_path / "n.parquet").rows_rejected == 2
