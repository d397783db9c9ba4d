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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.orders.table import OrderTable
from rocketpost.paramfile import FromFile, TableReader
from rocketpost.simulation.config import SimConfig
from rocketpost.simulation.scenarios import Progress, RunParams, run_scenarios
from rocketpost.simulation.sweep import results_table
from rocketpost.simulation.sweep_spec import Scenario, sim_config_from_toml

__all__ = ["CalibrationParams", "CalibrationResult", "calibrate"]


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


@dataclass(frozen=True)
class CalibrationParams(FromFile):
    """The calibration grid and how it is simulated (see the module doc).

    Loadable from TOML (``CalibrationParams.from_file(path)``): the fields below as top-level
    keys, and the simulation settings as a ``[simulation]`` table read as a sweep spec's is.

    Parameters
    ----------
    buffers_min
        Promise buffers tried (minutes).
    reserves
        Fleet reserves tried (airframes held back per hub).
    replicates, seed
        Simulated days per pair and their first seed (the same for every pair).
    target
        Share of one-hour promises that must be kept, in (0, 1].
    max_cost_per_kg
        The planner's ceiling on a light flight's US$/kg (``math.inf``: always fly).
    simulation
        The simulation settings every pair starts from.
    """

    buffers_min: tuple[float, ...] = (0.0, 2.0, 5.0, 10.0, 15.0)
    reserves: tuple[int, ...] = (0, 1, 2)
    replicates: int = 16
    seed: int = 0
    target: float = 0.99
    max_cost_per_kg: float = math.inf
    simulation: SimConfig = field(default_factory=SimConfig)

    _toml_readers: ClassVar[Mapping[str, TableReader]] = {
        "simulation": lambda toml, table, _path: sim_config_from_toml(toml, table)
    }

    def __post_init__(self) -> None:
        if not self.buffers_min or not self.reserves:
            raise InputError(
                "calibration grid", (self.buffers_min, self.reserves), "must not be empty"
            )
        if not 0 < self.target <= 1:
            raise InputError("target", self.target, "must be in (0, 1]")
        # Validated as a sweep's runs are (the grid above is the scenarios).
        RunParams(self.replicates, self.seed, self.max_cost_per_kg)


_DEFAULT_PARAMS = CalibrationParams()


def calibrate(
    network: Network,
    orders: OrderTable,
    params: CalibrationParams = _DEFAULT_PARAMS,
    *,
    allowed: NDArray[np.bool_] | None = None,
    client: Any | None = None,
    progress: Progress | None = None,
) -> CalibrationResult:
    """Simulate every (buffer, reserve) pair and recommend the smallest that meets the target.

    The baseline is buffer 0 with no reserve (the first grid point when the grids start at 0).
    """
    target = params.target
    buffers = sorted({float(b) for b in params.buffers_min})
    reserve_list = sorted({int(r) for r in params.reserves})
    scenarios = [
        Scenario((("buffer_min", b), ("fleet_reserve", r))) for b in buffers for r in reserve_list
    ]
    results = run_scenarios(
        network,
        orders,
        allowed,
        scenarios,
        base=params.simulation,
        runs=RunParams(params.replicates, params.seed, params.max_cost_per_kg),
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
