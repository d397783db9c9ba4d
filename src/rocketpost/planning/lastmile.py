"""Last mile with PyVRP: route each landing's parcels from the destination port to the doors.

One vehicle-routing problem per landing: a depot at the port, one client per parcel with
``release_time`` = the parcel's arrival at the port (customs inspection included) and a hard
deadline ``tw_late`` = its promised delivery (a visit's start time is the delivery time). Vans
drive ``road_factor`` × the straight line at van speed; drones fly the straight line at drone
speed, carry one parcel at a time within their payload, and cannot reach doors beyond their
range (their travel there is made prohibitive). Both may go back to the port for more
(``reload_depots``), so one vehicle serves several trips; PyVRP lets a trip leave the port only
once every parcel on it is released.

Integer data only (PyVRP's requirement): seconds, grams and cubic centimetres. Every parcel is
optional with a prize far above any route cost, so an infeasible deadline never makes the whole
landing infeasible and the solver only leaves a parcel out when it cannot fit it. A parcel
whose deadline cannot be met even by a direct trip gets a notional direct van trip once the
fleet is back and is marked late — never hidden. A parcel that could make it but that the
solver left out is appended as one more trip to the vehicle that can deliver it soonest (late
only if even that misses the deadline).

Cost: the solver minimises weighted route duration. Van time is priced ``_VAN_COST_PER_S`` ×
drone time because vans are the bottleneck of a landing (a two-minute stop at every door, far
more parcels than drones can fly); at equal prices the solver saved a few drone seconds by
letting vans take near, light parcels and then ran out of van time for the far, heavy ones.

Simplifications: every landing gets the whole vehicle fleet of its port (landings at one port
do not compete for vans); the vehicle's stop time is added to its travel time into each door,
so a delivery is counted when the hand-over is done.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pyvrp
from numpy.typing import NDArray
from pyvrp.stop import MaxRuntime

from rocketpost.core.earth import EARTH_RADIUS_KM
from rocketpost.network import Network
from rocketpost.orders.table import OrderTable
from rocketpost.planning.params import LastMileParams
from rocketpost.planning.tables import Routes

__all__ = ["LandingParcels", "LandingRoutes", "route_landing", "route_landings"]

_DEFAULT_PARAMS = LastMileParams()

_PRIZE = 100_000  # ≫ any insertion cost, small enough for the time-warp penalties to bite
_FAR = 10**9
_VAN_COST_PER_S = 3  # vans are the scarce resource: see the module doc
_DRONE_COST_PER_S = 1
_SECTOR_SHARE = 0.6  # of the time limit spent on the sector problems before the whole landing
_KINDS = ("van", "drone")
_ROUTE_COLUMNS = ("flight_id", "vehicle", "stop", "order_id", "arrival_s", "late")


@dataclass(frozen=True, eq=False)
class LandingRoutes:
    """Per parcel of one landing: vehicle, stop number on its route, arrival time, lateness.

    ``arrival_s`` is absolute (same clock as the inputs); ``vehicle`` is ``van-07`` /
    ``drone-03`` for routed parcels and ``van-direct`` for parcels whose deadline no vehicle
    can meet (delivered late by a direct trip once the fleet is back).
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


@dataclass(frozen=True, eq=False)
class _Model:
    """Integer data of one landing; matrix index 0 is the port, ``i + 1`` is parcel ``i``.

    Times are seconds after ``t0`` (the first release) so they stay small integers.
    """

    xs: NDArray[np.float64]
    ys: NDArray[np.float64]
    dist: tuple[NDArray[np.int64], NDArray[np.int64]]  # van, drone (metres)
    duration: tuple[NDArray[np.int64], NDArray[np.int64]]  # van, drone (seconds)
    grams: NDArray[np.int64]
    cm3: NDArray[np.int64]
    release: NDArray[np.int64]
    deadline: NDArray[np.int64]
    drone_ok: NDArray[np.bool_]
    t0: float
    capacity: tuple[list[int], list[int]]  # van, drone: grams, cm³, parcels


def _model(
    network: Network,
    hub_index: int,
    lat_deg: NDArray[np.float64],
    lon_deg: NDArray[np.float64],
    mass_kg: NDArray[np.float64],
    volume_m3: NDArray[np.float64],
    release_s: NDArray[np.float64],
    deadline_s: NDArray[np.float64],
) -> _Model:
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
    # *into* a door instead (once per visit: never into the port, never on the diagonal), so
    # that a visit's start time is the delivery time.
    van_time[:, 1:] += round(van.stop_min * 60.0)
    drone_time[:, 1:] += round(drone.handover_min * 60.0)
    np.fill_diagonal(van_time, 0)
    # Doors a drone cannot serve (too far, parcel too heavy or bulky) get a prohibitive drone
    # travel time, so a drone visit there shows up as time warp and is never accepted.
    no_drone = straight[0] > drone.range_km * 1000.0
    no_drone[1:] |= (mass_kg > drone.max_parcel_kg) | (volume_m3 > drone.max_parcel_m3)
    no_drone[0] = False
    drone_time[:, no_drone] = _FAR
    drone_time[no_drone, :] = _FAR
    np.fill_diagonal(drone_time, 0)
    drone_dist = np.where(drone_time >= _FAR, _FAR, np.rint(straight).astype(np.int64))
    np.fill_diagonal(drone_dist, 0)
    return _Model(
        xs=xs,
        ys=ys,
        dist=(van_dist, drone_dist),
        duration=(van_time, drone_time),
        grams=np.rint(mass_kg * 1000.0).astype(np.int64),
        cm3=np.rint(volume_m3 * 1e6).astype(np.int64),
        release=np.ceil(release_s - t0).astype(np.int64),  # never leave before it is there
        deadline=np.floor(deadline_s - t0).astype(np.int64),
        drone_ok=~no_drone[1:],
        t0=t0,
        capacity=(
            [int(van.capacity_kg * 1000), int(van.capacity_m3 * 1e6), n + 1],
            [int(drone.max_parcel_kg * 1000), int(drone.max_parcel_m3 * 1e6), 1],
        ),
    )


def _problem(
    m: _Model, rows: NDArray[np.int64], fleet: tuple[int, int]
) -> tuple[pyvrp.ProblemData, list[str]]:
    """PyVRP data for parcels ``rows`` with ``fleet`` = (vans, drones); and the type names."""
    idx = np.concatenate(([0], rows + 1))
    clients = [
        pyvrp.Client(
            k + 1,
            delivery=[int(m.grams[i]), int(m.cm3[i]), 1],
            tw_late=int(m.deadline[i]),
            release_time=int(m.release[i]),
            prize=_PRIZE,
            required=False,
        )
        for k, i in enumerate(rows.tolist())
    ]
    costs = (_VAN_COST_PER_S, _DRONE_COST_PER_S)
    types = [
        pyvrp.VehicleType(
            count, capacity=m.capacity[p], unit_distance_cost=0, unit_duration_cost=costs[p],
            profile=p, reload_depots=[0], name=_KINDS[p],
        )
        for p, count in enumerate(fleet)
        if count > 0
    ]  # fmt: skip
    sub = np.ix_(idx, idx)
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(int(m.xs[i]), int(m.ys[i])) for i in idx],
        clients=clients,
        depots=[pyvrp.Depot(0)],
        vehicle_types=types,
        distance_matrices=[m.dist[0][sub], m.dist[1][sub]],
        duration_matrices=[m.duration[0][sub], m.duration[1][sub]],
    )
    return data, [t.name for t in types]


@dataclass
class _Route:
    """One vehicle's day: its trips as parcel indices, each visit's start time, its end."""

    kind: str
    trips: list[list[int]]
    start: dict[int, int]
    end: int


def _routes(solution: pyvrp.Solution, rows: NDArray[np.int64], names: list[str]) -> list[_Route]:
    out = []
    for route in solution.routes():
        if route.has_time_warp() or route.has_excess_load() or route.has_excess_distance():
            continue  # not a physical schedule (never in a feasible best): its parcels go late
        trips: list[list[int]] = [[]]
        start: dict[int, int] = {}
        for act in route.schedule()[1:-1]:
            if act.is_client():
                i = int(rows[act.idx])
                trips[-1].append(i)
                start[i] = int(act.start_time)
            elif act.is_depot() and trips[-1]:
                trips.append([])
        kind = names[route.vehicle_type()]
        out.append(_Route(kind, [t for t in trips if t], start, int(route.end_time())))
    return out


def _warm_start(
    data: pyvrp.ProblemData, names: list[str], client_of: dict[int, int], routes: list[_Route]
) -> pyvrp.Solution:
    """The sector routes as one solution of the whole landing's problem."""
    depot = pyvrp.Activity(pyvrp.ActivityType.DEPOT, 0)
    built = []
    for r in routes:
        acts = [depot]
        for trip in r.trips:
            if len(acts) > 1:
                acts.append(depot)
            acts += [pyvrp.Activity(pyvrp.ActivityType.CLIENT, client_of[i]) for i in trip]
        acts.append(depot)
        built.append(pyvrp.Route(data, acts, names.index(r.kind)))
    return pyvrp.Solution(data, built)


@dataclass(frozen=True, eq=False)
class LandingParcels:
    """The parcels of one landing: doors, sizes, release at the port and promised delivery.

    ``release_s`` is a parcel's arrival at the port (customs inspection included) and
    ``deadline_s`` its promised delivery, both on one absolute clock.
    """

    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    mass_kg: NDArray[np.float64]
    volume_m3: NDArray[np.float64]
    release_s: NDArray[np.float64]
    deadline_s: NDArray[np.float64]


def route_landing(
    network: Network,
    hub_index: int,
    parcels: LandingParcels,
    params: LastMileParams = _DEFAULT_PARAMS,
) -> LandingRoutes:
    """Route the parcels of one landing at hub ``hub_index``'s port (see the module doc).

    Large landings are solved in two phases within ``params.time_limit_s``. First, cluster
    first, route second: sectors around the port (by bearing) of at most
    ``params.max_stops_per_problem`` parcels, each with its share of the vans and drones,
    because PyVRP converges far faster on several small problems than on one big one. Then the
    sector routes are merged into one warm start for the whole landing, and PyVRP improves that
    for the rest of the time: that lets idle vehicles of a quiet sector take the parcels a busy
    sector could not fit. Parcels still left out get one more trip on the vehicle that can
    deliver them soonest.
    """
    started = time.perf_counter()
    time_limit_s, seed = params.time_limit_s, params.seed
    max_stops_per_problem = params.max_stops_per_problem
    release_s, deadline_s = parcels.release_s, parcels.deadline_s
    m = _model(
        network,
        hub_index,
        parcels.lat_deg,
        parcels.lon_deg,
        parcels.mass_kg,
        parcels.volume_m3,
        release_s,
        deadline_s,
    )
    hub = network.hubs[hub_index]
    van_time, drone_time = m.duration
    direct = m.release + van_time[0, 1:]
    drone_direct = np.where(m.drone_ok, m.release + drone_time[0, 1:], _FAR)
    feasible = np.minimum(direct, drone_direct) <= m.deadline
    todo = np.flatnonzero(feasible)
    fleet = (int(hub.vans), int(hub.drones))
    routes: list[_Route] = []
    if len(todo) and sum(fleet) > 0:
        data, names = _problem(m, todo, fleet)
        parts = -(-len(todo) // max_stops_per_problem)
        init = None
        if parts > 1:
            theta = np.arctan2(m.ys[todo + 1], m.xs[todo + 1])
            sectors = np.array_split(todo[np.argsort(theta, kind="stable")], parts)
            share = np.array([len(s) for s in sectors], dtype=np.float64) / len(todo)
            vans, drones = _apportion(fleet[0], share), _apportion(fleet[1], share)
            for k, rows in enumerate(sectors):
                if vans[k] + drones[k] == 0:
                    continue
                sub, sub_names = _problem(m, rows, (int(vans[k]), int(drones[k])))
                res = pyvrp.solve(
                    sub,
                    stop=MaxRuntime(_SECTOR_SHARE * time_limit_s / parts),
                    seed=seed + k,
                    collect_stats=False,
                    display=False,
                )
                routes += _routes(res.best, rows, sub_names)
            client_of = {int(i): k for k, i in enumerate(todo.tolist())}
            init = _warm_start(data, names, client_of, routes)
        left_s = max(time_limit_s - (time.perf_counter() - started), 0.05 * time_limit_s)
        res = pyvrp.solve(
            data,
            stop=MaxRuntime(left_s),
            seed=seed,
            collect_stats=False,
            display=False,
            initial_solution=init,
        )
        if init is None or res.best.is_feasible():
            routes = _routes(res.best, todo, names)
    return _schedule(m, routes, fleet, feasible, release_s, deadline_s)


def _schedule(
    m: _Model,
    routes: list[_Route],
    fleet: tuple[int, int],
    feasible: NDArray[np.bool_],
    release_s: NDArray[np.float64],
    deadline_s: NDArray[np.float64],
) -> LandingRoutes:
    """Per-parcel table from the routes, after the repair of parcels the solver left out."""
    n = len(feasible)
    vehicle = np.full(n, "van-direct", dtype="<U16")
    stop = np.full(n, -1, dtype=np.int64)
    arrival = np.full(n, np.nan)
    routed = np.zeros(n, dtype=bool)
    # Every vehicle of the fleet, used ones first (named in order of the routes): its kind,
    # name, relative time back at the port after its last trip, and number of stops so far.
    kinds: list[int] = []
    names: list[str] = []
    back: list[int] = []
    stops: list[int] = []
    for p, kind in enumerate(_KINDS):
        mine = [r for r in routes if r.kind == kind]
        for r in mine:
            name = f"{kind}-{kinds.count(p) + 1:02d}"
            visits = sorted(r.start.items(), key=lambda kv: kv[1])
            for k, (i, t) in enumerate(visits, start=1):
                vehicle[i], stop[i], routed[i], arrival[i] = name, k, True, m.t0 + t
            kinds.append(p)
            names.append(name)
            back.append(r.end)
            stops.append(len(visits))
        for _ in range(fleet[p] - len(mine)):
            names.append(f"{kind}-{kinds.count(p) + 1:02d}")
            kinds.append(p)
            back.append(0)
            stops.append(0)
    # Repair: a feasible parcel the solver left out (tightest deadline first) becomes one more
    # trip, port → door → port, of the vehicle that can deliver it soonest (a drone's travel
    # to a door it cannot serve is _FAR, so it is never chosen there).
    for i in sorted(np.flatnonzero(feasible & ~routed).tolist(), key=lambda i: m.deadline[i]):
        out = np.array([m.duration[p][0, i + 1] for p in kinds], dtype=np.int64)
        when = np.maximum(np.array(back, dtype=np.int64), m.release[i]) + out
        v = int(np.argmin(when)) if len(when) else -1
        if v < 0 or when[v] >= _FAR:
            continue
        stops[v] += 1
        vehicle[i], stop[i], routed[i], arrival[i] = names[v], stops[v], True, m.t0 + when[v]
        back[v] = int(when[v] + m.duration[kinds[v]][i + 1, 0])
    # Nothing can make these deadlines (or there is no fleet): a direct van trip once every
    # vehicle is back, late by construction and shown as such.
    left = ~routed
    back_s = m.t0 + max(back, default=0)
    arrival[left] = np.maximum(back_s, release_s[left]) + m.duration[0][0, 1:][left]
    late = ~(arrival <= deadline_s + 1e-6)
    return LandingRoutes(vehicle, stop, arrival, late, routed)


def _apportion(total: int, share: NDArray[np.float64]) -> NDArray[np.int64]:
    """Largest-remainder split of ``total`` vehicles by ``share``."""
    raw = total * share
    out = np.floor(raw).astype(np.int64)
    out[np.argsort(-(raw - out), kind="stable")[: total - int(out.sum())]] += 1
    return out


def route_landings(
    network: Network,
    orders: OrderTable,
    flight_of: NDArray[np.int64],
    flight_destination: NDArray[np.intp],
    release_s: NDArray[np.float64],
    deadline_s: NDArray[np.float64],
    params: LastMileParams = _DEFAULT_PARAMS,
) -> tuple[Routes, NDArray[np.float64]]:
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
            LandingParcels(
                orders.destination_lat_deg[rows],
                orders.destination_lon_deg[rows],
                orders.mass_kg[rows],
                orders.volume_m3[rows],
                release_s[rows],
                deadline_s[rows],
            ),
            params,
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
    if not parts:
        return Routes.empty(), delivery
    return (
        Routes(**{k: np.concatenate([p[k] for p in parts]) for k in _ROUTE_COLUMNS}),
        delivery,
    )
