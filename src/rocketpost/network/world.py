"""World-data checks of a network's sites: landing zones at sea, known ports, boat routes.

They need the land mask, the ports data and the waterway router, so they run when a network is
loaded (:func:`rocketpost.network.load_network` with ``check_world``), not when the dataclasses
are built in code.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rocketpost.network.model import Safety

__all__ = ["check_sites"]


def check_sites(
    reader: Any,
    path: str,
    landing_zone: tuple[float, float],
    port_code: str,
    safety: Safety,
) -> tuple[tuple[float, float], float]:
    """Verify a hub's landing zone and port against world data; return port position and route."""
    from rocketpost.errors import PlaceNotFoundError
    from rocketpost.world import distance_to_land_km, is_land
    from rocketpost.world.ports import load_ports
    from rocketpost.world.waterway import cached_boat_route_km

    lat, lon = landing_zone
    if bool(np.asarray(is_land(lat, lon))):
        raise reader.error(
            f"{path}.landing_zone",
            list(landing_zone),
            "is on land (GLOBE land mask; lakes count as land)",
        )
    clearance_km = distance_to_land_km(lat, lon, max_km=safety.min_offshore_km + 1.0)
    if clearance_km < safety.min_offshore_km:
        raise reader.error(
            f"{path}.landing_zone",
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
    route_km = cached_boat_route_km(lat, lon, port.lat_deg, port.lon_deg)
    if route_km is None:
        raise reader.error(
            f"{path}.landing_zone",
            list(landing_zone),
            f"has no water route to port {port_code} over the land mask",
        )
    if route_km > safety.max_boat_route_km:
        raise reader.error(
            f"{path}.landing_zone",
            list(landing_zone),
            f"is {route_km:.1f} km by water from port {port_code}; "
            f"safety.max_boat_route_km is {safety.max_boat_route_km:g}",
        )
    return (port.lat_deg, port.lon_deg), round(route_km, 3)
