"""Same-day by rocket in the plan: fill the room one-hour flights leave, fly full extra flights.

Same-day orders (:attr:`~rocketpost.core.eligibility.Mode.SAME_DAY`, decided by the one
eligibility rule) may launch on any wave of their lane from their earliest wave (ready +
handling) to their latest (the promise, minus the promise buffer and the legs after launch).
After the one-hour orders are packed (:func:`rocketpost.planning.consolidation.consolidate`),
in two steps:

1. **Top-up.** Every one-hour flight of a lane, in launch order, takes the same-day orders of
   that lane whose window contains its launch, earliest deadline first, into the mass and
   volume the one-hour orders left. One-hour orders were packed first and are never moved.
2. **Extra flights.** What is left flies on a flight of its own only when it fills one to at
   least ``min_fill`` (binding dimension): per lane, the wave of the most urgent deadline takes
   everything ready by then (earliest deadline first); below ``min_fill`` the orders whose
   deadline falls on that wave cannot fly later, so they go standard (``light_load``), and the
   next deadline is tried. No earlier wave could do better: it sees a subset of the same orders.

Orders that found no room get ``no_capacity`` when a one-hour flight in their window was full,
else ``light_load``. Packing is prefix sums over the deadline order (a few vectorised rounds
per flight, skipping orders that no longer fit), like :func:`~rocketpost.planning.
consolidation.pack`'s small parcels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["SAME_DAY_MIN_FILL", "SameDayFill", "fill_same_day", "take_prefix"]

SAME_DAY_MIN_FILL = 0.8
"""An extra flight for same-day orders alone flies only this full (binding dimension): the load
factor the quotes' flight share assumes (``rocketpost.service.quoting.TARGET_LOAD_FACTOR``), so
such a flight costs at most 1 / 0.8 of a full one per kg; below it, waiting orders that cannot
wait longer go standard rather than fly a rocket mostly empty."""

_MAX_ROUNDS = 32  # prefix rounds per flight: each adds orders or ends; a cap keeps it bounded


@dataclass(frozen=True, eq=False)
class SameDayFill:
    """Where the same-day orders go.

    ``order_bin`` / ``order_launch_s`` are per order of the day (-1 / NaN where not placed
    here); ``new_origin`` … ``new_launch_s`` are the extra flights, numbered after the
    one-hour bins; ``no_room`` and ``too_light`` are the same-day orders that do not fly.
    """

    order_bin: NDArray[np.int64]
    order_launch_s: NDArray[np.float64]
    new_origin: list[int]
    new_destination: list[int]
    new_launch_s: list[float]
    no_room: NDArray[np.int64]
    too_light: NDArray[np.int64]


def take_prefix(
    mass_kg: NDArray[np.float64],
    volume_m3: NDArray[np.float64],
    room_kg: float,
    room_m3: float,
) -> NDArray[np.int64]:
    """Positions of the items (in the given priority order) that fit in the room, greedily:
    the longest prefix that fits, then again over the items after the first that did not,
    leaving out those that alone exceed what is left (at most ``_MAX_ROUNDS`` rounds)."""
    taken: list[NDArray[np.int64]] = []
    rest = np.arange(len(mass_kg), dtype=np.int64)
    for _ in range(_MAX_ROUNDS):
        rest = rest[(mass_kg[rest] <= room_kg + 1e-9) & (volume_m3[rest] <= room_m3 + 1e-9)]
        if len(rest) == 0:
            break
        cm = np.cumsum(mass_kg[rest])
        cv = np.cumsum(volume_m3[rest])
        stop = int(np.count_nonzero((cm <= room_kg + 1e-9) & (cv <= room_m3 + 1e-9)))
        # Cumulative sums only grow: the fitting items are exactly a prefix.
        taken.append(rest[:stop])
        room_kg -= float(cm[stop - 1]) if stop else 0.0
        room_m3 -= float(cv[stop - 1]) if stop else 0.0
        rest = rest[stop + 1 :] if stop < len(rest) else rest[:0]
    return np.concatenate(taken) if taken else np.zeros(0, dtype=np.int64)


def fill_same_day(  # noqa: PLR0913 - the day's arrays and the one-hour bins
    rows: NDArray[np.int64],
    lane: NDArray[np.int64],
    earliest_s: NDArray[np.float64],
    latest_s: NDArray[np.float64],
    interval_s: NDArray[np.float64],
    mass_kg: NDArray[np.float64],
    volume_m3: NDArray[np.float64],
    *,
    n_orders: int,
    bin_lane: NDArray[np.int64],
    bin_launch_s: NDArray[np.float64],
    bin_room_kg: NDArray[np.float64],
    bin_room_m3: NDArray[np.float64],
    lane_ends: tuple[NDArray[np.intp], NDArray[np.intp]],
    cap_kg: float,
    cap_m3: float,
    min_fill: float = SAME_DAY_MIN_FILL,
) -> SameDayFill:
    """Place the same-day orders ``rows`` (see the module docstring).

    Parameters
    ----------
    rows
        The same-day orders (rows of the day); the other arrays but ``mass_kg``/``volume_m3``
        (per order of the day) are aligned with ``rows``.
    lane
        Lane number of each (origin × sites + destination, as the one-hour bins').
    earliest_s, latest_s
        First and last launch (epoch s) that keep each order's promise.
    interval_s
        The wave interval of each order's origin (extra flights launch on the wave grid).
    bin_lane, bin_launch_s, bin_room_kg, bin_room_m3
        The one-hour bins: lane, launch and the room they leave.
    lane_ends
        Origin and destination of each lane number (for the extra flights).
    """
    order_bin = np.full(n_orders, -1, dtype=np.int64)
    order_launch = np.full(n_orders, np.nan)
    no_room: list[NDArray[np.int64]] = []
    too_light: list[NDArray[np.int64]] = []
    new_o: list[int] = []
    new_d: list[int] = []
    new_t: list[float] = []
    nbins = len(bin_lane)
    if len(rows) == 0:
        return SameDayFill(
            order_bin, order_launch, new_o, new_d, new_t, *(np.zeros(0, np.int64),) * 2
        )
    by_lane = np.lexsort((latest_s, lane))
    lanes_sorted = lane[by_lane]
    starts = np.flatnonzero(np.diff(lanes_sorted, prepend=-1))
    ends = np.append(starts[1:], len(by_lane))
    bins_by_lane: dict[int, NDArray[np.intp]] = {}
    if nbins:
        order = np.lexsort((bin_launch_s, bin_lane))
        cut = np.flatnonzero(np.diff(bin_lane[order], prepend=-1))
        for a, z in zip(cut.tolist(), [*cut[1:].tolist(), nbins], strict=True):
            bins_by_lane[int(bin_lane[order[a]])] = order[a:z]
    for a, z in zip(starts.tolist(), ends.tolist(), strict=True):
        local = by_lane[a:z]  # this lane's same-day orders, earliest deadline first
        the_lane = int(lane[local[0]])
        placed = np.zeros(len(local), dtype=bool)
        saw_full = np.zeros(len(local), dtype=bool)
        m = mass_kg[rows[local]]
        v = volume_m3[rows[local]]
        first, last = earliest_s[local], latest_s[local]
        # 1. Top up the lane's one-hour flights, in launch order.
        for b in bins_by_lane.get(the_lane, np.zeros(0, np.intp)).tolist():
            t = float(bin_launch_s[b])
            window = np.flatnonzero(~placed & (first <= t + 1e-6) & (last >= t - 1e-6))
            if len(window) == 0:
                continue
            saw_full[window] = True
            took = window[take_prefix(m[window], v[window], bin_room_kg[b], bin_room_m3[b])]
            placed[took] = True
            order_bin[rows[local[took]]] = b
            order_launch[rows[local[took]]] = t
            bin_room_kg[b] -= float(m[took].sum())
            bin_room_m3[b] -= float(v[took].sum())
        # 2. Extra flights only when full enough, at the wave of the most urgent deadline.
        interval = float(interval_s[local[0]])
        waiting = np.flatnonzero(~placed)
        while len(waiting):
            t = float(np.floor(last[waiting[0]] / interval + 1e-9) * interval)
            ready = waiting[first[waiting] <= t + 1e-6]
            took = ready[take_prefix(m[ready], v[ready], cap_kg, cap_m3)]
            fill = max(float(m[took].sum()) / cap_kg, float(v[took].sum()) / cap_m3)
            if len(took) and fill >= min_fill - 1e-12:
                b = nbins + len(new_o)
                o, d = lane_ends[0][the_lane], lane_ends[1][the_lane]
                new_o.append(int(o))
                new_d.append(int(d))
                new_t.append(t)
                placed[took] = True
                order_bin[rows[local[took]]] = b
                order_launch[rows[local[took]]] = t
            else:
                # Nothing fills a flight by this wave: whoever cannot wait past it goes standard.
                stuck = waiting[last[waiting] < t + interval - 1e-6]
                stuck = stuck if len(stuck) else waiting[:1]
                placed[stuck] = True  # leaves the queue (not on a flight)
                no_room.append(rows[local[stuck[saw_full[stuck]]]])
                too_light.append(rows[local[stuck[~saw_full[stuck]]]])
            waiting = np.flatnonzero(~placed)
    empty = np.zeros(0, dtype=np.int64)
    return SameDayFill(
        order_bin=order_bin,
        order_launch_s=order_launch,
        new_origin=new_o,
        new_destination=new_d,
        new_launch_s=new_t,
        no_room=np.concatenate(no_room) if no_room else empty,
        too_light=np.concatenate(too_light) if too_light else empty,
    )
