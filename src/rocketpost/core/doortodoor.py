"""The door-to-door kernel: the one place the fastest delivery to a place is computed.

The budget (see ``docs/architecture.md``) for a rocket delivery from origin hub ``o`` via
landing site ``d`` (``network.landing_sites``: the hubs' own zones, then extra sites)::

    origin handling   hub o: pick, pack, load the pod            handling_min[o] (pre-staged on
                                                                  demand)
    wave wait         until the next launch wave/slot of hub o     exact (ready time) or a policy
    ascent            pad to burnout                              rocket.ascent_s
    coast             minimum-energy or fastest arc, rotating Earth ballistics / fastest
    descent           re-entry and vertical sea landing           rocket.descent_s
    then either, from the recovery vessel (drone-eligible parcel, door within drone range,
    site with drones, ``drone.from_vessel``):
    vessel transfer   pod to the vessel's drone deck              drone.vessel_transfer_min
    last mile         drone site → door                           distance / drone speed + handover
    or by boat and port:
    sea transfer      pod from rocket to boat                     boat.transfer_min
    boat              landing site to port over water             boat_route_km[d] / boat.speed_kmh
    port handling     pod ashore, parcels to vans and drones      boat.port_handling_min
    customs           pre-cleared at booking                      0 (eligibility adds inspections)
    last mile         port to door by drone (in range, light) or van (road factor × distance)

The kernel is deterministic and assumes open conditions (no wind or sea-state closures of sites
or drones; ``drone.max_wind_ms``, ``drone.max_sea_state_m`` and the sites'
``sea_state_closed_share`` are for the simulator).

A *ground* delivery leaves the origin's fulfilment centre (next to the pad) by drone or van after
handling, with no rocket legs. For N rows (a place, a ready time or a wave-wait policy, whether
the parcel may fly, whether a drone may carry it, which origins hold the stock)
:func:`door_to_door` returns the fastest origin × destination hub × last-mile choice and every
leg. Everything that depends only on the network (the flight matrix, landing→port, boat,
handling, wave intervals, vehicle speeds) is computed once per network in :class:`NetworkLegs`.

:func:`rocketpost.core.eta.eta_to_places` / ``eta_to_place``, the planner's service choice, the
quote router and reach are thin wrappers over this one function, so they agree by construction.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.earth import EARTH_RADIUS_KM
from rocketpost.core.networklegs import (
    NetworkLegs,
    WaveWait,
    flight_matrix,
    network_legs,
    next_wave_s,
    policy_wait_s,
    unit_vectors,
)
from rocketpost.core.routes import LEG_NAMES, Routes
from rocketpost.errors import InputError

__all__ = [
    "BLOCK_ROWS",
    "LEG_NAMES",
    "NetworkLegs",
    "Routes",
    "WaveWait",
    "door_to_door",
    "flight_matrix",
    "last_mile",
    "network_legs",
    "next_wave_s",
    "policy_wait_s",
]

# Rows per vectorised block. Each block builds (rows × origins × destinations) temporaries: at
# 20,000 rows those were ~70 MB each, fresh pages the kernel had to fault in and zero every time;
# at 2,000 they stay in cache (1M planned orders: 7.5 s -> 5.0 s).
BLOCK_ROWS = 2_000
# ... for the 21 × 21 hub cube. With many landing sites the (rows × origins × sites) cube grows:
# the block shrinks to keep it near this many cells (21 × 321 sites: ~130 rows; measured
# 1.57 s -> 1.0 s for every city × hub × site).
_BLOCK_CELLS = BLOCK_ROWS * 21 * 21
_MIN_BLOCK_ROWS = 128
_INF = np.inf
_ROWS = np.arange(BLOCK_ROWS)  # row indices of a block, made once


def last_mile(
    legs: NetworkLegs, distance_km: ArrayLike, drone_ok: ArrayLike = True
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Last-mile seconds for each distance and whether the drone (rather than a van) is used.

    The drone flies the great circle at cruise speed when the place is inside its range and the
    drone may carry the parcel (``drone_ok``: payload limits, and no dangerous goods, since a
    drone is an aircraft too); otherwise a van drives ``road_factor`` × the great circle.
    """
    km = np.asarray(distance_km, dtype=np.float64)
    van_s = km * legs.van_s_per_km + legs.van_stop_s
    drone_s = km * legs.drone_s_per_km + legs.drone_handover_s
    use_drone = (km <= legs.drone_range_km) & (drone_s < van_s)
    if drone_ok is not True:
        use_drone &= np.asarray(drone_ok, dtype=bool)
    return np.where(use_drone, drone_s, van_s), use_drone


def _rows(value: ArrayLike | None, n: int, name: str, dtype: type) -> NDArray[Any] | None:
    """Per-row flags or times as an ``(n,)`` array; ``None`` or a scalar stays cheap (one row,
    or the same value for every row, needs no array of its own)."""
    if value is None or value is True:  # the default for every row: nothing to apply
        return None
    array: NDArray[Any] = np.asarray(value, dtype=dtype)
    if array.ndim == 0:
        return array
    if array.shape != (n,):
        raise InputError(name, array.shape, f"must have one value per row ({n})")
    return array


def _column(values: NDArray[Any] | None) -> NDArray[Any] | None:
    return None if values is None else values.reshape(-1, 1)


def _block(
    legs: NetworkLegs,
    origin: NDArray[np.intp] | None,
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    ready: NDArray[np.float64] | None,
    fixed_wait: NDArray[np.float64] | None,
    drone_ok: NDArray[np.bool_] | None,
    may_fly: NDArray[np.bool_] | None,
    allowed: NDArray[np.bool_] | None,
    allow_ground: bool,
    per_origin: bool,
    reach: bool,
) -> dict[str, NDArray[Any]]:
    """One block of rows: per (row, origin) the best landing site, then (unless ``per_origin``)
    the best origin per row. ``origin`` None means every hub (no indexing needed)."""
    h, sites = legs.hub_count, legs.site_count
    if origin is None:
        hubs = legs.all_hubs
        touchdown, to_port = legs.touchdown_s, legs.flight_to_port_s
        handling, interval = legs.handling_s, legs.interval_s
        pad_points: Any = slice(sites, sites + h)
    else:
        hubs = origin
        touchdown, to_port = legs.touchdown_s[origin], legs.flight_to_port_s[origin]
        handling, interval = legs.handling_s[origin], legs.interval_s[origin]
        pad_points = sites + origin
    # Great circles to every port, pad (and site): the chord from the dot product of unit
    # vectors, no sines (rows × 663 points of the concept network: 1.0 s -> 0.5 s for every
    # city); 2 − 2 cos ψ keeps ~1e-16 absolute, so a 1 km leg is exact to micrometres, a 10 m
    # one to a millimetre. Written out, not a matrix product: BLAS sums in a shape-dependent
    # order, and one row (a quote) must give the bits a block (the planner, reach) gives.
    rows_xyz = unit_vectors(np.radians(lat), np.radians(lon))
    x, y, z = legs.point_xyz
    dot = rows_xyz[:, 0:1] * x
    dot += rows_xyz[:, 1:2] * y
    dot += rows_xyz[:, 2:3] * z
    half_chord = 0.5 * np.sqrt(np.maximum(2.0 - 2.0 * dot, 0.0))
    km = (2.0 * EARTH_RADIUS_KM) * np.arcsin(np.minimum(half_chord, 1.0))  # (n, points)
    drone_col = _column(drone_ok)
    last_s, drone = last_mile(legs, km[:, : sites + h], True if drone_col is None else drone_col)
    port_last = last_s[:, :sites]  # (n, S)
    # Touchdown to door at each site: by boat, port and van/drone, or by drone from the vessel.
    after = legs.landing_to_port_s + port_last
    vessel: NDArray[np.bool_] | None = None
    if km.shape[1] > sites + h:
        vessel_km = km[:, sites + h :]
        vessel_fly_s = vessel_km * legs.drone_s_per_km + legs.drone_handover_s
        ok = (vessel_km <= legs.drone_range_km) & legs.vessel_drone_site
        if drone_col is not None:
            ok &= drone_col
        by_vessel = np.where(ok, legs.vessel_transfer_s + vessel_fly_s, _INF)
        vessel = by_vessel < after
        after = np.minimum(after, by_vessel)
        last_s = np.concatenate([last_s, vessel_fly_s], axis=1)
        drone = np.concatenate([drone, np.ones(vessel_km.shape, dtype=bool)], axis=1)
    # Liftoff to door via each site; the wave wait does not change which one is best.
    via = touchdown[None, :, :] + after[:, None, :]  # (n, O, S)
    best_d = via.argmin(axis=2)  # (n, O)
    # The element at the argmin, by the cheapest gather for the block's size.
    if lat.size == 1:
        via_best = via[0][_ROWS[: hubs.size], best_d[0]][None, :]
    elif lat.size > 16:
        via_best = np.take_along_axis(via, best_d[:, :, None], axis=2)[:, :, 0]
    else:
        via_best = via.min(axis=2)
    if ready is not None:
        ready_col = ready.reshape(-1, 1)
        launch = next_wave_s(ready_col + handling, interval)  # (n, O)
        depart = launch - ready_col  # handling + wave wait
        wait = None  # depart - handling, taken where it is read
    else:
        assert fixed_wait is not None
        depart = np.broadcast_to(handling + fixed_wait, (lat.size, hubs.size))
        wait = np.broadcast_to(fixed_wait, depart.shape)
        launch = None
    fly = _column(may_fly)
    rocket = depart + via_best if fly is None else np.where(fly, depart + via_best, _INF)
    ground_last = last_s[:, pad_points]  # (n, O)
    ground_total = handling + ground_last if allow_ground else np.full(rocket.shape, _INF)
    use_ground = ground_total <= rocket
    total = np.where(use_ground, ground_total, rocket)
    # "In reach": the port nearest the door (by last mile) can be reached, from any allowed
    # origin, by rocket.
    at_nearest: NDArray[np.float64] | None = None
    if reach:
        at_nearest = depart + to_port[:, port_last.argmin(axis=1)].T
        if fly is not None:
            at_nearest = np.where(fly, at_nearest, _INF)
    if allowed is not None:
        total = np.where(allowed, total, _INF)
        if at_nearest is not None:
            at_nearest = np.where(allowed, at_nearest, _INF)
    if not per_origin and lat.size == 1:
        return _one_row(
            legs,
            hubs,
            total,
            best_d,
            use_ground,
            depart,
            launch,
            at_nearest,
            last_s,
            km,
            drone,
            vessel,
        )
    rows: Any
    if per_origin:
        rows, col, o = np.arange(lat.size)[:, None], slice(None), np.broadcast_to(hubs, total.shape)
        nearest_port = at_nearest
    else:
        rows = _ROWS[: lat.size] if lat.size <= BLOCK_ROWS else np.arange(lat.size)
        col = total.argmin(axis=1)
        o = hubs[col]
        total = total[rows, col]
        nearest_port = None if at_nearest is None else at_nearest.min(axis=1)
    d = best_d[rows, col] if per_origin is False else best_d
    g = use_ground[rows, col] if per_origin is False else use_ground
    v = np.zeros(g.shape, dtype=bool) if vessel is None else vessel[rows, d] & ~g
    # Flat indices (the cheapest gathers): the last mile starts at the origin's pad, the site's
    # port or the site itself (its vessel). Rocket legs are those of the origin's best rocket
    # route even where the ground wins.
    point = np.where(g, sites + o, np.where(v, sites + h + d, d))
    flat = point + km.shape[1] * rows
    pair = o * sites + d
    waits = depart - handling if wait is None else wait
    return {
        "origin": o,
        "destination": np.where(g, o, d),
        "ground": g,
        "vessel": v,
        "drone": drone.ravel()[flat],
        "total_s": total,
        "handling_s": legs.handling_s[o],
        "wait_s": waits if per_origin else waits[rows, col],
        "coast_s": legs.coast_s.ravel()[pair],
        "boat_s": np.where(v, 0.0, legs.boat_s[d]),
        "last_mile_s": last_s.ravel()[flat],
        "last_mile_km": km.ravel()[flat],
        "range_km": legs.range_km.ravel()[pair],
        "launch_s": None if launch is None else launch if per_origin else launch[rows, col],
        "nearest_port_s": nearest_port,
    }


def _one_row(
    legs: NetworkLegs,
    hubs: NDArray[np.intp],
    total: NDArray[np.float64],
    best_d: NDArray[np.intp],
    use_ground: NDArray[np.bool_],
    depart: NDArray[np.float64],
    launch: NDArray[np.float64] | None,
    at_nearest: NDArray[np.float64] | None,
    last_s: NDArray[np.float64],
    km: NDArray[np.float64],
    drone: NDArray[np.bool_],
    vessel: NDArray[np.bool_] | None,
) -> dict[str, NDArray[Any]]:
    """The best origin of a single row (a quote), gathered with Python indices: the same
    elements :func:`_block` gathers with index arrays, for a fraction of the calls."""
    c = int(total.argmin())  # .item(): Python numbers, the cheapest reads of one element
    o, d, g = hubs.item(c), best_d.item(0, c), use_ground.item(0, c)
    v = bool(not g and vessel is not None and vessel.item(0, d))
    sites = legs.site_count
    point = sites + o if g else sites + legs.hub_count + d if v else d
    floats = np.array(
        [
            total.item(0, c),
            legs.handling_s.item(o),
            depart.item(0, c) - legs.handling_s.item(o),  # the wave wait
            legs.coast_s.item(o, d),
            0.0 if v else legs.boat_s.item(d),
            last_s.item(0, point),
            km.item(0, point),
            legs.range_km.item(o, d),
            np.nan if launch is None else launch.item(0, c),
            np.nan if at_nearest is None else at_nearest[0].min(),
        ]
    )
    ints = np.array([o, o if g else d], dtype=np.intp)
    flags = np.array([g, drone.item(0, point), v])
    return {
        "origin": ints[0:1],
        "destination": ints[1:2],
        "ground": flags[0:1],
        "vessel": flags[2:3],
        "drone": flags[1:2],
        "total_s": floats[0:1],
        "handling_s": floats[1:2],
        "wait_s": floats[2:3],
        "coast_s": floats[3:4],
        "boat_s": floats[4:5],
        "last_mile_s": floats[5:6],
        "last_mile_km": floats[6:7],
        "range_km": floats[7:8],
        "launch_s": floats[8:9],
        "nearest_port_s": floats[9:10],
    }


def door_to_door(
    legs: NetworkLegs,
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    *,
    ready_s: ArrayLike | None = None,
    wave_wait: WaveWait | str = WaveWait.WORST,
    drone_ok: ArrayLike | None = None,
    may_fly: ArrayLike | None = None,
    allowed: ArrayLike | None = None,
    origins: NDArray[np.intp] | None = None,
    allow_ground: bool = True,
    per_origin: bool = False,
    reach: bool = True,
    block_rows: int = BLOCK_ROWS,
) -> Routes:
    """The fastest delivery of N rows: best origin × landing site × last mile, every leg.

    Parameters
    ----------
    legs
        The network's fixed legs (:func:`network_legs`).
    lat_deg, lon_deg
        The N places (1-D, or scalars for one row).
    ready_s
        Per-row (or one) order time, epoch seconds: the wave wait is exact (waves leave at whole
        multiples of the hub's interval from 00:00 UTC; the pod is ready ``handling`` after the
        order). ``None``: the ``wave_wait`` policy decides.
    drone_ok
        Per row (or one value): whether a drone may carry the parcel (payload, no dangerous
        goods). Default: yes.
    may_fly
        Per row (or one value): whether the parcel may fly on the rocket (else ground only).
        Default: yes.
    allowed
        ``(N, origins)`` (or ``(origins,)``) mask of origins that hold the stock.
    origins
        Hub positions considered as origins (default: every hub), in the order of ``allowed``'s
        columns and of the ``per_origin`` result.
    allow_ground
        Allow a ground delivery from an origin's own fulfilment centre.
    per_origin
        Return ``(origins, N)`` arrays (the fastest route from each origin) instead of the best
        origin per row.
    reach
        Compute ``nearest_port_s`` (NaN without: the quote's routing skips it and asks again
        only when the reason needs it).
    block_rows
        Rows evaluated per vectorised block (memory stays in cache for any N).

    Returns
    -------
    Routes
        Arrays shaped ``(N,)``, or ``(origins, N)`` with ``per_origin``.
    """
    if isinstance(lat_deg, float) and isinstance(lon_deg, float):
        # One place (a quote): checked in Python, a dozen array calls cheaper.
        if not abs(lat_deg) <= 90.0:
            raise InputError("latitude", [lat_deg], "must be in [-90, 90]")
        if not abs(lon_deg) <= 180.0:
            raise InputError("longitude", [lon_deg], "must be in [-180, 180]")
        lat, lon = np.array([lat_deg]), np.array([lon_deg])
    else:
        lat = np.asarray(lat_deg, dtype=np.float64).reshape(-1)
        lon = np.asarray(lon_deg, dtype=np.float64).reshape(-1)
        if lat.shape != lon.shape or np.ndim(lat_deg) > 1 or np.ndim(lon_deg) > 1:
            raise InputError(
                "places",
                (np.shape(lat_deg), np.shape(lon_deg)),
                "latitudes and longitudes must be 1-D and equally long",
            )
        bad_lat = ~(np.abs(lat) <= 90.0)
        if bad_lat.any():
            raise InputError("latitude", lat[bad_lat][:1].tolist(), "must be in [-90, 90]")
        bad_lon = ~(np.abs(lon) <= 180.0)
        if bad_lon.any():
            raise InputError("longitude", lon[bad_lon][:1].tolist(), "must be in [-180, 180]")
    n = lat.size
    n_origins = legs.hub_count if origins is None else origins.size
    ready = _rows(ready_s, n, "ready_s", np.float64)
    if ready is not None and ready.ndim == 0 and n > 1:
        ready = np.full(n, ready)  # one order time for every row: the waits are per row
    fixed_wait = None
    if ready is None:
        interval = legs.interval_s if origins is None else legs.interval_s[origins]
        fixed_wait = policy_wait_s(interval, wave_wait)
    drone_rows = _rows(drone_ok, n, "drone_ok", np.bool_)
    fly_rows = _rows(may_fly, n, "may_fly", np.bool_)
    mask = None
    if allowed is not None:
        mask = np.asarray(allowed, dtype=bool)
        if mask.shape == (n_origins,):
            mask = np.broadcast_to(mask, (n, n_origins))
        if mask.shape != (n, n_origins):
            raise InputError("allowed_origins", mask.shape, f"must be ({n}, {n_origins})")

    if n == 1 and not per_origin:  # a quote: one row, no slicing, no concatenation
        one = _block(
            legs,
            origins,
            lat,
            lon,
            ready,
            fixed_wait,
            drone_rows,
            fly_rows,
            mask,
            allow_ground,
            per_origin,
            reach,
        )
        return Routes(**one)

    def part(values: NDArray[Any] | None, rows: slice) -> Any:
        return values if values is None or values.ndim == 0 else values[rows]

    def run(rows: slice) -> dict[str, NDArray[Any]]:
        return _block(
            legs,
            origins,
            lat[rows],
            lon[rows],
            part(ready, rows),
            fixed_wait,
            part(drone_rows, rows),
            part(fly_rows, rows),
            part(mask, rows),
            allow_ground,
            per_origin,
            reach,
        )

    cube = n_origins * legs.site_count
    block_rows = max(_MIN_BLOCK_ROWS, min(block_rows, _BLOCK_CELLS // max(cube, 1)))
    parts = [run(slice(start, start + block_rows)) for start in range(0, n, block_rows)]
    shape = (n_origins, n) if per_origin else (n,)

    def whole(key: str) -> NDArray[Any]:
        if parts[0][key] is None:  # not computed (no ready times, no reach): NaN, no memory
            return np.broadcast_to(np.nan, shape)
        if per_origin:  # origin-major (origins, N), as EtaResult keeps them: one copy
            return (
                parts[0][key].T
                if len(parts) == 1
                else np.concatenate([p[key].T for p in parts], axis=1)
            )
        return parts[0][key] if len(parts) == 1 else np.concatenate([p[key] for p in parts])

    return Routes(**{key: whole(key) for key in parts[0]})
