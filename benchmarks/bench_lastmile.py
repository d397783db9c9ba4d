"""Last mile for one landing with 1,000 stops (target ≤ 10 s, every feasible deadline met).

A landing at Incheon: 1,000 parcels released at the port over 10 minutes, doors scattered a
few kilometres around it, deadlines 45–60 minutes after release. "Feasible" is per parcel (a
direct trip from the port makes the deadline); with the port's own fleet (60 vans, 30 drones)
some parcels can still be late because every vehicle is busy, so the figure is also given with
twice the fleet.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from rocketpost.network import default_network
from rocketpost.planning.lastmile import route_landing


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
    for label, factor in (("port fleet", 1), ("2x fleet", 2)):
        hub = base.hubs[h]
        hub = dataclasses.replace(hub, vans=hub.vans * factor, drones=hub.drones * factor)
        network = dataclasses.replace(base, hubs=(*base.hubs[:h], hub, *base.hubs[h + 1 :]))
        start = time.perf_counter()
        routes = route_landing(
            network, h, lat, lon, mass, volume, release, deadline, time_limit_s=8.0
        )
        wall = time.perf_counter() - start
        van = network.van
        km = np.hypot((lat - lat0) * 111.2, (lon - lon0) * 111.2 * np.cos(np.radians(lat0)))
        direct = release + km * van.road_factor / van.speed_kmh * 3600 + van.stop_min * 60
        feasible = direct <= deadline
        met = feasible & ~routes.late
        print(f"[{label}: {hub.vans} vans, {hub.drones} drones] last mile {n} stops: {wall:.1f} s")
        print(f"[{label}] feasible deadlines: {int(feasible.sum())}  met: {int(met.sum())}")
        print(f"[{label}] late: {int(routes.late.sum())}")
        print(f"[{label}] by drone: {int(np.char.startswith(routes.vehicle, 'drone').sum())}")


if __name__ == "__main__":
    main()
