"""Who launches when more flights are ready at a wave than a hub's pads take.

After a scrub the flights it held and the flights planned for the wave it clears on all want a
pad at once. Taking them in whatever order their processes wake (as a plain resource does)
lets a flight whose promises are already broken launch ahead of one that still keeps its own,
and a queue of late flights then makes the next wave's flights late too. A dispatcher does
not: at each wave it collects every flight that is ready (airframe there, no scrub, a landing
zone open) and gives the free pads out in order of what is still at stake:

1. cargo flights that keep every promise on board only by launching now (their latest launch
   is before the next wave), most promises first;
2. cargo flights that keep them from a later wave too, earliest latest launch first;
3. cargo flights whose promises are already broken, in planned order (late parcels, no
   promise left to keep);
4. empty repositioning flights, in planned order (their airframe is needed hours or days on).

The pads themselves follow the plan's rule: a launch takes a pad of its hub for the hub's
turnaround (:class:`rocketpost.planning.pads.PadBook`, the book the planner schedules on).
A flight refused a pad tries the next wave.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy
from numpy.typing import NDArray

from rocketpost.planning.pads import PadBook
from rocketpost.simulation.inputs import SimInputs

__all__ = ["PadDispatcher", "flight_latest_launch_s"]


def flight_latest_launch_s(inputs: SimInputs) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Per planned flight, the latest launch from which every order on board still arrives by
    its promise (planned delivery shifted by the launch's delay; ``inf`` for a flight without
    orders) and how many promised orders it carries."""
    latest = np.full(inputs.n_flights, math.inf)
    carried = np.flatnonzero(
        (inputs.order_flight >= 0) & np.isfinite(inputs.order_promised_s - inputs.order_planned_s)
    )
    flight = inputs.order_flight[carried]
    slack = inputs.order_promised_s[carried] - inputs.order_planned_s[carried]
    np.minimum.at(latest, flight, slack)
    latest += np.asarray(inputs.flight_launch_s, dtype=np.float64)
    return latest, np.bincount(flight, minlength=inputs.n_flights).astype(np.int64)


class _Round:
    """The flights asking for a pad of one hub at one wave."""

    __slots__ = ("bids", "decided")

    def __init__(self) -> None:
        self.bids: list[tuple[int, simpy.Event]] = []
        self.decided = False


class PadDispatcher:
    """The pads of every hub and the dispatcher's order of who takes them at a wave.

    ``priority(f, t_s)`` ranks flight ``f`` at wave ``t_s`` (lower first); :meth:`priority`
    builds the rule of the module doc.
    """

    def __init__(
        self,
        env: simpy.Environment,
        book: PadBook,
        priority: Callable[[int, float], tuple[float, ...]],
    ) -> None:
        self.env = env
        self.book = book
        self._priority = priority
        self._rounds: dict[int, _Round] = {}  # per hub, this instant's
        self._rounds_at = math.nan

    def request(self, f: int, hub: int, t_s: float) -> simpy.Event:
        """An event that fires at ``t_s`` (now) with True when flight ``f`` got a pad of
        ``hub`` (booked), False when every pad is taken at this wave.

        The first request at an instant schedules the decision behind every event already
        due then, so all flights waking at this wave bid before the pads are given out; a
        flight that becomes ready later in the same instant takes what is left.
        """
        env = self.env
        if env.now != self._rounds_at:  # a new instant: the last one's rounds are done
            self._rounds.clear()
            self._rounds_at = env.now
        answer = env.event()
        rnd = self._rounds.get(hub)
        if rnd is None:
            rnd = self._rounds[hub] = _Round()
            env.timeout(0).callbacks.append(lambda _e: self._decide(hub, t_s, rnd))
        if rnd.decided:
            answer.succeed(self._take(hub, t_s))
        else:
            rnd.bids.append((f, answer))
        return answer

    def _take(self, hub: int, t_s: float) -> bool:
        if not self.book.fits(hub, t_s):
            return False
        self.book.book(hub, t_s)
        return True

    def _decide(self, hub: int, t_s: float, rnd: _Round) -> None:
        rnd.decided = True
        for _f, answer in sorted(rnd.bids, key=lambda bid: self._priority(bid[0], t_s)):
            answer.succeed(self._take(hub, t_s))

    @staticmethod
    def priority(
        latest_launch_s: list[float],
        promises: list[int],
        planned_s: list[float],
        repositioning: list[bool],
        interval_s: Callable[[int], float],
    ) -> Callable[[int, float], tuple[float, ...]]:
        """The module doc's rule over per-flight columns (lists that grow as flights are
        re-dispatched; ``interval_s(f)``: the wave interval at ``f``'s hub)."""
        tol = 1e-6

        def rank(f: int, t_s: float) -> tuple[float, ...]:
            if repositioning[f]:
                return (3.0, planned_s[f], f)
            latest = latest_launch_s[f]
            if latest < t_s - tol or promises[f] == 0:
                return (2.0, planned_s[f], f)
            if latest < t_s + interval_s(f) - tol:
                return (0.0, -promises[f], latest, f)
            return (1.0, latest, f)

        return rank
