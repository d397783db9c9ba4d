"""Earth constants shared by the physics and the geodesy.

A spherical Earth is used throughout: the trajectory model (Bate, Mueller & White ch. 6) is
derived for a sphere, and the ground distances it feeds (last mile, sea transfer) are far
shorter than the ~0.3 % error this introduces against the WGS-84 ellipsoid.
"""

from __future__ import annotations

EARTH_RADIUS_KM = 6371.0088
"""IUGG mean Earth radius R1 (km)."""

EARTH_MU_KM3_S2 = 398600.4418
"""Geocentric gravitational constant GM (km³/s²), IERS/WGS-84."""

EARTH_ROTATION_RAD_S = 7.2921150e-5
"""Sidereal rotation rate ω⊕ (rad/s), IERS conventions."""

STANDARD_GRAVITY_MS2 = 9.80665
"""Standard gravity g₀ (m/s²)."""
