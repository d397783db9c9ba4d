"""The fixed legs of a network, computed once: what the door-to-door kernel does not redo.

A network is immutable, and everything in :class:`NetworkLegs` depends on the network alone:
the hub × hub flight matrix (rotating Earth, :mod:`rocketpost.core.ballistics`), landing zone to
port (sea transfer, boat, port handling), handling and wave intervals, and the vehicle speeds of
the last mile. :func:`network_legs` caches it per network, so the kernel
(:func:`rocketpost.core.doortodoor.door_to_door`) evaluates only what depends on the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.ballistics import Trajectory, min_energy_trajectory
from rocketpost.core.fastest import fastest_trajectory
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.network.model import RocketClass

__all__ = [
    "NetworkLegs",
    "WaveWait",
    "flight_matrix",
    "network_legs",
    "next_wave_s",
    "policy_wait_s",
    "rocket_trajectory",
]

_S_PER_H = 3600.0  # seconds per hour, for speeds in km/h (not the one-hour promise)
_INF = np.inf
_ON_THE_WAVE = np.array(1e-9)  # intervals; 0-d: NumPy converts a Python float on every call


def unit_vectors(lat_rad: ArrayLike, lon_rad: ArrayLike) -> NDArray[np.float64]:
    """Earth-centred unit vectors ``(n, 3)`` of points given in radians."""
    lat, lon = np.asarray(lat_rad, dtype=np.float64), np.asarray(lon_rad, dtype=np.float64)
    cos_lat = np.cos(lat)
    return np.stack([cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)], axis=-1)


@lru_cache(maxsize=16)
def flight_matrix(network: Network, *, rotating: bool = True) -> Trajectory:
    """Trajectories from every hub's pad to every landing site, shape ``(hubs, sites)``.

    Sites are ``network.landing_sites`` (the hubs' own zones first, so column ``d < hubs`` is
    hub ``d``'s zone). The arc is the rocket class's ``trajectory``: minimum-energy, or the
    fastest within ``max_burnout_speed_ms`` (:func:`rocketpost.core.fastest.fastest_trajectory`).
    Cached per network: a network is immutable and its flights do not depend on the order.
    """
    return rocket_trajectory(
        network.rocket,
        network.pad_lat_deg[:, None],
        network.pad_lon_deg[:, None],
        network.site_lat_deg[None, :],
        network.site_lon_deg[None, :],
        rotating=rotating,
    )


def rocket_trajectory(
    rocket: RocketClass,
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    landing_lat_deg: ArrayLike,
    landing_lon_deg: ArrayLike,
    *,
    rotating: bool = True,
    trajectory: str | None = None,
    max_burnout_speed_ms: float | None = None,
) -> Trajectory:
    """The rocket class's flight between points: its ``trajectory`` (or the one given) within
    its burnout-speed budget (or the one given). The one place the arc is chosen."""
    kind = rocket.trajectory if trajectory is None else trajectory
    common: dict[str, Any] = {
        "burnout_altitude_km": rocket.burnout_altitude_km,
        "ascent_s": rocket.ascent_s,
        "descent_s": rocket.descent_s,
        "rotating": bool(rotating),
    }
    points = (launch_lat_deg, launch_lon_deg, landing_lat_deg, landing_lon_deg)
    if kind == "fastest":
        budget = (
            rocket.max_burnout_speed_ms if max_burnout_speed_ms is None else max_burnout_speed_ms
        )
        return fastest_trajectory(*points, max_burnout_speed_ms=budget, **common)
    if kind != "min_energy":
        raise InputError("trajectory", kind, "must be min_energy or fastest")
    return min_energy_trajectory(*points, **common)


@dataclass(frozen=True, eq=False)
class NetworkLegs:
    """Every leg that depends on the network alone, computed once (see :func:`network_legs`).

    Origin arrays are indexed by hub position, destination arrays by landing-site position
    (``network.landing_sites``: hub ``i``'s own zone is site ``i``). ``flight_to_port_s[o, s]``
    is liftoff-to-parcels-at-port (flight plus sea transfer, boat and port handling),
    ``touchdown_s[o, s]`` liftoff to touchdown; both infinite where hub ``o`` would land at its
    own zone (it never flies there) or the lane is out of the rocket's reach.
    ``vessel_drone_site`` marks the sites whose recovery vessel launches drones
    (``drone.from_vessel`` and ``drones > 0``); ``vessel_transfer_s`` is pod to drone deck.
    """

    network: Network
    hub_count: int
    all_hubs: NDArray[np.intp]
    handling_s: NDArray[np.float64]
    interval_s: NDArray[np.float64]
    flight_s: NDArray[np.float64]
    coast_s: NDArray[np.float64]
    range_km: NDArray[np.float64]
    landing_to_port_s: NDArray[np.float64]
    boat_s: NDArray[np.float64]
    flight_to_port_s: NDArray[np.float64]
    touchdown_s: NDArray[np.float64]
    site_count: int
    vessel_drone_site: NDArray[np.bool_]
    vessel_transfer_s: float
    # Site ports, then pads, then (when any vessel launches drones) the sites themselves: one
    # great-circle call per block covers every last mile.
    point_lat_deg: NDArray[np.float64]
    point_lon_deg: NDArray[np.float64]
    # The points' unit vectors as three (points,) arrays x, y, z (the kernel's dot products).
    point_xyz: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]
    # The last mile's vehicle figures as 0-d float64 arrays: the kernel combines them with arrays
    # of distances, and NumPy would convert a Python float on every call.
    van_s_per_km: NDArray[np.float64]
    van_stop_s: NDArray[np.float64]
    drone_s_per_km: NDArray[np.float64]
    drone_handover_s: NDArray[np.float64]
    drone_range_km: NDArray[np.float64]
    ascent_s: float
    descent_s: float
    sea_transfer_s: float
    port_handling_s: float

    def origin_indices(self, origins: Sequence[str] | None) -> NDArray[np.intp]:
        """Hub positions of ``origins`` (every hub for ``None``); unknown ids are an error."""
        if origins is None:
            return np.arange(self.hub_count, dtype=np.intp)
        if len(origins) == 0:
            raise InputError("origins", list(origins), "must name at least one hub")
        return np.array([self.network.hub_index(o) for o in origins], dtype=np.intp)

    def drone_fits(self, mass_kg: ArrayLike, volume_m3: ArrayLike) -> NDArray[np.bool_]:
        """Whether a parcel is within the drone's payload (mass and volume)."""
        drone = self.network.drone
        return np.asarray(
            (np.asarray(mass_kg) <= drone.max_parcel_kg)
            & (np.asarray(volume_m3) <= drone.max_parcel_m3)
        )


@lru_cache(maxsize=16)
def network_legs(network: Network, *, rotating: bool = True) -> NetworkLegs:
    """The fixed legs of ``network``, cached per network (a network is immutable)."""
    flights = flight_matrix(network, rotating=rotating)
    boat, van, drone, rocket = network.boat, network.van, network.drone, network.rocket
    boat_s = np.asarray(network.site_boat_route_km / boat.speed_kmh * _S_PER_H, dtype=np.float64)
    to_port = np.asarray(
        boat.transfer_min * 60.0 + boat_s + boat.port_handling_min * 60.0, dtype=np.float64
    )
    flight_s = np.array(flights.flight_s, dtype=np.float64)
    touchdown = flight_s.copy()
    hubs = len(network.hubs)
    touchdown[np.arange(hubs), np.arange(hubs)] = _INF  # a hub never flies to its own zone
    touchdown[~np.isfinite(touchdown)] = _INF  # out of the budget's reach (NaN-safe)
    flight_to_port = touchdown + to_port[None, :]
    vessel = np.asarray(network.site_drones > 0) & bool(drone.from_vessel)
    lat = [network.site_port_lat_deg, network.pad_lat_deg]
    lon = [network.site_port_lon_deg, network.pad_lon_deg]
    if vessel.any():
        lat.append(network.site_lat_deg)
        lon.append(network.site_lon_deg)
    point_lat_rad = np.radians(np.concatenate(lat))
    return NetworkLegs(
        network=network,
        hub_count=len(network.hubs),
        all_hubs=np.arange(len(network.hubs), dtype=np.intp),
        handling_s=np.asarray(network.handling_s, dtype=np.float64),
        interval_s=np.asarray(network.launch_wave_interval_s, dtype=np.float64),
        flight_s=flight_s,
        coast_s=np.array(flights.coast_s, dtype=np.float64),
        range_km=np.array(flights.range_km, dtype=np.float64),
        landing_to_port_s=to_port,
        boat_s=boat_s,
        flight_to_port_s=flight_to_port,
        touchdown_s=touchdown,
        site_count=len(network.landing_sites),
        vessel_drone_site=vessel,
        vessel_transfer_s=float(drone.vessel_transfer_min * 60.0),
        point_lat_deg=np.concatenate(lat),
        point_lon_deg=np.concatenate(lon),
        point_xyz=tuple(unit_vectors(point_lat_rad, np.radians(np.concatenate(lon))).T.copy()),
        van_s_per_km=np.array(van.road_factor / van.speed_kmh * _S_PER_H, dtype=np.float64),
        van_stop_s=np.array(van.stop_min * 60.0, dtype=np.float64),
        drone_s_per_km=np.array(_S_PER_H / drone.speed_kmh, dtype=np.float64),
        drone_handover_s=np.array(drone.handover_min * 60.0, dtype=np.float64),
        drone_range_km=np.array(drone.range_km, dtype=np.float64),
        ascent_s=float(rocket.ascent_s),
        descent_s=float(rocket.descent_s),
        sea_transfer_s=float(boat.transfer_min * 60.0),
        port_handling_s=float(boat.port_handling_min * 60.0),
    )


class WaveWait(StrEnum):
    """How long an order waits for its launch wave when no ready time is given.

    ``worst`` (the default for reach) assumes the order just missed a wave, so a promise holds
    whenever the order is placed; ``mean`` is half an interval, the expected wait for orders
    arriving at random; ``none`` ignores the wait (a lower bound).
    """

    WORST = "worst"
    MEAN = "mean"
    NONE = "none"


def next_wave_s(ready_s: ArrayLike, interval_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """The first launch wave at or after ``ready_s`` (epoch seconds; waves leave at whole
    multiples of the interval counted from 00:00 UTC). A pod ready exactly on a wave makes it."""
    return np.ceil(ready_s / interval_s - _ON_THE_WAVE) * interval_s  # type: ignore[operator]


def policy_wait_s(interval_s: ArrayLike, policy: WaveWait | str) -> NDArray[np.float64]:
    """Wave wait without a ready time, by :class:`WaveWait` policy."""
    interval = np.asarray(interval_s, dtype=np.float64)
    policy = WaveWait(policy)
    if policy is WaveWait.WORST:
        return interval
    if policy is WaveWait.MEAN:
        return interval / 2.0
    return np.zeros_like(interval)
