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
more: the reference rocket's is 66 h), the schedule has a closed form, and :func:`admits` uses
it: an airframe that has flown is not ready again that day, so it can neither fly a second
flight nor be repositioned and then fly; every flight is flown by an airframe that starts the
day at its origin. A day's flights from a hub are then flown exactly when they are at most
:meth:`BookableFleet.bookable` (the hub's fleet less its spares), whatever the other hubs do. So a
new flight is admitted exactly when its hub has fewer loaded flights that day than that
(``tests/service/test_fleetadmission.py`` checks the two answers agree on random days). With a
shorter cycle the schedule itself decides, repositioning included.

Concurrency: two openings must not each count without the other's new flight. The locks are
transaction-scoped PostgreSQL advisory locks, held to the commit and taken only to open a
flight, never by a booking that joins a loaded flight (SQLite writers run one at a time
already). :func:`admits` first locks what its answer reads: under the one-flight-a-day rule
the (UTC day, origin hub), so openings at one hub queue and the others' do not; under the
schedule the whole UTC day. Each is one lock, so openings cannot deadlock on them.

The day is the plan run's: the flights that launch in ``[00:00, 24:00)`` UTC, flown from the
fleet at its hubs at 00:00 (the plan run's simplification: an airframe that flew late the day
before is counted ready).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from rocketpost.network import Network
from rocketpost.planning.fleet import FleetSchedule, initial_fleet, reserve_mask, schedule_fleet
from rocketpost.planning.params import PlanParams
from rocketpost.service.bookedday import FLYING_STATUSES, day_bounds
from rocketpost.service.db import advisory_lock
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

LOADED_ON_DAY = (
    Flight.launch_at >= bindparam("start"),
    Flight.launch_at < bindparam("end"),
    Flight.status.in_(FLYING_STATUSES),
    or_(Flight.booked_g > 0, Flight.booked_cm3 > 0),
)
"""The day's flights that need an airframe: still flying, carrying a booked load."""
_NOT_THE_NEW_ONE = ~(
    (Flight.origin_hub == bindparam("hub"))
    & (Flight.destination_hub == bindparam("site"))
    & (Flight.launch_at == bindparam("launch"))
)
"""The new flight is counted once, as new, even when another booking has just loaded it."""
_FROM_HUB = select(func.count()).where(
    *LOADED_ON_DAY, Flight.origin_hub == bindparam("hub"), _NOT_THE_NEW_ONE
)
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

    def opens(self, hub_id: str, loaded: int) -> bool:
        """The one-flight-a-day rule (:func:`one_flight_a_day`): a new flight of ``hub_id`` is
        flown when the hub's day has ``loaded`` other loaded flights, fewer than its bookable
        ones (the count :func:`admits` takes, and quotes read from the flight board)."""
        return loaded < self.bookable(hub_id)


def schedule_day(
    network: Network,
    origin: NDArray[np.intp],
    site: NDArray[np.intp],
    launch_s: NDArray[np.float64],
    *,
    day_start_s: float,
    kept_per_hub: int = RESERVE_PER_HUB,
) -> FleetSchedule:
    """The day's airframes for its flights (launch order): the one rule the plan run assigns
    by and :func:`admits` opens a flight by.

    :func:`~rocketpost.planning.fleet.schedule_fleet` from every hub's fleet ready at
    ``day_start_s`` less ``kept_per_hub`` spares at every hub (``reserve_mask``; the plan run
    keeps :data:`RESERVE_PER_HUB`, and a fallback flight may fly the fallback's spare), with no
    flight held back for a fuller one, since every sold flight carries promises.
    """
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
) -> bool:
    """Whether :func:`schedule_day` (keeping ``kept_per_hub``) flies a new flight
    ``(origin, site, launch_s)`` added to the day's flights (launch order) without leaving one
    more of them unflown."""
    new_origin, new_site, new_launch_s = new
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
    day's airframes less ``fleet``'s spares still fly every loaded flight of the day and this
    one (see module).

    First takes the lock of what the answer reads, held to the commit: the hub's UTC day under
    the one-flight-a-day count, the whole day under the schedule. The flight itself is left out
    of the day's count and added as the new one, so the answer is the same when a booking that
    committed while this one waited for the lock has loaded it: the day with it loaded stays
    flyable (the caller's upsert then joins it rather than creating it).
    """
    day = launch_day(launch_at)
    start, end = day_bounds(day)
    key = {"start": start, "end": end, "hub": origin_hub, "site": site_id, "launch": launch_at}
    network, kept = fleet.network, fleet.kept_per_hub
    if one_flight_a_day(network):
        advisory_lock(session, f"fleet-day\x1f{day.isoformat()}\x1f{origin_hub}")
        # A hub's day found full stays full for this transaction, which holds its lock (no one
        # else opens there): a same-day booking tries up to 73 waves, each would count again.
        # (per spares kept: a fallback may still open where a booking may not).
        full: set[tuple[date, str, int]] = session.info.setdefault("fleet_days_full", set())
        if (day, origin_hub, kept) in full:
            return False
        loaded = int(session.execute(_FROM_HUB, key).scalar_one())
        if fleet.opens(origin_hub, loaded):
            return True
        full.add((day, origin_hub, kept))
        return False
    advisory_lock(session, f"fleet-day\x1f{day.isoformat()}")
    rows = session.execute(_DAY_FLIGHTS, key).all()
    return flies_one_more(
        network,
        np.array([network.hub_index(r.origin_hub) for r in rows], dtype=np.intp),
        np.array([network.site_index(r.destination_hub) for r in rows], dtype=np.intp),
        np.array([r.launch_at.timestamp() for r in rows], dtype=np.float64),
        (network.hub_index(origin_hub), network.site_index(site_id), launch_at.timestamp()),
        day_start_s=start.timestamp(),
        kept_per_hub=kept,
    )
