"""A flight is opened only when the fleet can fly it: airframes counted at booking time.

A rocket's hold is not the only capacity a booking takes. A flight also needs an airframe, and
each hub has a handful (``hub.fleet``; with the reference rocket's 66 h reuse cycle, each flies
once a day). Bookings that opened flights by their hold alone could sell more flights than the
fleet flies, and only the next plan run would show it as ``unassigned_flights``, with those
promises left without a rocket.

So the seat statement (:func:`rocketpost.service.capacity.reserve`) takes a load on a flight
that already carries one by a conditional ``UPDATE`` alone, and **opens** a flight (creates it,
or loads one whose every shipment has left) only after :func:`admits` says yes:
:func:`schedule_day` (the plan run's own rule) on the day's loaded flights plus the new one still
gives **every** flight an airframe.

The day's fleet is the hubs' airframes less :data:`RESERVE_PER_HUB` spares at every hub: each
rocket promise counts the re-flight of a lost landing's parcels on the hub's spare
(:func:`rocketpost.promise.recovery.reflight_delay_s`), so selling that spare's flight would
leave the promise counting an airframe that is not there. It is the planner's reserve at a
confidence (``PlanParams.reserve_airframes_per_hub``), and the simulator's
``KEEP_FOR_REFLIGHT``. When the day already has
flights the fleet cannot fly (a fleet made smaller after they were sold), the new flight is
admitted only if it gets an airframe and leaves no other flight without one.

Concurrency: two openings of the same day must not each count the day without the other's new
flight. :func:`lock_day` takes a transaction-scoped PostgreSQL advisory lock on the launch's UTC
day (SQLite writers run one at a time already), taken only to open a flight, never by a booking
that joins a loaded flight. The day is the plan run's day: the flights that launch in
``[00:00, 24:00)`` UTC, flown from the fleet at its hubs at 00:00 (the same simplification as
the plan run: an airframe that flew late the day before is counted ready).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from rocketpost.network import Network
from rocketpost.planning.fleet import FleetSchedule, schedule_booked
from rocketpost.planning.params import PlanParams
from rocketpost.service.bookedday import FLYING_STATUSES, day_bounds
from rocketpost.service.db import advisory_lock
from rocketpost.service.models import Flight

__all__ = ["RESERVE_PER_HUB", "admits", "bookable_flights", "lock_day", "schedule_day"]

RESERVE_PER_HUB = PlanParams().reserve_per_hub("confidence")
"""Airframes of every hub no booking flies: the spare that re-flies a lost landing (module)."""

_LOADED_TODAY = (
    Flight.launch_at >= bindparam("start"),
    Flight.launch_at < bindparam("end"),
    Flight.status.in_(FLYING_STATUSES),
    or_(Flight.booked_g > 0, Flight.booked_cm3 > 0),
)
"""The day's flights that need an airframe: still flying, carrying a booked load."""
_PER_HUB = select(Flight.origin_hub, func.count()).where(*_LOADED_TODAY).group_by(Flight.origin_hub)
_DAY_FLIGHTS = (
    select(Flight.origin_hub, Flight.destination_hub, Flight.launch_at)
    .where(*_LOADED_TODAY)
    .order_by(Flight.launch_at, Flight.id)
)


def schedule_day(
    network: Network,
    origin: NDArray[np.intp],
    site: NDArray[np.intp],
    launch_s: NDArray[np.float64],
    *,
    day_start_s: float,
) -> FleetSchedule:
    """The day's airframes for its flights (launch order), the spares kept: the one rule the
    plan run assigns by and :func:`admits` opens a flight by."""
    return schedule_booked(
        network, origin, site, launch_s, day_start_s=day_start_s, reserve_per_hub=RESERVE_PER_HUB
    )


def bookable_flights(network: Network, hub_id: str) -> int:
    """Flights a day of ``hub_id`` may sell from its own airframes: its fleet less its spares."""
    fleet = network.hub(hub_id).fleet
    return fleet - min(RESERVE_PER_HUB, fleet)


def _day(launch_at: datetime) -> date:
    return launch_at.astimezone(UTC).date()


def lock_day(session: Session, launch_at: datetime) -> None:
    """Serialise the openings of flights launching on ``launch_at``'s UTC day (see module)."""
    advisory_lock(session, f"fleet-day\x1f{_day(launch_at).isoformat()}")


def admits(
    session: Session, network: Network, origin_hub: str, site_id: str, launch_at: datetime
) -> bool:
    """Whether a new flight ``origin_hub`` → ``site_id`` at ``launch_at`` can be opened: the
    day's airframes still fly every loaded flight of the day and this one (see module).

    Call under :func:`lock_day`. When no hub would have more loaded flights today than
    :func:`bookable_flights`, the answer is yes without the schedule: flights are served in
    launch order, and a hub with at least as many unreserved airframes as flights today always
    has one of its own, unflown, ready at each launch, so :func:`schedule_day` never needs to
    reposition and flies them all (``tests/service/test_fleetadmission.py`` checks it against
    the schedule). Otherwise the schedule decides, with repositioning.
    """
    start, end = day_bounds(_day(launch_at))
    bounds = {"start": start, "end": end}
    loaded: dict[str, int] = {hub: count for hub, count in session.execute(_PER_HUB, bounds)}
    loaded[origin_hub] = loaded.get(origin_hub, 0) + 1
    if all(count <= bookable_flights(network, hub) for hub, count in loaded.items()):
        return True
    rows = session.execute(_DAY_FLIGHTS, bounds).all()
    origin = np.array([network.hub_index(r.origin_hub) for r in rows], dtype=np.intp)
    site = np.array([network.site_index(r.destination_hub) for r in rows], dtype=np.intp)
    launch_s = np.array([r.launch_at.timestamp() for r in rows], dtype=np.float64)
    at = int(np.searchsorted(launch_s, launch_at.timestamp(), side="right"))
    day_start_s = start.timestamp()
    with_new = schedule_day(
        network,
        np.insert(origin, at, network.hub_index(origin_hub)),
        np.insert(site, at, network.site_index(site_id)),
        np.insert(launch_s, at, launch_at.timestamp()),
        day_start_s=day_start_s,
    )
    unflown = with_new.bin_flight < 0
    if unflown[at]:
        return False
    if not unflown.any():
        return True
    without = schedule_day(network, origin, site, launch_s, day_start_s=day_start_s)
    return int(unflown.sum()) <= int(np.count_nonzero(without.bin_flight < 0))
