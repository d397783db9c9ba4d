"""Last mile for one landing with 1,000 stops (target ≤ 10 s, every feasible deadline met).

A landing at Incheon: 1,000 parcels released at the port over 10 minutes, doors scattered a
few kilometres around it, deadlines 45–60 minutes after release. "Feasible" is per parcel (a
direct van trip from the port makes the deadline); the figures are given with the port's own
fleet (60 vans, 30 drones) for a few runs (PyVRP stops on wall time, so a busy machine gets
fewer iterations and results vary), with twice the fleet, and with a 2 s limit (the margin).

The routes are re-checked here independently of the router (great-circle distances, not its
projection): along each vehicle, stops in time order, no stop before its parcel could have come
from the port after its release, consecutive stops no closer in time than the travel between
them (a drone flies back to the port between parcels), drone parcels within payload and range.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
from numpy.typing import NDArray

from rocketpost.core.geo import great_circle_km
from rocketpost.network import Network, default_network
from rocketpost.planning.lastmile import LandingParcels, LandingRoutes, route_landing
from rocketpost.planning.params import LastMileParams

# (label, fleet factor, time limit s, seed): three seeds of the target case, then the others.
CASES = (
    ("port fleet", 1, 8.0, 1),
    ("port fleet", 1, 8.0, 2),
    ("port fleet", 1, 8.0, 3),
    ("2x fleet", 2, 8.0, 1),
    ("port fleet, 2 s limit", 1, 2.0, 1),
)
TOL = 0.01  # relative, for the router's equirectangular projection and integer seconds


def schedule_violations(
    network: Network,
    h: int,
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    mass: NDArray[np.float64],
    volume: NDArray[np.float64],
    release: NDArray[np.float64],
    routes: LandingRoutes,
) -> int:
    """Number of broken timing/payload rules along the vehicles (see the module doc)."""
    lat0, lon0 = network.hubs[h].port_position
    van, drone = network.van, network.drone
    port_km = great_circle_km(lat0, lon0, lat, lon)
    bad = 0
    for name in np.unique(routes.vehicle[routes.routed]).tolist():
        on = np.flatnonzero(routes.vehicle == name)
        on = on[np.argsort(routes.stop[on])]
        t = routes.arrival_s[on]
        bad += int(routes.stop[on].tolist() != list(range(1, len(on) + 1)))
        if name.startswith("drone"):
            out = port_km[on] / drone.speed_kmh * 3600 + drone.handover_min * 60
            gap = (port_km[on][:-1] / drone.speed_kmh * 3600) + out[1:]
            bad += int(np.sum(mass[on] > drone.max_parcel_kg + 1e-9))
            bad += int(np.sum(volume[on] > drone.max_parcel_m3 + 1e-12))
            bad += int(np.sum(port_km[on] > drone.range_km * (1 + TOL)))
        else:
            out = port_km[on] * van.road_factor / van.speed_kmh * 3600 + van.stop_min * 60
            hop = great_circle_km(lat[on][:-1], lon[on][:-1], lat[on][1:], lon[on][1:])
            gap = hop * van.road_factor / van.speed_kmh * 3600 + van.stop_min * 60
        bad += int(np.sum(t < release[on] + out * (1 - TOL) - 1.0))
        bad += int(np.sum(np.diff(t) < gap * (1 - TOL) - 1.0))
    return bad


def main() -> None:
    base = default_network()
    h = base.hub_index("ICN")
    lat0, lon0 = base.hubs[h].port_position
    rng = np.random.default_rng(1)
    n = 1000
    lat = lat0 + rng.normal(0, 0.03, n)
    lon = lon0 + rng.normal(0, 0.04, n)
    mass = rng.lognormal(0.3, 0.9, n)
    volume = mass / rng.uniform(100, 250, n)
    release = rng.uniform(0, 600, n)
    deadline = release + rng.uniform(2700, 3600, n)
    for label, factor, limit_s, seed in CASES:
        hub = base.hubs[h]
        hub = dataclasses.replace(hub, vans=hub.vans * factor, drones=hub.drones * factor)
        network = dataclasses.replace(base, hubs=(*base.hubs[:h], hub, *base.hubs[h + 1 :]))
        van = network.van
        km = great_circle_km(lat0, lon0, lat, lon)
        direct = release + km * van.road_factor / van.speed_kmh * 3600 + van.stop_min * 60
        feasible = direct <= deadline
        start = time.perf_counter()
        routes = route_landing(
            network,
            h,
            LandingParcels(lat, lon, mass, volume, release, deadline),
            LastMileParams(time_limit_s=limit_s, seed=seed),
        )
        wall = time.perf_counter() - start
        met = feasible & ~routes.late
        tag = f"[{label}, seed {seed}]"
        print(f"{tag} {hub.vans} vans, {hub.drones} drones, last mile {n} stops: {wall:.1f} s")
        print(f"{tag} feasible deadlines (direct van trip): {int(feasible.sum())}")
        print(f"{tag} feasible deadlines met: {int(met.sum())}")
        print(f"{tag} late, feasible: {int((feasible & routes.late).sum())}")
        print(f"{tag} late, all: {int(routes.late.sum())}")
        print(f"{tag} by drone: {int(np.char.startswith(routes.vehicle, 'drone').sum())}")
        bad = schedule_violations(network, h, lat, lon, mass, volume, release, routes)
        print(f"{tag} schedule re-check violations: {bad}")


if __name__ == "__main__":
    main()
