"""Minimum-energy suborbital trajectories between two points of a spherical, rotating Earth.

This module answers the physics question at the heart of the one-hour promise: *how long does
the rocket take from pad to landing zone?* Everything is vectorised: every argument broadcasts,
so "every hub × every hub" (``lat[:, None]`` against ``lat[None, :]``) or a million pairs is one
call, and the rotation iteration runs on whole arrays.

Model
-----
A flight has three phases::

    launch --ascent_s--> burnout --coast--> re-entry interface --descent_s--> touchdown
    t = 0                r = R + h          r = R + h
                         above the pad      above the landing point

* **Ascent** lasts a fixed ``ascent_s`` and ends at burnout, ``burnout_altitude_km`` straight
  above the pad. The downrange distance covered under power is neglected.
* **Coast** is a Keplerian two-body conic from the burnout radius r = R + h back down to the same
  radius directly above the landing point. For a free-flight range angle Ψ the minimum-energy
  trajectory (Bate, Mueller & White, *Fundamentals of Astrodynamics*, §6.2) has::

      Q = v²r/μ = 2 sin(Ψ/2) / (1 + sin(Ψ/2))     burnout speed v = sqrt(Q μ / r)
      φ = (π − Ψ)/4                                flight-path angle above the local horizontal
      a = r / (2 − Q) = r (1 + sin(Ψ/2)) / 2       e² = 1 + Q (Q − 2) cos²φ
      ν = π − Ψ/2                                  burnout true anomaly (symmetric about apogee)
      t = 2 sqrt(a³/μ) (π − (E − e sin E))         E: eccentric anomaly at burnout

  and the apogee altitude is a(1 + e) − R. Because cos²φ = (1 + sin(Ψ/2))/2, these collapse to
  e = cos(Ψ/2)/(1 + sin(Ψ/2)) (so 1 − e² = Q), cos E = −e and sin E = sqrt(Q) at burnout; with
  δ = π − E = atan2(sqrt(2 s (1 + s)), cos(Ψ/2)), s = sin(Ψ/2), Kepler's equation reads
  t = 2 sqrt(a³/μ)(δ + e sin δ), and the apogee radius is r (1 + sin(Ψ/2) + cos(Ψ/2))/2. That
  form subtracts no nearly equal numbers, so it keeps full precision from a 1 mm hop (e → 1)
  to the antipode (e = 0, a circular half orbit), and it needs half the transcendental
  functions of the textbook form. (It also equals Lambert's theorem for the minimum-energy
  transfer, t = sqrt(a³/μ)(γ + sin γ) with γ = 2δ; the tests check both.)
* **Re-entry and landing** last a fixed ``descent_s`` and end on the landing point.

Rotation (``rotating=True``) is handled in the inertial frame that coincides with the
Earth-fixed frame at launch (t = 0). The burnout point is the pad rotated east by ω⊕·ascent_s;
the re-entry point is the landing point rotated east by ω⊕·(ascent_s + T), with T the coast time.
The inertial range angle Ψᵢ, the angle between those two position vectors, depends on T and T
depends on Ψᵢ, so the fixed point T = t(Ψᵢ(T)) is solved by a safeguarded Newton iteration
(Newton steps inside a bracket [0, half an orbit], bisection when a step leaves the bracket or
stalls) on whole arrays until every step is below 1e-6 s. Plain fixed-point iteration would
diverge for hops of less than ~10 km, where dt/dΨ is large and the target moves faster than the
inertial range grows. The inertial burnout velocity lies in the plane of the two inertial
position vectors, φ above the local horizontal; the Earth-relative velocity is that minus
ω⊕ × r at the burnout point. Without rotation (``rotating=False``) Ψ is simply the great-circle
central angle and the two speeds coincide.

Anchors
-------
With the default 100 km burnout altitude the coast takes ≈ 8.0 min for 1,000 km, ≈ 23 min for
5,570 km (New York–London), ≈ 33 min for 10,000 km and 43.2 min to the antipode (half an orbit
at r = R + 100 km), which are the figures in DESIGN.md; at a 0 km burnout altitude the antipode
takes 42.2 min. The Earth turns 7.5° in 30 minutes, so the aim point moves by up to ~836 km on
the equator: eastward flights coast longer and need less Earth-relative speed than westward ones.
The coast times agree with a numerical two-body integration (``scipy.integrate.solve_ivp``)
to better than 1e-8 relative (see ``tests/test_ballistics.py``).

Simplifications
---------------
* Spherical Earth, point-mass gravity: no J2 (the oblateness perturbs a 40-minute coast by a few
  kilometres at the landing point), no third bodies.
* No atmosphere during the coast: reasonable above ~100 km, which is why the burnout and
  re-entry interface default to 100 km. Drag, lift and cross-range during re-entry are folded
  into the fixed ``descent_s``.
* Powered flight is a fixed duration with no downrange travel, and burnout is instantaneous. A
  real ascent covers tens to hundreds of kilometres downrange, so the coast computed here is
  slightly longer than the real one: the estimate errs on the late side.
* Minimum energy is not minimum time: a faster, flatter (more energetic) trajectory can shorten
  the coast. This module computes the minimum-energy one only.

Edge cases
----------
* Identical points: Ψ = 0, so the coast is 0 s with zero inertial speed, φ = 45°, apogee =
  burnout altitude; ``flight_s`` is still ``ascent_s + descent_s`` so that the identity
  flight = ascent + coast + descent always holds. Callers should treat "same site" as no flight.
  With rotation, a body at rest in the inertial frame drifts west over the ground, so the
  Earth-relative burnout speed is then the ground rotation speed ω⊕ r cos(latitude).
* Short hops with rotation: the coast does not shrink to zero with the range. The target moves
  at up to 0.46 km/s while a short conic lasts seconds, so below ~10 km the solution becomes a
  near-vertical lob that leaves with the ground's own eastward speed and rises at about the
  same speed, T ≈ 2 ω⊕ r³ cos(latitude)/μ ≈ 99 s × cos(latitude), whatever the direction.
  Identical points keep the other root, T = 0. For westward hops of a few kilometres
  T = t(Ψᵢ(T)) can have several roots; one valid root is returned. The model (with its 100 km
  burnout altitude) is not meant for such hops.
* Antipodal points (Ψ = π): Q = 1, φ = 0, a circular half orbit. The trajectory plane is then
  undefined (without rotation, or from pole to pole); the rocket is sent due east, which needs
  the least Earth-relative speed. No value is NaN anywhere in [0, π].
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.earth import EARTH_MU_KM3_S2, EARTH_RADIUS_KM, EARTH_ROTATION_RAD_S
from rocketpost.core.geo import great_circle_km, unit_vector
from rocketpost.errors import InputError

__all__ = [
    "BurnoutState",
    "Trajectory",
    "burnout_state_inertial",
    "min_energy_coast_s",
    "min_energy_trajectory",
]

FloatArray = NDArray[np.float64]

COAST_TOLERANCE_S = 1e-6
"""Convergence tolerance of the rotation iteration (s): far below any time anybody plans with."""

MAX_ITERATIONS = 100
"""Bound on the rotation iteration. The bracket halves at least every other step, so from half
an orbit (~2,600 s) to 1e-6 s takes at most ~2 × 42 steps; Newton usually needs 3-5."""

_CHUNK = 32768
"""Block size of the rotation iteration (elements): 32k float64 temporaries fit in L2/L3."""


@dataclass(frozen=True)
class Trajectory:
    """Minimum-energy flight from pad to landing point; every array has the broadcast shape.

    Attributes
    ----------
    range_km
        Great-circle ground distance pad → landing point in the Earth-fixed frame.
    range_angle_deg
        Free-flight range angle Ψ actually flown (inertial when ``rotating``).
    burnout_altitude_km
        Altitude of burnout and of the re-entry interface.
    burnout_speed_ms
        Inertial speed at burnout.
    burnout_speed_relative_ms
        Speed at burnout relative to the rotating Earth (what the rocket must reach from its
        pad); equal to ``burnout_speed_ms`` when not rotating.
    flight_path_angle_deg
        Inertial flight-path angle above the local horizontal, (180° − Ψ)/4.
    apogee_km
        Highest altitude above the sphere.
    coast_s, ascent_s, descent_s, flight_s
        Phase durations; ``flight_s`` = ascent + coast + descent, launch to touchdown.
    rotating
        Whether the Earth's rotation was accounted for.
    flight_path_angle_relative_deg
        Flight-path angle of the Earth-relative burnout velocity.
    launch_azimuth_deg
        Heading of the Earth-relative burnout velocity, degrees clockwise from true north at the
        pad, [0, 360).
    """

    range_km: FloatArray
    range_angle_deg: FloatArray
    burnout_altitude_km: FloatArray
    burnout_speed_ms: FloatArray
    burnout_speed_relative_ms: FloatArray
    flight_path_angle_deg: FloatArray
    apogee_km: FloatArray
    coast_s: FloatArray
    ascent_s: FloatArray
    descent_s: FloatArray
    flight_s: FloatArray
    rotating: bool
    flight_path_angle_relative_deg: FloatArray
    launch_azimuth_deg: FloatArray

    @property
    def shape(self) -> tuple[int, ...]:
        """Broadcast shape of the inputs (``()`` for scalar inputs)."""
        return self.range_km.shape

    def to_dict(self, index: int | tuple[int, ...] | None = None) -> dict[str, float | bool]:
        """Plain-Python view of one trajectory, for JSON output and tables.

        Parameters
        ----------
        index
            Element to extract (an int or a tuple for multi-dimensional results). May be
            omitted only when the result is scalar (0-d) or holds exactly one element.
        """
        if index is None and self.range_km.size != 1:
            raise InputError(
                "index", index, f"is required for a result of shape {self.range_km.shape}"
            )
        out: dict[str, float | bool] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool):
                out[f.name] = value
                continue
            try:
                element = value.reshape(-1)[0] if index is None else value[index]
            except (IndexError, TypeError) as exc:
                raise InputError("index", index, f"is not valid for shape {value.shape}") from exc
            if np.ndim(element) != 0:
                raise InputError("index", index, f"does not select one element of {value.shape}")
            out[f.name] = float(element)
        return out


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


def _as_float_array(name: str, value: ArrayLike) -> FloatArray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(name, value, "must be a number or an array of numbers") from exc
    _check(name, arr, np.isfinite(arr), "must be finite")
    return arr


def _check(name: str, arr: FloatArray, ok: NDArray[np.bool_], reason: str) -> None:
    """Raise InputError naming the first offending element (field[index] for arrays)."""
    if bool(np.all(ok)):
        return
    if arr.ndim == 0:
        raise InputError(name, float(arr), reason)
    bad = tuple(int(i) for i in np.argwhere(~ok)[0])
    label = ", ".join(str(i) for i in bad)
    raise InputError(f"{name}[{label}]", float(arr[bad]), reason)


def _checked_rotating(rotating: object) -> bool:
    if not isinstance(rotating, bool | np.bool_):
        raise InputError("rotating", rotating, "must be True or False")
    return bool(rotating)


def _validated_inputs(
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    landing_lat_deg: ArrayLike,
    landing_lon_deg: ArrayLike,
    burnout_altitude_km: ArrayLike,
    ascent_s: ArrayLike,
    descent_s: ArrayLike,
) -> tuple[FloatArray, ...]:
    raw = {
        "launch_lat_deg": launch_lat_deg,
        "launch_lon_deg": launch_lon_deg,
        "landing_lat_deg": landing_lat_deg,
        "landing_lon_deg": landing_lon_deg,
        "burnout_altitude_km": burnout_altitude_km,
        "ascent_s": ascent_s,
        "descent_s": descent_s,
    }
    arrays = {name: _as_float_array(name, value) for name, value in raw.items()}
    for name in ("launch_lat_deg", "landing_lat_deg"):
        arr = arrays[name]
        _check(name, arr, (arr >= -90.0) & (arr <= 90.0), "must be within [-90, 90] degrees")
    for name in ("burnout_altitude_km", "ascent_s", "descent_s"):
        arr = arrays[name]
        _check(name, arr, arr >= 0.0, "must not be negative")
    try:
        broadcast = np.broadcast_arrays(*arrays.values())
    except ValueError as exc:
        shapes = {name: arr.shape for name, arr in arrays.items()}
        raise InputError("shape", shapes, "inputs do not broadcast together") from exc
    return tuple(broadcast)


# --------------------------------------------------------------------------------------------
# Minimum-energy conic
# --------------------------------------------------------------------------------------------


def _coast_and_slope(s: FloatArray, c: FloatArray, r: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Coast time t (s) and dt/dΨ (s/rad) from s = sin(Ψ/2), c = cos(Ψ/2) and the radius r.

    Kepler's equation with the simplifications of the module docstring: e = c/(1 + s) and, at
    burnout, δ = π − E = atan2(sqrt(2s(1 + s)), c), so t = 2 sqrt(a³/μ)(δ + e sin δ). Working
    from the half-angle sines and cosines, with no subtraction of nearly equal numbers, keeps
    full precision from Ψ = 0 (e = 1) to Ψ = π (e = 0). The slope is infinite at Ψ = 0 (t grows
    like sqrt(Ψ) for short hops); the Newton iteration's bracket copes with that.
    """
    one_s = 1.0 + s
    root = np.sqrt(2.0 * s * one_s)  # tan δ · cos(Ψ/2)
    delta = np.arctan2(root, c)
    a = 0.5 * r * one_s
    inverse_mean_motion = a * np.sqrt(a / EARTH_MU_KM3_S2)
    coast = 2.0 * inverse_mean_motion * (delta + c * root / one_s**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = c / one_s * (0.75 * coast + 2.0 * inverse_mean_motion * c / (root * one_s))
    return np.asarray(coast, dtype=np.float64), np.asarray(slope, dtype=np.float64)


def min_energy_coast_s(range_angle_rad: ArrayLike, burnout_radius_km: ArrayLike) -> FloatArray:
    """Coast time of the minimum-energy conic between two points at the same radius (s).

    This is the pure, non-rotating Kepler time of BMW §6.2, exposed so that other modules (and
    the tests) can use it without going through coordinates.

    Parameters
    ----------
    range_angle_rad
        Free-flight range angle Ψ in [0, π].
    burnout_radius_km
        Radius of burnout and re-entry, r = R + h (> 0).

    Returns
    -------
    numpy.ndarray
        Coast time, broadcast shape; 0 at Ψ = 0, half an orbit, π sqrt(r³/μ), at Ψ = π.

    Raises
    ------
    InputError
        Ψ outside [0, π], a non-positive radius or a non-finite value.
    """
    psi = _as_float_array("range_angle_rad", range_angle_rad)
    r = _as_float_array("burnout_radius_km", burnout_radius_km)
    _check("range_angle_rad", psi, (psi >= 0.0) & (psi <= np.pi), "must be within [0, π]")
    _check("burnout_radius_km", r, r > 0.0, "must be positive")
    return _coast_and_slope(np.sin(0.5 * psi), np.cos(0.5 * psi), r)[0]


# --------------------------------------------------------------------------------------------
# Geometry and the rotation iteration
# --------------------------------------------------------------------------------------------


def _half_angles(
    hav_diff: FloatArray, hav_sum: FloatArray, cos_cos: FloatArray, dlon: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """sin(Ψ/2) and cos(Ψ/2) of the central angle for a longitude difference ``dlon``.

    Rotating both points about the pole by the same angle leaves their angle unchanged, so the
    inertial range angle depends on dlon = Δλ + ω⊕T only. sin²(Ψ/2) is the haversine formula;
    cos²(Ψ/2) is the haversine towards the antipode of the second point. Both are sums of
    non-negative terms, so both stay accurate near 0 and near π.

    Returns (sin(Ψ/2), cos(Ψ/2), sin(dlon/2), cos(dlon/2)).
    """
    sh = np.sin(0.5 * dlon)
    ch = np.cos(0.5 * dlon)
    s = np.sqrt(hav_diff + cos_cos * sh * sh)
    c = np.sqrt(hav_sum + cos_cos * ch * ch)
    return s, c, sh, ch


def _solve_rotating_coast(
    hav_diff: FloatArray,
    hav_sum: FloatArray,
    cos_cos: FloatArray,
    dlon0: FloatArray,
    r: FloatArray,
    tol_s: float,
    max_iterations: int,
) -> tuple[FloatArray, int]:
    """Solve T = t(Ψᵢ(T)) for every element (1-D inputs); returns (T, iterations).

    Works through the arrays in blocks of ``_CHUNK`` elements: the iteration chains some forty
    array operations, and blocks whose temporaries stay in the CPU cache run ~30 % faster than
    one pass over a million elements. ``iterations`` is the most any block needed.
    """
    coast = np.empty(r.shape[0])
    iterations = 0
    for start in range(0, r.shape[0], _CHUNK):
        block = slice(start, start + _CHUNK)
        coast[block], block_iterations = _newton_coast(
            hav_diff[block],
            hav_sum[block],
            cos_cos[block],
            dlon0[block],
            r[block],
            tol_s,
            max_iterations,
        )
        iterations = max(iterations, block_iterations)
    return coast, iterations


def _newton_coast(
    hav_diff: FloatArray,
    hav_sum: FloatArray,
    cos_cos: FloatArray,
    dlon0: FloatArray,
    r: FloatArray,
    tol_s: float,
    max_iterations: int,
) -> tuple[FloatArray, int]:
    """Solve T = t(Ψᵢ(T)) for one block of elements; returns (T, iterations).

    Safeguarded Newton on g(T) = t(Ψᵢ(T)) − T, vectorised. g(0) ≥ 0 and g(half orbit) ≤ 0 (no
    minimum-energy coast exceeds half an orbit), so a root is bracketed from the start. Newton
    steps that leave the bracket or fail to halve the previous step are replaced by bisection
    (Numerical Recipes' rtsafe), which guarantees convergence. dΨᵢ/dT = ω⊕ ĥ_z, with ĥ the
    unit orbit normal. Converged elements leave the working set, so stragglers cost nothing.
    """
    omega = EARTH_ROTATION_RAD_S
    n = r.shape[0]
    result = np.empty(n)
    s, c, _, _ = _half_angles(hav_diff, hav_sum, cos_cos, dlon0)
    guess = _coast_and_slope(s, c, r)[0]  # the non-rotating coast: within ~15 % of the answer
    half_orbit = np.pi * r * np.sqrt(r / EARTH_MU_KM3_S2)
    # One 2-D array, so that dropping converged columns is a single indexing operation.
    work = np.stack([hav_diff, hav_sum, cos_cos, dlon0, r, guess, np.zeros(n), half_orbit])
    step_old = half_orbit
    active = np.arange(n)
    iterations = 0
    while active.size and iterations < max_iterations:
        iterations += 1
        w_diff, w_sum, w_cc, w_dlon, w_r, t, lo, hi = work
        s, c, sh, ch = _half_angles(w_diff, w_sum, w_cc, w_dlon + omega * t)
        coast, slope = _coast_and_slope(s, c, w_r)
        g = coast - t
        sc = s * c
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            h_z = np.where(sc > 0.0, w_cc * sh * ch / sc, 0.0)
            dg = slope * omega * h_z - 1.0
            newton = t - g / dg
            lo = np.where(g > 0.0, t, lo)
            hi = np.where(g < 0.0, t, hi)
            bisect = ~((newton > lo) & (newton < hi)) | (np.abs(2.0 * g) > np.abs(step_old * dg))
        t_new = np.where(bisect, 0.5 * (lo + hi), newton)
        t_new = np.where(g == 0.0, t, t_new)
        step = np.abs(t_new - t)
        done = (step < tol_s) | (hi - lo < tol_s)
        result[active[done]] = t_new[done]
        work[5] = t_new
        work[6] = lo
        work[7] = hi
        step_old = step
        if done.any():
            keep = ~done
            work = work[:, keep]
            active = active[keep]
            step_old = step_old[keep]
    if active.size:  # pragma: no cover - the bracket makes this unreachable
        raise RuntimeError(
            f"rotation iteration did not converge for {active.size} pairs in {max_iterations} steps"
        )
    return result, iterations


@dataclass(frozen=True)
class _Solution:
    """Everything the solver works out, as arrays of the broadcast shape."""

    range_km: FloatArray
    sin_half: FloatArray  # sin(Ψ/2), Ψ the range angle flown
    cos_half: FloatArray
    radius_km: FloatArray
    coast_s: FloatArray
    ascent_s: FloatArray
    descent_s: FloatArray
    burnout_altitude_km: FloatArray
    along_east: FloatArray  # unit horizontal direction of flight at burnout, east component
    along_north: FloatArray
    launch_lat_rad: FloatArray
    burnout_lon_rad: FloatArray  # inertial longitude of the burnout point
    landing_lat_rad: FloatArray
    reentry_lon_rad: FloatArray  # inertial longitude of the re-entry point
    omega_rad_s: float
    iterations: int

    @property
    def psi_rad(self) -> FloatArray:
        return np.asarray(2.0 * np.arctan2(self.sin_half, self.cos_half), dtype=np.float64)

    @property
    def speed_km_s(self) -> FloatArray:
        s = self.sin_half
        return np.asarray(np.sqrt(2.0 * s / (1.0 + s) * EARTH_MU_KM3_S2 / self.radius_km))

    def velocity_enu_km_s(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Inertial (east, north, up) and the ground's eastward speed at the burnout point.

        cos²φ = (1 + sin(Ψ/2))/2 and sin²φ = (1 − sin(Ψ/2))/2 = cos²(Ψ/2)/(2(1 + sin(Ψ/2))), so
        no trigonometry is needed.
        """
        s = self.sin_half
        v = self.speed_km_s
        horizontal = v * np.sqrt(0.5 * (1.0 + s))
        up = v * self.cos_half / np.sqrt(2.0 * (1.0 + s))
        ground = self.omega_rad_s * self.radius_km * np.cos(self.launch_lat_rad)
        return horizontal * self.along_east, horizontal * self.along_north, up, ground


def _solve(
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    landing_lat_deg: ArrayLike,
    landing_lon_deg: ArrayLike,
    burnout_altitude_km: ArrayLike,
    ascent_s: ArrayLike,
    descent_s: ArrayLike,
    rotating: bool,
    tol_s: float = COAST_TOLERANCE_S,
    max_iterations: int = MAX_ITERATIONS,
) -> _Solution:
    lat1_deg, lon1_deg, lat2_deg, lon2_deg, h, ascent, descent = _validated_inputs(
        launch_lat_deg,
        launch_lon_deg,
        landing_lat_deg,
        landing_lon_deg,
        burnout_altitude_km,
        ascent_s,
        descent_s,
    )
    shape = lat1_deg.shape
    omega = EARTH_ROTATION_RAD_S if rotating else 0.0
    lat1 = np.radians(lat1_deg)
    lat2 = np.radians(lat2_deg)
    lon1 = np.radians(lon1_deg)
    dlon0 = np.radians(lon2_deg) - lon1
    r = EARTH_RADIUS_KM + h
    sin1, cos1, sin2, cos2 = np.sin(lat1), np.cos(lat1), np.sin(lat2), np.cos(lat2)
    hav_diff = np.sin(0.5 * (lat1 - lat2)) ** 2
    hav_sum = np.sin(0.5 * (lat1 + lat2)) ** 2
    cos_cos = cos1 * cos2

    if rotating:
        coast_flat, iterations = _solve_rotating_coast(
            hav_diff.ravel(),
            hav_sum.ravel(),
            cos_cos.ravel(),
            dlon0.ravel(),
            r.ravel(),
            tol_s,
            max_iterations,
        )
        coast = coast_flat.reshape(shape)
    else:
        iterations = 0
        coast = np.zeros(shape)
    dlon = dlon0 + omega * coast
    s, c, sh, ch = _half_angles(hav_diff, hav_sum, cos_cos, dlon)
    # Newton's last step leaves T and t(Ψᵢ(T)) equal to well within the tolerance; recomputing
    # the coast from the final Ψᵢ puts every reported quantity on one consistent conic.
    coast = _coast_and_slope(s, c, r)[0]

    # Horizontal direction of flight at burnout: the initial bearing towards the re-entry point
    # in the inertial frame. Undefined at Ψ = 0 or π: fly east then (least relative speed).
    sin_d = 2.0 * sh * ch
    cos_d = (ch - sh) * (ch + sh)
    east_raw = cos2 * sin_d
    north_raw = cos1 * sin2 - sin1 * cos2 * cos_d
    norm = np.hypot(east_raw, north_raw)
    defined = norm > 1e-12
    safe = np.where(defined, norm, 1.0)
    return _Solution(
        range_km=np.asarray(great_circle_km(lat1_deg, lon1_deg, lat2_deg, lon2_deg)),
        sin_half=s,
        cos_half=c,
        radius_km=r,
        coast_s=coast,
        ascent_s=ascent,
        descent_s=descent,
        burnout_altitude_km=h,
        along_east=np.where(defined, east_raw / safe, 1.0),
        along_north=np.where(defined, north_raw / safe, 0.0),
        launch_lat_rad=lat1,
        burnout_lon_rad=lon1 + omega * ascent,
        landing_lat_rad=lat2,
        reentry_lon_rad=lon1 + dlon + omega * ascent,
        omega_rad_s=omega,
        iterations=iterations,
    )


def _frozen(arr: ArrayLike) -> FloatArray:
    out = np.array(arr, dtype=np.float64)  # a copy: results never alias caller arrays
    out.flags.writeable = False
    return out


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def min_energy_trajectory(
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    landing_lat_deg: ArrayLike,
    landing_lon_deg: ArrayLike,
    *,
    burnout_altitude_km: ArrayLike = 100.0,
    ascent_s: ArrayLike = 150.0,
    descent_s: ArrayLike = 300.0,
    rotating: bool = True,
) -> Trajectory:
    """Minimum-energy suborbital flight from a pad to a landing point.

    Parameters
    ----------
    launch_lat_deg, launch_lon_deg, landing_lat_deg, landing_lon_deg
        Pad and landing point (degrees); scalars or arrays, broadcast together.
    burnout_altitude_km
        Altitude of burnout and of the re-entry interface (≥ 0). 100 km: above it drag is
        negligible, so the Keplerian coast is a fair model.
    ascent_s
        Powered ascent, launch to burnout (≥ 0).
    descent_s
        Re-entry interface to touchdown (≥ 0).
    rotating
        Aim in the inertial frame at the target the rotating Earth carries along (True), or
        treat the Earth as fixed (False).

    Returns
    -------
    Trajectory
        Frozen result; fields are read-only arrays of the broadcast shape (0-d for scalars).

    Raises
    ------
    InputError
        A latitude outside [-90, 90], a non-finite value, a negative altitude or duration, or
        inputs that do not broadcast; the message names the field (and index) and value.
    """
    rotating = _checked_rotating(rotating)
    sol = _solve(
        launch_lat_deg,
        launch_lon_deg,
        landing_lat_deg,
        landing_lon_deg,
        burnout_altitude_km,
        ascent_s,
        descent_s,
        rotating,
    )
    s = sol.sin_half
    c = sol.cos_half
    psi = sol.psi_rad
    phi_deg = np.degrees(0.25 * (np.pi - psi))
    v_east, v_north, v_up, ground = sol.velocity_enu_km_s()
    rel_east = v_east - ground
    rel_horizontal = np.hypot(rel_east, v_north)
    speed_rel = np.hypot(rel_horizontal, v_up)
    # At zero speed (zero range) the angles default to the inertial ones, not to atan2(0, 0).
    fpa_rel = np.where(speed_rel > 0.0, np.degrees(np.arctan2(v_up, rel_horizontal)), phi_deg)
    azimuth = np.where(
        rel_horizontal > 0.0,
        np.degrees(np.arctan2(rel_east, v_north)),
        np.degrees(np.arctan2(sol.along_east, sol.along_north)),
    )
    # apogee radius a(1 + e) with a = r(1 + s)/2 and e = c/(1 + s)
    apogee_km = 0.5 * sol.radius_km * (1.0 + s + c) - EARTH_RADIUS_KM
    return Trajectory(
        range_km=_frozen(sol.range_km),
        range_angle_deg=_frozen(np.degrees(psi)),
        burnout_altitude_km=_frozen(sol.burnout_altitude_km),
        burnout_speed_ms=_frozen(1000.0 * sol.speed_km_s),
        burnout_speed_relative_ms=_frozen(1000.0 * speed_rel),
        flight_path_angle_deg=_frozen(phi_deg),
        apogee_km=_frozen(np.maximum(apogee_km, sol.burnout_altitude_km)),
        coast_s=_frozen(sol.coast_s),
        ascent_s=_frozen(sol.ascent_s),
        descent_s=_frozen(sol.descent_s),
        flight_s=_frozen(sol.ascent_s + sol.coast_s + sol.descent_s),
        rotating=rotating,
        flight_path_angle_relative_deg=_frozen(fpa_rel),
        launch_azimuth_deg=_frozen(azimuth % 360.0),
    )


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
        burnout_altitude_km,
        ascent_s,
        0.0,
        rotating,
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
