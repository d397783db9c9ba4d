"""The minimum-energy coast between two points of a spherical, rotating Earth.

The solution itself (the model, anchors and edge cases are in :mod:`rocketpost.core.ballistics`,
which builds whole trajectories from it): for a free-flight range angle Ψ and burnout radius r
the minimum-energy conic coasts t = 2 sqrt(a³/μ)(δ + e sin δ) with a = r (1 + sin(Ψ/2))/2,
e = cos(Ψ/2)/(1 + sin(Ψ/2)) and δ = atan2(sqrt(2 s (1 + s)), cos(Ψ/2)), s = sin(Ψ/2), a form that
subtracts no nearly equal numbers from a 1 mm hop to the antipode. On a rotating Earth the
inertial range angle depends on the coast time and the coast time on it; the fixed point is
found by a safeguarded Newton iteration (bisection inside [0, half an orbit] when a step leaves
the bracket or stalls) on whole arrays, in cache-sized blocks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.earth import EARTH_MU_KM3_S2, EARTH_ROTATION_RAD_S
from rocketpost.errors import InputError

__all__ = ["COAST_TOLERANCE_S", "MAX_ITERATIONS", "min_energy_coast_s"]

FloatArray = NDArray[np.float64]

COAST_TOLERANCE_S = 1e-6
"""Convergence tolerance of the rotation iteration (s): far below any time anybody plans with."""

MAX_ITERATIONS = 100
"""Bound on the rotation iteration. The bracket halves at least every other step, so from half
an orbit (~2,600 s) to 1e-6 s takes at most ~2 × 42 steps; Newton usually needs 3-5."""

_CHUNK = 32768
"""Block size of the rotation iteration (elements): 32k float64 temporaries fit in L2/L3."""


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
