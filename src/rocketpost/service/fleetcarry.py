"""A hub's airframes carried across days: a flight sold today holds its airframe for days.

The planner's day model starts every day with the whole fleet home and ready. With the
reference rocket's 66 h reuse cycle that is not so: an airframe that flew yesterday is still in
recovery and turnaround, and one that landed at another hub is there, not at home. A service
that counted each day afresh sold NYC 5 flights to Miami every day while its airframes flew
about one a day (measured by the plan run's chain check, :mod:`rocketpost.service.fleetchain`).

So bookings count a hub's airframes across days, under one operating rule: **a hub's airframes
fly that hub's flights, and an airframe that lands away from home is flown home empty**. Each
flight then holds one airframe of its origin from its launch until
:func:`~rocketpost.planning.fleet.home_ready_s`: landing, days at sea from a site without a pad,
reuse cycle, and, when that leaves it at another hub, the ferry home on that hub's next wave and
a second reuse cycle, each flight with its weather margin
(:func:`~rocketpost.planning.fleet.weather_margin_s`; NYC → Miami: about 9.8 days). The rule
never sells an airframe twice; it gives up what an airframe away from home could fly from
there (a Miami flight back to New York), which would need a network-wide schedule across days
instead of a count per hub.

A hub's day is then flyable when, at its start, the airframes still held by earlier flights and
the others (ready at once), less the :class:`~rocketpost.service.fleetadmission.BookableFleet`'s
spares (the readiest, as the plan's :func:`~rocketpost.planning.fleet.reserve_mask` keeps them),
fly the day's flights in launch order, each on an airframe ready by its launch (sorted launches
against sorted ready times: with a cycle of a day or more an airframe flies once a day, and the
greedy match is exact). A new flight is admitted when every day it touches stays flyable: its
own, and each day whose start it still holds its airframe at. Admission, the flight board, the
ops fleet view and the plan run's starting fleet (:func:`carried_fleet`) all read this one
rule. With a reuse cycle under a day the schedule decides within the day, and each day still
starts from the fleet home and ready (docs/service.md, *The fleet across days*).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from rocketpost.core.eta import flight_matrix
from rocketpost.network import Network
from rocketpost.planning.fleet import (
    Airframe,
    home_ready_s,
    initial_fleet,
    longest_home_ready_s,
)
from rocketpost.service.bookedday import FLYING_STATUSES, day_bounds
from rocketpost.service.models import Flight

__all__ = [
    "DAY_S",
    "LOADED_ON_DAY",
    "HubFlights",
    "carried_fleet",
    "carry_days",
    "loaded_rows",
    "window_rows",
]

DAY_S = 86_400.0
_TOL_S = 1e-6

LOADED_ON_DAY = (
    Flight.launch_at >= bindparam("start"),
    Flight.launch_at < bindparam("end"),
    Flight.status.in_(FLYING_STATUSES),
    (Flight.booked_g > 0) | (Flight.booked_cm3 > 0),
)
"""The flights launched in ``[start, end)`` that need an airframe: still flying, carrying a
booked load."""
_WINDOW = (
    select(
        Flight.origin_hub,
        func.coalesce(Flight.landing_site, Flight.destination_hub),
        Flight.destination_hub,
        Flight.launch_at,
        Flight.airframe_id,
        Flight.status,
        Flight.capacity_g - Flight.booked_g,
        Flight.capacity_cm3 - Flight.booked_cm3,
    )
    .where(*LOADED_ON_DAY)
    .order_by(Flight.launch_at, Flight.id)
)
"""Loaded flights (still flying, carrying a load) launched in ``[start, end)``: origin, where
it lands (a diversion's site, else its destination), destination, launch, airframe, status and
free grams and cm³ (what the flight board seats by)."""
_WINDOW_OF_HUB = _WINDOW.where(Flight.origin_hub == bindparam("hub"))
WindowRow: TypeAlias = "Row[str, str, str, datetime, str | None, str, int, int]"


@lru_cache(maxsize=8)
def carry_days(network: Network) -> int:
    """Whole days a flight may hold its airframe (an upper bound of :func:`~rocketpost.planning.
    fleet.home_ready_s` less the launch): how far back a day's start state and how far ahead a
    new flight's reach are read."""
    return math.ceil(longest_home_ready_s(network) / DAY_S)


def window_rows(
    session: Session, network: Network, day: date, hub_id: str | None = None
) -> list[WindowRow]:
    """The loaded flights a hub's answers about ``day`` read: launched from :func:`carry_days`
    before its start to as many after its end (one query; every hub's, or ``hub_id``'s)."""
    start, end = day_bounds(day)
    reach = timedelta(days=carry_days(network))
    return loaded_rows(session, start - reach, end + reach, hub_id)


def loaded_rows(
    session: Session, start: datetime, end: datetime, hub_id: str | None = None
) -> list[WindowRow]:
    """The loaded flights launched in ``[start, end)`` (one query; every hub's, or
    ``hub_id``'s), in launch order."""
    window = {"start": start, "end": end}
    if hub_id is None:
        return list(session.execute(_WINDOW, window).all())
    return list(session.execute(_WINDOW_OF_HUB, {**window, "hub": hub_id}).all())


@dataclass(frozen=True, eq=False)
class HubFlights:
    """One hub's loaded flights (launch order) and when each one's airframe is home and ready
    again (:func:`~rocketpost.planning.fleet.home_ready_s`)."""

    network: Network
    hub: int
    site: NDArray[np.intp]
    launch_s: NDArray[np.float64]
    ready_s: NDArray[np.float64]

    @classmethod
    def of(
        cls, network: Network, hub: int, site: NDArray[np.intp], launch_s: NDArray[np.float64]
    ) -> HubFlights:
        site = np.asarray(site, dtype=np.intp)
        launch_s = np.asarray(launch_s, dtype=np.float64)
        order = np.argsort(launch_s, kind="stable")
        site, launch_s = site[order], launch_s[order]
        flight_s = np.asarray(flight_matrix(network).flight_s, dtype=np.float64)
        landing = launch_s + flight_s[hub, site]
        home = np.full(len(site), hub, dtype=np.intp)
        return cls(network, hub, site, launch_s, home_ready_s(network, home, site, landing))

    @classmethod
    def from_rows(cls, network: Network, hub_id: str, rows: list[WindowRow]) -> HubFlights:
        """The hub's flights among :func:`window_rows`' rows."""
        mine = [r for r in rows if r[0] == hub_id]
        return cls.of(
            network,
            network.hub_index(hub_id),
            np.array([network.site_index(r[1]) for r in mine], dtype=np.intp),
            np.array([r[3].timestamp() for r in mine], dtype=np.float64),
        )

    def without(self, site: int, launch_s: float) -> HubFlights:
        """These flights less the one to ``site`` at ``launch_s`` (a new flight is counted once,
        as new, even when another booking has just loaded it)."""
        keep = ~((self.site == site) & (np.abs(self.launch_s - launch_s) < _TOL_S))
        return HubFlights(
            self.network, self.hub, self.site[keep], self.launch_s[keep], self.ready_s[keep]
        )

    def with_flight(self, site: int, launch_s: float) -> HubFlights:
        """These flights and a new one to ``site`` at ``launch_s``."""
        return HubFlights.of(
            self.network,
            self.hub,
            np.append(self.site, site),
            np.append(self.launch_s, launch_s),
        )

    def ready_at(self, day_start_s: float, fleet: int) -> NDArray[np.float64]:
        """When each of the hub's ``fleet`` airframes is ready, at the start of the day
        (ascending; ``day_start_s`` for the ones no earlier flight holds; more entries than
        ``fleet`` when earlier flights hold more airframes than it has)."""
        held = (self.launch_s < day_start_s) & (self.ready_s > day_start_s)
        busy = np.sort(self.ready_s[held])
        return np.concatenate([np.full(max(0, fleet - len(busy)), day_start_s), busy])

    def day_flyable(self, day_start_s: float, fleet: int, kept: int) -> bool:
        """Whether the hub's airframes, less ``kept`` spares (the readiest), fly the day's
        flights, each on an airframe ready by its launch (see module)."""
        ready = self.ready_at(day_start_s, fleet)
        if len(ready) > fleet:
            return False  # earlier flights already hold more airframes than the hub has
        usable = ready[min(kept, fleet) :]
        launch = self.launch_s
        today = launch[(launch >= day_start_s) & (launch < day_start_s + DAY_S)]
        return len(today) <= len(usable) and bool(np.all(today >= usable[: len(today)] - _TOL_S))

    def opens(self, site: int, launch_s: float, fleet: int, kept: int) -> bool:
        """Whether a new flight to ``site`` at ``launch_s`` can be flown: with it, its own day
        and every day whose start it holds its airframe at stay flyable (see module). The
        flights must cover :func:`carry_days` around the launch's day."""
        with_new = self.without(site, launch_s).with_flight(site, launch_s)
        at = int(np.searchsorted(with_new.launch_s, launch_s, "right")) - 1  # the new one
        return with_new._flyable_until(launch_s, float(with_new.ready_s[at]), fleet, kept)

    def _flyable_until(self, from_s: float, ready_s: float, fleet: int, kept: int) -> bool:
        """Whether every day from the one of ``from_s`` to the one new flights release their
        airframes in (``ready_s``, the latest) is flyable: the days they touch."""
        first = math.floor(from_s / DAY_S)
        reach = carry_days(self.network)
        last = math.floor(ready_s / DAY_S) if math.isfinite(ready_s) else first + reach
        return all(self.day_flyable(d * DAY_S, fleet, kept) for d in range(first, last + 1))

    def flights_left(self, day_start_s: float, fleet: int, kept: int) -> int:
        """How many new flights the hub could still open on the day: one to its own landing
        zone on each wave from the day's last one back (waves that have none yet), as many as
        :meth:`opens` would let in one after the other (a bisection: a set that cannot fly
        stays unflyable with more)."""
        interval_s = float(self.network.launch_wave_interval_s[self.hub])
        last_s = math.floor((day_start_s + DAY_S - 1.0) / interval_s) * interval_s
        waves = np.arange(last_s, day_start_s - _TOL_S, -interval_s)
        taken = self.launch_s[self.site == self.hub]
        waves = waves[~np.isin(waves, taken)][:fleet]

        def flies(k: int) -> bool:
            more = HubFlights.of(
                self.network,
                self.hub,
                np.append(self.site, np.full(k, self.hub, dtype=np.intp)),
                np.append(self.launch_s, waves[:k]),
            )
            new = np.isin(more.launch_s, waves[:k]) & (more.site == self.hub)
            ready = float(np.max(more.ready_s[new], initial=day_start_s))
            return more._flyable_until(day_start_s, ready, fleet, kept)

        low, high = 0, len(waves)  # flies(low) holds; find the largest
        if not flies(0):
            return 0
        while low < high:
            mid = (low + high + 1) // 2
            if flies(mid):
                low = mid
            else:
                high = mid - 1
        return low


def carried_fleet(session: Session, network: Network, day: date) -> list[Airframe]:
    """The fleet at the start of ``day`` under the rule above: every airframe home, ready when
    the earlier flights that hold it release it. An earlier flight's recorded airframe (from
    its day's plan run) is the one it holds; a flight no run has assigned holds the hub's
    airframe ready first, in launch order (the plan run's own choice)."""
    start = day_bounds(day)[0]
    fleet = initial_fleet(network, start.timestamp())
    by_id = {a.airframe_id: a for a in fleet}
    hub_airframes = [[a for a in fleet if a.home == h] for h in range(len(network.hubs))]
    rows = loaded_rows(session, start - timedelta(days=carry_days(network)), start)
    if not rows:
        return fleet
    flight_s = np.asarray(flight_matrix(network).flight_s, dtype=np.float64)
    hub = np.array([network.hub_index(r[0]) for r in rows], dtype=np.intp)
    site = np.array([network.site_index(r[1]) for r in rows], dtype=np.intp)
    launch = np.array([r[3].timestamp() for r in rows], dtype=np.float64)
    ready = home_ready_s(network, hub, site, launch + flight_s[hub, site])
    recorded = [by_id.get(r[4]) if r[4] else None for r in rows]
    unassigned = []
    for i, airframe in enumerate(recorded):  # the runs' own assignments first
        if airframe is not None and airframe.home == hub[i]:
            airframe.ready_s = max(airframe.ready_s, float(ready[i]))
        else:
            unassigned.append(i)
    for i in unassigned:
        mine = hub_airframes[int(hub[i])]
        if mine:
            airframe = min(mine, key=lambda a: a.ready_s)
            airframe.ready_s = max(airframe.ready_s, float(ready[i]))
    return fleet
