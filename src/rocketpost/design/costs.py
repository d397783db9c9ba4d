"""The designer's annual cost model: what a landing site and a hub cost to run for a year.

A budget in dollars turns the covering model's "how many sites" into "which sites for this
much money": a site costs its recovery vessel, the crew that works the pods and drones, and the
drones on its deck; every hub of the network costs its spaceport. The figures live in a TOML file
(``rocketpost/data/design_costs.toml``, every figure with its source or reason) read by
:meth:`CostModel.from_file`; the network loader does not read a cost section, so the cost model
is a file of its own next to the network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.errors import InputError
from rocketpost.paramfile import FromFile

__all__ = ["DEFAULT_COSTS_FILE", "CostModel", "default_costs"]

DEFAULT_COSTS_FILE = "design_costs.toml"
"""The packaged cost model, in ``rocketpost/data``."""


@dataclass(frozen=True)
class CostModel(FromFile):
    """Annual costs, US dollars per year.

    Parameters
    ----------
    vessel_usd_per_year
        Charter of one recovery vessel (one per landing site), crewed by its marine crew.
    site_crew
        People who work the pods and the drones at a site, all shifts.
    crew_usd_per_person_year
        Loaded cost of one of them.
    drone_usd_per_year
        One delivery drone: purchase written off, batteries, maintenance.
    spaceport_usd_per_hub_year
        One hub's launch site: pads, range operations, staff.
    """

    vessel_usd_per_year: float = 7_300_000.0
    site_crew: int = 12
    crew_usd_per_person_year: float = 90_000.0
    drone_usd_per_year: float = 12_000.0
    spaceport_usd_per_hub_year: float = 25_000_000.0

    def __post_init__(self) -> None:
        for column in fields(self):
            value = getattr(self, column.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(column.name, value, "must be a number")
            if not math.isfinite(value) or value < 0:
                raise InputError(column.name, value, "must be a finite number ≥ 0")
        if self.vessel_usd_per_year + self.site_crew * self.crew_usd_per_person_year <= 0:
            raise InputError(
                "vessel_usd_per_year", self.vessel_usd_per_year, "a site must cost > 0"
            )

    def site_usd_per_year(self, drones: ArrayLike) -> NDArray[np.float64]:
        """Annual cost of sites with ``drones`` drones each."""
        return np.asarray(
            self.vessel_usd_per_year
            + self.site_crew * self.crew_usd_per_person_year
            + self.drone_usd_per_year * np.asarray(drones, dtype=np.float64),
            dtype=np.float64,
        )

    def hubs_usd_per_year(self, hubs: int) -> float:
        """Annual cost of ``hubs`` spaceports."""
        return float(self.spaceport_usd_per_hub_year * hubs)


def default_costs() -> CostModel:
    """The packaged cost model (``rocketpost/data/design_costs.toml``)."""
    source = resources.files("rocketpost") / "data" / DEFAULT_COSTS_FILE
    with resources.as_file(source) as path:
        return CostModel.from_file(path)
