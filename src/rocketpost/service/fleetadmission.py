"""A flight is opened only when the fleet can fly it: airframes counted at booking time.

A rocket's hold is not the only capacity a booking takes. A flight also needs an airframe, and
each hub has a handful (``hub.fleet``). Bookings that opened flights by their hold alone could
sell more flights than the fleet flies, and only the next plan run would show it as
``unassigned_flights``, with those promises left without a rocket.

So the seat statement (:func:`rocketpost.service.capacity.reserve`) takes a load on a flight
that already carries one by a conditional ``UPDATE`` alone, and **opens** a flight (creates it,
or loads one whose every shipment has left) only after :func:`admits` says yes: the plan run's
own rule, :func:`schedule_day`, on the day's loaded flights plus the new one gives the new one
an airframe and leaves no other flight without one (when the day already has flights the fleet
cannot fly, a fleet made smaller after they were sold, it may not add to them).

The day's fleet is the hubs' airframes less :data:`RESERVE_PER_HUB` spares at every hub: each
rocket promise counts the re-flight of a lost landing's parcels on the hub's spare
(:func:`rocketpost.promise.recovery.reflight_delay_s`), so selling that spare's flight would
leave the promise counting an airframe that is not there. It is the planner's reserve at a
confidence (``PlanParams.reserve_airframes_per_hub``), and the simulator's
``KEEP_FOR_REFLIGHT``. When the service counts a front's fallback from another hub
(``ROCKETPOST_PROMISE_FALLBACKS``), every hub keeps :data:`FALLBACK_SPARES_PER_HUB` more, which
only a fallback flight opens (:class:`BookableFleet`, :mod:`rocketpost.service.scrubmoves`):
the promise that counted the fallback finds its airframe there.

**When an airframe flies at most once a day** (its reuse cycle, landing to ready, is a day or
more: the reference rocket's is 66 h), the fleet is carried across days
(:mod:`rocketpost.service.fleetcarry`): a hub's airframes fly its flights, an airframe that
lands away is flown home, and each flight holds its airframe until it is home and ready. A new
flight is admitted when every day it touches stays flyable: at each day's start the hub's
airframes less the spares, some still held by earlier flights, fly the day's flights in launch
order (:meth:`BookableFleet.opens`). On a day no earlier flight reaches this is the schedule's
own answer (an airframe that has flown is not ready again that day, so it can neither fly a
second flight nor be repositioned and then fly: the day's flights of a hub fly exactly when
they are at most :meth:`BookableFleet.bookable`); ``tests/service/test_fleetadmission.py``
checks the two agree on random days, and the rule across days against flying the flights one
by one. With a shorter cycle the schedule itself decides, repositioning included, and each day
starts from the fleet home and ready at 00:00 (an airframe is then at most one cycle, hours,
late).

**A new flight also needs a free pad.** A hub launches at most ``pads`` rockets within any
``pad_turnaround_min`` (the planner's and the simulator's rule,
:func:`rocketpost.planning.pads.pad_free`). Bookings never move a sold flight, so a new flight
opens only on a wave whose pads still take it beside the hub's loaded flights; otherwise the
booking (and the quote, through the flight board) tries the next wave that keeps its promise,
as when no airframe is there. Without it two lanes of one hub could each open a flight on the
same wave and the plan run would launch both from one pad.

Concurrency: two openings must not each count without the other's new flight. The locks are
transaction-scoped PostgreSQL advisory locks, held to the commit and taken only to open a
flight, never by a booking that joins a loaded flight (SQLite writers run one at a time
already). :func:`admits` first locks what its answer reads: under the one-flight-a-day rule
the origin hub (its days interlock: a flight holds its airframe for days), so openings at one
hub queue and the others' do not; under the schedule the whole UTC day, then the hub's pads
(a launch near midnight shares them with the next day's, whose openers hold another day's
lock). Every opener takes them in that order, so openings cannot deadlock on them.

A day is the plan run's: the flights that launch in ``[00:00, 24:00)`` UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from rocketpost.network import Network
from rocketpost.planning.fleet import (
    Airframe,
    FleetSchedule,
    initial_fleet,
    reserve_mask,
    schedule_fleet,
)
from rocketpost.planning.pads import pad_free
from rocketpost.planning.params import PlanParams
from rocketpost.service.bookedday import day_bounds
from rocketpost.service.db import advisory_lock
from rocketpost.service.fleetcarry import LOADED_ON_DAY, HubFlights, loaded_rows, window_rows
from rocketpost.service.models import Flight

__all__ = [
    "FALLBACK_SPARES_PER_HUB",
    "LOADED_ON_DAY",
    "RESERVE_PER_HUB",
    "BookableFleet",
    "admits",
    "flies_one_more",
    "launch_day",
    "one_flight_a_day",
    "schedule_day",
]

RESERVE_PER_HUB = PlanParams().reserve_per_hub("confidence")
"""Airframes of every hub no booking flies: the spare that re-flies a lost landing (module)."""
FALLBACK_SPARES_PER_HUB = 1
"""Airframes every hub keeps, beyond :data:`RESERVE_PER_HUB`, for a front's fallback when the
service counts fallbacks (the simulator's ``spare_airframes_per_hub``): only a fallback flight
may open on it (:meth:`BookableFleet.for_fallback`)."""

_DAY_S = 86_400.0

_NOT_THE_NEW_ONE = ~(
    (Flight.origin_hub == bindparam("hub"))
    & (Flight.destination_hub == bindparam("site"))
    & (Flight.launch_at == bindparam("launch"))
)
"""The new flight is counted once, as new, even when another booking has just loaded it."""
_DAY_FLIGHTS = (
    select(Flight.origin_hub, Flight.destination_hub, Flight.launch_at)
    .where(*LOADED_ON_DAY, _NOT_THE_NEW_ONE)
    .order_by(Flight.launch_at, Flight.id)
)


@dataclass(frozen=True)
class BookableFleet:
    """The airframes bookings may open flights on: every hub's fleet less ``kept_per_hub``
    spares (:data:`RESERVE_PER_HUB`, plus :data:`FALLBACK_SPARES_PER_HUB` when the service
    counts fallbacks: :meth:`of`)."""

    network: Network
    kept_per_hub: int = RESERVE_PER_HUB

    @classmethod
    def of(cls, network: Network, *, fallbacks: bool) -> BookableFleet:
        """The fleet a service books on: with ``fallbacks`` it keeps the fallback's spare too."""
        return cls(network, RESERVE_PER_HUB + (FALLBACK_SPARES_PER_HUB if fallbacks else 0))

    def for_fallback(self) -> BookableFleet:
        """The same fleet for a front's fallback flight: it may fly the fallback's spare, never
        the one that re-flies a lost landing."""
        return replace(self, kept_per_hub=min(self.kept_per_hub, RESERVE_PER_HUB))

    def bookable(self, hub_id: str) -> int:
        """Flights a day of ``hub_id`` may open from its own airframes: fleet less spares."""
        fleet = self.network.hub(hub_id).fleet
        return fleet - min(self.kept_per_hub, fleet)

    def opens(self, flights: HubFlights, site: int, launch_s: float) -> bool:
        """The one-flight-a-day rule (:func:`one_flight_a_day`) across days: a new flight of
        ``flights``' hub to ``site`` at ``launch_s`` is flown when every day it touches stays
        flyable with the hub's airframes less the spares (:meth:`HubFlights.opens`; what
        :func:`admits` decides, and quotes read from the flight board)."""
        hub = self.network.hubs[flights.hub]
        others = flights.without(site, launch_s).launch_s
        return pad_free(self.network, flights.hub, others, launch_s) and flights.opens(
            site, launch_s, hub.fleet, min(self.kept_per_hub, hub.fleet)
        )


def schedule_day(
    network: Network,
    origin: NDArray[np.intp],
    site: NDArray[np.intp],
    launch_s: NDArray[np.float64],
    *,
    day_start_s: float,
    kept_per_hub: int = RESERVE_PER_HUB,
    fleet: list[Airframe] | None = None,
) -> FleetSchedule:
    """The day's airframes for its flights (launch order): the one rule the plan run assigns
    by and :func:`admits` opens a flight by.

    :func:`~rocketpost.planning.fleet.schedule_fleet` from ``fleet`` (by default every hub's
    fleet home and ready at ``day_start_s``; the plan run passes the fleet carried from the
    earlier days, :func:`~rocketpost.service.fleetcarry.carried_fleet`) less ``kept_per_hub``
    spares at every hub (``reserve_mask``; the plan run keeps :data:`RESERVE_PER_HUB`, and a
    fallback flight may fly the fallback's spare), with no flight held back for a fuller one,
    since every sold flight carries promises.
    """
    if fleet is None:
        fleet = initial_fleet(network, day_start_s)
    return schedule_fleet(
        network,
        origin,
        site,
        launch_s,
        np.zeros(len(origin), dtype=np.float64),  # the fill only matters to reserve_for_fuller
        fleet=fleet,
        reserve_for_fuller=False,
        held=reserve_mask(fleet, len(network.hubs), kept_per_hub),
    )


def one_flight_a_day(network: Network) -> bool:
    """Whether an airframe flies at most once a day (reuse cycle ≥ 24 h): the closed form."""
    return network.rocket.reuse_cycle_s >= _DAY_S


def flies_one_more(
    network: Network,
    origin: NDArray[np.intp],
    site: NDArray[np.intp],
    launch_s: NDArray[np.float64],
    new: tuple[int, int, float],
    *,
    day_start_s: float,
    kept_per_hub: int = RESERVE_PER_HUB,
    pad_launches_s: NDArray[np.float64] | None = None,
) -> bool:
    """Whether :func:`schedule_day` (keeping ``kept_per_hub``) flies a new flight
    ``(origin, site, launch_s)`` added to the day's flights (launch order) without leaving one
    more of them unflown, and its hub's pads take it (:func:`~rocketpost.planning.pads.
    pad_free`) beside ``pad_launches_s`` (default: the day's launches there; admission passes
    the hub's launches within a turnaround, whatever their day)."""
    new_origin, new_site, new_launch_s = new
    if pad_launches_s is None:
        pad_launches_s = launch_s[origin == new_origin]
    if not pad_free(network, new_origin, pad_launches_s, new_launch_s):
        return False
    at = int(np.searchsorted(launch_s, new_launch_s, side="right"))
    with_new = schedule_day(
        network,
        np.insert(origin, at, new_origin),
        np.insert(site, at, new_site),
        np.insert(launch_s, at, new_launch_s),
        day_start_s=day_start_s,
        kept_per_hub=kept_per_hub,
    )
    unflown = with_new.bin_flight < 0
    if unflown[at]:
        return False
    if not unflown.any():
        return True
    without = schedule_day(
        network, origin, site, launch_s, day_start_s=day_start_s, kept_per_hub=kept_per_hub
    )
    return int(unflown.sum()) <= int(np.count_nonzero(without.bin_flight < 0))


def launch_day(launch_at: datetime) -> date:
    """The UTC day a launch belongs to (its plan run's day)."""
    return launch_at.astimezone(UTC).date()


def admits(
    session: Session, fleet: BookableFleet, origin_hub: str, site_id: str, launch_at: datetime
) -> bool:
    """Whether a new flight ``origin_hub`` → ``site_id`` at ``launch_at`` can be opened: the
    airframes less ``fleet``'s spares still fly every loaded flight and this one (see module:
    the hub's days it touches under the one-flight-a-day rule, the UTC day under the schedule).

    First takes the lock of what the answer reads, held to the commit: the hub under the
    one-flight-a-day rule, the whole UTC day under the schedule. The flight itself is left out
    of the flights read and added as the new one, so the answer is the same when a booking that
    committed while this one waited for the lock has loaded it: the days with it loaded stay
    flyable (the caller's upsert then joins it rather than creating it).
    """
    day = launch_day(launch_at)
    network, kept = fleet.network, fleet.kept_per_hub
    if one_flight_a_day(network):
        # Days interlock (a flight holds its airframe for days), so the lock is the hub's.
        advisory_lock(session, f"fleet-hub\x1f{origin_hub}")
        # The hub's flights around the day, read once a transaction: it holds the hub's lock,
        # so no one else opens there (a same-day booking tries up to 73 waves).
        cache: dict[tuple[str, date], HubFlights] = session.info.setdefault("fleet_hubs", {})
        flights = cache.get((origin_hub, day))
        if flights is None:
            rows = window_rows(session, network, day, origin_hub)
            flights = cache[(origin_hub, day)] = HubFlights.from_rows(network, origin_hub, rows)
        return fleet.opens(flights, network.site_index(site_id), launch_at.timestamp())
    start, end = day_bounds(day)
    key = {"start": start, "end": end, "hub": origin_hub, "site": site_id, "launch": launch_at}
    advisory_lock(session, f"fleet-day\x1f{day.isoformat()}")
    # The pads: a launch near midnight shares them with the other day's launches, whose
    # openers hold that day's lock. Every opener at the hub takes the hub's pad lock second
    # (so no cycle) and reads the launches within a turnaround, whatever their day.
    advisory_lock(session, f"fleet-pads\x1f{origin_hub}")
    turn = timedelta(minutes=network.hub(origin_hub).pad_turnaround_min, seconds=1)
    near = [
        r[3].timestamp()
        for r in loaded_rows(session, launch_at - turn, launch_at + turn, origin_hub)
        if not (r[2] == site_id and r[3] == launch_at)  # the new one, counted as new
    ]
    day_rows = session.execute(_DAY_FLIGHTS, key).all()
    return flies_one_more(
        network,
        np.array([network.hub_index(r.origin_hub) for r in day_rows], dtype=np.intp),
        np.array([network.site_index(r.destination_hub) for r in day_rows], dtype=np.intp),
        np.array([r.launch_at.timestamp() for r in day_rows], dtype=np.float64),
        (network.hub_index(origin_hub), network.site_index(site_id), launch_at.timestamp()),
        day_start_s=start.timestamp(),
        kept_per_hub=kept,
        pad_launches_s=np.array(near, dtype=np.float64),
    )
