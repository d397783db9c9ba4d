"""Rejects: every failure of a row listed, the file in every format."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from rocketpost.orders.io import read_orders
from tests.orders.io import (
    FORMATS,
    GOOD,
    rejects_by_line,
    with_field,
    write_csv,
)


def test_all_failures_of_a_row_are_listed(tmp_path: Path) -> None:
    row = with_field("quantity", "0", with_field("currency", "ABC"))
    result = read_orders(write_csv(tmp_path / "o.csv", row))
    field, reason = rejects_by_line(result)[2]
    assert field == "quantity;currency"
    assert reason.count("; ") == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_rejects_can_be_written_in_every_format(tmp_path: Path, fmt: str) -> None:
    path = write_csv(
        tmp_path / "o.csv", GOOD, with_field("quantity", "0", GOOD.replace("A1", "A2")), "x,y"
    )
    result = read_orders(path)
    out = tmp_path / f"rejects.{fmt}"
    result.write_rejects(out)
    if fmt == "parquet":
        back = pq.read_table(out).to_pylist()
    elif fmt == "csv":
        with out.open(newline="") as handle:
            back = list(csv.DictReader(handle))
    else:
        back = [json.loads(line) for line in out.read_text().splitlines()]
    assert [int(r["line"]) for r in back] == [3, 4]
    assert back[1]["raw"] == "x,y"
