"""Launch pads: a plan never launches more rockets at a hub than its pads can take.

A hub has ``pads`` pads, each busy ``pad_turnaround_min`` after a launch. The simulator books
its launches in the same book (:mod:`rocketpost.simulation.paddispatch`), so the plan and the
replicates share one pad rule. A launch at ``t`` fits when, over
``[t, t + turnaround)``, fewer than ``pads`` earlier-booked launches are still turning a pad
round: launches are intervals on identical pads, so that is exactly when the pads can take
them all (an interval graph is coloured by its largest overlap).

Consolidation picks each lane's wave from its own orders, so several lanes of a hub may choose
one wave. The fleet (:func:`rocketpost.planning.fleet.schedule_fleet`) books every flight that
gets an airframe, in launch order, into one :class:`PadBook`: on its planned wave, or the next
with a free pad from which every order on board still keeps its promise
(:func:`bin_latest_launch_s`); otherwise the flight does not fly and its orders go standard
(``no_capacity``), as when no airframe is there. Empty repositioning flights take their hub's
first free pad. Only flights that fly take a pad, so a lane-wave the fleet cannot fly never
keeps a pad from one it can.
"""

from __future__ import annotations

import bisect
import math

import numpy as np
from numpy.typing import NDArray

from rocketpost.network import Network
from rocketpost.planning.consolidation import Consolidation

__all__ = ["PadBook", "bin_latest_launch_s", "pad_free", "pad_overbooked"]

_EPS_S = 1e-6


class PadBook:
    """The launches booked at every hub of ``network`` (mutable while planning)."""

    def __init__(
        self,
        network: Network,
        *,
        unlimited: bool = False,
        pads: int | None = None,
        turnaround_min: float | None = None,
    ) -> None:
        # Unlimited: every launch fits (a schedule that books no pads). ``pads`` and
        # ``turnaround_min`` replace every hub's own (a simulation's what-if settings).
        self._pads = [
            2**62 if unlimited else hub.pads if pads is None else pads for hub in network.hubs
        ]
        self._turn_s = [
            60.0 * (hub.pad_turnaround_min if turnaround_min is None else turnaround_min)
            for hub in network.hubs
        ]
        self._interval_s = np.asarray(network.launch_wave_interval_s, dtype=np.float64)
        self._launches: list[list[float]] = [[] for _ in network.hubs]

    def fits(self, hub: int, t_s: float) -> bool:
        """Whether a pad of ``hub`` is free for a launch at ``t_s`` and the launches booked
        after it, within its turnaround, still find one (a pad turned round in exactly the
        turnaround is free again: the network's on-demand design turns a pad round in one wave
        interval)."""
        booked, turn = self._launches[hub], self._turn_s[hub]
        # The overlap is largest at t itself or at a later launch within its turnaround.
        later = booked[
            bisect.bisect_right(booked, t_s + _EPS_S) : bisect.bisect_left(
                booked, t_s + turn - _EPS_S
            )
        ]
        for at in (t_s, *later):
            # Launches still turning a pad round at ``at``: in (at − turnaround, at].
            busy = bisect.bisect_right(booked, at + _EPS_S) - bisect.bisect_right(
                booked, at - turn + _EPS_S
            )
            if busy >= self._pads[hub]:
                return False
        return True

    def earliest(self, hub: int, t_s: float, latest_s: float = math.inf) -> float:
        """The first wave of ``hub`` from ``t_s`` (on its wave grid) whose pad is free, or NaN
        when none is by ``latest_s``."""
        interval = float(self._interval_s[hub])
        wave = t_s
        while wave <= latest_s + _EPS_S:
            if self.fits(hub, wave):
                return wave
            wave += interval
        return math.nan

    def earliest_each(self, hub: NDArray[np.intp], t_s: NDArray[np.float64]) -> NDArray[np.float64]:
        """:meth:`earliest` of every ``(hub, t_s)`` pair (one search per distinct pair)."""
        pairs = list(zip(hub.tolist(), t_s.tolist(), strict=True))
        slot = {pair: self.earliest(*pair) for pair in set(pairs)}
        return np.array([slot[pair] for pair in pairs], dtype=np.float64)

    def book(self, hub: int, t_s: float) -> None:
        bisect.insort(self._launches[hub], t_s)


def pad_free(network: Network, hub: int, booked_s: NDArray[np.float64], launch_s: float) -> bool:
    """Whether ``hub``'s pads take a new launch at ``launch_s`` beside the launches
    ``booked_s`` already sold there: the book's rule for a service that opens flights one at a
    time and never moves a sold one (:mod:`rocketpost.service.fleetadmission`)."""
    book = PadBook(network)
    for t in np.sort(np.asarray(booked_s, dtype=np.float64)).tolist():
        book.book(hub, t)
    return book.fits(hub, launch_s)


def pad_overbooked(
    network: Network, origin: NDArray[np.intp], launch_s: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Per flight, whether its hub's pads could not take it (flights booked in launch order):
    the plan check's rule, the one :class:`PadBook` books by."""
    book = PadBook(network)
    bad = np.zeros(len(origin), dtype=bool)
    for f in np.argsort(launch_s, kind="stable").tolist():
        o, t = int(origin[f]), float(launch_s[f])
        if not book.fits(o, t):
            bad[f] = True
        book.book(o, t)
    return bad


def bin_latest_launch_s(
    cons: Consolidation, order_latest_launch_s: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Per bin of ``cons``, the latest launch every order on board keeps its promise from
    (``order_latest_launch_s`` per order; NaN, as for a same-day order: no limit)."""
    latest = np.full(len(cons.bin_origin), math.inf)
    carried = np.flatnonzero(cons.order_bin >= 0)
    limits = np.nan_to_num(order_latest_launch_s[carried], nan=math.inf)
    np.minimum.at(latest, cons.order_bin[carried], limits)
    return np.maximum(latest, cons.bin_launch_s)  # never before the planned wave
