"""Questions asked of the land mask near a coast: how far offshore, and does a leg cross land.

A sea landing zone must lie a safe distance offshore (:func:`distance_to_land_km`), and the boat
leg from a landing zone to its port must stay on water (:func:`segment_crosses_land`). Both
sample the 1 km GLOBE mask of :mod:`.landmask` along circles or great-circle segments, finer
than its ~0.93 km cells, so that an islet one cell wide is not stepped over.
"""

from __future__ import annotations

import math

import numpy as np

from rocketpost.core.geo import destination_point, great_circle_km, initial_bearing_deg
from rocketpost.errors import InputError
from rocketpost.world.landmask import checked_lat_lon, is_land

__all__ = ["distance_to_land_km", "segment_crosses_land"]


def _check_point(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    lat, lon = checked_lat_lon(lat_deg, lon_deg)
    if lat.ndim:
        raise InputError("lat_deg", lat_deg, "must be a single latitude, not an array")
    return float(lat), float(lon)


def _check_positive(field: str, value: float) -> float:
    if not (isinstance(value, int | float | np.floating | np.integer) and math.isfinite(value)):
        raise InputError(field, value, "must be a finite number of kilometres")
    if value <= 0:
        raise InputError(field, value, "must be positive")
    return float(value)


def distance_to_land_km(
    lat_deg: float,
    lon_deg: float,
    max_km: float = 50.0,
    *,
    step_km: float = 0.5,
    spacing_km: float = 0.5,
) -> float:
    """Approximate distance from a point to the nearest land cell (km), up to ``max_km``.

    Used to check that a sea landing zone lies a safe distance offshore. Rings of sample points
    are laid around the location every ``step_km`` of radius, with at least 72 bearings and no
    more than ``spacing_km`` between neighbours on a ring (finer than the ~0.93 km cells, so an
    islet one cell wide is not stepped over); rings are tested from the inside out and the search
    stops at the first ring that touches land.

    Returns
    -------
    float
        ``0.0`` if the point itself is on land; otherwise the radius of the first ring that has a
        land sample (an over-estimate of at most about ``step_km`` plus one cell); ``math.inf``
        if there is no land within ``max_km``.

    Raises
    ------
    InputError
        Bad coordinates, or a non-positive ``max_km`` / ``step_km`` / ``spacing_km``.
    """
    lat, lon = _check_point(lat_deg, lon_deg)
    limit_km = _check_positive("max_km", max_km)
    step = _check_positive("step_km", step_km)
    spacing = _check_positive("spacing_km", spacing_km)
    if bool(is_land(lat, lon)):
        return 0.0
    radii = np.arange(1, math.floor(limit_km / step + 1e-9) + 1) * step
    if len(radii) == 0 or radii[-1] < limit_km - 1e-9:
        radii = np.append(radii, limit_km)
    budget = 200_000  # points per batch: a few ms of lookups, and few wasted outer rings
    start = 0
    while start < len(radii):
        stop = start
        points = 0
        batch_counts = []
        while stop < len(radii) and (points < budget or stop == start):
            count = max(72, math.ceil(2.0 * math.pi * radii[stop] / spacing))
            batch_counts.append(count)
            points += count
            stop += 1
        ring_radius = np.repeat(radii[start:stop], batch_counts)
        bearing = np.concatenate([np.arange(n) * (360.0 / n) for n in batch_counts])
        sample_lat, sample_lon = destination_point(lat, lon, bearing, ring_radius)
        land = is_land(sample_lat, sample_lon)
        if land.any():
            return float(ring_radius[np.argmax(land)])
        start = stop
    return math.inf


def segment_crosses_land(
    lat1_deg: float,
    lon1_deg: float,
    lat2_deg: float,
    lon2_deg: float,
    step_km: float = 0.5,
    *,
    endpoint_clearance_km: float = 1.0,
) -> bool:
    """Whether the great-circle segment between two points passes over land.

    The segment is sampled every ``step_km``; samples closer than ``endpoint_clearance_km`` to
    either end are skipped, so a boat leg from a landing zone to a port whose reference point
    sits on the quay (a land cell) is not rejected for touching its own shore.

    Raises
    ------
    InputError
        Bad coordinates or a non-positive step.
    """
    lat1, lon1 = _check_point(lat1_deg, lon1_deg)
    lat2, lon2 = _check_point(lat2_deg, lon2_deg)
    step = _check_positive("step_km", step_km)
    if not (math.isfinite(endpoint_clearance_km) and endpoint_clearance_km >= 0):
        raise InputError(
            "endpoint_clearance_km", endpoint_clearance_km, "must be a finite distance >= 0"
        )
    length_km = float(great_circle_km(lat1, lon1, lat2, lon2))
    if length_km < 2.0 * endpoint_clearance_km:
        return False
    n_steps = max(1, math.ceil(length_km / step))
    along_km = np.linspace(0.0, length_km, n_steps + 1)
    inner = (along_km >= endpoint_clearance_km) & (along_km <= length_km - endpoint_clearance_km)
    along_km = along_km[inner]
    if len(along_km) == 0:
        return False
    bearing = float(initial_bearing_deg(lat1, lon1, lat2, lon2))
    sample_lat, sample_lon = destination_point(lat1, lon1, bearing, along_km)
    return bool(is_land(sample_lat, sample_lon).any())
