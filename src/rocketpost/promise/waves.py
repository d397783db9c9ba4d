"""Launch waves lost: the discrete part of the delivery time, exact.

The simulator retries a scrubbed flight every wave of interval ``I``. The waves lost ``N`` are
those held by a front at the hub or a closed landing site (each a spell of remaining duration
``Exp(μ)``, the simulator's memoryless Markov processes, so ``P(M ≤ m) = 1 − exp(−(t₀ + m·I)/μ)``,
the later spell governing), then the isolated holds, geometric with the hub's hold probability
``p``. :mod:`rocketpost.promise.distribution` mixes its continuous part over this count, and
:mod:`rocketpost.promise.fallbacks` reads from it the chance that a front outlasts the planned
wave. Cached per :class:`WaveKey`: under clear skies every order time of a hub shares one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from rocketpost.promise.distribution import DeliveryModel

__all__ = ["TAIL_P", "WaveKey", "trimmed_waves", "waves_lost_pmf"]

TAIL_P = 1e-12
"""Probability mass left out of a trimmed tail (far below any confidence a promise states)."""


def _held_cdf(
    m: NDArray[np.float64], offset_s: float, interval_s: float, mean_s: float | None
) -> NDArray[np.float64]:
    """``P(M ≤ m)``: waves held by a spell (front, closed sea) of remaining ``Exp(mean_s)``."""
    if mean_s is None:
        return np.ones_like(m)
    return -np.expm1(-(max(offset_s, 0.0) + m * interval_s) / mean_s)


def waves_lost_pmf(model: DeliveryModel, max_waves: int) -> NDArray[np.float64]:
    """``P(N = n)`` for ``n = 0 … max_waves`` (exact; the tail beyond is left out)."""
    if not model.rocket:
        out = np.zeros(max_waves + 1)
        out[0] = 1.0
        return out
    assert model.launch_offset_s is not None and model.landing_offset_s is not None
    return _waves_pmf(WaveKey.of(model), max_waves)


@dataclass(frozen=True)
class WaveKey:
    """What the waves lost depend on, and nothing else: a spell's offset only when there is a
    spell (under clear skies every order time of a hub has the same key)."""

    wave_interval_s: float
    scrub_p: float
    front_mean_s: float | None
    launch_offset_s: float | None
    sea_closed_mean_s: float | None
    landing_offset_s: float | None

    @classmethod
    def of(cls, model: DeliveryModel) -> WaveKey:
        front, sea = model.front_mean_s, model.sea_closed_mean_s
        return cls(
            model.wave_interval_s,
            model.scrub_p,
            front,
            None if front is None else model.launch_offset_s,
            sea,
            None if sea is None else model.landing_offset_s,
        )


def _waves_pmf(key: WaveKey, max_waves: int) -> NDArray[np.float64]:
    m = np.arange(max_waves + 1, dtype=np.float64)
    interval = key.wave_interval_s
    held = _held_cdf(m, key.launch_offset_s or 0.0, interval, key.front_mean_s) * _held_cdf(
        m, key.landing_offset_s or 0.0, interval, key.sea_closed_mean_s
    )
    held_pmf = np.diff(held, prepend=0.0)
    p = key.scrub_p
    isolated = (1.0 - p) * p**m if p > 0 else (m == 0).astype(np.float64)
    return np.convolve(held_pmf, isolated)[: max_waves + 1]


@lru_cache(maxsize=4096)
def trimmed_waves(key: WaveKey | None, max_waves: int) -> NDArray[np.float64]:
    """The waves lost of a rocket route (``None``: a ground one), without the tail that carries
    nothing (clear skies: a few waves, not a day's); cached, read-only."""
    if key is None:
        waves = np.ones(1)
    else:
        waves = _waves_pmf(key, max_waves)
        nonzero = np.nonzero(np.cumsum(waves[::-1]) > TAIL_P)[0]
        waves = waves[: max(1, len(waves) - (int(nonzero[0]) if nonzero.size else 0))]
    waves.flags.writeable = False
    return waves
