"""Promise calibration: which buffer (and fleet reserve) keeps ≥ 99 % of one-hour promises?

The planner promises one hour when ETA + ``network.promise.buffer_min`` ≤ 60 min; the promise
itself stays "within 60 minutes of the order". A larger buffer keeps more of the promises it
makes but makes fewer of them (orders whose ETA is tight go standard); a fleet reserve (airframes
held back from the plan at every hub) covers lost landings and re-dispatches. The calibration
simulates every (buffer, reserve) pair under the default disruptions with the same replicate
seeds and picks the smallest buffer, then the smallest reserve, whose mean share of promises
kept reaches the target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.orders.table import OrderTable
from rocketpost.simulation.config import SimConfig
from rocketpost.simulation.scenarios import Progress, run_scenarios
from rocketpost.simulation.sweep import results_table
from rocketpost.simulation.sweep_spec import Scenario

__all__ = ["CalibrationResult", "calibrate"]


@dataclass(frozen=True, eq=False)
class CalibrationResult:
    """The (buffer, reserve) grid with promises kept, and the recommendation.

    ``table`` has one row per pair (see :func:`~rocketpost.simulation.sweep.results_table`)
    plus ``one_hour_share``: one-hour orders ÷ all orders, the price of the buffer.
    """

    table: pa.Table
    target: float
    orders: int
    recommended_buffer_min: float | None
    recommended_fleet_reserve: int | None
    baseline_kept_share: float

    def to_dict(self) -> dict[str, Any]:
        rows = self.table.select(
            [
                "buffer_min",
                "fleet_reserve",
                "one_hour_orders",
                "one_hour_share",
                "promises_kept_share",
                "promises_kept_share_ci_low",
                "promises_kept_share_ci_high",
                "rocket_promises_kept_share",
                "flights_flown",
            ]
        ).to_pylist()
        return {
            "target": self.target,
            "orders": self.orders,
            "baseline_kept_share": self.baseline_kept_share,
            "recommended_buffer_min": self.recommended_buffer_min,
            "recommended_fleet_reserve": self.recommended_fleet_reserve,
            "grid": rows,
        }


def calibrate(
    network: Network,
    orders: OrderTable,
    *,
    allowed: NDArray[np.bool_] | None = None,
    buffers_min: Sequence[float] = (0.0, 2.0, 5.0, 10.0, 15.0),
    reserves: Sequence[int] = (0, 1, 2),
    replicates: int = 16,
    seed: int = 0,
    target: float = 0.99,
    config: SimConfig | None = None,
    max_cost_per_kg: float = math.inf,
    client: Any | None = None,
    progress: Progress | None = None,
) -> CalibrationResult:
    """Simulate every (buffer, reserve) pair and recommend the smallest that meets ``target``.

    The baseline is buffer 0 with no reserve (the first grid point when the grids start at 0).
    """
    if not buffers_min or not reserves:
        raise InputError("calibration grid", (buffers_min, reserves), "must not be empty")
    if not 0 < target <= 1:
        raise InputError("target", target, "must be in (0, 1]")
    buffers = sorted({float(b) for b in buffers_min})
    reserve_list = sorted({int(r) for r in reserves})
    scenarios = [
        Scenario((("buffer_min", b), ("fleet_reserve", r))) for b in buffers for r in reserve_list
    ]
    results = run_scenarios(
        network,
        orders,
        allowed,
        scenarios,
        base=config or SimConfig(),
        replicates=replicates,
        seed=seed,
        max_cost_per_kg=max_cost_per_kg,
        client=client,
        progress=progress,
    )
    table = results_table(results)
    n = len(orders)
    one_hour = np.asarray(table["one_hour_orders"].to_numpy(), dtype=float)
    table = table.append_column("one_hour_share", pa.array(one_hour / n if n else one_hour * 0))
    kept = np.asarray(table["promises_kept_share"].to_numpy(), dtype=float)
    meets = np.flatnonzero(np.nan_to_num(kept, nan=1.0) >= target)
    buffer_col = table["buffer_min"].to_pylist()
    reserve_col = table["fleet_reserve"].to_pylist()
    best = int(meets[0]) if len(meets) else None  # rows are sorted by buffer, then reserve
    return CalibrationResult(
        table=table,
        target=target,
        orders=n,
        recommended_buffer_min=None if best is None else float(buffer_col[best]),
        recommended_fleet_reserve=None if best is None else int(reserve_col[best]),
        baseline_kept_share=float(kept[0]),
    )
