"""The fastest ballistic arc within a burnout-speed budget, on a rotating Earth.

The minimum-energy arc (:mod:`rocketpost.core.ballistics`) is the *slowest* conic that joins two
points: it needs the least speed, and every extra metre per second buys a flatter, shorter
coast. This module answers the two-point boundary value problem the other way round: given the
rocket's burnout-speed budget, which conic from burnout (above the pad) to the re-entry interface
(above the landing point, carried along by the Earth's rotation) arrives first?

Model
-----
Both ends of the coast are at the burnout radius r = R + h, so the conic is symmetric about its
apse line. We keep the branch whose apogee lies between the two ends (flight-path angle φ ≥ 0 at
burnout), so the vehicle never coasts below the burnout altitude, i.e. never back into the
atmosphere before its landing point. For a semi-major axis a and range angle Ψ (s = sin(Ψ/2),
c = cos(Ψ/2)) the conic's eccentricity solves r(1 − e c) = a(1 − e²); of the two roots (the
"low" and "high" trajectories of Bate, Mueller & White §6.2) the low one is the faster::

    e = 2 (r − a) / (r c + sqrt(r²c² − 4 a (r − a)))       (written so that nothing cancels)
    tan φ = e s / (1 − e c)
    t = 2 sqrt(a³/μ) (δ + e sin δ),   cos δ = (c − e)/(1 − e c),  sin δ = sqrt(1 − e²) s/(1 − e c)

At a = r(1 + s)/2 the square root vanishes and both roots are the minimum-energy conic; as a
grows to r the low conic flattens into the circular orbit at burnout altitude, t = Ψ sqrt(r³/μ).
The inertial burnout speed, v = sqrt(μ (2/r − 1/a)), grows with a alone, so the budget fixes a
directly: a = min(r, 1/(2/r − v_max²/μ)). A budget above the circular speed (7.84 km/s at
100 km) buys nothing more on this branch: a faster symmetric conic would dip below the burnout
altitude on the way.

Rotation is handled as in the minimum-energy solver: the inertial frame coincides with the
Earth-fixed one at launch, the re-entry point is the landing point rotated east by
ω⊕·(ascent + T), and T = t(a, Ψᵢ(T)) is solved by bisection on whole arrays.

Budget
------
``max_burnout_speed_ms`` caps the *inertial* burnout speed, that is the orbital energy of the
coast. The Earth-relative speed the engines must add at the pad differs from it by up to
±465 m/s with the launch azimuth (eastward launches get the ground's rotation for free); it is
reported per flight (``burnout_speed_relative_ms``) so a planner sees it. A lane whose
minimum-energy arc already needs more than the budget cannot be flown: its times are ``inf``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.ballistics import Trajectory
from rocketpost.core.burnout import BurnoutState
from rocketpost.core.earth import EARTH_MU_KM3_S2, EARTH_RADIUS_KM, EARTH_ROTATION_RAD_S
from rocketpost.core.geo import great_circle_km, unit_vector
from rocketpost.errors import InputError

__all__ = ["fastest_burnout_state", "fastest_trajectory", "symmetric_coast_s"]

FloatArray = NDArray[np.float64]

_TOLERANCE_S = 1e-7
"""Bisection stops when every bracket is narrower than this (s)."""

_GRID = 48
"""Samples of T over one period when looking for the earliest root (a bracket ≈ 110 s wide)."""

_ARRIVAL_TOLERANCE_S = 0.01
"""A solved coast must meet the moving target within this (0.01 s: under 5 m of rotation)."""

_CHUNK = 8192
"""Elements per block: the grid search holds ``_GRID`` × block temporaries."""

_MAX_BISECTIONS = 80
"""A 110 s bracket halves below 1e-7 s in ~30 steps; 80 is a safe bound."""


def _as_array(name: str, value: ArrayLike) -> FloatArray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(name, value, "must be a number or an array of numbers") from None
    if not np.all(np.isfinite(array)):
        raise InputError(name, value, "must be finite")
    return array


def _semi_major_axis_km(max_speed_km_s: FloatArray, radius_km: FloatArray) -> FloatArray:
    """The largest semi-major axis the budget allows on the low branch (vis-viva, capped at r)."""
    energy = 2.0 / radius_km - max_speed_km_s**2 / EARTH_MU_KM3_S2
    with np.errstate(divide="ignore"):
        cap = np.where(energy > 0.0, 1.0 / energy, np.inf)
    return np.asarray(np.minimum(cap, radius_km), dtype=np.float64)


def _low_conic(
    a: FloatArray, s: FloatArray, c: FloatArray, r: FloatArray
) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """Eccentricity and coast time of the low symmetric conic; ``ok`` False where none exists."""
    # r²c² − 4a(r − a) factored as (2a − r(1 + s))(2a − r(1 − s)): no cancellation between
    # two terms of size r², so a budget at the minimum-energy speed gives a root of exactly 0.
    above_minimum = 2.0 * a - r * (1.0 + s)
    ok = above_minimum >= -1e-9 * r  # rounding of a budget given at the minimum-energy speed
    root = np.sqrt(np.maximum(above_minimum, 0.0) * (2.0 * a - r * (1.0 - s)))
    denominator = r * c + root
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(denominator > 0.0, 2.0 * (r - a) / denominator, 0.0)
    e = np.clip(e, 0.0, 1.0 - 1e-15)
    delta = np.arctan2(np.sqrt(1.0 - e * e) * s, c - e)
    with np.errstate(invalid="ignore"):
        coast = 2.0 * a * np.sqrt(a / EARTH_MU_KM3_S2) * (delta + e * np.sin(delta))
    return e, np.asarray(coast, dtype=np.float64), np.asarray(ok)


def symmetric_coast_s(
    range_angle_rad: ArrayLike, semi_major_axis_km: ArrayLike, burnout_radius_km: ArrayLike
) -> FloatArray:
    """Coast time (s) of the low symmetric conic with semi-major axis ``a`` over range angle Ψ.

    ``NaN`` where no such conic exists (a below the minimum-energy r(1 + sin(Ψ/2))/2, or above
    r, the circular orbit). Non-rotating: the building block the tests check against Kepler.
    """
    psi = _as_array("range_angle_rad", range_angle_rad)
    a = _as_array("semi_major_axis_km", semi_major_axis_km)
    r = _as_array("burnout_radius_km", burnout_radius_km)
    _, coast, ok = _low_conic(a, np.sin(0.5 * psi), np.cos(0.5 * psi), r)
    return np.asarray(np.where(ok & (a <= r * (1 + 1e-12)), coast, np.nan), dtype=np.float64)


class _Geometry:
    """Pad and landing point reduced to what the range angle needs (haversine terms)."""

    def __init__(self, lat1: FloatArray, lat2: FloatArray, dlon0: FloatArray) -> None:
        self.lat1, self.lat2, self.dlon0 = lat1, lat2, dlon0
        self.hav_diff = np.sin(0.5 * (lat1 - lat2)) ** 2
        self.hav_sum = np.sin(0.5 * (lat1 + lat2)) ** 2
        self.cos_cos = np.cos(lat1) * np.cos(lat2)

    def half_angles(self, dlon: FloatArray) -> tuple[FloatArray, FloatArray]:
        """sin(Ψ/2), cos(Ψ/2) for a longitude difference ``dlon`` (both stay accurate)."""
        sh, ch = np.sin(0.5 * dlon), np.cos(0.5 * dlon)
        s = np.sqrt(np.minimum(self.hav_diff + self.cos_cos * sh * sh, 1.0))
        c = np.sqrt(np.minimum(self.hav_sum + self.cos_cos * ch * ch, 1.0))
        return s, c


def _residual(
    geometry: _Geometry, a: FloatArray, r: FloatArray, omega: float, t: FloatArray
) -> FloatArray:
    """g(T) = t(a, Ψᵢ(T)) − T, continued across the edge of the conic family.

    Where no conic of energy a reaches Ψᵢ(T), the square root is clamped at 0: g stays
    continuous through the edge (where a budget at the minimum-energy speed has its root), and
    a root found out there is rejected afterwards because no conic exists at it.
    """
    s, c = geometry.half_angles(geometry.dlon0 + omega * t)
    return _low_conic(a, s, c, r)[1] - t


def _solve_coast(
    geometry: _Geometry, a: FloatArray, r: FloatArray, omega: float
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """The earliest T with T = t(a, Ψᵢ(T)) for every element, and whether a conic reaches.

    On a rotating Earth g(T) = t(a, Ψᵢ(T)) − T can cross zero twice for eastward flights: near
    the minimum-energy end dt/dΨ grows without bound, so g dips below zero and comes back. Both
    roots are real conics of the same energy; the earlier one is the faster arc. So the first
    sign change is found on a grid of ``_GRID`` times and then bisected.
    """
    if omega == 0.0:
        s, c = geometry.half_angles(geometry.dlon0)
        _, coast, ok = _low_conic(a, s, c, r)
        return np.where(ok, coast, np.inf), ok
    shape = a.shape
    flat = [np.ravel(x) for x in (geometry.lat1, geometry.lat2, geometry.dlon0, a, r)]
    coast = np.empty(flat[3].shape[0])
    ok = np.empty(flat[3].shape[0], dtype=bool)
    for start in range(0, coast.shape[0], _CHUNK):
        block = slice(start, start + _CHUNK)
        lat1, lat2, dlon0, a_b, r_b = (x[block] for x in flat)
        coast[block], ok[block] = _solve_block(_Geometry(lat1, lat2, dlon0), a_b, r_b, omega)
    return coast.reshape(shape), ok.reshape(shape)


def _solve_block(
    geometry: _Geometry, a: FloatArray, r: FloatArray, omega: float
) -> tuple[FloatArray, NDArray[np.bool_]]:
    span = 2.0 * np.pi * a * np.sqrt(a / EARTH_MU_KM3_S2)
    steps = np.arange(1, _GRID + 1)[:, None] / _GRID
    grid = steps * span[None, :]
    crossed = _residual(geometry, a, r, omega, grid) <= 0.0
    first = np.where(crossed.any(axis=0), np.argmax(crossed, axis=0), _GRID - 1)
    columns = np.arange(a.shape[0])
    hi = grid[first, columns]
    lo = np.where(first > 0, grid[np.maximum(first - 1, 0), columns], 0.0)
    for _ in range(_MAX_BISECTIONS):
        t = 0.5 * (lo + hi)
        positive = _residual(geometry, a, r, omega, t) > 0.0
        lo = np.where(positive, t, lo)
        hi = np.where(positive, hi, t)
        if float(np.max(hi - lo, initial=0.0)) < _TOLERANCE_S:
            break
    t = hi
    s, c = geometry.half_angles(geometry.dlon0 + omega * t)
    _, coast, ok = _low_conic(a, s, c, r)
    converged = ok & (np.abs(coast - t) < _ARRIVAL_TOLERANCE_S)
    return np.where(converged, coast, np.inf), converged


class _Arc:
    """The solved arc: everything the public functions report, as broadcast arrays."""

    def __init__(
        self,
        launch_lat_deg: ArrayLike,
        launch_lon_deg: ArrayLike,
        landing_lat_deg: ArrayLike,
        landing_lon_deg: ArrayLike,
        max_burnout_speed_ms: ArrayLike,
        burnout_altitude_km: ArrayLike,
        ascent_s: ArrayLike,
        rotating: bool,
    ) -> None:
        if not isinstance(rotating, bool | np.bool_):
            raise InputError("rotating", rotating, "must be True or False")
        names = ("launch_lat_deg", "launch_lon_deg", "landing_lat_deg", "landing_lon_deg")
        raw = (launch_lat_deg, launch_lon_deg, landing_lat_deg, landing_lon_deg)
        arrays = [_as_array(n, v) for n, v in zip(names, raw, strict=True)]
        speed = _as_array("max_burnout_speed_ms", max_burnout_speed_ms)
        h = _as_array("burnout_altitude_km", burnout_altitude_km)
        ascent = _as_array("ascent_s", ascent_s)
        for name, value in (("launch_lat_deg", arrays[0]), ("landing_lat_deg", arrays[2])):
            if np.any(np.abs(value) > 90.0):
                raise InputError(name, value.tolist(), "must be within [-90, 90] degrees")
        if np.any(speed <= 0.0):
            raise InputError("max_burnout_speed_ms", speed.tolist(), "must be positive")
        if np.any(h < 0.0) or np.any(ascent < 0.0):
            raise InputError("burnout_altitude_km", h.tolist(), "must not be negative")
        try:
            lat1_d, lon1_d, lat2_d, lon2_d, speed, h, ascent = np.broadcast_arrays(
                *arrays, speed, h, ascent
            )
        except ValueError:
            raise InputError(
                "shape", [a.shape for a in arrays], "inputs do not broadcast"
            ) from None
        self.rotating = bool(rotating)
        self.omega = EARTH_ROTATION_RAD_S if rotating else 0.0
        self.range_km = np.asarray(great_circle_km(lat1_d, lon1_d, lat2_d, lon2_d))
        self.lat1, self.lat2 = np.radians(lat1_d), np.radians(lat2_d)
        self.lon1 = np.radians(lon1_d)
        self.h, self.ascent = np.asarray(h, dtype=np.float64), np.asarray(ascent, np.float64)
        self.r = EARTH_RADIUS_KM + self.h
        self.a = _semi_major_axis_km(speed / 1000.0, self.r)
        geometry = _Geometry(self.lat1, self.lat2, np.radians(lon2_d) - self.lon1)
        self.coast_s, self.ok = _solve_coast(geometry, self.a, self.r, self.omega)
        t = np.where(self.ok, self.coast_s, 0.0)
        self.dlon = geometry.dlon0 + self.omega * t
        s, c = geometry.half_angles(self.dlon)
        self.s, self.c = s, c
        self.e, _, _ = _low_conic(self.a, s, c, self.r)

    @property
    def psi_rad(self) -> FloatArray:
        return np.asarray(2.0 * np.arctan2(self.s, self.c), dtype=np.float64)

    @property
    def speed_km_s(self) -> FloatArray:
        return np.asarray(np.sqrt(EARTH_MU_KM3_S2 * (2.0 / self.r - 1.0 / self.a)))

    @property
    def flight_path_angle_rad(self) -> FloatArray:
        return np.asarray(np.arctan2(self.e * self.s, 1.0 - self.e * self.c))

    def direction_en(self) -> tuple[FloatArray, FloatArray]:
        """Unit horizontal direction of flight at burnout (east, north); east when undefined."""
        sin1, cos1 = np.sin(self.lat1), np.cos(self.lat1)
        sin2, cos2 = np.sin(self.lat2), np.cos(self.lat2)
        east = cos2 * np.sin(self.dlon)
        north = cos1 * sin2 - sin1 * cos2 * np.cos(self.dlon)
        norm = np.hypot(east, north)
        defined = norm > 1e-12
        safe = np.where(defined, norm, 1.0)
        return np.where(defined, east / safe, 1.0), np.where(defined, north / safe, 0.0)

    def velocity_enu_km_s(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        along_east, along_north = self.direction_en()
        phi = self.flight_path_angle_rad
        horizontal = self.speed_km_s * np.cos(phi)
        return horizontal * along_east, horizontal * along_north, self.speed_km_s * np.sin(phi)


def _frozen(values: ArrayLike) -> FloatArray:
    out = np.array(values, dtype=np.float64)
    out.flags.writeable = False
    return out


def fastest_trajectory(  # noqa: PLR0913 - min_energy_trajectory's per-lane arrays + the budget
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    landing_lat_deg: ArrayLike,
    landing_lon_deg: ArrayLike,
    *,
    max_burnout_speed_ms: ArrayLike,
    burnout_altitude_km: ArrayLike = 100.0,
    ascent_s: ArrayLike = 150.0,
    descent_s: ArrayLike = 300.0,
    rotating: bool = True,
) -> Trajectory:
    """The fastest coast whose inertial burnout speed stays within ``max_burnout_speed_ms``.

    Arguments as for :func:`rocketpost.core.ballistics.min_energy_trajectory`, plus the budget.
    Returns the same :class:`~rocketpost.core.ballistics.Trajectory` fields. Lanes the budget
    cannot reach at all have ``coast_s = flight_s = inf`` and NaN angles and speeds.
    """
    arc = _Arc(
        launch_lat_deg,
        launch_lon_deg,
        landing_lat_deg,
        landing_lon_deg,
        max_burnout_speed_ms,
        burnout_altitude_km,
        ascent_s,
        rotating,
    )
    descent = np.broadcast_to(_as_array("descent_s", descent_s), arc.coast_s.shape)
    v_east, v_north, v_up = arc.velocity_enu_km_s()
    ground = arc.omega * arc.r * np.cos(arc.lat1)
    rel_east = v_east - ground
    rel_horizontal = np.hypot(rel_east, v_north)
    phi_deg = np.degrees(arc.flight_path_angle_rad)
    nan = np.nan
    ok = arc.ok
    return Trajectory(
        range_km=_frozen(arc.range_km),
        range_angle_deg=_frozen(np.where(ok, np.degrees(arc.psi_rad), nan)),
        burnout_altitude_km=_frozen(arc.h),
        burnout_speed_ms=_frozen(np.where(ok, 1000.0 * arc.speed_km_s, nan)),
        burnout_speed_relative_ms=_frozen(
            np.where(ok, 1000.0 * np.hypot(rel_horizontal, v_up), nan)
        ),
        flight_path_angle_deg=_frozen(np.where(ok, phi_deg, nan)),
        apogee_km=_frozen(np.where(ok, arc.a * (1.0 + arc.e) - EARTH_RADIUS_KM, nan)),
        coast_s=_frozen(arc.coast_s),
        ascent_s=_frozen(np.broadcast_to(arc.ascent, arc.coast_s.shape)),
        descent_s=_frozen(descent),
        flight_s=_frozen(arc.ascent + arc.coast_s + descent),
        rotating=arc.rotating,
        flight_path_angle_relative_deg=_frozen(
            np.where(ok, np.degrees(np.arctan2(v_up, rel_horizontal)), nan)
        ),
        launch_azimuth_deg=_frozen(
            np.where(ok, np.degrees(np.arctan2(rel_east, v_north)) % 360.0, nan)
        ),
    )


def fastest_burnout_state(
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    landing_lat_deg: ArrayLike,
    landing_lon_deg: ArrayLike,
    *,
    max_burnout_speed_ms: ArrayLike,
    burnout_altitude_km: ArrayLike = 100.0,
    ascent_s: ArrayLike = 150.0,
    rotating: bool = True,
) -> BurnoutState:
    """Inertial burnout position and velocity of the fastest arc (for independent checks).

    A numerical two-body integration from this state must reach ``target_position_km`` after
    ``coast_s``; the tests do exactly that.
    """
    arc = _Arc(
        launch_lat_deg,
        launch_lon_deg,
        landing_lat_deg,
        landing_lon_deg,
        max_burnout_speed_ms,
        burnout_altitude_km,
        ascent_s,
        rotating,
    )
    burnout_lon = arc.lon1 + arc.omega * arc.ascent
    up = unit_vector(np.degrees(arc.lat1), np.degrees(burnout_lon))
    east = np.stack([-np.sin(burnout_lon), np.cos(burnout_lon), np.zeros_like(burnout_lon)], -1)
    north = np.cross(up, east)
    v_east, v_north, v_up = arc.velocity_enu_km_s()
    velocity = v_east[..., None] * east + v_north[..., None] * north + v_up[..., None] * up
    r = arc.r[..., None]
    reentry_lon = burnout_lon + arc.dlon
    return BurnoutState(
        position_km=_frozen(r * up),
        velocity_km_s=_frozen(velocity),
        target_position_km=_frozen(r * unit_vector(np.degrees(arc.lat2), np.degrees(reentry_lon))),
        burnout_time_s=_frozen(np.broadcast_to(arc.ascent, arc.coast_s.shape)),
        coast_s=_frozen(arc.coast_s),
        iterations=0,
    )
