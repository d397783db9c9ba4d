"""Where and when synthetic orders come from: cities by population, local hours of the day.

The distributions are documented in :mod:`rocketpost.orders.generator` and ``docs/orders.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.orders.draws import pick

__all__ = [
    "B2B_CURVE",
    "B2C_CURVE",
    "SECONDS_PER_HOUR",
    "CityArrays",
    "CityColumns",
    "hours_of_day",
    "scatter",
]

SECONDS_PER_HOUR = 3600
"""Clock arithmetic for times of day and time-zone offsets (not the delivery promise)."""

_KM_PER_DEG = 111.195  # mean-radius sphere: 6371.0 km × π / 180


# (weight, mean hour, sd hours); sd 0 = flat over the day.
B2C_CURVE = ((0.25, 12.0, 0.0), (0.08, 9.0, 1.2), (0.27, 12.5, 1.25), (0.40, 20.75, 1.75))
B2B_CURVE = ((0.06, 12.0, 0.0), (0.54, 10.5, 1.5), (0.40, 14.75, 1.5))


class CityArrays(Protocol):
    """The columns of :class:`rocketpost.world.cities.CityTable` the generator reads."""

    @property
    def country_code(self) -> NDArray[Any]: ...

    @property
    def lat_deg(self) -> NDArray[np.float64]: ...

    @property
    def lon_deg(self) -> NDArray[np.float64]: ...

    @property
    def population(self) -> NDArray[np.int64]: ...

    @property
    def timezone(self) -> NDArray[Any]: ...


def hours_of_day(
    curve: tuple[tuple[float, float, float], ...], n: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """Local hour of day of ``n`` orders drawn from a mixture ``curve`` on the 24-hour circle."""
    weights = np.array([c[0] for c in curve])
    mean = np.array([c[1] for c in curve])
    sd = np.array([c[2] for c in curve])
    component = pick(weights, rng.random(n))
    flat = sd[component] == 0
    hours = mean[component] + sd[component] * rng.standard_normal(n)
    hours = np.where(flat, rng.random(n) * 24.0, hours)
    return np.mod(hours, 24.0)


def utc_offsets_s(
    timezones: NDArray[np.str_], longitudes: NDArray[np.float64], day: date
) -> NDArray[np.int64]:
    """UTC offset of each zone at local noon of ``day``, one zoneinfo call per distinct zone.

    An unknown or empty zone falls back to the nautical offset of the longitude (15° per hour).
    """
    names, inverse = np.unique(timezones, return_inverse=True)
    offsets = np.zeros(len(names), dtype=np.int64)
    fallback = np.zeros(len(names), dtype=bool)
    noon = datetime.combine(day, time(12))
    for k, name in enumerate(names.tolist()):
        try:
            delta = noon.replace(tzinfo=ZoneInfo(name)).utcoffset() if name else None
        except (ZoneInfoNotFoundError, ValueError):
            delta = None
        if delta is None:
            fallback[k] = True
        else:
            offsets[k] = int(delta.total_seconds())
    result = offsets[inverse]
    nautical = np.round(longitudes / 15.0).astype(np.int64) * SECONDS_PER_HOUR
    return np.where(fallback[inverse], nautical, result)


@dataclass(frozen=True, eq=False)
class CityColumns:
    """The city columns in the types the generator computes with (converted once)."""

    country: NDArray[np.str_]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    population: NDArray[np.float64]
    timezone: NDArray[np.str_]

    @classmethod
    def of(cls, cities: CityArrays) -> CityColumns:
        population = np.asarray(cities.population, dtype=np.float64)
        if len(population) == 0 or not (population > 0).any():
            raise InputError("cities", len(population), "need at least one populated city")
        return cls(
            country=np.asarray(cities.country_code).astype("<U2"),
            lat=np.asarray(cities.lat_deg, dtype=np.float64),
            lon=np.asarray(cities.lon_deg, dtype=np.float64),
            population=np.maximum(population, 0.0),
            timezone=np.asarray(cities.timezone).astype(str),
        )

    def utc_offset_s(self, day: date) -> NDArray[np.int64]:
        return utc_offsets_s(self.timezone, self.lon, day)


def scatter(
    city: CityColumns, index: NDArray[np.int64], rng: np.random.Generator, keep_on_land: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Delivery points around the city centres (see the module doc for the radius)."""
    n = len(index)
    centre_lat, centre_lon = city.lat[index], city.lon[index]
    sigma_km = np.clip(2.0 * np.sqrt(city.population[index] / 1e6), 0.5, 8.0)
    lat = np.empty(n)
    lon = np.empty(n)
    todo = np.arange(n)
    is_land = land_mask() if keep_on_land else None
    for attempt in range(5):
        if attempt == 4 or not len(todo):
            lat[todo], lon[todo] = centre_lat[todo], centre_lon[todo]
            break
        north, east = (sigma_km[todo, None] * rng.standard_normal((len(todo), 2))).T
        new_lat = np.clip(centre_lat[todo] + north / _KM_PER_DEG, -89.9, 89.9)
        cos_lat = np.maximum(np.cos(np.radians(new_lat)), 0.01)
        new_lon = np.mod(centre_lon[todo] + east / (_KM_PER_DEG * cos_lat) + 180.0, 360.0) - 180.0
        lat[todo], lon[todo] = new_lat, new_lon
        if is_land is None:
            break
        todo = todo[~is_land(new_lat, new_lon)]
    return np.round(lat, 6), np.round(lon, 6)


def land_mask() -> Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.bool_]]:
    """The GLOBE land test, imported only when points must stay on land (it loads a mask)."""
    from rocketpost.world.landmask import is_land

    return is_land
