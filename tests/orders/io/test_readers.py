"""Whole-file problems: the only failures that raise instead of rejecting rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from rocketpost.errors import InputError
from rocketpost.orders.io import read_orders
from tests.orders.io import (
    HEADER,
    write_csv,
)


def test_whole_file_problems_raise(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing required columns"):
        read_orders(write_csv(tmp_path / "a.csv", "x", header="order_id"))
    (tmp_path / "empty.csv").write_text("\n\n")
    with pytest.raises(InputError, match="empty file"):
        read_orders(tmp_path / "empty.csv")
    with pytest.raises(InputError, match="duplicate column"):
        read_orders(write_csv(tmp_path / "d.csv", header=HEADER + ",sku"))
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    with pytest.raises(InputError, match="Parquet"):
        read_orders(tmp_path / "bad.parquet")
