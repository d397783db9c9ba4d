"""The climate: default rates of every disruption, in one place for the simulator and quotes.

Moved from ``rocketpost.simulation.disruptions`` (which re-exports them) so that a promise made
at a stated confidence (:mod:`rocketpost.promise`) and the simulator that checks it read the
same numbers; the sources of every default are in ``rocketpost.simulation.disruptions`` and
``docs/simulation.md``. Each model is a frozen dataclass validated on construction; variants
through :func:`dataclasses.replace`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from rocketpost.errors import InputError

__all__ = [
    "CustomsModel",
    "Disruptions",
    "LandingModel",
    "MetoceanModel",
    "NoiseModel",
    "SeaStateModel",
    "WeatherModel",
]


def _share(field_name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise InputError(field_name, value, "must be a probability in [0, 1]")


def _non_negative(field_name: str, value: float, *, positive: bool = False) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
        or (positive and value == 0)
    ):
        raise InputError(field_name, value, "must be > 0" if positive else "must be ≥ 0")


@dataclass(frozen=True)
class WeatherModel:
    """Per-hub launch weather: isolated holds plus two-state Markov fronts.

    Parameters
    ----------
    scrub_share
        Long-run share of launch waves scrubbed by weather (Eastern Range: 0.29).
    front_share_of_scrubs
        Share of those scrubs caused by persistent fronts (Eastern Range: 18 % of 29 % were
        delayed by ≥ 1 day, so 18/29); the rest are isolated per-wave holds.
    mean_front_h
        Mean duration of a front (design choice: 6 h).
    """

    scrub_share: float = 0.29
    front_share_of_scrubs: float = 18.0 / 29.0
    mean_front_h: float = 6.0

    def __post_init__(self) -> None:
        _share("weather.scrub_share", self.scrub_share)
        _share("weather.front_share_of_scrubs", self.front_share_of_scrubs)
        _non_negative("weather.mean_front_h", self.mean_front_h, positive=True)

    @property
    def front_share(self) -> float:
        """Long-run share of time a hub is under a front (every wave scrubbed)."""
        return self.scrub_share * self.front_share_of_scrubs

    @property
    def isolated_scrub_p(self) -> float:
        """Scrub probability of a wave in clear weather, so that the total is ``scrub_share``."""
        clear = 1.0 - self.front_share
        return 0.0 if clear <= 0 else min(1.0, (self.scrub_share - self.front_share) / clear)


@dataclass(frozen=True)
class SeaStateModel:
    """Per landing zone: rough seas close the zone (two-state Markov, like the fronts)."""

    closed_share: float = 0.05
    mean_closed_h: float = 12.0
    alternate_extra_km: float = 20.0
    """Extra boat distance from the alternate zone (farther offshore or along the coast)."""

    def __post_init__(self) -> None:
        _share("sea_state.closed_share", self.closed_share)
        _non_negative("sea_state.mean_closed_h", self.mean_closed_h, positive=True)
        _non_negative("sea_state.alternate_extra_km", self.alternate_extra_km)


@dataclass(frozen=True)
class MetoceanModel:
    """Wind and waves at the landing sites, for the recovery vessels' drones.

    Per site, an hourly Gaussian AR(1) driver (lag-one correlation ``hourly_correlation``)
    mapped onto a Rayleigh wind speed of mean ``mean_wind_ms`` and a log-normal significant wave
    height of median ``median_wave_height_m`` (spread ``wave_sigma``); one driver for both, as
    near-shore waves are wind sea. Whether the drones fly is the one rule,
    :func:`rocketpost.core.vesseldrone.vessel_drones_fly`, on these values.

    Parameters
    ----------
    mean_wind_ms
        Mean 10-m wind at a near-shore site. Scatterometer climatologies put the global ocean
        mean near 7 m/s; sheltered coastal waters are calmer: design choice 6 m/s (with a 12 m/s
        drone limit, drones are grounded by wind ~4 % of the time).
    median_wave_height_m, wave_sigma
        Significant wave height near shore: design choice median 0.8 m, σ = 0.5 (above the
        2.5 m deck limit ~1 % of the time).
    hourly_correlation
        Wind and sea persist for hours: design choice 0.9 per hour (an e-folding time of ~10 h).
    """

    mean_wind_ms: float = 6.0
    median_wave_height_m: float = 0.8
    wave_sigma: float = 0.5
    hourly_correlation: float = 0.9

    def __post_init__(self) -> None:
        _non_negative("metocean.mean_wind_ms", self.mean_wind_ms)
        _non_negative("metocean.median_wave_height_m", self.median_wave_height_m)
        _non_negative("metocean.wave_sigma", self.wave_sigma)
        if not (
            isinstance(self.hourly_correlation, int | float)
            and 0.0 <= self.hourly_correlation < 1.0
        ):
            raise InputError(
                "metocean.hourly_correlation", self.hourly_correlation, "must be in [0, 1)"
            )


@dataclass(frozen=True)
class LandingModel:
    """Landing failures: the airframe and its cargo are lost.

    Parameters
    ----------
    failure_p
        Per landing. Default 0.4 %: the mature record of the one reusable booster with a long
        series, Falcon 9, which landed 267 times in a row from February 2021 until a booster
        tipped over on its droneship on 28 August 2024 (B1062; Ars Technica / Futurism,
        August 2024): one failure in 268 landings, 0.37 %. Its early years were far worse
        (70 of 80 landings by December 2020: 12.5 %), and the previous default, 1 %, assumed a
        vehicle half-way. A service that promises one-hour deliveries at 99 % is a mature
        operation by construction: a lost pod is a broken promise (it is in P(on time), see
        :mod:`rocketpost.promise.distribution`), so at 1 % no rocket route could be promised at
        99 % at all. Sweeps vary it (``landing_failure_p``).
    """

    failure_p: float = 0.004

    def __post_init__(self) -> None:
        _share("landing.failure_p", self.failure_p)


@dataclass(frozen=True)
class CustomsModel:
    """Unplanned inspections of cross-border rocket parcels at the destination port."""

    inspection_p: float = 0.02
    median_delay_min: float = 30.0
    sigma: float = 0.5

    def __post_init__(self) -> None:
        _share("customs.inspection_p", self.inspection_p)
        _non_negative("customs.median_delay_min", self.median_delay_min)
        _non_negative("customs.sigma", self.sigma)

    def delays_s(
        self, rng: np.random.Generator, inspection_p: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Extra seconds per order (0 for the parcels not picked), each picked with its own
        odds ``inspection_p`` (0: never, as a parcel that crosses no border)."""
        odds = np.asarray(inspection_p, dtype=np.float64)
        n = len(odds)
        picked = rng.random(n) < odds
        delay = self.median_delay_min * 60.0 * np.exp(self.sigma * rng.standard_normal(n))
        return np.where(picked, delay, 0.0)


@dataclass(frozen=True)
class NoiseModel:
    """Log-normal travel-time factors (median 1) for the boat and the last mile."""

    boat_sigma: float = 0.10
    last_mile_sigma: float = 0.15

    def __post_init__(self) -> None:
        _non_negative("noise.boat_sigma", self.boat_sigma)
        _non_negative("noise.last_mile_sigma", self.last_mile_sigma)

    @staticmethod
    def factors(rng: np.random.Generator, sigma: float, n: int) -> NDArray[np.float64]:
        """``n`` log-normal factors of median 1 (all ones when ``sigma`` is 0)."""
        return np.exp(sigma * rng.standard_normal(n))


@dataclass(frozen=True)
class Disruptions:
    """Everything that can go wrong, with the documented default rates."""

    weather: WeatherModel = field(default_factory=WeatherModel)
    sea_state: SeaStateModel = field(default_factory=SeaStateModel)
    landing: LandingModel = field(default_factory=LandingModel)
    customs: CustomsModel = field(default_factory=CustomsModel)
    noise: NoiseModel = field(default_factory=NoiseModel)
    metocean: MetoceanModel = field(default_factory=MetoceanModel)

    @classmethod
    def none(cls) -> Disruptions:
        """A perfect world: the plan happens exactly (the simulator must reproduce it)."""
        return cls(
            weather=WeatherModel(scrub_share=0.0),
            sea_state=SeaStateModel(closed_share=0.0),
            landing=LandingModel(failure_p=0.0),
            customs=CustomsModel(inspection_p=0.0),
            noise=NoiseModel(boat_sigma=0.0, last_mile_sigma=0.0),
            metocean=MetoceanModel(mean_wind_ms=0.0, median_wave_height_m=0.0),
        )
