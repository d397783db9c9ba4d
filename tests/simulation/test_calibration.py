"""Promise calibration: a larger buffer promises less and keeps more."""

from __future__ import annotations

import numpy as np
import pytest

from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.orders.table import OrderTable
from rocketpost.simulation import calibrate


def test_calibration_grid_and_recommendation(
    small_day: tuple[Network, OrderTable, np.ndarray],
) -> None:
    network, orders, allowed = small_day
    result = calibrate(
        network, orders, allowed=allowed, buffers_min=(0, 30), reserves=(0,), replicates=3, seed=1
    )
    rows = result.table.to_pylist()
    assert [(r["buffer_min"], r["fleet_reserve"]) for r in rows] == [(0.0, 0), (30.0, 0)]
    # A 30-minute buffer leaves only promises with a large margin: fewer, all kept.
    assert rows[1]["one_hour_orders"] < rows[0]["one_hour_orders"]
    assert rows[1]["promises_kept_share"] >= rows[0]["promises_kept_share"]
    assert result.baseline_kept_share == rows[0]["promises_kept_share"]
    if rows[0]["promises_kept_share"] >= 0.99:
        assert result.recommended_buffer_min == 0.0
    elif rows[1]["promises_kept_share"] >= 0.99:
        assert result.recommended_buffer_min == 30.0
    assert result.to_dict()["grid"][0]["one_hour_share"] == pytest.approx(
        rows[0]["one_hour_orders"] / len(orders)
    )


def test_calibration_arguments(small_day: tuple[Network, OrderTable, np.ndarray]) -> None:
    network, orders, _ = small_day
    with pytest.raises(InputError, match="target"):
        calibrate(network, orders, target=1.5)
    with pytest.raises(InputError, match="grid"):
        calibrate(network, orders, buffers_min=())
