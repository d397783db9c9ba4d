"""The one rule for drones from a recovery vessel: may they fly now, given wind and sea state?

A landing site's recovery vessel launches delivery drones from its deck. Two limits from the
network file decide whether it can: the drone's wind limit (``drone.max_wind_ms``, the wind the
airframe flies in) and the deck's sea-state limit (``drone.max_sea_state_m``, the significant
wave height up to which a small vessel can launch and recover drones). When either is exceeded
the vessel's drones stay on deck and the parcels they would have carried go the other way:
boat → port → van (or a drone from the port).

:func:`vessel_drones_fly` is that rule, vectorised; the kernel (a per-site mask in
:class:`~rocketpost.core.kernelinput.KernelOptions`), the planner's last mile
(:mod:`rocketpost.planning.lastmile`) and the simulator (per landing, on the wind and waves it
samples) all call it. :func:`vessel_drone_sites` turns declared conditions
(:class:`rocketpost.promise.conditions.SiteSea`: ``wind_ms``, ``wave_height_m``, open or closed)
into the kernel's per-site mask.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.doortodoor import last_mile, network_legs
from rocketpost.core.geo import great_circle_km
from rocketpost.network import Drone, Network
from rocketpost.promise.conditions import Conditions, SeaState

__all__ = ["port_instead", "vessel_drone_sites", "vessel_drones_fly"]


def vessel_drones_fly(
    drone: Drone, wind_ms: ArrayLike, wave_height_m: ArrayLike
) -> NDArray[np.bool_]:
    """Whether a vessel may launch drones in this wind (m/s) and significant wave height (m).

    Both limits are inclusive (a wind of exactly ``max_wind_ms`` flies). NaN means "not known":
    the deterministic assumption of open conditions, so an undeclared site keeps its drones.
    """
    wind = np.asarray(wind_ms, dtype=np.float64)
    waves = np.asarray(wave_height_m, dtype=np.float64)
    wind_ok = np.isnan(wind) | (wind <= drone.max_wind_ms)
    waves_ok = np.isnan(waves) | (waves <= drone.max_sea_state_m)
    return np.asarray(wind_ok & waves_ok)


def vessel_drone_sites(network: Network, conditions: Conditions | None) -> NDArray[np.bool_]:
    """Per landing site (``network.landing_sites`` order): may its vessel launch drones now?

    A site whose sea is declared ``closed`` lands nothing, so launches no drones either (a
    diverted flight's pod goes ashore by boat from the alternate zone); an open site follows
    :func:`vessel_drones_fly` on its declared wind and wave height (undeclared: open). Sites
    without vessel drones (``drone.from_vessel`` off, or no drones on the deck) are ``False``.
    """
    has_drones = np.asarray(network.site_drones > 0) & bool(network.drone.from_vessel)
    if conditions is None:
        return has_drones
    wind = np.full(len(network.site_ids), np.nan)
    waves = np.full(len(network.site_ids), np.nan)
    closed = np.zeros(len(network.site_ids), dtype=bool)
    for i, site_id in enumerate(network.site_ids):
        if site_id not in conditions.sites:
            continue
        sea = conditions.sea(site_id)
        closed[i] = sea.state is SeaState.CLOSED
        wind[i] = np.nan if sea.wind_ms is None else sea.wind_ms
        waves[i] = np.nan if sea.wave_height_m is None else sea.wave_height_m
    return np.asarray(has_drones & ~closed & vessel_drones_fly(network.drone, wind, waves))


def port_instead(
    network: Network, site: ArrayLike, lat_deg: ArrayLike, lon_deg: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """The other way for a vessel parcel whose drones are grounded: boat → port → last mile.

    Per parcel at landing site ``site`` (indices into ``network.landing_sites``): seconds from
    touchdown to the parcel at the site's port (sea transfer, boat, port handling), the last
    mile from that port (the kernel's :func:`~rocketpost.core.doortodoor.last_mile`: a drone
    from the port within range, else a van) and whether that last mile is a drone. The parcel
    flew by vessel drone, so it is within a drone's payload.
    """
    legs = network_legs(network)
    s = np.asarray(site, dtype=np.intp)
    km = great_circle_km(
        np.asarray(lat_deg, dtype=np.float64),
        np.asarray(lon_deg, dtype=np.float64),
        network.site_port_lat_deg[s],
        network.site_port_lon_deg[s],
    )
    seconds, drone = last_mile(legs, km)
    return np.asarray(legs.landing_to_port_s[s]), np.asarray(seconds), np.asarray(drone)
