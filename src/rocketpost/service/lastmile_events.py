"""Last-mile events of one shipment: out for delivery, delivered (with the vehicle).

Each is a move of the one state machine (:mod:`rocketpost.service.transitions`): the shipment's
row is locked and read afresh, :func:`~rocketpost.service.transitions.apply` checks and makes
the move, and the tracking event with its webhook outbox rows is written in the same
transaction. A repeat (``delivered`` for a delivered shipment) is allowed and records nothing,
so a replay or a retrying scanner may send an event twice; a move from the wrong state (a
delivery before the flight landed) is a 409 ``invalid_transition``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rocketpost.service import ops_schemas
from rocketpost.service.db import Database
from rocketpost.service.errors import ApiError
from rocketpost.service.flights import last_mile_public
from rocketpost.service.models import Flight, Shipment, utcnow
from rocketpost.service.tracking import EventWriter, Status, SubStatus
from rocketpost.service.transitions import Move, apply, lock_shipments, retrying

__all__ = ["LastMileEvents", "record_last_mile"]

_MOVES = {"out_for_delivery": Move.OUT_FOR_DELIVERY, "delivered": Move.DELIVER}
_STATES = {
    "out_for_delivery": (Status.OUT_FOR_DELIVERY, SubStatus.OUT_FOR_DELIVERY),
    "delivered": (Status.DELIVERED, SubStatus.DELIVERED),
}


def record_last_mile(
    session: Session,
    shipment_id: str,
    event: ops_schemas.LastMileEventIn,
    *,
    now: datetime | None = None,
    merchant_pk: int | None = None,
) -> ops_schemas.LastMileEventPublic:
    """Make the move in the caller's write transaction (see the module doc).

    ``merchant_pk`` restricts the shipment to one merchant's (404 otherwise); ops pass ``None``.
    """
    now = now or utcnow()
    occurred = event.occurred_at or now
    where = Shipment.public_id == shipment_id
    if merchant_pk is not None:
        where = where & (Shipment.merchant_id == merchant_pk)
    if session.scalar(select(Shipment.id).where(where)) is None:
        raise ApiError(404, "not_found", "no such shipment")
    (row,) = lock_shipments(session, where)
    done = apply(session, row, _MOVES[event.type], now)
    changed = done.target is not None
    if changed:
        if event.vehicle is not None:
            row.last_mile_vehicle = event.vehicle
        if event.type == "delivered":
            row.delivered_at = occurred
        status, sub = _STATES[event.type]
        vehicle = row.last_mile_vehicle or "unplanned vehicle"
        note = f" ({event.note})" if event.note else ""
        if row.flight_id is not None:
            # The flight's version: the control room re-tallies its shipments (kpitally.py).
            session.execute(
                update(Flight)
                .where(Flight.id == row.flight_id)
                .values(updated_at=now)
                .execution_options(synchronize_session=False)
            )
        EventWriter(session).emit_for(
            row,
            status,
            sub,
            f"{event.type.replace('_', ' ')} by {vehicle}{note}",
            occurred_at=occurred,
        )
    return ops_schemas.LastMileEventPublic(
        shipment_id=row.public_id,
        status=row.status,
        sub_status=row.sub_status,
        changed=changed,
        last_mile=last_mile_public(row),
    )


class LastMileEvents:
    """Last-mile events on one database, each in its own retried write transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self, shipment_id: str, event: ops_schemas.LastMileEventIn
    ) -> ops_schemas.LastMileEventPublic:
        """:func:`record_last_mile` in a transaction of its own (retried on a deadlock)."""
        return retrying(self.db, lambda session: record_last_mile(session, shipment_id, event))
