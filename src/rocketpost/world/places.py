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

When several cities match, the most populous one wins only if it is a clear winner: at least
:data:`CLEAR_WINNER_RATIO` (10) times the population of the runner-up, and matched by its
primary name (or no candidate is, as for ``"New York"``). So "Paris" is Paris, FR (2.1 M vs 71 k),
"London" is London, GB (9.0 M vs 422 k), "Los Angeles" is the US city (3.8 M vs 125 k in Chile),
but "Portland" is ambiguous (Oregon 653 k vs Maine 67 k: 9.8x) and so is "Canton" (four US
cities, and Guangzhou by an alternate name). An ambiguous or unknown query raises
:class:`~rocketpost.errors.PlaceNotFoundError` whose suggestions are themselves valid queries,
e.g. ``"Portland, OR, US (652,503)"``. A wrong guess would route a parcel to the wrong
continent; asking costs the user one more word.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from rocketpost.errors import InputError, PlaceNotFoundError
from rocketpost.geo import great_circle_km
from rocketpost.world.cities import CityTable, _load_cities_with_alternates
from rocketpost.world.countries import fold_name, fold_names, normalise_country

__all__ = [
    "CLEAR_WINNER_RATIO",
    "COORDINATE_COUNTRY_RADIUS_KM",
    "Place",
    "PlaceKind",
    "resolve_place",
]

PlaceKind = Literal["city", "port", "coordinates"]

CLEAR_WINNER_RATIO = 10.0
"""A same-name city wins only with at least this many times the runner-up's population."""

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


@dataclass(frozen=True)
class _PlaceIndex:
    cities: CityTable
    primary: dict[str, tuple[int, ...]]
    alternate: _RowsByKey
    lat_order: NDArray[np.intp]
    lat_sorted: NDArray[np.float64]


@lru_cache(maxsize=4)
def _place_index(min_population: int) -> _PlaceIndex:
    """Folded-name index of the cities (~0.5 s for the 15,000 table, then cached).

    Everything per name is done in bulk (one joined string folded at a time, dictionaries
    built with ``dict(zip(...))``), since ~350,000 alternate names pass through here.
    """
    cities, alternates = _load_cities_with_alternates(min_population)
    primary: dict[str, list[int]] = {}
    for row, key in enumerate(fold_names(list(cities.name))):
        primary.setdefault(key, []).append(row)

    names = [name for names in alternates for name in names]
    rows = np.repeat(np.arange(len(alternates)), [len(names) for names in alternates]).tolist()
    # Latin-script forms only: a Cyrillic or Han name is never what is typed here.
    keys = fold_names(names, ascii_only=True)
    return _PlaceIndex(
        cities=cities,
        primary={key: tuple(rows) for key, rows in primary.items()},
        alternate=_group_rows(keys, rows),
        lat_order=np.argsort(cities.lat_deg, kind="stable"),
        lat_sorted=np.sort(cities.lat_deg, kind="stable"),
    )


def _group_rows(keys: list[str], rows: list[int]) -> _RowsByKey:
    """Rows per key, for keys given with non-decreasing rows; empty keys dropped.

    Most alternate names belong to one city only, so the dictionary is built at C speed twice
    (last and first row per key) and only the keys whose first and last rows differ are
    grouped in Python.
    """
    last = dict(zip(keys, rows, strict=True))
    last.pop("", None)
    first = dict(zip(reversed(keys), reversed(rows), strict=True))
    shared = {key for key, _ in last.items() - first.items()}
    collected: dict[str, list[int]] = {}
    if shared:
        for key, row in [(key, row) for key, row in zip(keys, rows) if key in shared]:
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
    names = sorted(_place_index(min_population).primary)
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
    if len(parts) > 3 or not parts[0]:
        raise PlaceNotFoundError(
            query, "is not 'Name', 'Name, Country' or 'Name, Admin1, Country'"
        )
    country = normalise_country(parts[-1], field="place.country") if len(parts) > 1 else None
    admin1 = parts[1].upper() if len(parts) == 3 else None
    return _city_place(query, parts[0], admin1, country, index, min_population)


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
    same = index.primary.get(fold_name(name), ())
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

    def keep(row: int) -> bool:
        if country is not None and cities.country_code[row] != country:
            return False
        return admin1 is None or str(cities.admin1_code[row]).upper() == admin1

    primary = [row for row in index.primary.get(key, ()) if keep(row)]
    alternate = [row for row in index.alternate.get(key) if keep(row) and row not in primary]
    candidates = sorted(primary + alternate, key=lambda row: -int(cities.population[row]))
    if not candidates:
        raise PlaceNotFoundError(
            query,
            _not_found_reason(name, admin1, country),
            _suggestions(index, key, country, min_population),
            field="place",
        )
    winner = candidates[0]
    if len(candidates) > 1:
        top = int(cities.population[winner])
        runner_up = int(cities.population[candidates[1]])
        by_primary_name = winner in primary or not primary
        if not (by_primary_name and top > 0 and top >= CLEAR_WINNER_RATIO * runner_up):
            raise PlaceNotFoundError(
                query,
                f"matches {len(candidates)} cities with no clear winner; add the country "
                "('Name, CC') or give coordinates",
                [_city_label(index, row) for row in candidates[:_MAX_SUGGESTIONS]],
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
    rows.extend(index.primary.get(key, ()))
    rows.extend(index.alternate.get(key))
    for name in _close_names(min_population, key):
        rows.extend(index.primary[name])
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
