"""Door-to-door delivery time, leg by leg, from an origin hub to any place.

The budget (DESIGN.md) for a rocket delivery from origin hub ``o`` via destination hub ``d``::

    origin handling   hub o: pick, pack, load the pod            handling_min[o]
    wave wait         until the next launch wave of hub o          policy: worst / mean / exact
    ascent            pad to burnout                              rocket.ascent_s
    coast             minimum-energy ballistic arc, rotating Earth ballistics
    descent           re-entry and vertical sea landing           rocket.descent_s
    sea transfer      pod from rocket to boat                     boat.transfer_min
    boat              landing zone to port over water             boat_route_km[d] / boat.speed_kmh
    port handling     pod ashore, parcels to vans and drones      boat.port_handling_min
    customs           pre-cleared at booking                      0 (planning adds inspections)
    last mile         port to door by drone (in range, light) or van (road factor × distance)

When the destination is closest to the origin hub itself, flying makes no sense: a *ground*
delivery leaves the fulfilment centre (next to the pad) by drone or van after handling, with no
rocket legs. Every origin is considered against every destination hub and the earliest delivery
wins. The whole "origins × destination hubs × places" cube is one broadcast NumPy computation.

A route that cannot meet the threshold is never hidden: the result carries the earliest time
that *is* possible, and :attr:`EtaResult.within` tells whether a promise may be made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.ballistics import Trajectory, min_energy_trajectory
from rocketpost.core.geo import great_circle_km
from rocketpost.errors import InputError, require_positive
from rocketpost.network import Network

__all__ = [
    "DEFAULT_PARCEL",
    "LEG_NAMES",
    "EtaResult",
    "LegBreakdown",
    "Parcel",
    "WaveWait",
    "eta_to_place",
    "eta_to_places",
    "flight_matrix",
    "landing_to_port_s",
    "last_mile_s",
    "wave_wait_s",
]

LEG_NAMES = (
    "origin_handling",
    "wave_wait",
    "ascent",
    "coast",
    "descent",
    "sea_transfer",
    "boat",
    "port_handling",
    "customs",
    "last_mile",
)
"""Legs of the door-to-door budget, in order."""

_INF = np.inf


class WaveWait(StrEnum):
    """How long an order waits for its launch wave when the order time is not given.

    ``worst`` (the default for reach) assumes the order just missed a wave, so a promise holds
    whenever the order is placed; ``mean`` is half an interval, the expected wait for orders
    arriving at random; ``none`` ignores the wait (a lower bound).
    """

    WORST = "worst"
    MEAN = "mean"
    NONE = "none"


@dataclass(frozen=True)
class Parcel:
    """What is being delivered, as far as the last mile cares (drones have payload limits).

    The defaults (1 kg, 5 L) are a typical small e-commerce parcel.
    """

    mass_kg: float = 1.0
    volume_m3: float = 0.005

    def __post_init__(self) -> None:
        for name in ("mass_kg", "volume_m3"):
            require_positive(f"parcel.{name}", getattr(self, name))


DEFAULT_PARCEL = Parcel()
"""A typical small parcel: drone-eligible."""


@dataclass(frozen=True)
class LegBreakdown:
    """Seconds per leg (arrays of the result's shape); rocket legs are 0 for ground deliveries."""

    origin_handling: NDArray[np.float64]
    wave_wait: NDArray[np.float64]
    ascent: NDArray[np.float64]
    coast: NDArray[np.float64]
    descent: NDArray[np.float64]
    sea_transfer: NDArray[np.float64]
    boat: NDArray[np.float64]
    port_handling: NDArray[np.float64]
    customs: NDArray[np.float64]
    last_mile: NDArray[np.float64]

    def total_s(self) -> NDArray[np.float64]:
        """Sum of all legs."""
        return np.asarray(sum(getattr(self, name) for name in LEG_NAMES), dtype=np.float64)


@dataclass(frozen=True)
class EtaResult:
    """Earliest delivery from each origin to each place (arrays shaped ``(origins, places)``).

    Attributes
    ----------
    origin_index
        Origin hub of each row, into ``network.hubs``.
    total_s
        Door-to-door seconds of the fastest route.
    destination_index
        Destination hub used (the origin itself for a ground delivery).
    mode
        ``"rocket"`` or ``"ground"`` per cell.
    last_mile_vehicle
        ``"drone"`` or ``"van"`` per cell.
    last_mile_km
        Great-circle distance of the last mile.
    legs
        :class:`LegBreakdown` of the chosen routes.
    range_km
        Rocket ground range (0 for ground deliveries).
    """

    origin_index: NDArray[np.intp]
    total_s: NDArray[np.float64]
    destination_index: NDArray[np.intp]
    mode: NDArray[np.str_]
    last_mile_vehicle: NDArray[np.str_]
    last_mile_km: NDArray[np.float64]
    range_km: NDArray[np.float64]
    legs: LegBreakdown
    buffer_s: float = 0.0

    def within(self, minutes: float) -> NDArray[np.bool_]:
        """Whether a promise of ``minutes`` holds for each cell (ETA plus the promise buffer)."""
        return np.asarray(self.total_s + self.buffer_s <= minutes * 60.0 + 1e-9)

    def best_over_origins(self) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """Row (origin position) of the fastest origin per place, and its time."""
        row = np.argmin(self.total_s, axis=0)
        return row, np.take_along_axis(self.total_s, row[None, :], axis=0)[0]


@lru_cache(maxsize=16)
def flight_matrix(network: Network, *, rotating: bool = True) -> Trajectory:
    """Trajectories from every hub's pad to every hub's landing zone, shape ``(hubs, hubs)``.

    Cached per network: a network is immutable and its flights do not depend on the order.
    """
    rocket = network.rocket
    return min_energy_trajectory(
        network.pad_lat_deg[:, None],
        network.pad_lon_deg[:, None],
        network.landing_lat_deg[None, :],
        network.landing_lon_deg[None, :],
        burnout_altitude_km=rocket.burnout_altitude_km,
        ascent_s=rocket.ascent_s,
        descent_s=rocket.descent_s,
        rotating=bool(rotating),
    )


def wave_wait_s(
    network: Network,
    origin_index: ArrayLike,
    *,
    policy: WaveWait | str = WaveWait.WORST,
    order_time: datetime | None = None,
) -> NDArray[np.float64]:
    """Seconds from "pod loaded" to the next launch wave of each origin hub.

    With ``order_time`` the wait is exact: waves leave at whole multiples of the hub's interval
    counted from 00:00 UTC, and the pod is ready ``handling_min`` after the order. Otherwise the
    ``policy`` decides (see :class:`WaveWait`).
    """
    index = np.asarray(origin_index, dtype=np.intp)
    interval = network.launch_wave_interval_s[index]
    if order_time is not None:
        if order_time.tzinfo is None:
            raise InputError("order_time", order_time, "must be timezone-aware (UTC)")
        ready = order_time.timestamp() + network.handling_s[index]
        next_wave = np.ceil(ready / interval - 1e-9) * interval
        return np.asarray(next_wave - ready, dtype=np.float64)
    policy = WaveWait(policy)
    if policy is WaveWait.WORST:
        return np.asarray(interval, dtype=np.float64)
    if policy is WaveWait.MEAN:
        return np.asarray(interval / 2.0, dtype=np.float64)
    return np.zeros_like(interval, dtype=np.float64)


def landing_to_port_s(network: Network) -> NDArray[np.float64]:
    """Touchdown to parcels at each destination hub's port: sea transfer, boat, port handling."""
    boat = network.boat
    return np.asarray(
        boat.transfer_min * 60.0
        + network.boat_route_km / boat.speed_kmh * 3600.0
        + boat.port_handling_min * 60.0,
        dtype=np.float64,
    )


def last_mile_s(
    network: Network, distance_km: ArrayLike, parcel: Parcel = DEFAULT_PARCEL
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Last-mile seconds for each distance and whether the drone (rather than a van) is used.

    The drone flies the great circle at cruise speed when the place is inside its range and the
    parcel within its payload; otherwise a van drives ``road_factor`` × the great circle.
    """
    km = np.asarray(distance_km, dtype=np.float64)
    van, drone = network.van, network.drone
    van_s = km * van.road_factor / van.speed_kmh * 3600.0 + van.stop_min * 60.0
    drone_ok = (
        (km <= drone.range_km)
        & (parcel.mass_kg <= drone.max_parcel_kg)
        & (parcel.volume_m3 <= drone.max_parcel_m3)
    )
    drone_s = np.where(drone_ok, km / drone.speed_kmh * 3600.0 + drone.handover_min * 60.0, _INF)
    use_drone = drone_s < van_s
    return np.where(use_drone, drone_s, van_s), use_drone


def _resolve_origins(network: Network, origins: Sequence[str] | None) -> NDArray[np.intp]:
    if origins is None:
        return np.arange(len(network.hubs), dtype=np.intp)
    if len(origins) == 0:
        raise InputError("origins", list(origins), "must name at least one hub")
    return np.array([network.hub_index(o) for o in origins], dtype=np.intp)


def eta_to_places(
    network: Network,
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    *,
    origins: Sequence[str] | None = None,
    parcel: Parcel = DEFAULT_PARCEL,
    wave_wait: WaveWait | str = WaveWait.WORST,
    order_time: datetime | None = None,
    rotating: bool = True,
    allow_ground: bool = True,
) -> EtaResult:
    """Fastest door-to-door time from each origin hub to each place.

    Parameters
    ----------
    network
        The network.
    lat_deg, lon_deg
        Places, 1-D arrays (or scalars) of equal length.
    origins
        Hub ids that hold the stock (default: every hub).
    parcel
        Mass and volume, which decide whether a drone can fly the last mile.
    wave_wait, order_time
        How the wait for the launch wave is counted (see :func:`wave_wait_s`).
    rotating
        Solve the flights on a rotating Earth (default) or a fixed one.
    allow_ground
        Allow a ground delivery from the origin's own fulfilment centre.

    Returns
    -------
    EtaResult
        Arrays shaped ``(len(origins), len(places))``.
    """
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=np.float64))
    if lat.shape != lon.shape or lat.ndim != 1:
        raise InputError(
            "places",
            (lat.shape, lon.shape),
            "latitudes and longitudes must be 1-D and equally long",
        )
    if not (np.all(np.isfinite(lat)) and np.all(np.abs(lat) <= 90.0)):
        raise InputError(
            "latitude", lat[~(np.abs(lat) <= 90.0)][:1].tolist(), "must be in [-90, 90]"
        )
    if not (np.all(np.isfinite(lon)) and np.all(np.abs(lon) <= 180.0)):
        raise InputError(
            "longitude", lon[~(np.abs(lon) <= 180.0)][:1].tolist(), "must be in [-180, 180]"
        )

    origin = _resolve_origins(network, origins)
    flights = flight_matrix(network, rotating=rotating)
    boat, rocket = network.boat, network.rocket

    handling = network.handling_s[origin]  # (O,)
    wait = wave_wait_s(network, origin, policy=wave_wait, order_time=order_time)  # (O,)
    flight_s = np.asarray(flights.flight_s, dtype=np.float64)[origin]  # (O, D)
    boat_s = network.boat_route_km / boat.speed_kmh * 3600.0  # (D,)
    to_port = handling[:, None] + wait[:, None] + flight_s + landing_to_port_s(network)[None, :]
    to_port[np.arange(len(origin)), origin] = _INF  # no hub flies to its own landing zone

    port_km = great_circle_km(
        network.port_lat_deg[:, None], network.port_lon_deg[:, None], lat[None, :], lon[None, :]
    )  # (D, P)
    port_last_s, port_drone = last_mile_s(network, port_km, parcel)

    rocket_total = to_port[:, :, None] + port_last_s[None, :, :]  # (O, D, P)
    best_dest = np.argmin(rocket_total, axis=1)  # (O, P)
    rocket_best = np.take_along_axis(rocket_total, best_dest[:, None, :], axis=1)[:, 0, :]

    pad_km = great_circle_km(
        network.pad_lat_deg[origin][:, None],
        network.pad_lon_deg[origin][:, None],
        lat[None, :],
        lon[None, :],
    )  # (O, P)
    ground_last_s, ground_drone = last_mile_s(network, pad_km, parcel)
    ground_total = handling[:, None] + ground_last_s
    if not allow_ground:
        ground_total = np.full_like(ground_total, _INF)
    use_ground = ground_total <= rocket_best

    total = np.where(use_ground, ground_total, rocket_best)
    destination = np.where(use_ground, origin[:, None], best_dest)
    rows = np.arange(len(origin))[:, None]
    chosen = (best_dest, np.arange(lat.size)[None, :])  # destination hub per (origin, place)
    last_km = np.where(use_ground, pad_km, port_km[chosen])
    drone_used = np.where(use_ground, ground_drone, port_drone[chosen])
    last_s = np.where(use_ground, ground_last_s, port_last_s[chosen])

    flown = ~use_ground
    chosen_coast = np.asarray(flights.coast_s, dtype=np.float64)[origin][rows, best_dest]
    chosen_range = np.asarray(flights.range_km, dtype=np.float64)[origin][rows, best_dest]
    shape = total.shape

    def rocket_leg(values: ArrayLike) -> NDArray[np.float64]:
        return np.where(flown, np.broadcast_to(np.asarray(values, dtype=np.float64), shape), 0.0)

    legs = LegBreakdown(
        origin_handling=np.broadcast_to(handling[:, None], shape).copy(),
        wave_wait=rocket_leg(wait[:, None]),
        ascent=rocket_leg(rocket.ascent_s),
        coast=rocket_leg(chosen_coast),
        descent=rocket_leg(rocket.descent_s),
        sea_transfer=rocket_leg(boat.transfer_min * 60.0),
        boat=rocket_leg(boat_s[best_dest]),
        port_handling=rocket_leg(boat.port_handling_min * 60.0),
        customs=np.zeros(shape),
        last_mile=np.asarray(last_s, dtype=np.float64),
    )
    return EtaResult(
        origin_index=origin,
        total_s=np.asarray(total, dtype=np.float64),
        destination_index=np.asarray(destination, dtype=np.intp),
        mode=np.where(use_ground, "ground", "rocket"),
        last_mile_vehicle=np.where(drone_used, "drone", "van"),
        last_mile_km=np.asarray(last_km, dtype=np.float64),
        range_km=np.where(flown, chosen_range, 0.0),
        legs=legs,
        buffer_s=network.promise.buffer_s,
    )


@dataclass(frozen=True)
class RouteEta:
    """One origin hub to one place: the leg-by-leg answer a person reads."""

    origin_hub: str
    destination_hub: str
    mode: str
    last_mile_vehicle: str
    last_mile_km: float
    range_km: float
    legs_s: dict[str, float]
    total_s: float
    threshold_min: float
    promise_possible: bool
    order_time: datetime | None
    launch_time: datetime | None
    delivery_time: datetime | None


def eta_to_place(
    network: Network,
    origin_hub: str,
    lat_deg: float,
    lon_deg: float,
    *,
    parcel: Parcel = DEFAULT_PARCEL,
    threshold_min: float = 60.0,
    wave_wait: WaveWait | str = WaveWait.WORST,
    order_time: datetime | None = None,
    rotating: bool = True,
) -> RouteEta:
    """The fastest route from ``origin_hub`` to one place, leg by leg.

    ``promise_possible`` is False when even the fastest route plus the network's promise buffer
    exceeds ``threshold_min``; the legs and ``total_s`` then give the earliest possible delivery
    instead of a guess.
    """
    result = eta_to_places(
        network,
        [lat_deg],
        [lon_deg],
        origins=[origin_hub],
        parcel=parcel,
        wave_wait=wave_wait,
        order_time=order_time,
        rotating=rotating,
    )
    legs = {name: float(getattr(result.legs, name)[0, 0]) for name in LEG_NAMES}
    total = float(result.total_s[0, 0])
    launch_time = delivery_time = None
    if order_time is not None:
        from datetime import timedelta

        delivery_time = order_time + timedelta(seconds=total)
        if result.mode[0, 0] == "rocket":
            launch_time = order_time + timedelta(
                seconds=legs["origin_handling"] + legs["wave_wait"]
            )
    return RouteEta(
        origin_hub=network.hubs[int(result.origin_index[0])].hub_id,
        destination_hub=network.hubs[int(result.destination_index[0, 0])].hub_id,
        mode=str(result.mode[0, 0]),
        last_mile_vehicle=str(result.last_mile_vehicle[0, 0]),
        last_mile_km=float(result.last_mile_km[0, 0]),
        range_km=float(result.range_km[0, 0]),
        legs_s=legs,
        total_s=total,
        threshold_min=threshold_min,
        promise_possible=bool(total + network.promise.buffer_s <= threshold_min * 60.0 + 1e-9),
        order_time=order_time,
        launch_time=launch_time,
        delivery_time=delivery_time,
    )
