"""Promise calibration: a larger buffer promises less and keeps more."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rocketpost.errors import ConfigFileError, InputError
from rocketpost.network import Network
from rocketpost.orders.table import OrderTable
from rocketpost.simulation import calibrate
from rocketpost.simulation.calibration import CalibrationParams
from rocketpost.simulation.replan import ReplanAction


def test_calibration_grid_and_recommendation(
    small_day: tuple[Network, OrderTable, np.ndarray],
) -> None:
    network, orders, allowed = small_day
    params = CalibrationParams(buffers_min=(0, 30), reserves=(0,), replicates=3, seed=1)
    result = calibrate(network, orders, params, allowed=allowed)
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
        calibrate(network, orders, CalibrationParams(target=1.5))
    with pytest.raises(InputError, match="grid"):
        calibrate(network, orders, CalibrationParams(buffers_min=()))


def test_calibration_params_from_file(tmp_path: Path) -> None:
    path = tmp_path / "calibration.toml"
    path.write_text(
        "buffers_min = [0, 5]\nreserves = [0, 1]\nreplicates = 4\ntarget = 0.95\n"
        "[simulation]\nboats_per_hub = 2\npolicy = 'other_hub'\n",
        encoding="utf-8",
    )
    params = CalibrationParams.from_file(path)
    assert params.buffers_min == (0.0, 5.0) and params.reserves == (0, 1)
    assert (params.replicates, params.target, params.seed) == (4, 0.95, 0)
    assert params.simulation.boats_per_hub == 2
    assert params.simulation.policy.action == ReplanAction.OTHER_HUB


@pytest.mark.parametrize(
    ("text", "key_path", "value"),
    [
        ("target = 2\n", "target", 2.0),
        ("buffers_min = [0, 'x']\n", "buffers_min[1]", "x"),
        ("replicate = 3\n", "replicate", 3),
        ("[simulation]\nboats_per_hub = 0\n", "simulation.boats_per_hub", 0),
    ],
)
def test_calibration_params_bad_file(
    tmp_path: Path, text: str, key_path: str, value: object
) -> None:
    path = tmp_path / "calibration.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigFileError) as caught:
        CalibrationParams.from_file(path)
    assert (caught.value.file, caught.value.field, caught.value.value) == (
        str(path),
        key_path,
        value,
    )
