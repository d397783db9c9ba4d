"""Seeded disruption models: weather scrubs, sea state, landing failures, customs, last mile.

Every model is a frozen dataclass of rates (validated on construction, variants through
:func:`dataclasses.replace`) plus a sampling function that takes a ``numpy.random.Generator``.
The engine draws every random quantity up front, vectorised, over the whole simulated horizon
(per hub and launch wave, per landing zone, per flight, per order), so that the outcome of a
replicate depends only on its seed and never on the order in which SimPy happens to resume
processes.

Default rates and where they come from (details in ``docs/simulation.md``):

* **Weather** — Eastern Range 1988–98: weather delayed 29 % of launch attempts, 18 % by at least
  a day (AMS 1999 abstract, docs/architecture.md). We read that as: 29 % of launch waves are
  scrubbed in the long run, of which 18/29 come from persistent bad weather (a *front*) and the
  rest are isolated holds (upper-level winds, a passing shower). A front is a two-state Markov
  process per hub (clear ↔ front) in continuous time with a mean front duration of 6 h (design
  choice: a frontal passage or thunderstorm complex closes a site for hours, not minutes), so the
  scrubs it causes cluster in consecutive waves. Applying a per-attempt figure to every 10-minute
  wave is pessimistic; the sweeps vary it.
* **Sea state** — design choice: each landing zone is closed 5 % of the time by rough seas, in
  spells of 12 h on average (sea states persist longer than showers). Recovery vessels are
  limited by significant wave height; droneship recovery 300–600+ km offshore takes 3–6 days
  (2016 press reports), our zones are near shore.
* **Landing failure** — 0.4 % per landing: Falcon 9's mature record, 267 landings in a row from
  February 2021 to the loss of B1062 on 28 August 2024 (one in 268); its early years lost 10 of
  80 (to December 2020). A lost pod is a broken promise and is in P(on time)
  (:mod:`rocketpost.promise.distribution`), so this rate is part of every rocket promise.
* **Customs** — design choice: 2 % of cross-border rocket parcels are picked for an unplanned
  inspection taking a log-normal time of median 30 min (σ = 0.5): counterfeit and "empty box"
  screening is tightening (Korea Customs Service 2024: 102,219 IP-infringement cases, 85 %
  overseas direct purchases).
* **Boat and last mile** — log-normal travel-time factors of median 1 with σ = 0.10 (boat) and
  σ = 0.15 (urban van/drone trips; design choice, typical day-to-day variability of urban trips).
* **Landing sites** — an extra landing site (near a city, no pad) is closed for its own share
  of the time: its ``sea_state_closed_share`` (an exposure proxy from open-ocean fetch, stated
  at the default climate) scaled by ``sea_state.closed_share`` / 5 %, so a scenario that scales
  the climate scales every site and a calm world closes none. Hub zones keep the climate's share.
* **Wind and waves at the sites** (:class:`MetoceanModel`) — hourly paths per site; the
  recovery vessel launches drones only within the drone's limits (the one rule,
  :func:`rocketpost.core.vesseldrone.vessel_drones_fly`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

from rocketpost.network import LandingSite, Network
from rocketpost.promise.percondition import by_identity

# The rates live one layer down (the promise of a quote reads the same climate); re-exported
# here so that the simulator's callers keep one import.
from rocketpost.promise.rates import (
    CustomsModel,
    Disruptions,
    LandingModel,
    MetoceanModel,
    NoiseModel,
    SeaStateModel,
    WeatherModel,
)

__all__ = [
    "CustomsModel",
    "Disruptions",
    "LandingModel",
    "MetoceanModel",
    "NoiseModel",
    "SeaStateModel",
    "SiteMetocean",
    "TwoStatePath",
    "WeatherModel",
    "child_seed",
    "sample_metocean",
    "sample_two_state",
    "site_closed_share",
    "site_closed_shares",
]


def child_seed(seed: np.random.SeedSequence, k: int) -> np.random.SeedSequence:
    """The ``k``-th child of ``seed``, the same as ``seed.spawn(k + 1)[k]`` on a fresh sequence.

    ``SeedSequence.spawn`` counts the children already spawned, so spawning twice from the same
    object (a replicate re-run in-process, a seed shared between threads) would give different
    streams. Deriving children from the spawn key keeps a replicate a pure function of its seed.
    """
    return np.random.SeedSequence(
        entropy=seed.entropy, spawn_key=(*seed.spawn_key, k), pool_size=seed.pool_size
    )


@dataclass(frozen=True)
class TwoStatePath:
    """One sampled path of a clear/bad two-state process: switch times and the starting state."""

    switch_s: NDArray[np.float64]
    bad_at_start: bool

    def bad(self, t_s: NDArray[np.float64] | float) -> NDArray[np.bool_]:
        """Whether the process is in its bad state at each time (vectorised)."""
        flips = np.searchsorted(self.switch_s, np.asarray(t_s, dtype=np.float64), side="right")
        return np.asarray((flips % 2 == 1) ^ self.bad_at_start)


def sample_two_state(
    rng: np.random.Generator,
    bad_share: float,
    mean_bad_s: float,
    start_s: float,
    end_s: float,
) -> TwoStatePath:
    """Sample a continuous-time clear/bad Markov path on ``[start_s, end_s]``.

    Spells are exponential: bad spells of mean ``mean_bad_s``, clear spells of mean
    ``mean_bad_s · (1 − share) / share`` so that the long-run share of bad time is
    ``bad_share``. The path starts in its stationary distribution, so a replicate has no
    "everything clear at midnight" artefact. Continuous time (rather than per wave) keeps the
    weather the same physical process when a sweep changes the wave interval.
    """
    if bad_share <= 0.0:
        return TwoStatePath(np.zeros(0), False)
    if bad_share >= 1.0:
        return TwoStatePath(np.zeros(0), True)
    mean_clear_s = mean_bad_s * (1.0 - bad_share) / bad_share
    bad = bool(rng.random() < bad_share)
    horizon = end_s - start_s
    # Enough spells for the horizon with a wide margin; topped up in the rare short case.
    n = max(8, int(4 * horizon / (mean_bad_s + mean_clear_s)) + 8)
    durations: list[NDArray[np.float64]] = []
    total = 0.0
    state = bad
    while total <= horizon:
        means = np.where((np.arange(n) % 2 == 0) == state, mean_bad_s, mean_clear_s)
        chunk = rng.exponential(1.0, n) * means
        durations.append(chunk)
        total += float(chunk.sum())
        state = state if n % 2 == 0 else not state
    switch = start_s + np.cumsum(np.concatenate(durations))
    return TwoStatePath(switch[switch <= end_s], bad)


@by_identity  # asked of one climate and network by every replicate and dispatcher's minute
def site_closed_shares(sea: SeaStateModel, network: Network) -> NDArray[np.float64]:
    """Long-run closed share of every landing site (``network.landing_sites`` order; cached,
    read-only).

    A hub's zone has the climate's ``sea.closed_share``; an extra site its own
    ``sea_state_closed_share`` (stated at the default climate), scaled by the climate's share
    over the default's, so a calm world (:meth:`Disruptions.none`) closes no site.
    """
    shares = np.asarray(
        [site_closed_share(sea, site) for site in network.landing_sites], dtype=np.float64
    )
    shares.flags.writeable = False
    return shares


def site_closed_share(sea: SeaStateModel, site: LandingSite) -> float:
    """One site's long-run closed share (the rule of :func:`site_closed_shares`)."""
    if site.hub_index >= 0:
        return sea.closed_share
    scale = sea.closed_share / SeaStateModel().closed_share
    return min(1.0, site.sea_state_closed_share * scale)


@dataclass(frozen=True, eq=False)
class SiteMetocean:
    """Hourly wind (m/s) and significant wave height (m) per site, from ``start_s``."""

    start_s: float
    wind_ms: NDArray[np.float64]  # (sites, hours)
    wave_height_m: NDArray[np.float64]

    def at(self, site: int, t_s: float) -> tuple[float, float]:
        """Wind and wave height at ``site`` in the hour holding ``t_s`` (the last hour after)."""
        hours = self.wind_ms.shape[1]
        k = min(max(math.floor((t_s - self.start_s) / 3600.0), 0), hours - 1)
        return float(self.wind_ms[site, k]), float(self.wave_height_m[site, k])


def sample_metocean(
    model: MetoceanModel, rng: np.random.Generator, sites: int, start_s: float, end_s: float
) -> SiteMetocean:
    """Wind and waves per site and hour over ``[start_s, end_s]`` (see :class:`MetoceanModel`).

    The driver starts in its stationary N(0, 1) and steps ``z ← ρ z + √(1 − ρ²) ε``; wind is
    the Rayleigh quantile of Φ(z) with mean ``mean_wind_ms`` (scale mean·√(2/π)), waves
    ``median · exp(σ z)``.
    """
    hours = max(1, math.ceil((end_s - start_s) / 3600.0) + 1)
    rho = model.hourly_correlation
    shocks = rng.standard_normal((sites, hours))
    z = np.empty_like(shocks)
    if hours:
        z[:, 0] = shocks[:, 0]
        step = math.sqrt(1.0 - rho * rho)
        for k in range(1, hours):
            z[:, k] = rho * z[:, k - 1] + step * shocks[:, k]
    u = np.clip(ndtr(z), 0.0, 1.0 - 1e-16)
    scale = model.mean_wind_ms * math.sqrt(2.0 / math.pi)
    wind = scale * np.sqrt(-2.0 * np.log1p(-u))
    waves = model.median_wave_height_m * np.exp(model.wave_sigma * z)
    return SiteMetocean(float(start_s), wind, waves)
