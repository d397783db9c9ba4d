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
at r = R + 100 km), which are the figures in docs/architecture.md; at a 0 km burnout altitude
the antipode takes 42.2 min. The Earth turns 7.5° in 30 minutes, so the aim point moves by up
to ~836 km on the equator: eastward flights coast longer and need less Earth-relative speed than
westward ones. The coast times agree with a numerical two-body integration
(``scipy.integrate.solve_ivp``) to better than 1e-8 relative
(see ``tests/core/test_ballistics.py``).

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

from rocketpost.core.coast import (
    COAST_TOLERANCE_S,
    MAX_ITERATIONS,
    _as_float_array,
    _check,
    _coast_and_slope,
    _half_angles,
    _solve_rotating_coast,
    min_energy_coast_s,
)
from rocketpost.core.earth import EARTH_MU_KM3_S2, EARTH_RADIUS_KM, EARTH_ROTATION_RAD_S
from rocketpost.core.geo import great_circle_km
from rocketpost.errors import InputError

__all__ = [
    "COAST_TOLERANCE_S",
    "MAX_ITERATIONS",
    "FlightSpec",
    "Trajectory",
    "min_energy_coast_s",
    "min_energy_trajectory",
]

FloatArray = NDArray[np.float64]


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


@dataclass(frozen=True, slots=True)
class FlightSpec:
    """The rocket's side of a flight, the same for every lane of a call (or per-lane arrays,
    broadcast with the end points): see :func:`min_energy_trajectory` for each field. Checked
    where it meets the end points, so a bad value is reported with its lane's index."""

    burnout_altitude_km: ArrayLike = 100.0
    ascent_s: ArrayLike = 150.0
    descent_s: ArrayLike = 300.0
    rotating: bool = True


def _solve(
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    landing_lat_deg: ArrayLike,
    landing_lon_deg: ArrayLike,
    flight: FlightSpec,
    tol_s: float = COAST_TOLERANCE_S,
    max_iterations: int = MAX_ITERATIONS,
) -> _Solution:
    lat1_deg, lon1_deg, lat2_deg, lon2_deg, h, ascent, descent = _validated_inputs(
        launch_lat_deg,
        launch_lon_deg,
        landing_lat_deg,
        landing_lon_deg,
        flight.burnout_altitude_km,
        flight.ascent_s,
        flight.descent_s,
    )
    shape = lat1_deg.shape
    rotating = flight.rotating
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
        FlightSpec(burnout_altitude_km, ascent_s, descent_s, rotating),
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
