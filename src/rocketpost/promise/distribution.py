"""The distribution of a door-to-door time under the conditions: P50, P90, P99, P(on time).

For one route (the kernel's legs) the delivery time after the order is::

    T = fixed + N · I + B · F_b + C + L · F_l

``fixed``: handling, the planned wave wait, ascent, coast, descent, sea transfer, port handling
and a customs inspection already known from screening. ``N``: launch waves lost, counted as the
simulator's flight counts them (it retries every wave of interval ``I``): the waves held by a
front or a closed landing site, then the isolated holds. With a front of remaining duration
``R ~ Exp(μ)`` (the simulator's memoryless Markov front), the wave ``k`` at ``t₀ + k·I`` after
now is held iff ``t₀ + k·I < R``, so ``P(M ≤ m) = 1 − exp(−(t₀ + m·I)/μ)`` exactly; a closed
site holds the wave iff the *landing* time is before it reopens (same form, ``t₀`` the landing
offset); the later of the two governs, ``P(max ≤ m)`` being the product of the two. After that,
each wave is held independently with the hub's isolated-hold probability ``p``: a geometric
count, ``P(G = g) = (1 − p)·pᵍ``. ``B · F_b``: the boat (plus the detour to an alternate zone),
log-normal factor of median 1. ``C``: an unplanned inspection, with probability ``p_c`` a
log-normal delay. ``L · F_l``: the last mile, log-normal factor.

The discrete part is exact (a mixture over the waves lost, up to a 48-hour horizon); the
continuous parts are discretised on a grid of ``bin_s`` (5 s) by their CDFs at the bin edges
(each value rounded to the nearest bin, so the error is zero-mean and of variance ``bin_s²/12``
per part) and convolved with one real FFT. Mass beyond the horizon counts as late.
:func:`rocketpost.promise.sampling.sample_delivery_s` draws the same model by Monte Carlo with
the simulator's samplers; the tests check the two agree within the Monte Carlo's 99 % interval.

Three more risks are *shifts* of that time, each independent, mixed in exactly::

    P(T ≤ t) = (1 − o) · Σ_shifts w · P(T₀ ≤ t − shift)

* **Grounded vessel drones** (probability ``grounded_p``, from the site's wind and waves now:
  :mod:`rocketpost.promise.recovery`): the parcel goes the boat way, ``grounded_extra_s``
  later (``inf``: never on time).
* **A lost landing** (``landing_loss_p``, :class:`~rocketpost.promise.rates.LandingModel`): the
  pod and its parcel are lost; the hub re-sends the parcel on a spare airframe at the first wave
  after the loss, ``reflight_s`` later (``inf``: no re-flight counted, never on time). A lost
  pod is a broken promise in the simulator, so it is in P(on time): a route is promised at
  99 % only if its other risks leave room for the loss.
* **An onset** (``onset_p``, :mod:`rocketpost.promise.onset`): a front or a sea closure that
  starts after the order, before the launch or the landing; it lasts hours, so never on time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy import special

from rocketpost.errors import InputError
from rocketpost.promise.waves import WaveKey, trimmed_waves

__all__ = [
    "NO_SHIFTS",
    "DeliveryDistribution",
    "DeliveryModel",
    "delivery_distribution",
]

BIN_S = 5.0
MAX_BINS = 4096
HORIZON_S = 48 * 3600.0
# Quantiles of the time after the fixed legs, per (what it depends on, level): see
# DeliveryDistribution.quantiles_s. Bounded: cleared past this many entries.
_AFTER_FIXED_QUANTILES: dict[tuple[object, float], float] = {}
_MAX_CACHED_QUANTILES = 65_536


@dataclass(frozen=True)
class DeliveryModel:
    """Everything random about one route, in seconds (see the module docstring).

    ``launch_offset_s`` / ``landing_offset_s`` are the planned launch and landing after the
    order (the time the conditions are stated for); ``None`` for a ground delivery, whose only
    random leg is the last mile. The last four fields are the shifts of the module docstring
    (their defaults: none of those risks).
    """

    fixed_s: float
    wave_interval_s: float
    launch_offset_s: float | None
    landing_offset_s: float | None
    scrub_p: float
    front_mean_s: float | None
    sea_closed_mean_s: float | None
    boat_s: float
    detour_s: float
    boat_sigma: float
    inspection_p: float
    inspection_median_s: float
    inspection_sigma: float
    last_mile_s: float
    last_mile_sigma: float
    landing_loss_p: float = 0.0
    reflight_s: float = math.inf
    grounded_p: float = 0.0
    grounded_extra_s: float = math.inf
    onset_p: float = 0.0

    def __post_init__(self) -> None:
        for name in ("fixed_s", "boat_s", "detour_s", "last_mile_s", "inspection_median_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise InputError(name, value, "must be a finite number ≥ 0")
        if not (math.isfinite(self.wave_interval_s) and self.wave_interval_s > 0):
            raise InputError("wave_interval_s", self.wave_interval_s, "must be > 0")
        for name in ("reflight_s", "grounded_extra_s"):
            value = getattr(self, name)
            if math.isnan(value) or value < 0:
                raise InputError(name, value, "must be ≥ 0 (inf: never on time)")
        for name in ("scrub_p", "inspection_p", "landing_loss_p", "grounded_p", "onset_p"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise InputError(name, value, "must be a probability in [0, 1]")
        if self.scrub_p >= 1.0 and self.rocket:
            raise InputError("scrub_p", self.scrub_p, "must be < 1 (no wave would ever launch)")

    @property
    def rocket(self) -> bool:
        """Whether the route flies (else ground: only the last mile is random)."""
        return self.launch_offset_s is not None

    def without(self, cause: str) -> DeliveryModel:
        """The same model with one cause of delay removed (to tell which one breaks a promise)."""
        changes: dict[str, object] = {  # type: ignore[assignment]
            "weather": {"scrub_p": 0.0, "front_mean_s": None},
            "sea_state": {"sea_closed_mean_s": None, "detour_s": 0.0},
            "customs": {"inspection_p": 0.0},
            "boat": {"boat_sigma": 0.0},
            "last_mile": {"last_mile_sigma": 0.0},
            "vessel_drones": {"grounded_p": 0.0},
            "landing": {"landing_loss_p": 0.0},
            "onset": {"onset_p": 0.0},
        }[cause]
        return replace(self, **changes)  # type: ignore[arg-type]


NO_SHIFTS: dict[str, float] = {
    "landing_loss_p": 0.0,
    "reflight_s": math.inf,
    "grounded_p": 0.0,
    "grounded_extra_s": math.inf,
    "onset_p": 0.0,
}
"""A :class:`DeliveryModel`'s shift fields at none of their risks (for ``replace``: the parts
of a model that do not depend on them are cached without them)."""

CAUSES = (
    "weather",
    "sea_state",
    "customs",
    "boat",
    "last_mile",
    "vessel_drones",
    "landing",
    "onset",
)
"""Causes of delay, each with the leg it shows on (:data:`CAUSE_LEG`)."""

CAUSE_LEG = {
    "weather": "wave_wait",
    "sea_state": "wave_wait",
    "customs": "customs",
    "boat": "boat",
    "last_mile": "last_mile",
    "vessel_drones": "vessel_transfer",
    "landing": "descent",
    "onset": "wave_wait",
}


def _lognormal_pmf(median_s: float, sigma: float, n_bins: int, bin_s: float) -> NDArray[np.float64]:
    """Mass of ``median · LN(0, σ)`` per bin (values rounded to the nearest bin centre)."""
    out = np.zeros(n_bins)
    if median_s <= 0.0:
        out[0] = 1.0
        return out
    if sigma <= 0.0:
        out[min(round(median_s / bin_s), n_bins - 1)] = 1.0
        return out
    edges = (np.arange(1, n_bins + 1) - 0.5) * bin_s
    # The log-normal CDF through the normal one (scipy.stats' generic cdf costs 10× more).
    cdf = special.ndtr(np.log(edges / median_s) / sigma)
    return np.diff(cdf, prepend=0.0)


def _support_s(median_s: float, sigma: float) -> float:
    """Where a log-normal reaches its ``1 − 10⁻⁹`` quantile (z = 6.0): far below any
    probability a promise is stated to (0.99), on a grid e^{1.1σ} times shorter than the
    10⁻¹² quantile's (1.7× for the inspection's σ = 0.5; a quote's distribution 0.94 → 0.67 ms).
    """
    return median_s * math.exp(6.0 * sigma)


def _convolve(parts: list[NDArray[np.float64]], n_bins: int) -> NDArray[np.float64]:
    """The pmf of a sum of independent grid variables, truncated to ``n_bins`` (one real FFT)."""
    size = 1 << math.ceil(math.log2(max(2, sum(len(p) for p in parts))))
    spectrum = np.ones(size // 2 + 1, dtype=np.complex128)
    for part in parts:
        spectrum *= np.fft.rfft(part, size)
    return np.clip(np.fft.irfft(spectrum, size)[:n_bins], 0.0, None)


@dataclass(frozen=True, eq=False)
class DeliveryDistribution:
    """The delivery time's distribution: a mixture over the waves lost of the continuous part.

    ``P(T ≤ t) = Σₙ wave_pmf[n] · F_c(t − fixed_s − n·wave_interval_s)``, with ``F_c`` (boat,
    inspection, last mile) tabulated at the edges ``(k + ½)·bin_s`` of its grid: the wave count
    stays exact and the grid only has to hold the continuous legs (a few hours at most), so a
    six-hour front costs a few hundred terms, not a day of bins. The shifts of the module
    docstring (grounded drones, a lost landing, an onset) multiply the terms: at most four
    copies of the wave count, each shifted and weighted (:func:`shift_mixture`).
    """

    fixed_s: float
    wave_interval_s: float
    wave_pmf: NDArray[np.float64]
    bin_s: float
    continuous_cdf: NDArray[np.float64]
    landing_loss_p: float
    reflight_s: float = math.inf
    grounded_p: float = 0.0
    grounded_extra_s: float = math.inf
    onset_p: float = 0.0
    _wave_offsets_s: NDArray[np.float64] = field(init=False, repr=False)
    _mixture_pmf: NDArray[np.float64] = field(init=False, repr=False)
    _padded: NDArray[np.float64] = field(init=False, repr=False)
    # What the time after ``fixed_s`` depends on, when built by delivery_distribution (the key
    # its quantiles are cached under); None: computed every time.
    _after_fixed: tuple[object, ...] | None = field(init=False, default=None, repr=False)

    def _cdf(self, t_s: NDArray[np.float64]) -> NDArray[np.float64]:
        # Linear between the grid's edges (k + ½)·bin_s, computed by index: the grid is uniform.
        x = t_s[..., None] - self.fixed_s - self._wave_offsets_s
        position = x / self.bin_s - 0.5
        k = np.floor(position)
        frac = position - k
        last = self.continuous_cdf.size - 1
        lo = self._padded[(np.clip(k, -1, last) + 1).astype(np.intp)]
        hi = self._padded[(np.clip(k + 1, -1, last) + 1).astype(np.intp)]
        return np.asarray((lo + frac * (hi - lo)) @ self._mixture_pmf)

    def __post_init__(self) -> None:
        shifts, weights = shift_mixture(self.shifts_key)
        offsets = np.arange(self.wave_pmf.size) * self.wave_interval_s
        object.__setattr__(self, "_wave_offsets_s", (shifts[:, None] + offsets).ravel())
        object.__setattr__(self, "_mixture_pmf", (weights[:, None] * self.wave_pmf).ravel())
        # A 0 in front: below the first edge the continuous part has not happened yet.
        object.__setattr__(self, "_padded", np.concatenate(([0.0], self.continuous_cdf)))

    @property
    def shifts_key(self) -> tuple[float, float, float, float, float]:
        """What the shifts depend on: ``(grounded_p, grounded_extra_s, landing_loss_p,
        reflight_s, onset_p)``."""
        return (
            self.grounded_p,
            self.grounded_extra_s,
            self.landing_loss_p,
            self.reflight_s,
            self.onset_p,
        )

    @property
    def horizon_s(self) -> float:
        """Past this time only the mass the wave count left out (≤ 10⁻¹²) remains."""
        waves = float(self._wave_offsets_s.max(initial=0.0))
        return self.fixed_s + waves + (self.continuous_cdf.size + 0.5) * self.bin_s

    def p_within(self, t_s: float) -> float:
        """``P(T ≤ t_s)``."""
        return float(self._cdf(np.array([t_s], dtype=np.float64))[0])

    def p_within_many(self, t_s: NDArray[np.float64]) -> NDArray[np.float64]:
        """``P(T ≤ t)`` for each of ``t_s`` (one vectorised evaluation)."""
        return self._cdf(np.asarray(t_s, dtype=np.float64))

    def quantile_s(self, q: float) -> float:
        """The time ``t`` with ``P(T ≤ t) = q`` (to 0.5 s; ``inf`` if the horizon holds less)."""
        return float(self.quantiles_s(np.array([q]))[0])

    def quantiles_s(self, qs: NDArray[np.float64]) -> NDArray[np.float64]:
        """:meth:`quantile_s` of several levels at once (one vectorised bisection).

        ``T = fixed_s + R``: from :func:`delivery_distribution`, the quantiles of ``R`` are
        cached per level (:data:`_AFTER_FIXED_QUANTILES`; the same to 0.5 s as searching ``T``),
        so a lane's quotes under unchanged conditions search once.
        """
        key = self._after_fixed
        if key is None:
            return self._search(qs)
        levels = np.asarray(qs, dtype=np.float64).tolist()
        missing = [q for q in levels if (key, q) not in _AFTER_FIXED_QUANTILES]
        if missing:
            after_fixed = replace(self, fixed_s=0.0)
            found = after_fixed._search(np.array(missing)).tolist()
            if len(_AFTER_FIXED_QUANTILES) > _MAX_CACHED_QUANTILES:
                _AFTER_FIXED_QUANTILES.clear()
            _AFTER_FIXED_QUANTILES.update(
                {(key, q): r for q, r in zip(missing, found, strict=True)}
            )
        # A level beyond the horizon stays infinite (inf + fixed_s).
        return self.fixed_s + np.array([_AFTER_FIXED_QUANTILES[(key, q)] for q in levels])

    def _search(self, qs: NDArray[np.float64]) -> NDArray[np.float64]:
        low = np.full(qs.shape, self.fixed_s)
        high = np.full(qs.shape, self.horizon_s)
        beyond = self._cdf(high) < qs - 1e-12
        # Bracket search on 64 points per round (a round narrows the bracket 64×): about three
        # vectorised evaluations instead of twenty bisection steps.
        steps = np.linspace(0.0, 1.0, 65)
        while float((high - low).max(initial=0.0)) > 0.5:
            grid = low[:, None] + (high - low)[:, None] * steps
            below = self._cdf(grid) < qs[:, None]
            first = np.minimum(below.sum(axis=1), 64)  # the CDF is monotone: count = index
            rows = np.arange(qs.size)
            high = grid[rows, first]
            low = grid[rows, np.maximum(first - 1, 0)]
        return np.where(beyond, math.inf, high)


def delivery_distribution(
    model: DeliveryModel, *, bin_s: float = BIN_S, horizon_s: float = HORIZON_S
) -> DeliveryDistribution:
    """The door-to-door distribution of ``model`` (see the module docstring).

    ``bin_s`` is widened for long legs so that the continuous grid stays under
    :data:`MAX_BINS` bins (a 40-hour van trip is not resolved to 5 s).

    Its two parts are cached, since conditions change rarely and many quotes share a lane: the
    waves lost by what they depend on (:class:`WaveKey`: under clear skies the hub's interval
    and hold risk, whatever the order time) and the continuous part (boat, inspection, last
    mile) by its medians and spreads. What is left per call is the shift by ``fixed_s``; the
    quantiles of the part after it are cached too (:meth:`DeliveryDistribution.quantiles_s`).
    """
    interval = model.wave_interval_s
    max_waves = int(horizon_s // interval) if model.rocket else 0
    wave_key = WaveKey.of(model) if model.rocket else None
    waves = trimmed_waves(wave_key, max_waves)
    continuous = _ContinuousKey(
        boat_median_s=model.boat_s + model.detour_s if model.rocket else 0.0,
        boat_sigma=model.boat_sigma,
        inspection_p=model.inspection_p,
        inspection_median_s=model.inspection_median_s,
        inspection_sigma=model.inspection_sigma,
        last_mile_s=model.last_mile_s,
        last_mile_sigma=model.last_mile_sigma,
        bin_s=bin_s,
    )
    grid_bin_s, cdf = _continuous_cdf(continuous)
    dist = DeliveryDistribution(
        fixed_s=model.fixed_s,
        wave_interval_s=interval,
        wave_pmf=waves,
        bin_s=grid_bin_s,
        continuous_cdf=cdf,
        landing_loss_p=model.landing_loss_p,
        reflight_s=model.reflight_s,
        grounded_p=model.grounded_p,
        grounded_extra_s=model.grounded_extra_s,
        onset_p=model.onset_p,
    )
    object.__setattr__(dist, "_after_fixed", (wave_key, max_waves, continuous, dist.shifts_key))
    return dist


@lru_cache(maxsize=1024)
def shift_mixture(
    key: tuple[float, float, float, float, float],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(shifts_s, weights)`` of the independent shifts ``key`` (see
    :attr:`DeliveryDistribution.shifts_key`): the grounded drones' boat way, then a lost
    landing's re-flight, each either taken or not; an infinite shift is never on time and drops
    out (its weight is the mass that is late whatever the promise), as does the onset's."""
    grounded_p, grounded_extra_s, loss_p, reflight_s, onset_p = key
    shifts, weights = [0.0], [1.0 - onset_p]
    for p, shift in ((grounded_p, grounded_extra_s), (loss_p, reflight_s)):
        if p <= 0.0:
            continue
        taken = [(s + shift, w * p) for s, w in zip(shifts, weights, strict=True)]
        weights = [w * (1.0 - p) for w in weights]
        if math.isfinite(shift):
            shifts, weights = shifts + [s for s, _ in taken], weights + [w for _, w in taken]
    out = np.array(shifts), np.array(weights)
    for array in out:
        array.flags.writeable = False
    return out


@dataclass(frozen=True)
class _ContinuousKey:
    """What the continuous part (boat, inspection, last mile) depends on."""

    boat_median_s: float
    boat_sigma: float
    inspection_p: float
    inspection_median_s: float
    inspection_sigma: float
    last_mile_s: float
    last_mile_sigma: float
    bin_s: float


@lru_cache(maxsize=1024)
def _continuous_cdf(key: _ContinuousKey) -> tuple[float, NDArray[np.float64]]:
    """The continuous part's grid step and CDF at its edges (cached, read-only; ≤ 32 KB)."""
    reach_s = [
        _support_s(key.boat_median_s, key.boat_sigma),
        _support_s(key.inspection_median_s, key.inspection_sigma) if key.inspection_p > 0 else 0.0,
        _support_s(key.last_mile_s, key.last_mile_sigma),
    ]
    bin_s = max(key.bin_s, sum(reach_s) / MAX_BINS)
    parts_bins = [math.ceil(r / bin_s) + 2 for r in reach_s]
    customs = np.zeros(parts_bins[1])
    customs[0] = 1.0
    if key.inspection_p > 0:
        customs = key.inspection_p * _lognormal_pmf(
            key.inspection_median_s, key.inspection_sigma, parts_bins[1], bin_s
        )
        customs[0] += 1.0 - key.inspection_p
    parts = [
        _lognormal_pmf(key.boat_median_s, key.boat_sigma, parts_bins[0], bin_s),
        customs,
        _lognormal_pmf(key.last_mile_s, key.last_mile_sigma, parts_bins[2], bin_s),
    ]
    cdf = np.minimum(np.cumsum(_convolve(parts, sum(parts_bins))), 1.0)
    cdf.flags.writeable = False
    return bin_s, cdf
