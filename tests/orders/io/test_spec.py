"""The orders file format: extensions and column names."""

from __future__ import annotations

from pathlib import Path

import pytest

from rocketpost.errors import InputError
from rocketpost.orders.convert import from_orders
from rocketpost.orders.io import read_orders, write_orders
from tests.orders.io import (
    GOOD,
    HEADER,
    TRICKY,
    write_csv,
)


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    orders, items = from_orders(TRICKY)
    with pytest.raises(InputError, match="unknown file type"):
        write_orders(tmp_path / "orders.xlsx", orders, items)
    with pytest.raises(InputError, match="no such file"):
        read_orders(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="unknown file type"):
        read_orders(tmp_path / "orders.txt")


def test_coordinate_aliases(tmp_path: Path) -> None:
    header = HEADER.replace("destination_lat_deg", "destination_lat").replace(
        "destination_lon_deg", "destination_lon"
    )
    result = read_orders(write_csv(tmp_path / "o.csv", GOOD, header=header))
    assert result.rows_rejected == 0
    assert result.orders.destination_lat_deg.tolist() == [48.85]
