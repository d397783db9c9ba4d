"""The reliability diagram: promised P(on time) against the share of promises kept, per bin.

A promise "at 99 %" is honest when, of the promises made at about 99 %, about 99 % are kept.
:func:`reliability_table` bins promises by their stated probability and gives, per bin, the mean
stated probability and the kept share with its Wilson interval (bounded to [0, 1], unlike the
normal approximation near 100 %). ``rocketpost calibrate`` is meant to print it from a simulated
day (not wired yet: the calibration command is being edited elsewhere).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from rocketpost.errors import InputError

__all__ = ["ReliabilityBin", "reliability_table", "wilson_interval"]


def wilson_interval(kept: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a share ``kept / n`` (NaNs when ``n`` is 0)."""
    if n == 0:
        return math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    share = kept / n
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ReliabilityBin:
    """Promises whose stated probability fell in ``[low, high)`` (the last bin includes 1)."""

    low: float
    high: float
    n: int
    stated_mean: float
    kept_share: float
    kept_low: float
    kept_high: float


def reliability_table(
    stated_p: ArrayLike,
    kept: ArrayLike,
    edges: ArrayLike = (0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 1.0),
    confidence: float = 0.95,
) -> list[ReliabilityBin]:
    """Per bin of stated probability: how many promises, their mean stated P, the kept share.

    Parameters
    ----------
    stated_p
        P(on time) each promise was made at.
    kept
        Whether each promise was kept.
    edges
        Increasing bin edges in [0, 1] (default: finer near the 99 % target).
    """
    p = np.asarray(stated_p, dtype=np.float64)
    ok = np.asarray(kept, dtype=bool)
    bounds = np.asarray(edges, dtype=np.float64)
    if p.shape != ok.shape or p.ndim != 1:
        raise InputError("kept", ok.shape, f"must have one value per promise ({p.shape})")
    if not np.all((p >= 0) & (p <= 1)):
        raise InputError("stated_p", "outside [0, 1]", "must be probabilities")
    if bounds.ndim != 1 or bounds.size < 2 or np.any(np.diff(bounds) <= 0):
        raise InputError("edges", bounds.tolist(), "must be at least two increasing values")
    which = np.clip(np.searchsorted(bounds, p, side="right") - 1, 0, bounds.size - 2)
    out = []
    for b in range(bounds.size - 1):
        inside = which == b
        n = int(inside.sum())
        k = int(ok[inside].sum())
        low, high = wilson_interval(k, n, confidence)
        out.append(
            ReliabilityBin(
                low=float(bounds[b]),
                high=float(bounds[b + 1]),
                n=n,
                stated_mean=float(p[inside].mean()) if n else math.nan,
                kept_share=k / n if n else math.nan,
                kept_low=low,
                kept_high=high,
            )
        )
    return out
