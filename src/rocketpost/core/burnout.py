"""The rocket's state at burnout in the inertial frame: what a trajectory integrator starts from.

:func:`burnout_state_inertial` gives, for the same inputs as
:func:`rocketpost.core.ballistics.min_energy_trajectory`, the burnout position and velocity in
the inertial frame that coincides with the Earth-fixed frame at launch, and the re-entry target
the coast must reach. The tests integrate the two-body problem from it to check the closed-form
coast times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.ballistics import FlightSpec, _checked_rotating, _frozen, _solve
from rocketpost.core.coast import COAST_TOLERANCE_S
from rocketpost.core.geo import unit_vector
from rocketpost.errors import InputError

__all__ = ["BurnoutState", "burnout_state_inertial"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class BurnoutState:
    """Inertial state at burnout, the initial condition of the coast.

    The inertial frame coincides with the Earth-fixed frame at launch (t = 0): x towards
    (0°, 0°), z towards the north pole. Arrays have the broadcast shape, vectors an extra last
    axis of length 3.

    Attributes
    ----------
    position_km, velocity_km_s
        Burnout position and inertial velocity, at t = ``burnout_time_s`` after launch.
    target_position_km
        Re-entry interface point (above the landing point) in the inertial frame at
        t = ``burnout_time_s + coast_s``: where the coast must end.
    burnout_time_s
        Time of burnout after launch (= ``ascent_s``).
    coast_s
        Coast time from burnout to the re-entry interface.
    iterations
        Rotation-iteration count until every element converged (0 without rotation).
    """

    position_km: FloatArray
    velocity_km_s: FloatArray
    target_position_km: FloatArray
    burnout_time_s: FloatArray
    coast_s: FloatArray
    iterations: int


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------


def burnout_state_inertial(
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    landing_lat_deg: ArrayLike,
    landing_lon_deg: ArrayLike,
    *,
    burnout_altitude_km: ArrayLike = 100.0,
    ascent_s: ArrayLike = 150.0,
    rotating: bool = True,
    tol_s: float = COAST_TOLERANCE_S,
) -> BurnoutState:
    """Inertial burnout position and velocity of the minimum-energy flight.

    This is the initial condition from which a numerical integration of the two-body problem
    must reach ``target_position_km`` after ``coast_s``: the tests use it to validate the
    closed-form model independently, and a simulator can use it to propagate flights.
    Arguments are as for :func:`min_energy_trajectory`; ``tol_s`` is the convergence tolerance
    of the rotation iteration (s).
    """
    rotating = _checked_rotating(rotating)
    if isinstance(tol_s, bool) or not isinstance(tol_s, int | float) or not tol_s > 0.0:
        raise InputError("tol_s", tol_s, "must be a positive number of seconds")
    sol = _solve(
        launch_lat_deg,
        launch_lon_deg,
        landing_lat_deg,
        landing_lon_deg,
        FlightSpec(burnout_altitude_km, ascent_s, 0.0, rotating),
        tol_s=float(tol_s),
    )
    lat1 = sol.launch_lat_rad
    lon_b = sol.burnout_lon_rad
    up = unit_vector(np.degrees(lat1), np.degrees(lon_b))
    east = np.stack([-np.sin(lon_b), np.cos(lon_b), np.zeros_like(lon_b)], axis=-1)
    north = np.cross(up, east)
    v_east, v_north, v_up, _ = sol.velocity_enu_km_s()
    velocity = v_east[..., None] * east + v_north[..., None] * north + v_up[..., None] * up
    r = sol.radius_km[..., None]
    return BurnoutState(
        position_km=_frozen(r * up),
        velocity_km_s=_frozen(velocity),
        target_position_km=_frozen(
            r * unit_vector(np.degrees(sol.landing_lat_rad), np.degrees(sol.reentry_lon_rad))
        ),
        burnout_time_s=_frozen(sol.ascent_s),
        coast_s=_frozen(sol.coast_s),
        iterations=sol.iterations,
    )
