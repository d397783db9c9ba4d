"""World-data checks of a network's sites: landing zones at sea, known ports, boat routes.

They need the land mask, the ports data and the waterway router, so they run when a network is
loaded (:func:`rocketpost.network.load_network` with ``check_world``), not when the dataclasses
are built in code.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from rocketpost.network.model import Safety

__all__ = ["check_sites", "water_route_km"]

_ROUTE_CACHE_FORMAT = 1


def _route_cache_path() -> Path:
    """The on-disk water-route cache; its name carries the land mask's version (the routes are
    computed over it) and the cache format."""
    from rocketpost.world.cache import cache_dir

    try:
        mask = metadata.version("global-land-mask")
    except metadata.PackageNotFoundError:
        mask = "unknown"
    return cache_dir() / f"boat-routes-{mask}-v{_ROUTE_CACHE_FORMAT}.json"


@lru_cache(maxsize=1)
def _route_cache() -> dict[str, float | None]:
    try:
        loaded = json.loads(_route_cache_path().read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def water_route_km(
    lat_deg: float, lon_deg: float, port_lat_deg: float, port_lon_deg: float
) -> float | None:
    """:func:`rocketpost.world.waterway.cached_boat_route_km`, also cached on disk.

    A route search takes ~3 ms (300 landing sites: ~1 s per load); the routes depend only on
    the two points and the land mask, so they are kept across processes in the cache directory.
    """
    from rocketpost.world.cache import write_cache_file
    from rocketpost.world.waterway import cached_boat_route_km

    key = f"{lat_deg!r},{lon_deg!r},{port_lat_deg!r},{port_lon_deg!r}"
    cache = _route_cache()
    if key in cache:
        return cache[key]
    route = cached_boat_route_km(lat_deg, lon_deg, port_lat_deg, port_lon_deg)
    cache[key] = route
    text = json.dumps(cache).encode()
    write_cache_file(_route_cache_path(), lambda stream: stream.write(text))
    return route


def check_sites(
    reader: Any,
    path: str,
    landing_zone: tuple[float, float],
    port_code: str,
    safety: Safety,
    *,
    position_key: str = "landing_zone",
) -> tuple[tuple[float, float], float]:
    """Verify a landing zone (a hub's, or a landing site's ``position``) and its port against
    world data; return the port position and the water route (km). Errors name
    ``{path}.{position_key}`` or ``{path}.port``."""
    from rocketpost.errors import PlaceNotFoundError
    from rocketpost.world import distance_to_land_km, is_land
    from rocketpost.world.ports import load_ports

    lat, lon = landing_zone
    if bool(np.asarray(is_land(lat, lon))):
        raise reader.error(
            f"{path}.{position_key}",
            list(landing_zone),
            "is on land (GLOBE land mask; lakes count as land)",
        )
    clearance_km = distance_to_land_km(lat, lon, max_km=safety.min_offshore_km + 1.0)
    if clearance_km < safety.min_offshore_km:
        raise reader.error(
            f"{path}.{position_key}",
            list(landing_zone),
            f"is only ~{clearance_km:.1f} km from land; "
            f"safety.min_offshore_km is {safety.min_offshore_km:g}",
        )
    try:
        port = load_ports().get(port_code)
    except PlaceNotFoundError as error:
        hint = f"; closest matches: {', '.join(error.suggestions)}" if error.suggestions else ""
        raise reader.error(
            f"{path}.port", port_code, "is not a UN/LOCODE in the ports data" + hint
        ) from None
    route_km = water_route_km(lat, lon, port.lat_deg, port.lon_deg)
    if route_km is None:
        raise reader.error(
            f"{path}.{position_key}",
            list(landing_zone),
            f"has no water route to port {port_code} over the land mask",
        )
    if route_km > safety.max_boat_route_km:
        raise reader.error(
            f"{path}.{position_key}",
            list(landing_zone),
            f"is {route_km:.1f} km by water from port {port_code}; "
            f"safety.max_boat_route_km is {safety.max_boat_route_km:g}",
        )
    return (port.lat_deg, port.lon_deg), round(route_km, 3)
