"""Sea points near coastal cities, and how open to the ocean a sea point is.

Both questions are asked of the 1 km GLOBE land mask (:mod:`rocketpost.world.landmask`).

Sea point
    For every city, the sea cell nearest to its centre that lies at least a clearance away from
    any land cell. The land mask is read once per 1° × 1° tile of cities (with a margin as wide
    as the search), a Euclidean distance transform of that window gives every sea cell's distance
    to land, and a k-d tree of the cells far enough offshore answers "nearest valid cell" for all
    the tile's cities at once. Reading the mask per tile rather than per city is what makes the
    whole world take seconds: ~34,000 cities fall in ~3,000 tiles, most of which are inland and
    skipped after one look at the coarse mask.

Open-ocean share (exposure proxy)
    The share of compass bearings from a point along which no land cell is met within a fetch
    length. Waves grow with the open water they blow over (fetch), so a site ringed by land is
    sheltered and a site open to the ocean on most bearings is exposed. It is a proxy for how
    often sea state closes a site, not a wave climatology: it knows nothing of winds, swell from
    far away, tides or seasons.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import distance_transform_edt
from scipy.spatial import cKDTree

from rocketpost.core.earth import EARTH_RADIUS_KM
from rocketpost.core.geo import destination_point, great_circle_km
from rocketpost.world.landmask import MASK_CELL_DEG, coarse_mask, is_land

__all__ = ["nearest_sea_points", "open_ocean_share"]

_KM_PER_DEG = math.pi * EARTH_RADIUS_KM / 180.0
"""Length of one degree of latitude (and of longitude at the equator) on the mean sphere."""

_COARSE_DEG = 0.1
"""Resolution of the coarse mask used to skip tiles with no sea in reach (11 km cells)."""


def _tile_has_sea(
    coarse: NDArray[np.bool_], lat_lo: float, lat_hi: float, lon_lo: float, lon_hi: float
) -> bool:
    """Whether any coarse cell of the window is sea (a cell is land when half its area is)."""
    n_rows, n_cols = coarse.shape
    row_top = max(0, math.floor((90.0 - lat_hi) / _COARSE_DEG))
    row_bottom = min(n_rows, math.ceil((90.0 - lat_lo) / _COARSE_DEG))
    cols = np.arange(
        math.floor((lon_lo + 180.0) / _COARSE_DEG), math.ceil((lon_hi + 180.0) / _COARSE_DEG)
    )
    window = coarse[row_top:row_bottom][:, cols % n_cols]
    return bool((~window).any())


def nearest_sea_points(
    lat_deg: NDArray[np.float64],
    lon_deg: NDArray[np.float64],
    *,
    clearance_km: float,
    max_distance_km: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """For each city, the nearest mask-cell centre at sea at least ``clearance_km`` from land.

    Parameters
    ----------
    lat_deg, lon_deg
        City centres (1-D, equal length).
    clearance_km
        Minimum distance from the cell centre to the centre of any land cell (Euclidean on a
        local flat projection of the tile, accurate to well under 1 % over ~40 km). Callers add
        a margin above the safety rule, because the network's own check samples rings and may
        read a land cell up to about one cell nearer (see :mod:`rocketpost.world.coast`).
    max_distance_km
        Cities whose nearest valid cell is farther get none.

    Returns
    -------
    (sea_lat_deg, sea_lon_deg, distance_km)
        ``NaN`` where a city has no sea point within ``max_distance_km``. Deterministic: the mask
        cells and the tree query depend only on the inputs.
    """
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    sea_lat = np.full(lat.shape, np.nan)
    sea_lon = np.full(lat.shape, np.nan)
    distance = np.full(lat.shape, np.nan)
    if len(lat) == 0:
        return sea_lat, sea_lon, distance
    coarse = coarse_mask(_COARSE_DEG)
    reach_km = max_distance_km + clearance_km + 2.0  # every land cell that can matter is inside
    tile_lat = np.floor(lat).astype(np.int64)
    tile_lon = np.floor(lon).astype(np.int64)
    tile_key = tile_lat * 1000 + tile_lon
    order = np.argsort(tile_key, kind="stable")
    keys, starts = np.unique(tile_key[order], return_index=True)
    bounds = np.append(starts, len(order))
    for number in range(len(keys)):
        members = order[bounds[number] : bounds[number + 1]]
        # The window spans the tile's cities (not the whole tile) plus the search reach: one
        # city reads ~80 km × 80 km of mask, not 1° plus margins.
        south, north = float(lat[members].min()), float(lat[members].max())
        west = float(tile_lon[members[0]])
        west_city = west + float(((lon[members] - west) % 360.0).min())
        east_city = west + float(((lon[members] - west) % 360.0).max())
        # Longitude degrees shrink towards the poles: size the margin at the window's worst edge.
        edge_lat = min(max(abs(south), abs(north)) + reach_km / _KM_PER_DEG, 89.0)
        cos_edge = max(math.cos(math.radians(edge_lat)), 0.05)
        margin_lat = reach_km / _KM_PER_DEG
        margin_lon = reach_km / (_KM_PER_DEG * cos_edge)
        lat_lo = max(south - margin_lat, -89.9)
        lat_hi = min(north + margin_lat, 89.9)
        lon_lo, lon_hi = west_city - margin_lon, east_city + margin_lon
        if not _tile_has_sea(coarse, lat_lo, lat_hi, lon_lo, lon_hi):
            continue
        _search_tile(
            members, lat, lon, (lat_lo, lat_hi, lon_lo, lon_hi), clearance_km, max_distance_km,
            (sea_lat, sea_lon, distance),
        )  # fmt: skip
    return sea_lat, sea_lon, distance


def _search_tile(
    members: NDArray[np.intp],
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    window: tuple[float, float, float, float],
    clearance_km: float,
    max_distance_km: float,
    out: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]],
) -> None:
    """Fill ``out`` for the cities ``members`` of one tile from one read of the mask window."""
    lat_lo, lat_hi, lon_lo, lon_hi = window
    # Cell centres of the GLOBE grid, so that a returned point is exactly a mask cell's centre.
    row_lo = math.floor((lat_lo + 90.0) / MASK_CELL_DEG)
    row_hi = math.ceil((lat_hi + 90.0) / MASK_CELL_DEG)
    col_lo = math.floor((lon_lo + 180.0) / MASK_CELL_DEG)
    col_hi = math.ceil((lon_hi + 180.0) / MASK_CELL_DEG)
    cell_lat = -90.0 + (np.arange(row_lo, row_hi) + 0.5) * MASK_CELL_DEG
    cell_lon = -180.0 + (np.arange(col_lo, col_hi) + 0.5) * MASK_CELL_DEG
    land = is_land(cell_lat[:, None], cell_lon[None, :])
    if land.all():
        return
    mid_lat = float(np.mean(lat[members]))
    km_lat = MASK_CELL_DEG * _KM_PER_DEG
    km_lon = km_lat * math.cos(math.radians(mid_lat))
    if land.any():
        clearance = distance_transform_edt(~land, sampling=(km_lat, km_lon))
        valid_rows, valid_cols = np.nonzero(clearance >= clearance_km)
    else:
        valid_rows, valid_cols = np.nonzero(~land)
    if len(valid_rows) == 0:
        return
    # Local flat coordinates (km) centred on the tile: exact enough for a nearest-cell ranking,
    # and the distance reported is recomputed on the sphere below.
    ref_lon = float(cell_lon[len(cell_lon) // 2])
    tree = cKDTree(np.column_stack([valid_rows * km_lat, valid_cols * km_lon]))
    city_rows = (lat[members] - cell_lat[0]) / MASK_CELL_DEG
    city_cols = ((lon[members] - ref_lon + 180.0) % 360.0 - 180.0 + ref_lon - cell_lon[0]) / (
        MASK_CELL_DEG
    )
    flat_km, nearest = tree.query(
        np.column_stack([city_rows * km_lat, city_cols * km_lon]),
        distance_upper_bound=max_distance_km * 1.02 + 1.0,
    )
    found = np.isfinite(flat_km)
    if not found.any():
        return
    chosen = nearest[found]
    point_lat = cell_lat[valid_rows[chosen]]
    point_lon = (cell_lon[valid_cols[chosen]] + 180.0) % 360.0 - 180.0
    km = great_circle_km(lat[members][found], lon[members][found], point_lat, point_lon)
    keep = km <= max_distance_km
    targets = members[found][keep]
    out[0][targets] = point_lat[keep]
    out[1][targets] = point_lon[keep]
    out[2][targets] = km[keep]


def open_ocean_share(
    lat_deg: NDArray[np.float64],
    lon_deg: NDArray[np.float64],
    *,
    fetch_km: float = 100.0,
    bearings: int = 36,
    step_km: float = 1.0,
) -> NDArray[np.float64]:
    """Share of ``bearings`` compass directions along which no land lies within ``fetch_km``.

    Each ray is sampled every ``step_km`` on the 1 km GLOBE mask (lakes count as land, so a
    large lake shelters like land). ``0`` is a fully enclosed bay, ``1`` open ocean all round.
    """
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    share = np.zeros(lat.shape)
    along_km = np.arange(1, math.floor(fetch_km / step_km) + 1) * step_km
    bearing_deg = np.arange(bearings) * (360.0 / bearings)
    chunk = max(1, 2_000_000 // (len(along_km) * bearings))  # bounded working memory
    for start in range(0, len(lat), chunk):
        stop = min(start + chunk, len(lat))
        sample_lat, sample_lon = destination_point(
            lat[start:stop, None, None],
            lon[start:stop, None, None],
            bearing_deg[None, :, None],
            along_km[None, None, :],
        )
        blocked = is_land(sample_lat, sample_lon).any(axis=2)
        share[start:stop] = 1.0 - blocked.mean(axis=1)
    return share
