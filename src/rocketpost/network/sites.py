"""Reading ``[[landing_sites]]``: extra sea landing sites near cities, checked like hub zones.

A site is checked against world data exactly as a hub's landing zone is (at sea by the land mask,
at least ``safety.min_offshore_km`` offshore, a real port, a water route no longer than
``safety.max_boat_route_km``), by the same :func:`rocketpost.network.world.check_sites`; errors
name ``landing_sites[i].field``. The water routes are cached on disk
(:func:`rocketpost.world.waterway.cached_boat_route_km`), so reloading 300 sites is fast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rocketpost.network.model import LandingSite, Safety
from rocketpost.network.world import check_sites
from rocketpost.tomlfile import TomlReader

__all__ = ["SITE_KEYS", "read_landing_sites"]

SITE_KEYS: dict[str, type] = {
    "id": str,
    "position": list,
    "port": str,
    "drones": int,
    "vans": int,
    "sea_state_closed_share": float,
    "serves": str,
}
_SITE_REQUIRED = ("id", "position", "port")


def read_landing_sites(
    reader: TomlReader,
    raw_sites: Sequence[Any],
    *,
    taken_ids: Mapping[str, str],
    safety: Safety,
    check_world: bool,
) -> tuple[LandingSite, ...]:
    """Validated extra landing sites (``hub_index = -1``) from ``[[landing_sites]]`` tables.

    ``taken_ids`` maps ids already in use (the hubs') to the key path that uses them.
    """
    seen = {key.upper(): path for key, path in taken_ids.items()}
    sites: list[LandingSite] = []
    for i, raw in enumerate(raw_sites):
        path = f"landing_sites[{i}]"
        if not isinstance(raw, Mapping):
            raise reader.error(path, raw, "must be a table")
        values = reader.check_keys(raw, SITE_KEYS, path, _SITE_REQUIRED)
        site_id = str(values["id"]).strip()
        if site_id.upper() in seen:
            raise reader.error(f"{path}.id", site_id, f"is already used by {seen[site_id.upper()]}")
        seen[site_id.upper()] = path
        position = reader.lat_lon(values["position"], f"{path}.position")  # type: ignore[attr-defined]
        port_code = str(values["port"]).strip().upper()
        port_position, boat_km = position, 0.0
        if check_world:
            port_position, boat_km = check_sites(
                reader, path, position, port_code, safety, position_key="position"
            )
        sites.append(
            reader.build(
                path,
                LandingSite,
                {
                    "site_id": site_id,
                    "position": position,
                    "port": port_code,
                    "port_position": port_position,
                    "boat_route_km": boat_km,
                    "drones": values.get("drones", 0),
                    "vans": values.get("vans", LandingSite.vans),
                    "sea_state_closed_share": values.get("sea_state_closed_share", 0.0),
                    "hub_index": -1,
                    "serves": values.get("serves", ""),
                },
            )
        )
    return tuple(sites)
