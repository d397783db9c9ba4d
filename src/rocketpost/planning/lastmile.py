"""Last mile with PyVRP: route each landing's parcels from its port, or its vessel, to the doors.

A landing at a site has up to two depots of its own. Parcels the kernel sends by drone straight
from the recovery vessel (``vessel``: within the drone's payload and range, the site's vessel
carries drones, and its wind and sea state let them fly, :mod:`rocketpost.core.vesseldrone`)
are routed from the vessel's position by the vessel's drones (``site.drones``; payload, range,
speed from the network file), released once the pod is on the drone deck. The rest go boat →
port and are routed from the port by the port's vans (and, at a hub, its drones).

One vehicle-routing problem per landing and depot: the depot, one client per parcel with
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

PyVRP is a heuristic: it reports the objective (the weighted route duration, in seconds) of its
best solution, which :attr:`LandingRoutes.objective` keeps and the plan KPIs sum
(``last_mile_objective``); it computes no lower bound, so there is no optimality gap to report.

Simplifications: every landing gets the whole vehicle fleet of its port and vessel (landings at
one site do not compete for vehicles; at a hub the port's drones also fly from its vessel); the
vehicle's stop time is added to its travel time into each door, so a delivery is counted when
the hand-over is done.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import pyvrp
from numpy.typing import NDArray
from pyvrp.stop import MaxRuntime

from rocketpost.network import Network
from rocketpost.orders.table import OrderTable
from rocketpost.planning.lastmile_model import FAR, KINDS, Model, Route, problem, routes_of
from rocketpost.planning.lastmile_model import model as _model
from rocketpost.planning.lastmile_model import warm_start as _warm_start
from rocketpost.planning.params import LastMileParams
from rocketpost.planning.tables import Routes

__all__ = ["LandingParcels", "LandingRoutes", "route_landing", "route_landings"]

_DEFAULT_PARAMS = LastMileParams()

_SECTOR_SHARE = 0.6  # of the time limit spent on the sector problems before the whole landing
_ROUTE_COLUMNS = (
    "flight_id", "vehicle", "kind", "depot", "stop", "order_id", "arrival_s", "late"
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class LandingRoutes:
    """Per parcel of one landing: vehicle, stop number on its route, arrival time, lateness.

    ``arrival_s`` is absolute (same clock as the inputs); ``vehicle`` is ``van-07`` /
    ``drone-03`` (``vessel-drone-02`` from the vessel) for routed parcels and ``van-direct``
    (``vessel-drone-direct``) for parcels whose deadline no vehicle can meet (delivered late by
    a direct trip once the fleet is back). ``kind`` is ``van`` or ``drone``, ``depot``
    ``port:LOCODE`` or ``vessel:SITE``; ``objective`` PyVRP's objective of the routes (0 when
    nothing was solved).
    """

    vehicle: NDArray[np.str_]
    stop: NDArray[np.int64]
    arrival_s: NDArray[np.float64]
    late: NDArray[np.bool_]
    routed: NDArray[np.bool_]
    kind: NDArray[np.str_]
    depot: NDArray[np.str_]
    objective: float = 0.0


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


def depot_fleet(network: Network, site_index: int, *, from_vessel: bool) -> tuple[int, int]:
    """(vans, drones) of a landing's depot: the vessel's drones, or the port's vans and drones.

    The kernel's last mile from a port may fly a drone at every port, so the same drones are
    counted at both depots, as at a hub (``hub.drones`` fly from its port and its vessel): a
    hub's zone uses the hub's vans and drones, an extra site its ``vans`` and ``drones``."""
    site = network.landing_sites[site_index]
    if from_vessel:
        return 0, int(site.drones) if network.drone.from_vessel else 0
    if site.hub_index >= 0:
        hub = network.hubs[site.hub_index]
        return int(hub.vans), int(hub.drones)
    return int(site.vans), int(site.drones)


def route_landing(
    network: Network,
    site_index: int,
    parcels: LandingParcels,
    params: LastMileParams = _DEFAULT_PARAMS,
    *,
    from_vessel: bool = False,
) -> LandingRoutes:
    """Route the parcels of one landing at site ``site_index`` from its port, or (with
    ``from_vessel``) from its recovery vessel by its drones (see the module doc).

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
        site_index,
        parcels.lat_deg,
        parcels.lon_deg,
        parcels.mass_kg,
        parcels.volume_m3,
        release_s,
        deadline_s,
        from_vessel=from_vessel,
    )
    van_time, drone_time = m.duration
    direct = m.release + van_time[0, 1:] if not from_vessel else np.full(len(m.release), FAR)
    drone_direct = np.where(m.drone_ok, m.release + drone_time[0, 1:], FAR)
    feasible = np.minimum(direct, drone_direct) <= m.deadline
    todo = np.flatnonzero(feasible)
    fleet = depot_fleet(network, site_index, from_vessel=from_vessel)
    routes: list[Route] = []
    objective = 0.0
    if len(todo) and sum(fleet) > 0:
        data, names = problem(m, todo, fleet)
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
                sub, sub_names = problem(m, rows, (int(vans[k]), int(drones[k])))
                res = pyvrp.solve(
                    sub,
                    stop=MaxRuntime(_SECTOR_SHARE * time_limit_s / parts),
                    seed=seed + k,
                    collect_stats=False,
                    display=False,
                )
                routes += routes_of(res.best, rows, sub_names)
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
            routes = routes_of(res.best, todo, names)
            objective = float(res.cost()) if res.best.is_feasible() else float("nan")
    site = network.landing_sites[site_index]
    scheduled = _schedule(
        m, routes, fleet, feasible, release_s, deadline_s, direct_kind=1 if from_vessel else 0
    )
    if not from_vessel:
        depot = np.full(len(release_s), f"port:{site.port}")
        return dataclasses.replace(scheduled, depot=depot, objective=objective)
    return dataclasses.replace(
        scheduled,
        vehicle=np.char.add("vessel-", scheduled.vehicle).astype("<U24"),
        depot=np.full(len(release_s), f"vessel:{site.site_id}"),
        objective=objective,
    )


def _schedule(
    m: Model,
    routes: list[Route],
    fleet: tuple[int, int],
    feasible: NDArray[np.bool_],
    release_s: NDArray[np.float64],
    deadline_s: NDArray[np.float64],
    *,
    direct_kind: int = 0,
) -> LandingRoutes:
    """Per-parcel table from the routes, after the repair of parcels the solver left out.

    Parcels nothing can deliver in time go by a direct trip of ``direct_kind`` (0: a van from
    the port; 1: a drone, from a vessel, which has no vans)."""
    n = len(feasible)
    vehicle = np.full(n, f"{KINDS[direct_kind]}-direct", dtype="<U24")
    stop = np.full(n, -1, dtype=np.int64)
    arrival = np.full(n, np.nan)
    routed = np.zeros(n, dtype=bool)
    # Every vehicle of the fleet, used ones first (named in order of the routes): its kind,
    # name, relative time back at the port after its last trip, and number of stops so far.
    kinds: list[int] = []
    names: list[str] = []
    back: list[int] = []
    stops: list[int] = []
    for p, kind in enumerate(KINDS):
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
    # trip, depot → door → depot, of the vehicle that can deliver it soonest (a drone's travel
    # to a door it cannot serve is FAR, so it is never chosen there).
    for i in sorted(np.flatnonzero(feasible & ~routed).tolist(), key=lambda i: m.deadline[i]):
        out = np.array([m.duration[p][0, i + 1] for p in kinds], dtype=np.int64)
        when = np.maximum(np.array(back, dtype=np.int64), m.release[i]) + out
        v = int(np.argmin(when)) if len(when) else -1
        if v < 0 or when[v] >= FAR:
            continue
        stops[v] += 1
        vehicle[i], stop[i], routed[i], arrival[i] = names[v], stops[v], True, m.t0 + when[v]
        back[v] = int(when[v] + m.duration[kinds[v]][i + 1, 0])
    # Nothing can make these deadlines (or there is no fleet): a direct trip once every
    # vehicle is back, late by construction and shown as such.
    left = ~routed
    back_s = m.t0 + max(back, default=0)
    arrival[left] = np.maximum(back_s, release_s[left]) + m.duration[direct_kind][0, 1:][left]
    late = ~(arrival <= deadline_s + 1e-6)
    vehicle_kind = np.array([name.partition("-")[0] for name in vehicle.tolist()], dtype="<U5")
    return LandingRoutes(vehicle, stop, arrival, late, routed, vehicle_kind, np.full(n, ""))


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
    *,
    vessel: NDArray[np.bool_] | None = None,
) -> tuple[Routes, NDArray[np.float64], float]:
    """Route every landing from its vessel (orders with ``vessel``) and its port (the rest).

    Returns the routes table, each order's delivery (NaN if not flown) and the sum of PyVRP's
    objectives over every problem solved (seconds of weighted route duration).
    """
    delivery = np.full(len(orders), np.nan)
    by_vessel = np.zeros(len(orders), dtype=bool) if vessel is None else np.asarray(vessel, bool)
    parts: list[dict[str, object]] = []
    objective = 0.0
    flown = np.flatnonzero(flight_of >= 0)
    by_flight = flown[np.argsort(flight_of[flown], kind="stable")]
    bounds = np.flatnonzero(np.diff(flight_of[by_flight], prepend=-1, append=-1))
    for a, z in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        landed = by_flight[a:z]
        f = int(flight_of[landed[0]])
        for from_vessel in (True, False):
            rows = landed[by_vessel[landed] == from_vessel]
            if len(rows) == 0:
                continue
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
                from_vessel=from_vessel,
            )
            objective += routes.objective
            delivery[rows] = routes.arrival_s
            parts.append(
                {
                    "flight_id": np.full(len(rows), f, dtype=np.int64),
                    "vehicle": routes.vehicle,
                    "kind": routes.kind,
                    "depot": routes.depot,
                    "stop": routes.stop,
                    "order_id": orders.order_id[rows],
                    "arrival_s": routes.arrival_s,
                    "late": routes.late,
                }
            )
    if not parts:
        return Routes.empty(), delivery, objective
    table = Routes(**{k: np.concatenate([p[k] for p in parts]) for k in _ROUTE_COLUMNS})
    return table, delivery, objective
