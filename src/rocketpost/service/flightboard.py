"""What quotes read of the flights: a one-hour option is offered on a wave a booking can take.

A booking seats a one-hour shipment on the first wave, from the quoted one on, that keeps the
promise and has room: room in a loaded flight's hold, or an airframe to open a new flight
(:func:`rocketpost.service.capacity.first_wave_with_room`, :mod:`~rocketpost.service.
fleetadmission`). A quote that read no flight offered the hour on waves the fleet could no
longer fly: with the shipped fleets NYC opens 5 flights a day, and every later one-hour quote
from NYC on another wave was refused at booking.

So ``POST /v1/quotes`` runs the booking's own search (:func:`~rocketpost.service.capacity.
first_wave`) with the flight board as its taker: the quoted wave is the first that keeps the
promise and that a booking would seat, its promise the decision on that wave; when there is none
the one-hour option is unavailable with reason ``no_capacity``. The same-day option is checked
the same way, by the same-day booking's search (:func:`~rocketpost.service.sameday.
same_day_wave`). The board answers as the seat statement would:

* a **loaded flight** of the wave (the day's flights that carry a load and still fly,
  :data:`~rocketpost.service.fleetadmission.LOADED_ON_DAY`) seats the load when it is still
  scheduled and its free hold fits it (a same-day load: with the one-hour share still free);
* a **new flight** opens when its hub's pads take it beside the loaded flights
  (:func:`~rocketpost.planning.pads.pad_free`) and the fleet flies it: the hub's airframes
  across days (:meth:`~rocketpost.service.fleetadmission.BookableFleet.opens`, on the hubs'
  loaded flights of the days around, :func:`~rocketpost.service.fleetcarry.window_rows`) or,
  with a reuse cycle under a day, the schedule
  (:func:`~rocketpost.service.fleetadmission.flies_one_more`), on the same flights.

It reads each UTC day's loaded flights with one query (with those of the days around it under
the one-flight-a-day rule) and keeps them ``ttl_s`` seconds
(``ROCKETPOST_FLIGHT_BOARD_TTL_S``, 1 s by default) per process: a quote writes nothing and may
be that much behind the bookings, which decide under their locks (a booking refused after such a
quote gets 409 ``no_capacity``, as before). A quote for a day no one has booked finds no flight.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from rocketpost.planning.fleet import next_wave_s
from rocketpost.service.bookedday import day_bounds
from rocketpost.service.capacity import NOTHING, FlightKey, Hold, Load
from rocketpost.service.db import Database
from rocketpost.service.fleetadmission import (
    BookableFleet,
    flies_one_more,
    launch_day,
    one_flight_a_day,
)
from rocketpost.service.fleetcarry import (
    DAY_S,
    HubFlights,
    WindowRow,
    carry_days,
    loaded_rows,
    window_rows,
)

__all__ = ["DayFlights", "FlightBoard", "fleet_day"]

_DAYS_KEPT = 16  # days cached per process (a quote asks for today and the next few)


@dataclass(frozen=True, eq=False)
class DayFlights:
    """One UTC day's loaded flights as the board read them: free room per flight, by hub."""

    fleet: BookableFleet
    hold: Hold  # what a flight opened now carries (the network's rocket)
    day_start_s: float
    # Free room of each loaded flight (None: no longer scheduled, it seats nothing).
    room: dict[tuple[str, str, datetime], Hold | None]
    per_hub: Counter[str]
    origin: NDArray[np.intp]
    site: NDArray[np.intp]
    launch_s: NDArray[np.float64]
    # The hubs' loaded flights around the day (fleetcarry.window_rows; one-flight-a-day only),
    # and each hub's, built when first asked.
    around: list[WindowRow] = field(default_factory=list)
    _hubs: dict[str, HubFlights] = field(default_factory=dict)
    _opens: dict[tuple[str, str, datetime], bool] = field(default_factory=dict)

    @classmethod
    def read(cls, session: Session, fleet: BookableFleet, day: date) -> DayFlights:
        """The day's loaded flights, in one query: under the one-flight-a-day rule with the
        days around it, which a new flight's airframe depends on."""
        start, end = day_bounds(day)
        network = fleet.network
        if one_flight_a_day(network):
            around = window_rows(session, network, day)
            rows = [r for r in around if start <= r[3] < end]
        else:
            around, rows = [], loaded_rows(session, start, end)
        return cls(
            fleet=fleet,
            hold=Hold.of(network),
            day_start_s=start.timestamp(),
            room={
                (r[0], r[2], r[3]): Hold(int(r[6]), int(r[7])) if r[5] == "scheduled" else None
                for r in rows
            },
            per_hub=Counter(r[0] for r in rows),
            origin=np.array([network.hub_index(r[0]) for r in rows], dtype=np.intp),
            site=np.array([network.site_index(r[2]) for r in rows], dtype=np.intp),
            launch_s=np.array([r[3].timestamp() for r in rows], dtype=np.float64),
            around=around,
        )

    def hub(self, hub_id: str) -> HubFlights:
        """``hub_id``'s loaded flights around the day (one-flight-a-day only)."""
        flights = self._hubs.get(hub_id)
        if flights is None:
            flights = HubFlights.from_rows(self.fleet.network, hub_id, self.around)
            self._hubs[hub_id] = flights
        return flights

    def seats(self, flight: FlightKey, load: Load, leave: Load = NOTHING) -> bool:
        """Whether a booking would seat ``load`` on ``flight`` with ``leave`` still free after
        it (a same-day seat leaves the one-hour share; see module)."""
        if not self.hold.fits(load, leave):
            return False
        key = (flight.origin_hub, flight.destination_hub, flight.launch_at)
        if key in self.room:
            room = self.room[key]
            return room is not None and room.fits(load, leave)
        network = self.fleet.network
        if one_flight_a_day(network):
            opens = self._opens.get(key)
            if opens is None:
                opens = self._opens[key] = self.fleet.opens(
                    self.hub(flight.origin_hub),
                    network.site_index(flight.destination_hub),
                    flight.launch_at.timestamp(),
                )
            return opens
        new = (
            network.hub_index(flight.origin_hub),
            network.site_index(flight.destination_hub),
            flight.launch_at.timestamp(),
        )
        return flies_one_more(
            network,
            self.origin,
            self.site,
            self.launch_s,
            new,
            day_start_s=self.day_start_s,
            kept_per_hub=self.fleet.kept_per_hub,
        )


class FlightBoard:
    """Each UTC day's loaded flights, read at most every ``ttl_s`` seconds (per process)."""

    def __init__(
        self,
        db: Database,
        fleet: BookableFleet,
        *,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db, self.fleet, self.ttl_s, self._clock = db, fleet, ttl_s, clock
        self.hold = Hold.of(fleet.network)  # what a flight opened now carries
        self._days: dict[date, tuple[float, DayFlights]] = {}
        self._lock = threading.Lock()

    def day(self, day: date) -> DayFlights:
        """The day's flights, read again once ``ttl_s`` old."""
        now = self._clock()
        cached = self._days.get(day)
        if cached is not None and now - cached[0] < self.ttl_s:
            return cached[1]
        with self.db.session() as session:
            flights = DayFlights.read(session, self.fleet, day)
        with self._lock:
            self._days[day] = (now, flights)
            if len(self._days) > _DAYS_KEPT:
                oldest = min(self._days, key=lambda d: self._days[d][0])
                del self._days[oldest]
        return flights

    def seats(self, flight: FlightKey, load: Load, leave: Load = NOTHING) -> bool:
        """Whether a booking would seat ``load`` on ``flight``, leaving ``leave`` free, now (at
        most ``ttl_s`` behind)."""
        return self.day(launch_day(flight.launch_at)).seats(flight, load, leave)

    def next_seat(self, after: FlightKey, load: Load) -> datetime | None:
        """The first wave of ``after``'s lane later than ``after`` on which a booking would
        seat ``load`` (:meth:`seats`), under the one-flight-a-day rule; ``None`` when there is
        none within the days the hub's flights are read (:func:`~rocketpost.service.
        fleetcarry.carry_days`), or under the schedule.

        Only the waves where the answer can change are asked: the lane's loaded flights, the
        first wave after each of the hub's airframes is home and ready again, after each of its
        launches has turned its pad round, and the first of each day (a new day holds its
        spares anew), in time order."""
        network = self.fleet.network
        if not one_flight_a_day(network):
            return None
        hub = network.hub_index(after.origin_hub)
        after_s = after.launch_at.timestamp()
        board = self.day(launch_day(after.launch_at))
        around = board.hub(after.origin_hub)
        reach_s = carry_days(network) * DAY_S
        site = network.site_index(after.destination_hub)
        first_day_s = math.floor(after_s / DAY_S) * DAY_S
        times = np.concatenate(
            [
                around.launch_s[around.site == site],
                around.ready_s,
                around.launch_s + 60.0 * network.hubs[hub].pad_turnaround_min,
                first_day_s + DAY_S * np.arange(1, carry_days(network) + 1),
            ]
        )
        times = times[np.isfinite(times)]
        waves = np.unique(next_wave_s(network, np.full(len(times), hub), times))
        for wave_s in waves[(waves > after_s) & (waves <= after_s + reach_s)].tolist():
            flight = FlightKey(
                after.origin_hub, after.destination_hub, datetime.fromtimestamp(wave_s, UTC)
            )
            if self.seats(flight, load):
                return flight.launch_at
        return None


def fleet_day(board: FlightBoard, day: date) -> dict[str, Any]:
    """``GET /v1/ops/fleet``: the day's airframes by hub as bookings count them (the board's
    read of the day, at most ``ttl_s`` old; the JSON of ``ops_schemas.FleetDayPublic``).

    Under the one-flight-a-day rule a hub's ``held_from_earlier_days`` are the airframes that
    earlier days' flights still hold at the day's start (in flight, at sea, in turnaround or
    on their way home), ``next_back_at`` when the first of them is home and ready again, and
    ``flights_left`` the new flights it could still open that day: one
    to its own landing zone on each wave from the day's last one back, while the rule bookings
    open flights by admits them (:mod:`rocketpost.service.fleetcarry`)."""
    flights = board.day(day)
    fleet = board.fleet
    network = fleet.network
    by_count = one_flight_a_day(network)
    start_s = day_bounds(day)[0].timestamp()
    hubs = []
    for hub in network.hubs:
        bookable = fleet.bookable(hub.hub_id)
        held: int | None = None
        left: int | None = None
        next_back: datetime | None = None
        if by_count:
            around = flights.hub(hub.hub_id)
            ready = around.ready_at(start_s, hub.fleet)
            away = ready[(ready > start_s) & np.isfinite(ready)]
            held = int(np.count_nonzero(ready > start_s))
            if away.size:
                next_back = datetime.fromtimestamp(math.ceil(float(away.min())), UTC)
            left = around.flights_left(start_s, hub.fleet, hub.fleet - bookable)
        hubs.append(
            {
                "hub_id": hub.hub_id,
                "fleet": hub.fleet,
                "kept": hub.fleet - bookable,
                "bookable": bookable,
                "held_from_earlier_days": held,
                "next_back_at": next_back,
                "loaded_flights": flights.per_hub[hub.hub_id],
                "flights_left": left,
            }
        )
    return {
        "date": day,
        "rule": "one_flight_a_day" if by_count else "schedule",
        "hubs": hubs,
    }
