"""Vectorised spherical geodesy: distances, bearings, unit vectors.

All functions accept scalars or NumPy arrays (broadcast together) in degrees and return NumPy
values, so that "every city × every hub" is one call with ``lat[:, None]`` against ``lat[None, :]``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.earth import EARTH_RADIUS_KM

__all__ = [
    "central_angle_rad",
    "destination_point",
    "great_circle_km",
    "haversine_rad",
    "initial_bearing_deg",
    "to_lat_lon",
    "unit_vector",
]

FloatArray = NDArray[np.float64]


def central_angle_rad(
    lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike, lon2_deg: ArrayLike
) -> FloatArray:
    """Great-circle central angle between two points (radians).

    Uses the haversine form, which stays accurate for short distances where the spherical law
    of cosines loses precision (last-mile legs are a few kilometres).
    """
    lat1 = np.radians(lat1_deg)
    lat2 = np.radians(lat2_deg)
    dlon = np.radians(np.asarray(lon2_deg, dtype=float) - np.asarray(lon1_deg, dtype=float))
    return haversine_rad(lat1, np.cos(lat1), lat2, np.cos(lat2), dlon)


def haversine_rad(
    lat1_rad: ArrayLike,
    cos_lat1: ArrayLike,
    lat2_rad: ArrayLike,
    cos_lat2: ArrayLike,
    dlon_rad: ArrayLike,
) -> FloatArray:
    """The haversine central angle from latitudes (radians, with their cosines) and the
    longitude difference (radians): the formula of :func:`central_angle_rad`, for callers that
    keep one side's radians and cosines (the door-to-door kernel's ports and pads)."""
    dlat = np.subtract(lat2_rad, lat1_rad)
    h = (
        np.sin(dlat / 2.0) ** 2
        + np.multiply(cos_lat1, cos_lat2) * np.sin(np.divide(dlon_rad, 2.0)) ** 2
    )
    # Rounding can push h a hair outside [0, 1]; two ufuncs, not np.clip's Python wrapper.
    return np.asarray(
        2.0 * np.arcsin(np.sqrt(np.minimum(np.maximum(h, 0.0), 1.0))), dtype=np.float64
    )


def great_circle_km(
    lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike, lon2_deg: ArrayLike
) -> FloatArray:
    """Great-circle distance on the mean-radius sphere (km)."""
    return central_angle_rad(lat1_deg, lon1_deg, lat2_deg, lon2_deg) * EARTH_RADIUS_KM


def initial_bearing_deg(
    lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike, lon2_deg: ArrayLike
) -> FloatArray:
    """Initial true bearing from point 1 towards point 2, degrees clockwise from north, [0, 360)."""
    lat1 = np.radians(lat1_deg)
    lat2 = np.radians(lat2_deg)
    dlon = np.radians(np.asarray(lon2_deg, dtype=float) - np.asarray(lon1_deg, dtype=float))
    y = np.sin(dlon) * np.cos(lat2)
    x = np.cos(lat1) * np.sin(lat2) - np.sin(lat1) * np.cos(lat2) * np.cos(dlon)
    return np.asarray(np.degrees(np.arctan2(y, x)) % 360.0, dtype=np.float64)


def destination_point(
    lat_deg: ArrayLike, lon_deg: ArrayLike, bearing_deg: ArrayLike, distance_km: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Point reached by travelling ``distance_km`` along a great circle at ``bearing_deg``."""
    lat1 = np.radians(lat_deg)
    lon1 = np.radians(lon_deg)
    theta = np.radians(bearing_deg)
    delta = np.asarray(distance_km, dtype=float) / EARTH_RADIUS_KM
    lat2 = np.arcsin(np.sin(lat1) * np.cos(delta) + np.cos(lat1) * np.sin(delta) * np.cos(theta))
    lon2 = lon1 + np.arctan2(
        np.sin(theta) * np.sin(delta) * np.cos(lat1), np.cos(delta) - np.sin(lat1) * np.sin(lat2)
    )
    lon2_deg = (np.degrees(lon2) + 540.0) % 360.0 - 180.0
    return np.asarray(np.degrees(lat2), dtype=np.float64), np.asarray(lon2_deg, dtype=np.float64)


def unit_vector(lat_deg: ArrayLike, lon_deg: ArrayLike) -> FloatArray:
    """Earth-centred unit vector(s), shape ``(..., 3)``: x to (0°, 0°), z to the north pole."""
    lat = np.radians(lat_deg)
    lon = np.radians(lon_deg)
    cos_lat = np.cos(lat)
    return np.stack([cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)], axis=-1)


def to_lat_lon(vectors: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Inverse of :func:`unit_vector` for vectors of any length, shape ``(..., 3)``."""
    v = np.asarray(vectors, dtype=float)
    lat = np.degrees(np.arctan2(v[..., 2], np.hypot(v[..., 0], v[..., 1])))
    lon = np.degrees(np.arctan2(v[..., 1], v[..., 0]))
    return np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
