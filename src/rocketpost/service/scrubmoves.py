"""Where a scrubbed flight's shipments go: a later flight, the front's fallback, or standard.

:class:`ScrubMoves` writes each move of a scrub (``FlightOps.record`` in
:mod:`rocketpost.service.flights`) with its event: to a later wave of the lane (the promise
moved by the delay; a same-day one's kept), to the front's fallback (:func:`fallback_seat`, the
promise kept), or to the standard service.

**The front's fallback.** A booking that names its ``stock_hubs`` on a service that counts
fallbacks (``ROCKETPOST_PROMISE_FALLBACKS``) is promised as a mixture: its own wave when the
origin's front clears first, otherwise the fallback of the default re-planning policy, another
hub of the same country holding the stock and clear of fronts, which re-picks the parcels and
flies them to the same landing site (docs/promise.md, *Fallbacks that keep promises*). When ops
then scrub its flight under that front, the scrub flies the fallback the promise counted:

* **Who**: :func:`rocketpost.promise.fallbacks.best_fallbacks`, the one rule the promise and the
  simulator's ``other_hub`` call, re-picked at the scrub (``max(now, ready_at)``): the hubs of
  the origin's country holding the stock and not under a declared front, the one landing first
  at the same site. A hub that cannot take the shipment (no airframe left, or no room on the
  flight) is passed over for the next, as the simulator passes over a hub with no spare.
* **The airframe**: the flight opens on
  :meth:`~rocketpost.service.fleetadmission.BookableFleet.for_fallback`, which may fly the
  airframe every hub keeps for fallbacks (``FALLBACK_SPARES_PER_HUB``) but never the one
  that re-flies a lost landing; a booking cannot open on it. The seat is the same statement as
  a booking's (:func:`rocketpost.service.capacity.reserve`).
* **The promise is kept** as booked: it already counted this fallback. The legs are the
  fallback hub's (handling, the wait to its wave, the flight's coast), the rest (the same site,
  boat, customs and last mile) as booked; the ETA moves by their difference.

Only a front triggers it, as in the model (a scrub for another reason, or a shipment that did
not name its stock, moves to a later wave of its own lane: :mod:`rocketpost.service.flights`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from rocketpost.promise.conditions import Conditions
from rocketpost.promise.fallbacks import best_fallbacks
from rocketpost.promise.kernelrows import declared_arrays
from rocketpost.service import schemas
from rocketpost.service.capacity import FlightKey, Hold, Load, reserve
from rocketpost.service.models import Flight, Shipment
from rocketpost.service.quoting import QuoteEngine, flight_public_id
from rocketpost.service.tracking import EventWriter, Status, SubStatus
from rocketpost.service.transitions import Move, apply

__all__ = ["FallbackSeat", "ScrubMoves", "fallback_seat"]


@dataclass(frozen=True)
class FallbackSeat:
    """A scrubbed shipment's seat on its fallback hub's flight, with its legs from there."""

    flight_pk: int
    flight_id: str
    origin_hub: str
    launch_at: datetime
    legs: list[dict[str, Any]]
    eta_s: float


def fallback_seat(
    session: Session,
    engine: QuoteEngine,
    conditions: Conditions,
    s: Shipment,
    hold: Hold,
    now: datetime,
) -> FallbackSeat | None:
    """Seat one-hour shipment ``s`` of a scrubbed flight on its fallback (see module), or
    ``None`` when the engine counts no fallback, the shipment named no other stock hub, no
    front is declared at its origin, or no hub of its stock can fly it now."""
    if not engine.fallbacks or not s.stock_hubs or s.launch_at is None or not s.legs:
        return None
    network = engine.network
    if s.destination_hub is None or conditions.front_mean_s(s.origin_hub) is None:
        return None
    origin, site = network.hub_index(s.origin_hub), network.site_index(s.destination_hub)
    stock = np.zeros(len(network.hubs), dtype=bool)
    stock[[network.hub_index(h) for h in s.stock_hubs]] = True
    front_mean, _ = declared_arrays(network, conditions)
    usable = np.isnan(front_mean)  # not under a front now (a forecast), as the promise
    re_picked_s = max(now, s.ready_at).timestamp()
    fleet, load = engine.fleet.for_fallback(), Load(s.mass_g, s.volume_cm3)
    while True:
        hub, launch_s, _ = best_fallbacks(engine.legs, origin, site, re_picked_s, stock, usable)
        h = int(hub[0])
        if h < 0:
            return None
        hub_id = network.hub_ids[h]
        launch_at = datetime.fromtimestamp(round(float(launch_s[0])), tz=UTC)
        flight = FlightKey(hub_id, s.destination_hub, launch_at)
        pk = reserve(session, fleet, flight, load, hold, now)
        if pk is not None:
            legs, eta_s = _legs_from(engine, s, h, site, launch_at)
            return FallbackSeat(
                pk,
                flight_public_id(hub_id, s.destination_hub, launch_at),
                hub_id,
                launch_at,
                legs,
                eta_s,
            )
        usable = usable.copy()
        usable[h] = False  # no airframe or no room there: the next best hub


def _legs_from(
    engine: QuoteEngine, s: Shipment, hub: int, site: int, launch_at: datetime
) -> tuple[list[dict[str, Any]], float]:
    """The booked legs with the fallback hub's handling, wait and coast; the ETA moved by the
    difference (the landing site, and everything after touchdown, are the booked ones)."""
    assert s.legs is not None and s.eta_s is not None
    handling_s = float(engine.legs.handling_s[hub])
    mine = {
        "origin_handling": handling_s,
        "wave_wait": (launch_at - s.ready_at).total_seconds() - handling_s,
        "coast": float(engine.legs.coast_s[hub, site]),
    }
    legs = [
        dict(leg, duration_s=round(mine[leg["leg"]], 3)) if leg["leg"] in mine else leg
        for leg in s.legs
    ]
    moved_s = sum(leg["duration_s"] for leg in legs) - sum(leg["duration_s"] for leg in s.legs)
    return legs, round(s.eta_s + moved_s, 3)


class ScrubMoves:
    """Where a scrub's shipments land, with their events: a later wave of the lane, the front's
    fallback (:meth:`re_picked`), or standard."""

    def __init__(self, writer: EventWriter, occurred_at: datetime, now: datetime) -> None:
        self.writer, self.occurred_at, self.now = writer, occurred_at, now
        self.rescheduled: list[schemas.Rescheduled] = []
        self.downgraded: list[str] = []

    def land(
        self,
        session: Session,
        engine: QuoteEngine,
        s: Shipment,
        target: tuple[int, datetime, float] | None,
        why: str,
        left: Flight,
    ) -> None:
        """Move ``s`` off flight ``left`` to ``target`` (its promise moved by the delay, a
        same-day one's kept), or to the standard service; ``why`` opens its event."""
        same_day, now = s.service == "same_day", self.now
        if target is None:
            apply(session, s, Move.SCRUB_DOWNGRADE, now)
            s.service, s.mode, s.destination_hub = "standard", "standard", None
            s.eta_s, s.legs = None, None
            s.promised_delivery_at = now + engine.standard
            s.downgrade_reason = "scrubbed"
            self.downgraded.append(s.public_id)
            room = "no later flight in its same-day promise" if same_day else "no later wave"
            self.writer.emit_for(
                s, Status.PRE_TRANSIT, SubStatus.DOWNGRADED_TO_STANDARD,
                f"{why}; {room} has room: standard service", flight_public_id=left.public_id,
                occurred_at=self.occurred_at,
            )  # fmt: skip
            return
        pk, launch_at, delay_s = target
        new_id = flight_public_id(left.origin_hub, left.destination_hub, launch_at)
        s.flight_id, s.flight_public_id, s.launch_at = pk, new_id, launch_at
        if not same_day:  # a same-day promise still holds (the move kept it)
            s.promised_delivery_at = s.promised_delivery_at + timedelta(seconds=delay_s)
        if s.eta_s is not None:
            s.eta_s = round(s.eta_s + delay_s, 3)
        if s.legs:
            s.legs = [
                dict(leg, duration_s=round(leg["duration_s"] + delay_s, 3))
                if leg["leg"] == "wave_wait"
                else leg
                for leg in s.legs
            ]
        promise = "same-day promise kept" if same_day else "new promise"
        self._rescheduled(
            session,
            s,
            new_id,
            f"{why}; moved to {new_id}, {promise} {s.promised_delivery_at.isoformat()}",
        )

    def re_picked(self, session: Session, s: Shipment, seat: FallbackSeat, why: str) -> None:
        """Move one-hour shipment ``s`` to its front's fallback (``seat``): re-picked at the
        fallback hub, its promise kept (it counted this fallback)."""
        new_id = seat.flight_id
        s.flight_id, s.flight_public_id, s.launch_at = seat.flight_pk, new_id, seat.launch_at
        s.origin_hub, s.legs, s.eta_s = seat.origin_hub, seat.legs, seat.eta_s
        self._rescheduled(
            session,
            s,
            new_id,
            f"{why}; the front's fallback: re-picked at {seat.origin_hub}, moved to {new_id},"
            f" promise kept {s.promised_delivery_at.isoformat()}",
        )

    def _rescheduled(self, session: Session, s: Shipment, new_id: str, message: str) -> None:
        apply(session, s, Move.SCRUB_RESCHEDULE, self.now)
        self.rescheduled.append(schemas.Rescheduled(shipment_id=s.public_id, flight_id=new_id))
        self.writer.emit_for(
            s, Status.PRE_TRANSIT, SubStatus.RESCHEDULED, message, flight_public_id=new_id,
            occurred_at=self.occurred_at,
        )  # fmt: skip
