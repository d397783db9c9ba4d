"""Flight capacity that is never oversold: take it atomically, give it back, find a wave with room.

A seat on a flight that already carries a load is taken with one conditional statement::

    UPDATE flights SET booked_g = booked_g + :g, booked_cm3 = booked_cm3 + :cm3
     WHERE (origin_hub, destination_hub, launch_at) = (...) AND status = 'scheduled'
       AND booked_g + :g <= capacity_g AND booked_cm3 + :cm3 <= capacity_cm3
       AND (booked_g > 0 OR booked_cm3 > 0)
    RETURNING id

No row comes back when the shipment does not fit. PostgreSQL evaluates the WHERE on the latest
committed row version under the row lock (concurrent bookers queue on the row, each sees the
others' loads); SQLite runs the whole booking in a ``BEGIN IMMEDIATE`` transaction, one writer
at a time.

A seat that has to **open** the flight (none under that key yet, or one whose every shipment has
left) also needs an airframe: under the lock of the hub's day (or of the whole day),
:func:`rocketpost.service.fleetadmission.admits` checks that the fleet still flies every
loaded flight of the day with this one, and only then::

    INSERT INTO flights (route, launch_at, booked_g, booked_cm3, ...) VALUES (...)
    ON CONFLICT (origin_hub, destination_hub, launch_at) DO UPDATE
       SET booked_g = flights.booked_g + :g, booked_cm3 = flights.booked_cm3 + :cm3
     WHERE <the same room and status test>
    RETURNING id

creates it (or loads the emptied one). Openings are a small share of bookings (a flight carries
hundreds of parcels), so the lock and the fleet schedule stay off the common path.

Loads are whole grams and cubic centimetres (integers: sums never drift), rounded up so that a
load is never under-counted. Every seat a shipment takes or gives up goes through
:func:`reserve` and :func:`release`, inside the caller's transaction (booking, cancellation,
a scrub's re-booking, a customs hold or seizure); :func:`release` is called only by
:func:`rocketpost.service.transitions.apply`, on a locked shipment that still holds its seat,
so a seat is given back once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar, cast

from sqlalchemy import BigInteger, BindParameter, Table, bindparam, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.promise.confidence import PromiseAtConfidence
from rocketpost.service.fleetadmission import BookableFleet, admits
from rocketpost.service.models import CM3_PER_M3, GRAMS_PER_KG, Flight, UTCDateTime
from rocketpost.service.quoting import RoutePlan, flight_public_id

__all__ = [
    "CAPACITY_WAVES",
    "NOTHING",
    "NO_ROOM",
    "FlightKey",
    "Hold",
    "Load",
    "candidate_waves",
    "cm3",
    "first_wave",
    "first_wave_with_room",
    "grams",
    "release",
    "reserve",
]

_FLIGHTS = cast(Table, Flight.__table__)
T = TypeVar("T")


def grams(mass_kg: float) -> int:
    """Whole grams, rounded up (never under-count a load)."""
    return math.ceil(mass_kg * GRAMS_PER_KG - 1e-6)


def cm3(volume_m3: float) -> int:
    """Whole cubic centimetres, rounded up."""
    return math.ceil(volume_m3 * CM3_PER_M3 - 1e-6)


@dataclass(frozen=True)
class Hold:
    """One rocket's hold in whole grams and cubic centimetres (what a new flight can carry)."""

    capacity_g: int
    capacity_cm3: int

    @classmethod
    def of(cls, network: Network) -> Hold:
        """The hold of the network's rocket."""
        rocket = network.rocket
        return cls(grams(rocket.payload_mass_kg), cm3(rocket.payload_volume_m3))

    def fits(self, load: Load, leave: Load) -> bool:
        """Whether ``load`` fits with ``leave`` still free: on a flight this hold opens."""
        return (
            load.mass_g + leave.mass_g <= self.capacity_g
            and load.volume_cm3 + leave.volume_cm3 <= self.capacity_cm3
        )


@dataclass(frozen=True)
class FlightKey:
    """What names a flight: its route and launch (the flights table's unique key)."""

    origin_hub: str
    destination_hub: str
    launch_at: datetime


@dataclass(frozen=True)
class Load:
    """A shipment's load in whole grams and cubic centimetres (see :func:`grams`, :func:`cm3`)."""

    mass_g: int
    volume_cm3: int

    def __post_init__(self) -> None:
        if self.mass_g < 0:
            raise InputError("mass_g", self.mass_g, "must be ≥ 0")
        if self.volume_cm3 < 0:
            raise InputError("volume_cm3", self.volume_cm3, "must be ≥ 0")

    @classmethod
    def of(cls, mass_kg: float, volume_m3: float) -> Load:
        """The load of ``mass_kg`` / ``volume_m3``, each rounded up to a whole unit."""
        return cls(grams(mass_kg), cm3(volume_m3))


# The load a seat takes and what must stay free after it, one set of bind parameters for both
# statements (0 left for a one-hour seat; the one-hour share for a same-day seat).
_MASS_G: BindParameter[int] = bindparam("mass_g", type_=BigInteger())
_VOLUME_CM3: BindParameter[int] = bindparam("volume_cm3", type_=BigInteger())
_LEAVE_G: BindParameter[int] = bindparam("leave_g", type_=BigInteger())
_LEAVE_CM3: BindParameter[int] = bindparam("leave_cm3", type_=BigInteger())
_NOW = bindparam("now", type_=UTCDateTime())
_TAKE = {
    "booked_g": _FLIGHTS.c.booked_g + _MASS_G,
    "booked_cm3": _FLIGHTS.c.booked_cm3 + _VOLUME_CM3,
    "updated_at": _NOW,
}
"""The seat taken on a flight row: its load added, its version moved."""
_FITS = (
    (_FLIGHTS.c.booked_g + _MASS_G + _LEAVE_G <= _FLIGHTS.c.capacity_g)
    & (_FLIGHTS.c.booked_cm3 + _VOLUME_CM3 + _LEAVE_CM3 <= _FLIGHTS.c.capacity_cm3)
    & (_FLIGHTS.c.status == "scheduled")
)
"""The room test of both statements: the load fits, ``leave`` stays free, it has not left."""


@lru_cache(maxsize=4)
def _upsert_statement(dialect: str) -> Any:
    """The opening upsert for ``dialect``, built once with bind parameters.

    Building it per booking (``.values(...)`` with literal values, then the cache key of the
    result) cost more CPU than the rest of the transaction; built once, SQLAlchemy's compiled
    cache and its memoised cache key make each execution a parameter substitution.
    """
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = maker(_FLIGHTS).values(
        public_id=bindparam("public_id"),
        origin_hub=bindparam("origin_hub"),
        destination_hub=bindparam("destination_hub"),
        launch_at=bindparam("launch_at", type_=UTCDateTime()),
        status="scheduled",
        capacity_g=bindparam("capacity_g"),
        capacity_cm3=bindparam("capacity_cm3"),
        booked_g=_MASS_G,
        booked_cm3=_VOLUME_CM3,
        created_at=_NOW,
        updated_at=_NOW,
    )
    return statement.on_conflict_do_update(
        index_elements=[_FLIGHTS.c.origin_hub, _FLIGHTS.c.destination_hub, _FLIGHTS.c.launch_at],
        set_=_TAKE,
        where=_FITS,
    ).returning(_FLIGHTS.c.id)


_JOIN = (
    update(_FLIGHTS)
    .where(
        # Not named after the table's columns: an UPDATE would take such names as values to SET.
        _FLIGHTS.c.origin_hub == bindparam("join_origin"),
        _FLIGHTS.c.destination_hub == bindparam("join_destination"),
        _FLIGHTS.c.launch_at == bindparam("join_launch", type_=UTCDateTime()),
        _FITS,
        (_FLIGHTS.c.booked_g > 0) | (_FLIGHTS.c.booked_cm3 > 0),
    )
    .values(_TAKE)
    .returning(_FLIGHTS.c.id)
)
"""The seat on a flight that already carries a load (the module's first statement)."""


NOTHING = Load(0, 0)
"""No load: what a one-hour seat leaves free."""


def reserve(
    session: Session,
    fleet: BookableFleet,
    flight: FlightKey,
    load: Load,
    hold: Hold,
    now: datetime,
    leave: Load = NOTHING,
) -> int | None:
    """Take ``load`` on the flight, opening it with room ``hold`` if the fleet can fly it; its
    id or ``None``.

    The statements that guard capacity and airframes (see the module docs). ``hold`` is what a
    flight opened by this booking can carry; an existing flight keeps the capacity it was
    created with. ``leave`` must stay free after this load (same-day bookings leave the one-hour
    share, :mod:`rocketpost.service.sameday`); a flight this load creates must fit it in
    ``hold`` minus ``leave`` too. ``fleet`` is the one the service books on (the engine's
    :attr:`~rocketpost.service.quoting.QuoteEngine.fleet`): it decides whether a new flight can
    be opened.
    """
    if not hold.fits(load, leave):
        return None
    seat = {
        "mass_g": load.mass_g,
        "volume_cm3": load.volume_cm3,
        "leave_g": leave.mass_g,
        "leave_cm3": leave.volume_cm3,
        "now": now,
    }
    join = {
        **seat,
        "join_origin": flight.origin_hub,
        "join_destination": flight.destination_hub,
        "join_launch": flight.launch_at,
    }
    flight_pk = session.execute(_JOIN, join).scalar_one_or_none()
    if flight_pk is not None:
        return cast(int, flight_pk)
    # Opening a flight: one opener at a time of what the fleet's answer reads (admits locks
    # it). Another may have opened this very flight while we waited: the answer counts it once
    # either way, and the upsert below then joins it.
    if not admits(session, fleet, flight.origin_hub, flight.destination_hub, flight.launch_at):
        return None
    statement = _upsert_statement(session.get_bind().dialect.name)
    params = {
        **seat,
        "public_id": flight_public_id(flight.origin_hub, flight.destination_hub, flight.launch_at),
        "origin_hub": flight.origin_hub,
        "destination_hub": flight.destination_hub,
        "launch_at": flight.launch_at,
        "capacity_g": hold.capacity_g,
        "capacity_cm3": hold.capacity_cm3,
    }
    return session.execute(statement, params).scalar_one_or_none()


def release(session: Session, flight_pk: int, mass_g: int, volume_cm3: int, now: datetime) -> bool:
    """Give capacity back to a flight that has not launched; whether it was released."""
    result = session.execute(
        update(Flight)
        .where(Flight.id == flight_pk, Flight.status == "scheduled")
        .values(
            booked_g=Flight.booked_g - mass_g,
            booked_cm3=Flight.booked_cm3 - volume_cm3,
            updated_at=now,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


CAPACITY_WAVES = 12
"""Waves a one-hour booking (and its quote) tries, from the quoted one on, for one with room."""

NO_ROOM = (
    "no launch wave that keeps the one-hour promise has room left"
    " (in its hold, or a free pad and an airframe to fly it)"
)
"""Why a one-hour shipment finds no seat (a booking's 409 ``no_capacity``, a quote's reason)."""


def first_wave(
    route: RoutePlan,
    decide: Callable[[RoutePlan], PromiseAtConfidence],
    take: Callable[[FlightKey], T | None],
    *,
    now: datetime,
    waves: int,
) -> tuple[T, RoutePlan, PromiseAtConfidence] | None:
    """The first of ``waves`` waves, from ``route``'s on, that is in the future, still keeps
    the one-hour promise and whose flight ``take`` takes; ``(what take returned, the route on
    that wave, the decision on it)``.

    ``decide`` is the decision at the network's confidence for the shipment on a candidate wave
    (:meth:`rocketpost.service.quotes.Quotes.promise_on`): a later wave waits longer, and is
    tried only while P(on time) still meets the target. A booking takes a seat
    (:func:`first_wave_with_room`); a quote asks the flight board whether it would
    (:mod:`rocketpost.service.flightboard`): one search, two takers."""
    for candidate, flight in candidate_waves(route, now=now, waves=waves):
        decision = decide(candidate)
        if not decision.kept:
            return None
        taken = take(flight)
        if taken is not None:
            return taken, candidate, decision
    return None


def candidate_waves(
    route: RoutePlan, *, now: datetime, waves: int
) -> Iterator[tuple[RoutePlan, FlightKey]]:
    """The waves :func:`first_wave` tries, in order: ``route``'s and the next ``waves − 1``,
    those still in the future, each with its flight. A taker that takes none of them makes
    the search find nothing, whatever the decisions (a quote checks that first: the decisions
    are the search's dear part)."""
    for k in range(waves):
        candidate = route.shifted(k)
        assert candidate.launch_at is not None
        if candidate.launch_at > now:
            flight = FlightKey(candidate.origin_hub, candidate.destination_hub, candidate.launch_at)
            yield candidate, flight


def first_wave_with_room(
    session: Session,
    fleet: BookableFleet,
    decide: Callable[[RoutePlan], PromiseAtConfidence],
    hold: Hold,
    route: RoutePlan,
    *,
    load: Load,
    now: datetime,
    waves: int,
) -> tuple[int, RoutePlan, PromiseAtConfidence] | None:
    """Reserve on the first wave that keeps the promise and has room (:func:`first_wave`);
    ``(flight id, route on that wave, the decision on it)``. The booking promises the time of
    the decision returned (made once per wave)."""
    return first_wave(
        route,
        decide,
        lambda flight: reserve(session, fleet, flight, load, hold, now),
        now=now,
        waves=waves,
    )
