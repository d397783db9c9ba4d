"""Last mile with PyVRP: route each landing's parcels from the destination port to the doors.

One vehicle-routing problem per landing: a depot at the port, one client per parcel with
``release_time`` = the parcel's arrival at the port (customs inspection included) and a hard
deadline ``tw_late`` = its promised delivery (a visit's start time is the delivery time). Vans
drive ``road_factor`` × the straight line at van speed; drones fly the straight line at drone
speed, carry one parcel at a time within their payload, and cannot reach doors beyond their
range (their travel there is made prohibitive). Both may go back to the port for more
(``reload_depots``), so one vehicle serves several trips.

Integer data only (PyVRP's requirement): seconds, grams and cubic centimetres. A parcel whose
deadline cannot be met even by a direct trip, or that the solver leaves out (every parcel is
optional with a large prize, so an infeasible deadline never makes the whole landing
infeasible), gets a direct van trip and is marked late — never hidden.

Simplifications: every landing gets the whole vehicle fleet of its port (landings at one port
do not compete for vans); the vehicle's stop time is added to its travel time into each door.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyvrp
from numpy.typing import NDArray
from pyvrp.stop import MaxRuntime

from rocketpost.earth import EARTH_RADIUS_KM
from rocketpost.network import Network
from rocketpost.orders.table import OrderTable

__all__ = ["LandingRoutes", "route_landing", "route_landings"]

_PRIZE = 100_000  # ≫ any route duration in seconds, small enough for the penalties to bite
_FAR = 10**9


@dataclass(frozen=True, eq=False)
class LandingRoutes:
    """Per parcel of one landing: vehicle, stop number on its route, arrival time, lateness.

    ``arrival_s`` is absolute (same clock as the inputs); ``vehicle`` is ``van-07`` /
    ``drone-03`` for routed parcels and ``van-direct`` for parcels delivered late by a direct trip.
    """

    vehicle: NDArray[np.str_]
    stop: NDArray[np.int64]
    arrival_s: NDArray[np.float64]
    late: NDArray[np.bool_]
    routed: NDArray[np.bool_]


def _local_xy_m(
    lat0: float, lon0: float, lat: NDArray[np.float64], lon: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    # Equirectangular around the port: error well under 1 % within a last-mile radius.
    r = EARTH_RADIUS_KM * 1000.0
    x = np.radians(((lon - lon0 + 180.0) % 360.0) - 180.0) * np.cos(np.radians(lat0)) * r
    y = np.radians(lat - lat0) * r
    return x, y


def route_landing(
    network: Network,
    hub_index: int,
    lat_deg: NDArray[np.float64],
    lon_deg: NDArray[np.float64],
    mass_kg: NDArray[np.float64],
    volume_m3: NDArray[np.float64],
    release_s: NDArray[np.float64],
    deadline_s: NDArray[np.float64],
    *,
    time_limit_s: float = 2.0,
    seed: int = 0,
    max_stops_per_problem: int = 120,
) -> LandingRoutes:
    """Route the parcels of one landing at hub ``hub_index``'s port (see the module doc).

    Large landings are cut into sectors around the port (by bearing) of at most
    ``max_stops_per_problem`` parcels, each with its share of the vans and drones and of the
    time limit: cluster first, route second. PyVRP converges far faster on several small
    problems than on one big one, which is what keeps 1,000 stops inside a few seconds.
    """
    hub = network.hubs[hub_index]
    n = len(lat_deg)
    parts = -(-n // max_stops_per_problem)
    if parts <= 1:
        return _route(network, hub_index, hub.vans, hub.drones, lat_deg, lon_deg, mass_kg,
                      volume_m3, release_s, deadline_s, time_limit_s, seed)  # fmt: skip
    x, y = _local_xy_m(hub.port_position[0], hub.port_position[1], lat_deg, lon_deg)
    sectors = np.array_split(np.argsort(np.arctan2(y, x), kind="stable"), parts)
    share = np.array([len(s) for s in sectors], dtype=np.float64) / n
    vans = _apportion(hub.vans, share)
    drones = _apportion(hub.drones, share)
    vehicle = np.empty(n, dtype="<U16")
    stop = np.empty(n, dtype=np.int64)
    arrival = np.empty(n)
    late = np.empty(n, dtype=bool)
    routed = np.empty(n, dtype=bool)
    for k, rows in enumerate(sectors):
        part = _route(network, hub_index, int(vans[k]), int(drones[k]), lat_deg[rows],
                      lon_deg[rows], mass_kg[rows], volume_m3[rows], release_s[rows],
                      deadline_s[rows], time_limit_s / parts, seed)  # fmt: skip
        named = np.char.add(part.vehicle, np.where(part.routed, f"-s{k + 1}", ""))
        vehicle[rows], stop[rows], arrival[rows] = named, part.stop, part.arrival_s
        late[rows], routed[rows] = part.late, part.routed
    return LandingRoutes(vehicle, stop, arrival, late, routed)


def _apportion(total: int, share: NDArray[np.float64]) -> NDArray[np.int64]:
    """Largest-remainder split of ``total`` vehicles by ``share``."""
    raw = total * share
    out = np.floor(raw).astype(np.int64)
    out[np.argsort(-(raw - out), kind="stable")[: total - int(out.sum())]] += 1
    return out


def _route(
    network: Network,
    hub_index: int,
    vans: int,
    drones: int,
    lat_deg: NDArray[np.float64],
    lon_deg: NDArray[np.float64],
    mass_kg: NDArray[np.float64],
    volume_m3: NDArray[np.float64],
    release_s: NDArray[np.float64],
    deadline_s: NDArray[np.float64],
    time_limit_s: float,
    seed: int,
) -> LandingRoutes:
    hub = network.hubs[hub_index]
    van, drone = network.van, network.drone
    n = len(lat_deg)
    x, y = _local_xy_m(hub.port_position[0], hub.port_position[1], lat_deg, lon_deg)
    xs = np.concatenate(([0.0], x))
    ys = np.concatenate(([0.0], y))
    straight = np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :])
    t0 = float(np.min(release_s)) if n else 0.0
    van_dist = np.rint(straight * van.road_factor).astype(np.int64)
    van_time = np.rint(straight * van.road_factor / (van.speed_kmh / 3.6)).astype(np.int64)
    drone_time = np.rint(straight / (drone.speed_kmh / 3.6)).astype(np.int64)
    # The stop at a door differs by vehicle (van: park and hand over; drone: lower on a tether),
    # and PyVRP has one service time per client: fold each vehicle's stop into its travel time
    # *into* a door instead, so that a visit's start time is the delivery time.
    stop_s = round(van.stop_min * 60.0)
    van_time[:, 1:] += stop_s
    drone_time[:, 1:] += round(drone.handover_min * 60.0)
    np.fill_diagonal(van_time, 0)
    out_of_range = straight[0] > drone.range_km * 1000.0
    # Doors a drone cannot serve (too far, parcel too heavy or bulky) get a prohibitive drone
    # travel time, so a drone visit there shows up as time warp and is never accepted.
    no_drone = out_of_range.copy()
    no_drone[1:] |= (mass_kg > drone.max_parcel_kg) | (volume_m3 > drone.max_parcel_m3)
    no_drone[0] = False
    drone_time[:, no_drone] = _FAR
    drone_time[no_drone, :] = _FAR
    np.fill_diagonal(drone_time, 0)
    drone_dist = np.where(drone_time >= _FAR, _FAR, np.rint(straight).astype(np.int64))
    np.fill_diagonal(drone_dist, 0)

    direct = release_s + van_time[0, 1:]
    drone_direct = np.where(
        no_drone[1:],
        np.inf,
        release_s + drone_time[0, 1:],
    )
    feasible = np.minimum(direct, drone_direct) <= deadline_s + 1e-6
    grams = np.rint(mass_kg * 1000.0).astype(np.int64)
    cm3 = np.rint(volume_m3 * 1e6).astype(np.int64)
    rel = np.rint(release_s - t0).astype(np.int64)
    late_rel = np.floor(deadline_s - t0).astype(np.int64)

    vehicle = np.full(n, "van-direct", dtype="<U16")
    stop = np.full(n, -1, dtype=np.int64)
    arrival = direct.astype(np.float64)
    routed = np.zeros(n, dtype=bool)
    todo = np.flatnonzero(feasible)
    result = None
    if len(todo) and (vans + drones) > 0:
        idx = np.concatenate(([0], todo + 1))
        locations = [pyvrp.Location(int(xs[i]), int(ys[i])) for i in idx]
        clients = [
            pyvrp.Client(
                k + 1,
                delivery=[int(grams[i]), int(cm3[i]), 1],
                service_duration=0,
                tw_early=0,
                tw_late=int(late_rel[i]),
                release_time=int(rel[i]),
                prize=_PRIZE,
                required=False,
            )
            for k, i in enumerate(todo.tolist())
        ]
        types = []
        if vans:
            cap = [int(van.capacity_kg * 1000), int(van.capacity_m3 * 1e6), n + 1]
            types.append(
                pyvrp.VehicleType(
                    vans, capacity=cap, unit_distance_cost=0, unit_duration_cost=1,
                    profile=0, reload_depots=[0], name="van",
                )
            )  # fmt: skip
        if drones:
            cap = [int(drone.max_parcel_kg * 1000), int(drone.max_parcel_m3 * 1e6), 1]
            types.append(
                pyvrp.VehicleType(
                    drones, capacity=cap, unit_distance_cost=0, unit_duration_cost=1,
                    profile=1, reload_depots=[0], name="drone",
                )
            )  # fmt: skip
        sub = np.ix_(idx, idx)
        data = pyvrp.ProblemData(
            locations=locations,
            clients=clients,
            depots=[pyvrp.Depot(0)],
            vehicle_types=types,
            distance_matrices=[van_dist[sub], drone_dist[sub]],
            duration_matrices=[van_time[sub], drone_time[sub]],
        )
        result = pyvrp.solve(data, stop=MaxRuntime(time_limit_s), seed=seed, display=False)
        counters = {"van": 0, "drone": 0}
        for route in result.best.routes():
            if route.has_time_warp() or route.has_excess_load() or route.has_excess_distance():
                continue  # not a physical schedule: its parcels take the late direct trip
            kind = types[route.vehicle_type()].name
            counters[kind] += 1
            name = f"{kind}-{counters[kind]:02d}"
            k = 0
            for act in route.schedule():
                if not act.is_client():
                    continue
                i = int(todo[act.idx])
                k += 1
                vehicle[i], stop[i], routed[i] = name, k, True
                arrival[i] = t0 + act.start_time
    # Parcels the fleet could not take go by a direct van trip once the fleet is back: honest
    # (later than any planned route), and late unless that still makes the deadline.
    ends = [t0 + r.end_time() for r in (result.best.routes() if result is not None else [])]
    free_s = max(ends, default=t0)
    left = ~routed
    arrival[left] = np.maximum(free_s, release_s[left]) + van_time[0, 1:][left]
    late = ~(arrival <= deadline_s + 1e-6)
    return LandingRoutes(vehicle, stop, arrival, late, routed)


def route_landings(
    network: Network,
    orders: OrderTable,
    flight_of: NDArray[np.int64],
    flight_destination: NDArray[np.intp],
    release_s: NDArray[np.float64],
    deadline_s: NDArray[np.float64],
    *,
    time_limit_s: float = 2.0,
) -> tuple[pa.Table, NDArray[np.float64]]:
    """Route every landing: the routes table and each order's delivery (NaN if not flown)."""
    delivery = np.full(len(orders), np.nan)
    parts: list[dict[str, object]] = []
    flown = np.flatnonzero(flight_of >= 0)
    by_flight = flown[np.argsort(flight_of[flown], kind="stable")]
    bounds = np.flatnonzero(np.diff(flight_of[by_flight], prepend=-1, append=-1))
    for a, z in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        rows = by_flight[a:z]
        f = int(flight_of[rows[0]])
        routes = route_landing(
            network,
            int(flight_destination[f]),
            orders.destination_lat_deg[rows],
            orders.destination_lon_deg[rows],
            orders.mass_kg[rows],
            orders.volume_m3[rows],
            release_s[rows],
            deadline_s[rows],
            time_limit_s=time_limit_s,
        )
        delivery[rows] = routes.arrival_s
        parts.append(
            {
                "flight_id": np.full(len(rows), f, dtype=np.int64),
                "vehicle": routes.vehicle,
                "stop": routes.stop,
                "order_id": orders.order_id[rows],
                "arrival_s": routes.arrival_s,
                "late": routes.late,
            }
        )
    columns = {
        "flight_id": pa.array(
            np.concatenate([p["flight_id"] for p in parts]) if parts else [], pa.int64()
        ),
        "vehicle": pa.array(
            np.concatenate([p["vehicle"] for p in parts]) if parts else [], pa.string()
        ),
        "stop": pa.array(np.concatenate([p["stop"] for p in parts]) if parts else [], pa.int64()),
        "order_id": pa.array(
            np.concatenate([p["order_id"] for p in parts]) if parts else [], pa.string()
        ),
    }
    arrival = np.concatenate([p["arrival_s"] for p in parts]) if parts else np.zeros(0)
    columns["arrival"] = pa.array(np.rint(arrival * 1000).astype(np.int64)).cast(
        pa.timestamp("ms", tz="UTC")
    )
    columns["late"] = pa.array(
        np.concatenate([p["late"] for p in parts]) if parts else [], pa.bool_()
    )
    return pa.table(columns), delivery
