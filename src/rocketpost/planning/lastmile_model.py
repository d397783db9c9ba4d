"""The integer model of one landing's last mile for PyVRP, and reading its solutions back.

Split from :mod:`rocketpost.planning.lastmile` (the routing policy: sectors, warm start, repair,
the vessel and the port as depots of their own). Matrix index 0 is the depot (the landing
site's port, or its recovery vessel), ``i + 1`` is parcel ``i``; seconds, metres, grams and
cubic centimetres, as PyVRP needs integers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvrp
from numpy.typing import NDArray

from rocketpost.core.earth import EARTH_RADIUS_KM
from rocketpost.network import Network

__all__ = ["FAR", "KINDS", "Model", "Route", "model", "problem", "routes_of", "warm_start"]

PRIZE = 100_000  # ≫ any insertion cost, small enough for the time-warp penalties to bite
FAR = 10**9
VAN_COST_PER_S = 3  # vans are the scarce resource: see lastmile's module doc
DRONE_COST_PER_S = 1
KINDS = ("van", "drone")


def _local_xy_m(
    lat0: float, lon0: float, lat: NDArray[np.float64], lon: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    # Equirectangular around the port: error well under 1 % within a last-mile radius.
    r = EARTH_RADIUS_KM * 1000.0
    x = np.radians(((lon - lon0 + 180.0) % 360.0) - 180.0) * np.cos(np.radians(lat0)) * r
    y = np.radians(lat - lat0) * r
    return x, y


@dataclass(frozen=True, eq=False)
class Model:
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


def model(  # noqa: PLR0913 - the landing's parcels as aligned arrays, then the depot
    network: Network,
    site_index: int,
    lat_deg: NDArray[np.float64],
    lon_deg: NDArray[np.float64],
    mass_kg: NDArray[np.float64],
    volume_m3: NDArray[np.float64],
    release_s: NDArray[np.float64],
    deadline_s: NDArray[np.float64],
    *,
    from_vessel: bool = False,
) -> Model:
    """The integer model of one landing at site ``site_index``, from its port or (with
    ``from_vessel``) from its recovery vessel, whose drones fly the same drone's range."""
    site = network.landing_sites[site_index]
    van, drone = network.van, network.drone
    n = len(lat_deg)
    depot = site.position if from_vessel else site.port_position
    x, y = _local_xy_m(depot[0], depot[1], lat_deg, lon_deg)
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
    drone_time[:, no_drone] = FAR
    drone_time[no_drone, :] = FAR
    np.fill_diagonal(drone_time, 0)
    drone_dist = np.where(drone_time >= FAR, FAR, np.rint(straight).astype(np.int64))
    np.fill_diagonal(drone_dist, 0)
    return Model(
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


def problem(
    m: Model, rows: NDArray[np.int64], fleet: tuple[int, int]
) -> tuple[pyvrp.ProblemData, list[str]]:
    """PyVRP data for parcels ``rows`` with ``fleet`` = (vans, drones); and the type names."""
    idx = np.concatenate(([0], rows + 1))
    clients = [
        pyvrp.Client(
            k + 1,
            delivery=[int(m.grams[i]), int(m.cm3[i]), 1],
            tw_late=int(m.deadline[i]),
            release_time=int(m.release[i]),
            prize=PRIZE,
            required=False,
        )
        for k, i in enumerate(rows.tolist())
    ]
    costs = (VAN_COST_PER_S, DRONE_COST_PER_S)
    types = [
        pyvrp.VehicleType(
            count, capacity=m.capacity[p], unit_distance_cost=0, unit_duration_cost=costs[p],
            profile=p, reload_depots=[0], name=KINDS[p],
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
class Route:
    """One vehicle's day: its trips as parcel indices, each visit's start time, its end."""

    kind: str
    trips: list[list[int]]
    start: dict[int, int]
    end: int


def routes_of(solution: pyvrp.Solution, rows: NDArray[np.int64], names: list[str]) -> list[Route]:
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
        out.append(Route(kind, [t for t in trips if t], start, int(route.end_time())))
    return out


def warm_start(
    data: pyvrp.ProblemData, names: list[str], client_of: dict[int, int], routes: list[Route]
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
