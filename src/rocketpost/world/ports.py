"""World seaports with UN/LOCODEs, from the port list shipped with searoute.

searoute (Apache-2.0) ships ``searoute/data/ports.geojson``: 3,962 port points with a name, a
country name and a UN/LOCODE (2-letter country + 3-character location). Hubs and last-mile legs
refer to ports by LOCODE, so lookups are by code first, by name second, and by position for
"which port serves this landing zone".

Data quirks handled here (searoute 1.6.0):

* 38 LOCODEs appear twice (a port and one of its terminals, or an old and a new name, e.g.
  ``INBOM`` Bombay / Mumbai). All rows are kept (``len`` counts rows); :meth:`PortIndex.get`
  returns the row searoute flags as a main terminal (``t == 1``), else the first.
* One row has a bare country code as its LOCODE (``"EG"``, Ras Budran); it is kept as is.
* A port's country is the LOCODE prefix, except for 16 rows whose prefix is obsolete or wrong,
  corrected in :data:`_COUNTRY_CORRECTIONS` after checking each position against the nearest
  GeoNames city (e.g. ``CSBAR`` Bar is in Montenegro, ``IDCHN`` Duncannon in Ireland).
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rocketpost.core.geo import great_circle_km
from rocketpost.errors import InputError, PlaceNotFoundError
from rocketpost.world.countries import (
    _package_file,
    country_codes,
    fold_name,
    fold_names,
    normalise_country,
)

__all__ = ["Port", "PortIndex", "load_ports"]

_COUNTRY_CORRECTIONS: dict[str, str] = {
    # Netherlands Antilles (AN) was dissolved in 2010: Curaçao, Bonaire/St Eustatius, St Maarten.
    "ANBUB": "CW",
    "ANCRB": "CW",
    "ANFUI": "CW",
    "ANSMB": "CW",
    "ANWIL": "CW",
    "ANKRA": "BQ",
    "ANEUX": "BQ",
    "ANPHI": "SX",
    # Serbia and Montenegro (CS) codes for ports on the Montenegrin coast.
    "CSBAR": "ME",
    "CSKOT": "ME",
    "CSZEL": "ME",
    # Prefix of another country; name and position agree with the listed country.
    "ASPGO": "PA",  # "Panama" (Balboa area), not Pago Pago
    "IDCHN": "IE",  # Duncannon
    "TKMRW": "TM",  # Turkmenbashy
    "CHERN": "UA",  # Chernihiv
    "ZAPOR": "UA",  # Zaporizhzhia
}


@dataclass(frozen=True)
class Port:
    """A seaport.

    Attributes
    ----------
    locode
        UN/LOCODE as searoute has it, upper case (``"DEHAM"``).
    name
        Port name (``"Hamburg"``).
    country_code
        ISO 3166-1 alpha-2 of the country the port is in.
    lat_deg, lon_deg
        Position of the port's reference point (often on a quay, i.e. a land cell of the mask).
    terminal
        searoute's ``t`` flag: a main (container) terminal. Preferred when a LOCODE is listed
        twice.
    """

    locode: str
    name: str
    country_code: str
    lat_deg: float
    lon_deg: float
    terminal: bool = False

    def __post_init__(self) -> None:
        if not (
            isinstance(self.locode, str)
            and 2 <= len(self.locode) <= 5
            and self.locode.isalnum()
            and self.locode == self.locode.upper()
        ):
            raise InputError("port.locode", self.locode, "must be an upper-case UN/LOCODE")
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError("port.name", self.name, "must be a non-empty name")
        if not (isinstance(self.country_code, str) and len(self.country_code) == 2):
            raise InputError("port.country_code", self.country_code, "must be an alpha-2 code")
        if not (_is_number(self.lat_deg) and -90.0 <= self.lat_deg <= 90.0):
            raise InputError("port.lat_deg", self.lat_deg, "must be a latitude in [-90, 90]")
        if not (_is_number(self.lon_deg) and -180.0 <= self.lon_deg <= 180.0):
            raise InputError("port.lon_deg", self.lon_deg, "must be a longitude in [-180, 180]")

    def label(self) -> str:
        """Human label used in messages: ``"DEHAM (Hamburg, DE)"``."""
        return f"{self.locode} ({self.name}, {self.country_code})"


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float | np.floating | np.integer)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _frozen(values: Sequence[Any], dtype: Any) -> NDArray[Any]:
    array = np.array(values, dtype=dtype)
    array.flags.writeable = False
    return array


class PortIndex:
    """Ports indexed by LOCODE, by folded name and as coordinate arrays.

    Parameters
    ----------
    ports
        Port rows in a fixed order; the arrays ``locode``, ``lat_deg``, ``lon_deg`` and
        ``country_code`` follow that order, so ``ports[i]`` is row ``i`` of every array.
    """

    def __init__(self, ports: Sequence[Port]) -> None:
        self.ports: tuple[Port, ...] = tuple(ports)
        self.locode: NDArray[np.object_] = _frozen([p.locode for p in self.ports], object)
        self.country_code: NDArray[np.object_] = _frozen(
            [p.country_code for p in self.ports], object
        )
        self.lat_deg: NDArray[np.float64] = _frozen([p.lat_deg for p in self.ports], np.float64)
        self.lon_deg: NDArray[np.float64] = _frozen([p.lon_deg for p in self.ports], np.float64)
        self._folded_names = fold_names([p.name for p in self.ports])
        self._distinct_names = sorted(set(self._folded_names))
        by_code: dict[str, Port] = {}
        for port in self.ports:
            current = by_code.get(port.locode)
            if current is None or (port.terminal and not current.terminal):
                by_code[port.locode] = port
        self._by_code = by_code

    def __len__(self) -> int:
        return len(self.ports)

    def __iter__(self) -> Iterator[Port]:
        return iter(self.ports)

    def __contains__(self, locode: object) -> bool:
        return isinstance(locode, str) and locode.strip().upper() in self._by_code

    def __repr__(self) -> str:
        return f"PortIndex({len(self)} ports, {len(self._by_code)} LOCODEs)"

    @property
    def locodes(self) -> frozenset[str]:
        """The distinct LOCODEs."""
        return frozenset(self._by_code)

    def get(self, locode: str, *, field: str = "port") -> Port:
        """The port with this LOCODE (case-insensitive).

        Raises
        ------
        PlaceNotFoundError
            Unknown LOCODE; ``suggestions`` lists the closest LOCODEs and any ports whose name
            matches the query (so ``get("hamburg")`` suggests ``"DEHAM (Hamburg, DE)"``).
        """
        if not isinstance(locode, str) or not locode.strip():
            raise InputError(field, locode, "must be a UN/LOCODE such as 'DEHAM'")
        code = locode.strip().upper()
        port = self._by_code.get(code)
        if port is None:
            raise PlaceNotFoundError(
                locode, "is not a known port UN/LOCODE", self._suggest(locode), field=field
            )
        return port

    def _suggest(self, query: str, limit: int = 5) -> list[str]:
        """Closest ports: by name (substring, then spelling), and by LOCODE characters."""
        folded = fold_name(query)
        rows = self._name_matches(folded)
        code = query.strip().upper()
        if len(code) == 5 and code.isalnum():
            # Same characters in the same places: a one-letter slip in a LOCODE keeps 4 of 5.
            scored = []
            for candidate, port in self._by_code.items():
                same = sum(a == b for a, b in zip(candidate, code, strict=False))
                if same >= 3 and len(candidate) == 5:
                    scored.append((-same, candidate[:2] != code[:2], not port.terminal, candidate))
            scored.sort()
            found = {entry[-1]: self._by_code[entry[-1]] for entry in scored[:limit]}
        else:
            found = {}
        by_name = {self.ports[row].locode: self.ports[row] for row in rows}
        if len(by_name) < limit and folded:
            for name in difflib.get_close_matches(
                folded, self._distinct_names, n=limit, cutoff=0.75
            ):
                for row in self._name_matches(name)[:1]:
                    by_name.setdefault(self.ports[row].locode, self.ports[row])
        merged = {**by_name, **found} if len(code) != 5 else {**found, **by_name}
        return [port.label() for port in list(merged.values())[:limit]]

    def _name_matches(self, folded: str) -> list[int]:
        """Row indices whose folded name contains ``folded``: exact, then prefix, then inside."""
        if not folded:
            return []
        ranked = []
        for row, name in enumerate(self._folded_names):
            if folded in name:
                rank = 0 if name == folded else 1 if name.startswith(folded) else 2
                ranked.append((rank, not self.ports[row].terminal, name, row))
        ranked.sort()
        return [row for *_, row in ranked]

    def search(self, name: str, country: str | None = None) -> list[Port]:
        """Ports whose name contains ``name`` (case- and accent-insensitive), best first.

        Exact name matches come first, then names starting with the query, then the rest; main
        terminals before others. ``country`` (code or name) restricts the search.
        """
        if not isinstance(name, str) or not fold_name(name):
            raise InputError("port.name", name, "must be a non-empty name to search for")
        rows = self._name_matches(fold_name(name))
        if country is not None:
            code = normalise_country(country)
            rows = [row for row in rows if self.ports[row].country_code == code]
        return [self.ports[row] for row in rows]

    def distances_km(self, lat_deg: float, lon_deg: float) -> NDArray[np.float64]:
        """Great-circle distance from a point to every port row (km), in row order."""
        lat, lon = _check_point(lat_deg, lon_deg)
        return great_circle_km(lat, lon, self.lat_deg, self.lon_deg)

    def nearest(self, lat_deg: float, lon_deg: float, k: int = 1) -> list[Port]:
        """The ``k`` ports nearest to a point by great-circle distance, nearest first."""
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise InputError("k", k, "must be a positive integer")
        distance = self.distances_km(lat_deg, lon_deg)
        k = min(int(k), len(distance))
        if k < len(distance):
            candidates = np.argpartition(distance, k - 1)[:k]
        else:
            candidates = np.arange(len(distance))
        order = candidates[np.argsort(distance[candidates], kind="stable")]
        return [self.ports[int(row)] for row in order]


def _check_point(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    try:
        lat = float(lat_deg)
        lon = float(lon_deg)
    except (TypeError, ValueError):
        raise InputError("lat_deg", (lat_deg, lon_deg), "must be numbers of degrees") from None
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise InputError("lat_deg", lat_deg, "must be a latitude in [-90, 90] degrees")
    if not math.isfinite(lon):
        raise InputError("lon_deg", lon_deg, "must be a finite longitude")
    return lat, lon


@lru_cache(maxsize=1)
def load_ports() -> PortIndex:
    """All searoute ports as a :class:`PortIndex` (cached; ~0.1 s the first time)."""
    with _package_file("searoute", "data/ports.geojson").open("rb") as handle:
        features = json.load(handle)["features"]
    known = country_codes()
    ports = []
    for feature in features:
        properties = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"]
        locode = str(properties["port"]).strip().upper()
        country = _COUNTRY_CORRECTIONS.get(locode, locode[:2])
        if country not in known:
            country = normalise_country(str(properties["cty"]).replace("_", " "))
        ports.append(
            Port(
                locode=locode,
                name=str(properties["name"]).strip(),
                country_code=country,
                lat_deg=float(lat),
                lon_deg=float(lon),
                terminal=properties.get("t") == 1,
            )
        )
    return PortIndex(ports)
