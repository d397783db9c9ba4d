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

The kernel is deterministic and assumes open conditions unless told otherwise: the options'
``vessel_drones`` mask grounds the drones of sites whose wind or sea state exceeds the drone's
limits (:mod:`rocketpost.core.vesseldrone`, the one rule the planner and simulator use too);
the sites' ``sea_state_closed_share`` is for the simulator.

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

from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.earth import EARTH_RADIUS_KM
from rocketpost.core.kernelinput import (
    BLOCK_ROWS,
    BlockRows,
    KernelOptions,
    ParcelRows,
    checked_rows,
)
from rocketpost.core.networklegs import (
    NetworkLegs,
    WaveWait,
    flight_matrix,
    network_legs,
    next_wave_s,
    policy_wait_s,
)
from rocketpost.core.routes import LEG_NAMES, Routes

__all__ = [
    "BLOCK_ROWS",
    "LEG_NAMES",
    "KernelOptions",
    "NetworkLegs",
    "ParcelRows",
    "Routes",
    "WaveWait",
    "door_to_door",
    "flight_matrix",
    "last_mile",
    "network_legs",
    "next_wave_s",
    "policy_wait_s",
]

# ... BLOCK_ROWS is for the 21 × 21 hub cube. With many landing sites the (rows × origins ×
# sites) cube grows: the block shrinks to keep it near this many cells (21 × 321 sites: ~130
# rows; measured 1.57 s -> 1.0 s for every city × hub × site).
_BLOCK_CELLS = BLOCK_ROWS * 21 * 21
_MIN_BLOCK_ROWS = 128
_INF = np.inf
_ROWS = np.arange(BLOCK_ROWS)  # row indices of a block, made once
_DEFAULT_OPTIONS = KernelOptions()
# Constants of the great-circle arithmetic as 0-d arrays: NumPy converts a Python float operand
# on every call, which for a quote's one row costs as much as the arithmetic itself.
_ZERO, _HALF, _ONE = np.array(0.0), np.array(0.5), np.array(1.0)
_EARTH_DIAMETER_KM = np.array(2.0 * EARTH_RADIUS_KM)


def last_mile(
    legs: NetworkLegs, distance_km: ArrayLike, drone_ok: ArrayLike = True
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Last-mile seconds for each distance and whether the drone (rather than a van) is used.

    The drone flies the great circle at cruise speed when the place is inside its range and the
    drone may carry the parcel (``drone_ok``: payload limits, and no dangerous goods, since a
    drone is an aircraft too); otherwise a van drives ``road_factor`` × the great circle.
    """
    km = np.asarray(distance_km, dtype=np.float64)
    seconds = km * legs.van_s_per_km + legs.van_stop_s  # by van, then the drone where it flies
    drone_s = km * legs.drone_s_per_km + legs.drone_handover_s
    use_drone = (km <= legs.drone_range_km) & (drone_s < seconds)
    if drone_ok is not True:
        use_drone &= np.asarray(drone_ok, dtype=bool)
    np.copyto(seconds, drone_s, where=use_drone)  # where(use_drone, drone_s, van), in place
    return seconds, use_drone


def _column(values: Any) -> Any:
    """Per-row values as a column ``(n, 1)`` against per-point or per-origin arrays; a single
    row's 0-d value (or ``None``) as it is."""
    return values if values is None or values.ndim == 0 else values.reshape(-1, 1)


class _Origins(NamedTuple):
    """The per-origin legs of the origins considered (all hubs: no indexing needed)."""

    hubs: NDArray[np.intp]
    touchdown_s: NDArray[np.float64]
    to_port_s: NDArray[np.float64]
    handling_s: NDArray[np.float64]
    interval_s: NDArray[np.float64]
    pad_points: Any


def _origins(legs: NetworkLegs, origin: NDArray[np.intp] | None) -> _Origins:
    return _every_origin(legs) if origin is None else _some_origins(legs, origin)


@lru_cache(maxsize=16)
def _every_origin(legs: NetworkLegs) -> _Origins:
    """Every hub an origin: no indexing, made once per network (a quote asks for it each time)."""
    sites, h = legs.site_count, legs.hub_count
    return _Origins(
        legs.all_hubs,
        legs.touchdown_s,
        legs.flight_to_port_s,
        legs.handling_s,
        legs.interval_s,
        slice(sites, sites + h),
    )


def _some_origins(legs: NetworkLegs, origin: NDArray[np.intp]) -> _Origins:
    sites = legs.site_count
    return _Origins(
        origin,
        legs.touchdown_s[origin],
        legs.flight_to_port_s[origin],
        legs.handling_s[origin],
        legs.interval_s[origin],
        sites + origin,
    )


class _Choice(NamedTuple):
    """A block's per (row, origin) choice, before the best origin is picked."""

    hubs: NDArray[np.intp]
    total: NDArray[np.float64]  # (n, O) door-to-door, the faster of rocket and ground
    best_d: NDArray[np.intp]  # (n, O) best landing site
    use_ground: NDArray[np.bool_]
    depart: NDArray[np.float64]  # handling + wave wait
    launch: NDArray[np.float64] | None
    wait: NDArray[np.float64] | None  # None: depart - handling, taken where it is read
    handling: NDArray[np.float64]
    at_nearest: NDArray[np.float64] | None
    last_s: NDArray[np.float64]  # (n, points) last mile from every port, pad and site
    km: NDArray[np.float64]
    drone: NDArray[np.bool_]
    vessel: NDArray[np.bool_] | None  # (n, S) the vessel's drone beats the boat


def _distances_km(legs: NetworkLegs, lat: NDArray[np.float64], lon: NDArray[np.float64]) -> Any:
    """Great circles from every row to every port, pad (and site), ``(n, points)``.

    The chord from the dot product of unit vectors, no sines (rows × 663 points of the concept
    network: 1.0 s -> 0.5 s for every city); 2 − 2 cos ψ keeps ~1e-16 absolute, so a 1 km leg
    is exact to micrometres, a 10 m one to a millimetre. Written out, not a matrix product: BLAS
    sums in a shape-dependent order, and one row (a quote) must give the bits a block (the
    planner, reach) gives.
    """
    # The rows' unit vectors as three columns (what unit_vectors computes, without stacking
    # them: a quote's one row spends more on the stack than on the trigonometry).
    lat_rad, lon_rad = np.radians(lat), np.radians(lon)
    cos_lat = np.cos(lat_rad)
    x, y, z = legs.point_xyz
    dot = _column(cos_lat * np.cos(lon_rad)) * x
    dot += _column(cos_lat * np.sin(lon_rad)) * y
    dot += _column(np.sin(lat_rad)) * z
    # Half the chord, sqrt((2 − 2 cos ψ) / 4): the same bits as 0.5 · sqrt(2 − 2 cos ψ) (scaling
    # by powers of two is exact), one operation fewer.
    half_chord = np.sqrt(np.maximum(_HALF - _HALF * dot, _ZERO))
    return _EARTH_DIAMETER_KM * np.arcsin(np.minimum(half_chord, _ONE))


def _departures(
    rows: BlockRows, at: _Origins, fixed_wait: NDArray[np.float64] | None
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None, NDArray[np.float64] | None]:
    """Handling + wave wait per (row, origin), the launch times and the waits."""
    if rows.ready is not None:
        ready_col = _column(rows.ready)
        launch = next_wave_s(ready_col + at.handling_s, at.interval_s)  # (n, O)
        return launch - ready_col, launch, None
    assert fixed_wait is not None
    depart = np.broadcast_to(at.handling_s + fixed_wait, rows.lat.shape + at.hubs.shape)
    return depart, None, np.broadcast_to(fixed_wait, depart.shape)


def _choose(
    legs: NetworkLegs,
    rows: BlockRows,
    fixed_wait: NDArray[np.float64] | None,
    options: KernelOptions,
) -> _Choice:
    """Per (row, origin) of one block: the best landing site, rocket or ground, and the time.

    The shapes in the comments are a block's; a single row (0-d, see
    :class:`~rocketpost.core.kernelinput.BlockRows`) has no leading ``n``.
    """
    at = _origins(legs, options.origins)
    h, sites = legs.hub_count, legs.site_count
    km = _distances_km(legs, rows.lat, rows.lon)  # (n, points)
    drone_col = _column(rows.drone_ok)
    last_s, drone = last_mile(legs, km[..., : sites + h], True if drone_col is None else drone_col)
    port_last = last_s[..., :sites]  # (n, S)
    # Touchdown to door at each site: by boat, port and van/drone, or by drone from the vessel.
    after = legs.landing_to_port_s + port_last
    vessel: NDArray[np.bool_] | None = None
    if km.shape[-1] > sites + h:
        vessel_km = km[..., sites + h :]
        vessel_fly_s = vessel_km * legs.drone_s_per_km + legs.drone_handover_s
        ok = (vessel_km <= legs.drone_range_km) & legs.vessel_drone_site
        if options.vessel_drones is not None:  # grounded by wind or sea state (vesseldrone)
            ok &= options.vessel_drones
        if drone_col is not None:
            ok &= drone_col
        by_vessel = np.where(ok, legs.vessel_transfer_s + vessel_fly_s, _INF)
        vessel = by_vessel < after
        after = np.minimum(after, by_vessel)
        last_s = np.concatenate([last_s, vessel_fly_s], axis=-1)
        drone = np.concatenate([drone, np.ones(vessel_km.shape, dtype=bool)], axis=-1)
    # Liftoff to door via each site; the wave wait does not change which one is best.
    via = at.touchdown_s + after[..., None, :]  # (n, O, S)
    best_d = via.argmin(axis=-1)  # (n, O)
    # The element at the argmin, by the cheapest gather for the block's size.
    n = 1 if via.ndim == 2 else via.shape[0]
    if via.ndim == 2:
        via_best = via[_ROWS[: at.hubs.size], best_d]
    elif n > 16:
        via_best = np.take_along_axis(via, best_d[:, :, None], axis=2)[:, :, 0]
    else:
        via_best = via.min(axis=2)
    depart, launch, wait = _departures(rows, at, fixed_wait)
    fly = _column(rows.may_fly)
    rocket = depart + via_best if fly is None else np.where(fly, depart + via_best, _INF)
    ground_last = last_s[..., at.pad_points]  # (n, O)
    ground_total = (
        at.handling_s + ground_last if options.allow_ground else np.full(rocket.shape, _INF)
    )
    use_ground = ground_total <= rocket
    # where(use_ground, ground, rocket), at a fraction of the cost: they differ only for a NaN
    # ground time, which needs a NaN place (refused).
    total = np.minimum(ground_total, rocket)
    # "In reach": the port nearest the door (by last mile) can be reached, from any allowed
    # origin, by rocket.
    at_nearest: NDArray[np.float64] | None = None
    if options.reach:
        at_nearest = depart + at.to_port_s[:, port_last.argmin(axis=-1)].T
        if fly is not None:
            at_nearest = np.where(fly, at_nearest, _INF)
    if rows.allowed is not None:
        total = np.where(rows.allowed, total, _INF)
        if at_nearest is not None:
            at_nearest = np.where(rows.allowed, at_nearest, _INF)
    return _Choice(
        at.hubs,
        total,
        best_d,
        use_ground,
        depart,
        launch,
        wait,
        at.handling_s,
        at_nearest,
        last_s,
        km,
        drone,
        vessel,
    )


def _gather(legs: NetworkLegs, c: _Choice, per_origin: bool) -> dict[str, NDArray[Any]]:
    """Every leg of the chosen routes: per origin, or (unless ``per_origin``) of the best origin
    per row, gathered with index arrays."""
    sites, h, n = legs.site_count, legs.hub_count, c.total.shape[0]
    rows: Any
    total = c.total
    if per_origin:
        rows, col, o = np.arange(n)[:, None], slice(None), np.broadcast_to(c.hubs, total.shape)
        nearest_port = c.at_nearest
        d, g = c.best_d, c.use_ground
    else:
        rows = _ROWS[:n] if n <= BLOCK_ROWS else np.arange(n)
        col = total.argmin(axis=1)
        o = c.hubs[col]
        total = total[rows, col]
        nearest_port = None if c.at_nearest is None else c.at_nearest.min(axis=1)
        d, g = c.best_d[rows, col], c.use_ground[rows, col]
    v = np.zeros(g.shape, dtype=bool) if c.vessel is None else c.vessel[rows, d] & ~g
    # Flat indices (the cheapest gathers): the last mile starts at the origin's pad, the site's
    # port or the site itself (its vessel). Rocket legs are those of the origin's best rocket
    # route even where the ground wins.
    point = np.where(g, sites + o, np.where(v, sites + h + d, d))
    flat = point + c.km.shape[1] * rows
    pair = o * sites + d
    waits = c.depart - c.handling if c.wait is None else c.wait
    launch = c.launch
    return {
        "origin": o,
        "destination": np.where(g, o, d),
        "ground": g,
        "vessel": v,
        "drone": c.drone.ravel()[flat],
        "total_s": total,
        "handling_s": legs.handling_s[o],
        "wait_s": waits if per_origin else waits[rows, col],
        "coast_s": legs.coast_s.ravel()[pair],
        "boat_s": np.where(v, 0.0, legs.boat_s[d]),
        "last_mile_s": c.last_s.ravel()[flat],
        "last_mile_km": c.km.ravel()[flat],
        "range_km": legs.range_km.ravel()[pair],
        "launch_s": None if launch is None else launch if per_origin else launch[rows, col],
        "nearest_port_s": nearest_port,
    }


def _one_row(legs: NetworkLegs, c: _Choice) -> Routes:
    """The best origin of a single row (a quote: no row axis), gathered with Python indices:
    the same elements :func:`_gather` gathers with index arrays, for a fraction of the calls."""
    col = int(c.total.argmin())  # .item(): Python numbers, the cheapest reads of one element
    o, d, g = c.hubs.item(col), c.best_d.item(col), c.use_ground.item(col)
    v = bool(not g and c.vessel is not None and c.vessel.item(d))
    sites = legs.site_count
    point = sites + o if g else sites + legs.hub_count + d if v else d
    handling = legs.handling_s.item(o)
    floats = np.array(
        [
            c.total.item(col),
            handling,
            c.depart.item(col) - handling,  # the wave wait
            legs.coast_s.item(o, d),
            0.0 if v else legs.boat_s.item(d),
            c.last_s.item(point),
            c.km.item(point),
            legs.range_km.item(o, d),
            np.nan if c.launch is None else c.launch.item(col),
            np.nan if c.at_nearest is None else c.at_nearest.min(),
        ]
    )
    ints = np.array([o, o if g else d], dtype=np.intp)
    flags = np.array([g, c.drone.item(point), v])
    return Routes(
        origin=ints[0:1],
        destination=ints[1:2],
        ground=flags[0:1],
        vessel=flags[2:3],
        drone=flags[1:2],
        total_s=floats[0:1],
        handling_s=floats[1:2],
        wait_s=floats[2:3],
        coast_s=floats[3:4],
        boat_s=floats[4:5],
        last_mile_s=floats[5:6],
        last_mile_km=floats[6:7],
        range_km=floats[7:8],
        launch_s=floats[8:9],
        nearest_port_s=floats[9:10],
    )


def _block(
    legs: NetworkLegs,
    rows: BlockRows,
    fixed_wait: NDArray[np.float64] | None,
    options: KernelOptions,
) -> dict[str, NDArray[Any]]:
    """One block of rows: per (row, origin) the best landing site, then (unless ``per_origin``)
    the best origin per row."""
    return _gather(legs, _choose(legs, rows, fixed_wait, options), options.per_origin)


def _joined(
    parts: list[dict[str, NDArray[Any]]], shape: tuple[int, ...], per_origin: bool
) -> Routes:
    """The blocks' answers as one :class:`Routes`."""

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


def door_to_door(
    legs: NetworkLegs, rows: ParcelRows, options: KernelOptions | None = None
) -> Routes:
    """The fastest delivery of N rows: best origin × landing site × last mile, every leg.

    Parameters
    ----------
    legs
        The network's fixed legs (:func:`network_legs`).
    rows
        The places and what varies per parcel (:class:`ParcelRows`).
    options
        What holds for every row (:class:`KernelOptions`; default: every hub an origin, the
        worst-case wave wait, ground allowed, the best origin per row, reach computed).

    Returns
    -------
    Routes
        Arrays shaped ``(N,)``, or ``(origins, N)`` with ``per_origin``.
    """
    options = _DEFAULT_OPTIONS if options is None else options
    checked = checked_rows(legs, rows, options)
    origins = options.origins
    fixed_wait = None
    if checked.ready is None:
        interval = legs.interval_s if origins is None else legs.interval_s[origins]
        fixed_wait = policy_wait_s(interval, options.wave_wait)
    if checked.lat.ndim == 0:  # a quote: one row (no row axis), no blocks, no concatenation
        return _one_row(legs, _choose(legs, checked, fixed_wait, options))
    n = checked.lat.size
    n_origins = legs.hub_count if origins is None else origins.size
    cube = n_origins * legs.site_count
    block_rows = max(_MIN_BLOCK_ROWS, min(options.block_rows, _BLOCK_CELLS // max(cube, 1)))
    parts = [
        _block(legs, checked.part(slice(start, start + block_rows)), fixed_wait, options)
        for start in range(0, n, block_rows)
    ]
    shape = (n_origins, n) if options.per_origin else (n,)
    return _joined(parts, shape, options.per_origin)
