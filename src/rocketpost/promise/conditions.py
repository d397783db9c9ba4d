"""What operations know now: weather per hub, sea state per landing site, customs and noise.

A promise at a stated confidence is only as good as what it assumes. :class:`Conditions` is that
assumption, frozen and validated: per hub the launch weather now with its forecast, per landing
site whether the sea is open, the odds of an unplanned customs inspection and the spread of the
boat and last-mile times. Whatever is not declared is the climate, read from the simulator's own
rates (:class:`rocketpost.promise.rates.Disruptions`), so one place holds the numbers.

Weather states (the simulator's two-state model, :mod:`rocketpost.simulation.disruptions`):

``clear``
    No front and no hold expected: every wave launches (a "go" forecast).
``hold_risk``
    Isolated holds (upper-level winds, a passing shower): each wave is scrubbed independently
    with ``scrub_p`` (default: the climate's isolated rate, ``WeatherModel.isolated_scrub_p``).
    This is the state of a hub nobody has declared: no front is known, holds happen.
``front``
    A front scrubs every wave until it clears. Its remaining duration is exponential with mean
    ``front_remaining_h`` (default ``WeatherModel.mean_front_h``): the simulator's front is a
    continuous-time Markov process, memoryless, so "expected remaining" is all a forecast adds.
    After it clears, isolated holds at ``scrub_p`` as under ``hold_risk``.

A landing site (today: the landing zone of a hub, named by the hub id) is ``open`` or ``closed``;
a closed site either diverts to an alternate zone (``alternate = True``: the boat sails
``SeaStateModel.alternate_extra_km`` farther) or holds the flight on the pad until the sea opens
(exponential, mean ``closed_remaining_h``, default ``SeaStateModel.mean_closed_h``) — the
simulator's ``landing_zones = 1`` / ``2``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

from rocketpost.errors import InputError
from rocketpost.promise.rates import Disruptions

__all__ = ["Conditions", "HubWeather", "SeaState", "SiteSea", "Weather", "parse_weather"]

TYPICAL_RELATIVE_RISK = 0.5
"""Screening's relative risk (risk over inspect threshold) of a parcel that carries the base
rate of unplanned inspections."""
RANDOM_CHECK_SHARE = 0.1
"""Floor of the odds, as a share of the base rate: customs also open parcels at random."""


class Weather(StrEnum):
    """Launch weather of a hub now (see the module docstring)."""

    CLEAR = "clear"
    HOLD_RISK = "hold_risk"
    FRONT = "front"


class SeaState(StrEnum):
    """Sea state of a landing site now."""

    OPEN = "open"
    CLOSED = "closed"


def _optional_non_negative(name: str, value: float | None, *, positive: bool = False) -> None:
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
        or (positive and value == 0)
    ):
        raise InputError(name, value, "must be > 0" if positive else "must be ≥ 0")


def _probability(name: str, value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise InputError(name, value, "must be a probability in [0, 1]")


@dataclass(frozen=True)
class HubWeather:
    """One hub's launch weather: the state now, and the parameters of its forecast.

    ``None`` parameters take the climate's value (:meth:`Conditions.scrub_p`,
    :meth:`Conditions.front_mean_s`).
    """

    state: Weather = Weather.HOLD_RISK
    scrub_p: float | None = None
    front_remaining_h: float | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "state", Weather(self.state))
        except ValueError:
            raise InputError(
                "weather", self.state, f"must be one of {', '.join(w.value for w in Weather)}"
            ) from None
        _probability("scrub_p", self.scrub_p)
        _optional_non_negative("front_remaining_h", self.front_remaining_h, positive=True)


@dataclass(frozen=True)
class SiteSea:
    """One landing site's sea state; ``alternate``: a closed site diverts rather than holds.

    ``wind_ms`` and ``wave_height_m`` (``None``: not declared) decide whether the site's
    recovery vessel may launch drones (:func:`rocketpost.core.vesseldrone.vessel_drones_fly`).
    """

    state: SeaState = SeaState.OPEN
    alternate: bool = False
    closed_remaining_h: float | None = None
    wind_ms: float | None = None
    wave_height_m: float | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "state", SeaState(self.state))
        except ValueError:
            raise InputError(
                "sea", self.state, f"must be one of {', '.join(s.value for s in SeaState)}"
            ) from None
        if not isinstance(self.alternate, bool):
            raise InputError("alternate", self.alternate, "must be true or false")
        _optional_non_negative("closed_remaining_h", self.closed_remaining_h, positive=True)
        _optional_non_negative("wind_ms", self.wind_ms)
        _optional_non_negative("wave_height_m", self.wave_height_m)


def _frozen(mapping: Mapping[str, object] | None) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping or {}))


# The undeclared defaults, built once: a quote asks for a site's sea a few times, and building
# (and validating) a fresh frozen default each time was a twentieth of the quote.
_CLIMATE_WEATHER = HubWeather()
_OPEN_SEA = SiteSea()


@dataclass(frozen=True)
class Conditions:
    """Declared conditions over the climate (``rates``); undeclared hubs and sites are climate.

    Parameters
    ----------
    hubs
        Declared weather per hub id.
    sites
        Declared sea state per landing-site id (a hub id today: each hub has one zone).
    rates
        The climate (default: the simulator's :class:`~rocketpost.promise.rates.Disruptions`).
    inspection_p
        Odds of an unplanned inspection of a cross-border rocket parcel that screening did not
        already pick (default: the climate's ``customs.inspection_p``).
    last_mile_sigma, boat_sigma
        Log-normal spread of the last mile and the boat (default: the climate's ``noise``).
    known_ids
        When given, every declared hub and site must be one of these (the network's hubs).
    onsets
        Also count the fronts and sea closures that may *start* after the promise
        (:mod:`rocketpost.promise.onset`), through the one distribution for every caller:
        quotes (:func:`rocketpost.promise.confidence.route_model`), the planner and the
        simulator's dispatcher (:func:`rocketpost.promise.decision.kernel_p_on_time`). On by
        default: without them rocket promises made at 99 % were kept 98.4 % in the calibrated
        simulation (docs/promise.md); ``False`` asks for the promise as if the weather now
        lasted, which only a what-if should.
    """

    hubs: Mapping[str, HubWeather] = field(default_factory=dict)
    sites: Mapping[str, SiteSea] = field(default_factory=dict)
    rates: Disruptions = field(default_factory=Disruptions)
    inspection_p: float | None = None
    last_mile_sigma: float | None = None
    boat_sigma: float | None = None
    known_ids: Iterable[str] | None = None
    onsets: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "hubs", _frozen(self.hubs))
        object.__setattr__(self, "sites", _frozen(self.sites))
        if not isinstance(self.rates, Disruptions):
            raise InputError("rates", self.rates, "must be a Disruptions")
        for hub_id, weather in self.hubs.items():
            if not isinstance(weather, HubWeather):
                raise InputError(f"hubs.{hub_id}", weather, "must be a HubWeather")
        for site_id, sea in self.sites.items():
            if not isinstance(sea, SiteSea):
                raise InputError(f"sites.{site_id}", sea, "must be a SiteSea")
        if self.known_ids is not None:
            known = frozenset(self.known_ids)
            object.__setattr__(self, "known_ids", known)
            for kind, ids in (("hubs", self.hubs), ("sites", self.sites)):
                for unknown in sorted(set(ids) - known):
                    raise InputError(kind, unknown, "unknown id")
        if not isinstance(self.onsets, bool):
            raise InputError("onsets", self.onsets, "must be true or false")
        _probability("inspection_p", self.inspection_p)
        _optional_non_negative("last_mile_sigma", self.last_mile_sigma)
        _optional_non_negative("boat_sigma", self.boat_sigma)

    # --- per hub / site, declared or climate ------------------------------------------------

    def weather(self, hub_id: str) -> HubWeather:
        """The hub's weather: declared, else ``hold_risk`` at the climate's rate."""
        return self.hubs.get(hub_id) or _CLIMATE_WEATHER

    def sea(self, site_id: str) -> SiteSea:
        """The site's sea state: declared, else open."""
        return self.sites.get(site_id) or _OPEN_SEA

    def declared(self, hub_id: str) -> bool:
        """Whether operations declared this hub's weather (rather than leaving the climate)."""
        return hub_id in self.hubs

    def scrub_p(self, hub_id: str) -> float:
        """Per-wave probability of an isolated hold at the hub (0 under ``clear``)."""
        weather = self.weather(hub_id)
        if weather.state is Weather.CLEAR:
            return 0.0
        if weather.scrub_p is not None:
            return float(weather.scrub_p)
        return self.rates.weather.isolated_scrub_p

    def front_mean_s(self, hub_id: str) -> float | None:
        """Mean remaining front duration (s) at the hub, ``None`` without a front."""
        weather = self.weather(hub_id)
        if weather.state is not Weather.FRONT:
            return None
        hours = weather.front_remaining_h
        return (self.rates.weather.mean_front_h if hours is None else hours) * 3600.0

    def sea_closed_mean_s(self, site_id: str) -> float | None:
        """Mean remaining closure (s) of a closed site that holds flights, else ``None``."""
        sea = self.sea(site_id)
        if sea.state is SeaState.OPEN or sea.alternate:
            return None
        hours = sea.closed_remaining_h
        return (self.rates.sea_state.mean_closed_h if hours is None else hours) * 3600.0

    def detour_km(self, site_id: str) -> float:
        """Extra boat distance when a closed site diverts to its alternate zone (else 0)."""
        sea = self.sea(site_id)
        if sea.state is SeaState.CLOSED and sea.alternate:
            return self.rates.sea_state.alternate_extra_km
        return 0.0

    @property
    def customs_p(self) -> float:
        """Odds of an unplanned inspection of a cross-border rocket parcel."""
        return self.rates.customs.inspection_p if self.inspection_p is None else self.inspection_p

    def inspection_odds(self, relative_risk: float | None) -> float:
        """Odds of an unplanned inspection of a released cross-border parcel of screening's
        ``relative_risk`` (its highest risk over its inspect threshold; ``None``: unscreened).

        The base rate (:attr:`customs_p`) is the odds of a parcel of typical risk, half-way to
        the threshold (:data:`TYPICAL_RELATIVE_RISK`); the odds scale linearly with the risk and
        never fall under a tenth of the base rate (customs also open parcels at random).
        Unscreened parcels carry the base rate.
        """
        base = self.customs_p
        if relative_risk is None:
            return base
        scale = max(relative_risk / TYPICAL_RELATIVE_RISK, RANDOM_CHECK_SHARE)
        return min(base * scale, 1.0)

    @property
    def last_mile_spread(self) -> float:
        """Log-normal σ of the last mile."""
        if self.last_mile_sigma is None:
            return self.rates.noise.last_mile_sigma
        return self.last_mile_sigma

    @property
    def boat_spread(self) -> float:
        """Log-normal σ of the boat."""
        return self.rates.noise.boat_sigma if self.boat_sigma is None else self.boat_sigma

    # --- variants ---------------------------------------------------------------------------

    def with_hub(self, hub_id: str, weather: HubWeather) -> Conditions:
        """These conditions with one hub's weather declared."""
        return replace(self, hubs={**self.hubs, hub_id: weather})

    def with_site(self, site_id: str, sea: SiteSea) -> Conditions:
        """These conditions with one site's sea state declared."""
        return replace(self, sites={**self.sites, site_id: sea})


def parse_weather(spec: str) -> tuple[str, HubWeather]:
    """A command-line weather option: ``HUB=clear``, ``HUB=hold_risk`` or ``HUB=front[:HOURS]``
    (``HOURS``: the front's expected remaining duration), for ``--weather`` options.

    Raises
    ------
    rocketpost.errors.InputError
        Not ``HUB=STATE``, an unknown state, or bad hours (field ``weather``).
    """
    hub_id, sep, rest = spec.partition("=")
    if not sep or not hub_id.strip():
        raise InputError("weather", spec, "must be HUB=clear, HUB=hold_risk or HUB=front[:HOURS]")
    state, _, hours = rest.partition(":")
    remaining = None
    if hours:
        try:
            remaining = float(hours)
        except ValueError:
            raise InputError("weather", spec, "front hours must be a number") from None
        if state != Weather.FRONT:
            raise InputError("weather", spec, "only a front has remaining hours")
    return hub_id.strip(), HubWeather(state.strip(), front_remaining_h=remaining)  # type: ignore[arg-type]
