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

The folded name index these rules read (and its disk cache) is :mod:`.place_index`.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from rocketpost.core.geo import great_circle_km
from rocketpost.errors import InputError, PlaceNotFoundError
from rocketpost.world.cities import CityTable
from rocketpost.world.countries import fold_name, normalise_country
from rocketpost.world.place_index import PlaceIndex, close_names, load_place_index

__all__ = [
    "CLEAR_WINNER_RATIO",
    "COORDINATE_COUNTRY_RADIUS_KM",
    "SAME_PLACE_KM",
    "Place",
    "PlaceKind",
    "resolve_place",
]

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
    index = load_place_index(min_population)
    if len(parts) == 1 and len(text) == 5 and text.isalnum():
        port = _port_for(text, index)
        if port is not None:
            return port
    if len(parts) == 1:
        return _city_place(query, text, None, None, index, min_population)
    return _city_place(query, *_split_city_query(parts, index), index, min_population)


def _split_city_query(parts: list[str], index: PlaceIndex) -> tuple[str, str | None, str | None]:
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


def _matches(index: PlaceIndex, name: str, admin1: str | None, country: str | None) -> bool:
    primary, alternate = _candidates(index, fold_name(name), admin1, country)
    return bool(primary or alternate)


def _candidates(
    index: PlaceIndex, key: str, admin1: str | None, country: str | None
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
    index = load_place_index(min_population)
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


def _port_for(text: str, index: PlaceIndex) -> Place | None:
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


def _city_label(index: PlaceIndex, row: int, with_population: bool = True) -> str:
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
    index: PlaceIndex,
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
    index: PlaceIndex, key: str, country: str | None, min_population: int
) -> Sequence[str]:
    """Cities spelled like ``key``: in the requested country first, then anywhere."""
    cities = index.cities
    rows: list[int] = []
    # Same name elsewhere ("Paris, DE" -> Paris, FR) is the likeliest fix of all.
    rows.extend(index.primary.get(key))
    rows.extend(index.alternate.get(key))
    for name in close_names(min_population, key):
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
    index: PlaceIndex, row: int, key: str, country: str | None
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
