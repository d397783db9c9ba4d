"""The weather and sea of one replicate, drawn up front, and the engine's lookups into them.

Per hub, every launch wave of the horizon is scrubbed or not (fronts of a two-state process plus
isolated holds, plus any scripted scrubs); per hub and landing zone, the sea is open or closed
as a two-state path; per landing site, the hourly wind and waves its recovery vessel's drones
fly in (:func:`~rocketpost.simulation.disruptions.sample_metocean`). Drawing it all before the
first event keeps a replicate a pure function of its seed, whatever order the flights ask in.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from rocketpost.network import Network
from rocketpost.promise.conditions import Conditions as PromiseConditions
from rocketpost.promise.conditions import HubWeather, SeaState, SiteSea, Weather
from rocketpost.simulation.config import SimConfig
from rocketpost.simulation.disruptions import (
    SiteMetocean,
    TwoStatePath,
    sample_metocean,
    sample_two_state,
    site_closed_shares,
)

__all__ = ["ALTERNATE_ZONE", "NO_ZONE", "PRIMARY_ZONE", "Conditions"]

PRIMARY_ZONE = 0
ALTERNATE_ZONE = 1
NO_ZONE = -1
"""Landing zones as :meth:`Conditions.open_zone` returns them."""

_HOUR_S = 3600.0


class Conditions:
    """Scrubbed waves per hub and open landing zones per hub over ``[start_s, end_s]``.

    Parameters
    ----------
    rng_weather, rng_sea
        The replicate's weather and sea streams (drawn from in that order, hub by hub).
    rng_metocean
        The stream of the sites' wind and waves (:attr:`metocean`); ``None``: calm, no wind
        and no waves (the drones always fly).
    """

    def __init__(
        self,
        network: Network,
        config: SimConfig,
        rng_weather: np.random.Generator,
        rng_sea: np.random.Generator,
        start_s: float,
        end_s: float,
        *,
        rng_metocean: np.random.Generator | None = None,
    ) -> None:
        n_hubs = len(network.hubs)
        self.hub_ids = network.hub_ids
        self.site_ids = network.site_ids
        self.rates = config.disruptions
        self.interval = network.launch_wave_interval_s.tolist()
        weather = config.disruptions.weather
        scripted: dict[int, set[int]] = {}
        for hub_id, t_s in config.scripted_scrubs:
            h = network.hub_index(hub_id)
            scripted.setdefault(h, set()).add(round(t_s / self.interval[h]))
        self.fronts: list[TwoStatePath] = []
        self.wave0: list[int] = []
        self.scrubbed_wave: list[NDArray[np.bool_]] = []
        for h in range(n_hubs):
            path = sample_two_state(
                rng_weather, weather.front_share, weather.mean_front_h * _HOUR_S, start_s, end_s
            )
            k0 = math.floor(start_s / self.interval[h])
            k1 = math.ceil(end_s / self.interval[h])
            waves = np.arange(k0, k1 + 1, dtype=np.float64) * self.interval[h]
            isolated = rng_weather.random(len(waves)) < weather.isolated_scrub_p
            scrub = path.bad(waves) | isolated
            for k in scripted.get(h, ()):
                if k0 <= k <= k1:
                    scrub[k - k0] = True
            self.fronts.append(path)
            self.wave0.append(k0)
            self.scrubbed_wave.append(scrub)
        self.front_switch = [p.switch_s.tolist() for p in self.fronts]

        # Per landing site (hub zones first, so their draws are unchanged) and zone (primary,
        # alternate), as bisect-able switch lists; each site closed for its own share.
        sea = config.disruptions.sea_state
        shares = site_closed_shares(sea, network).tolist()
        self.zone_switch: list[list[tuple[list[float], bool]]] = []
        for share in shares:
            zones = []
            for _z in range(config.landing_zones):
                p = sample_two_state(rng_sea, share, sea.mean_closed_h * _HOUR_S, start_s, end_s)
                zones.append((p.switch_s.tolist(), p.bad_at_start))
            self.zone_switch.append(zones)

        n_sites = len(self.site_ids)
        self.metocean: SiteMetocean = (
            sample_metocean(config.disruptions.metocean, rng_metocean, n_sites, start_s, end_s)
            if rng_metocean is not None
            else SiteMetocean(float(start_s), np.zeros((n_sites, 1)), np.zeros((n_sites, 1)))
        )
        self.vessel_site = np.asarray(network.site_drones > 0) & bool(network.drone.from_vessel)

    def next_wave(self, h: int, t_s: float) -> float:
        """The first launch wave of hub ``h`` at or after ``t_s``."""
        i = self.interval[h]
        return math.ceil(t_s / i - 1e-9) * i

    def scrubbed(self, h: int, t_s: float) -> bool:
        """Whether the wave of hub ``h`` at ``t_s`` is scrubbed (outside the horizon: no)."""
        k = round(t_s / self.interval[h]) - self.wave0[h]
        waves = self.scrubbed_wave[h]
        return bool(waves[k]) if 0 <= k < len(waves) else False

    def in_front(self, h: int, t_s: float) -> bool:
        """Whether a front sits over hub ``h`` at ``t_s`` (persistent, not an isolated hold)."""
        path = self.fronts[h]
        return (bisect_right(self.front_switch[h], t_s) % 2 == 1) ^ path.bad_at_start

    def open_zone(self, d: int, t_s: float) -> int:
        """The first open landing zone of site ``d`` at ``t_s``, or :data:`NO_ZONE`."""
        for z, (switch, bad_at_start) in enumerate(self.zone_switch[d]):
            if not ((bisect_right(switch, t_s) % 2 == 1) ^ bad_at_start):
                return z
        return NO_ZONE

    def seen_at(self, t_s: float, only_sites: Iterable[int] | None = None) -> PromiseConditions:
        """What a dispatcher knows at ``t_s``: the conditions a quote at that moment is made
        under (:class:`rocketpost.promise.conditions.Conditions`), and nothing later.
        ``only_sites``: report only these landing sites (indices; default every one), for a
        dispatcher deciding orders that land there: a promise reads its own site only.

        Per hub: ``front`` while a front sits over it (its remaining duration is not known,
        only its mean: the process is memoryless), else ``hold_risk`` at the isolated rate (a
        hold is not forecast). Per landing site (a hub's zone or an extra site): ``closed``
        while the primary zone is (diverting when an alternate zone is open, holding
        otherwise), else open; a site whose recovery vessel carries drones also reports its wind
        and waves of the hour (the hourly values are measured, the next hours are not: the
        promise forecasts them, :mod:`rocketpost.promise.recovery`).
        """
        hubs = {}
        sites = {}
        for h, hub_id in enumerate(self.hub_ids):
            if self.in_front(h, t_s):
                hubs[hub_id] = HubWeather(Weather.FRONT)
        for d in range(len(self.site_ids)) if only_sites is None else sorted(set(only_sites)):
            site_id = self.site_ids[d]
            zone = self.open_zone(d, t_s)
            if zone != PRIMARY_ZONE:
                sites[site_id] = SiteSea(SeaState.CLOSED, alternate=zone == ALTERNATE_ZONE)
            elif self.vessel_site[d]:
                wind, waves = self.metocean.at(d, t_s)
                sites[site_id] = SiteSea(wind_ms=wind, wave_height_m=waves)
        return PromiseConditions(hubs=hubs, sites=sites, rates=self.rates)
