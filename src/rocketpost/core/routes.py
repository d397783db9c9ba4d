"""The kernel's answer: :class:`Routes` (every leg of the fastest route per row) and the leg
names of the door-to-door budget, in order (:data:`LEG_NAMES`).

Split from :mod:`rocketpost.core.doortodoor` (which re-exports both) to keep the kernel short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from rocketpost.core.networklegs import NetworkLegs

__all__ = ["LEG_NAMES", "Routes"]

LEG_NAMES = (
    "origin_handling",
    "wave_wait",
    "ascent",
    "coast",
    "descent",
    "vessel_transfer",
    "sea_transfer",
    "boat",
    "port_handling",
    "customs",
    "last_mile",
)
"""Legs of the door-to-door budget, in order."""


@dataclass(frozen=True, eq=False)
class Routes:
    """The fastest route of every row (or of every row × origin, see ``per_origin``).

    Times are seconds after the row's ready time (the order time). Rows with no route at all
    (no allowed origin) have an infinite ``total_s``.

    Attributes
    ----------
    origin, destination
        Hub position; landing-site position (``network.landing_sites``, where hub ``i``'s own
        zone is site ``i``), the origin's own zone for a ground delivery.
    ground
        True for a ground delivery from the origin's fulfilment centre.
    vessel
        True when a drone flies the parcel straight from the site's recovery vessel (no boat,
        no port).
    drone
        True when the last mile is flown by drone (else van).
    total_s
        Door-to-door seconds.
    handling_s, wait_s, coast_s, boat_s, last_mile_s
        Legs. ``wait_s``, ``coast_s``, ``boat_s`` (and ``range_km``, ``launch_s``) are those of
        the best rocket route from ``origin`` even where ``ground`` wins: mask them with
        ``ground`` (:meth:`legs_s` and the wrappers do).
    last_mile_km, range_km
        Great-circle last mile; rocket ground range.
    launch_s
        Absolute launch time (epoch seconds, a whole multiple of the wave interval) when ready
        times were given; NaN otherwise.
    nearest_port_s
        Earliest arrival of parcels at the port nearest the door (by last mile) over the allowed
        origins, by rocket; infinite when nothing may fly there. Tells "no landing zone in reach"
        from "last mile too long".
    """

    origin: NDArray[np.intp]
    destination: NDArray[np.intp]
    ground: NDArray[np.bool_]
    vessel: NDArray[np.bool_]
    drone: NDArray[np.bool_]
    total_s: NDArray[np.float64]
    handling_s: NDArray[np.float64]
    wait_s: NDArray[np.float64]
    coast_s: NDArray[np.float64]
    boat_s: NDArray[np.float64]
    last_mile_s: NDArray[np.float64]
    last_mile_km: NDArray[np.float64]
    range_km: NDArray[np.float64]
    launch_s: NDArray[np.float64]
    nearest_port_s: NDArray[np.float64]

    def legs_s(self, legs: NetworkLegs, index: int | tuple[int, int] = 0) -> dict[str, float]:
        """Seconds per leg (:data:`LEG_NAMES`) of one row, as plain floats."""
        handling = float(self.handling_s[index])
        if bool(self.ground[index]):
            out = dict.fromkeys(LEG_NAMES, 0.0)
            out["origin_handling"] = handling
            out["last_mile"] = float(self.last_mile_s[index])
            return out
        by_vessel = bool(self.vessel[index])
        return {
            "origin_handling": handling,
            "wave_wait": float(self.wait_s[index]),
            "ascent": legs.ascent_s,
            "coast": float(self.coast_s[index]),
            "descent": legs.descent_s,
            "vessel_transfer": legs.vessel_transfer_s if by_vessel else 0.0,
            "sea_transfer": 0.0 if by_vessel else legs.sea_transfer_s,
            "boat": float(self.boat_s[index]),
            "port_handling": 0.0 if by_vessel else legs.port_handling_s,
            "customs": 0.0,
            "last_mile": float(self.last_mile_s[index]),
        }
