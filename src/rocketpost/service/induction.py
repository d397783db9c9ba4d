"""Customs at the origin hub: induction with the scale reading, and inspection outcomes.

At booking nobody has weighed the parcel, so the empty-box / weight-mismatch signal is silent.
When the hub inducts it, the gross mass on the scale is known: the stored declaration is screened
again with it (and its duties re-assessed against the recipient's imports as they stand). What
the new decision does:

* **release** — nothing changes; the induction is recorded.
* **inspect** — the parcel still flies, but the market's inspection minutes come on top: a
  one-hour promise will be late, and the event says so (promises never move).
* **hold** — the parcel never flies: its seat on the flight is released at once, so another
  booking can have it, and the shipment waits in ``pre_transit`` / ``customs_hold``.

A domestic parcel has no declaration; its induction is just recorded.

When customs opens a parcel, ops reports what it found (:func:`record_inspection`): cleared, or
seized (the shipment fails, its seat is released). Either way the merchant's customs record
counts one more inspection, and a seizure, which the seller-trust signal of every later
screening of that merchant's parcels reads.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rocketpost.customs import CustomsDecision, Declaration, clear_declaration
from rocketpost.service import schemas
from rocketpost.service.clearance import customs_out
from rocketpost.service.db import Database
from rocketpost.service.errors import ApiError
from rocketpost.service.imports import booking_context, lock_recipient
from rocketpost.service.merchants import record_outcome, seller_trust
from rocketpost.service.models import CustomsImport, Shipment, utcnow
from rocketpost.service.reads import shipment_public
from rocketpost.service.tracking import EventWriter, Status, SubStatus
from rocketpost.service.transitions import (
    Move,
    allowed,
    apply,
    holds_seat,
    lock_shipments,
    retrying,
)

__all__ = ["induct", "record_inspection"]


def _locked(session: Session, shipment_id: str) -> tuple[Shipment, CustomsImport | None]:
    """The shipment, locked in the one lock order: its recipient's lock first (when it is an
    import), then its row. The recipient of a shipment never changes, so the unlocked read
    that finds it is safe."""
    found = session.scalars(select(Shipment).where(Shipment.public_id == shipment_id)).first()
    if found is None:
        raise ApiError(404, "not_found", f"no shipment {shipment_id!r}")
    stored = session.scalars(
        select(CustomsImport).where(CustomsImport.shipment_id == found.id)
    ).first()
    if stored is not None:
        lock_recipient(session, stored.market, stored.recipient_id)
    (row,) = lock_shipments(session, Shipment.id == found.id)
    return row, stored


def induct(db: Database, shipment_id: str, scanned_gross_mass_kg: float) -> schemas.ShipmentPublic:
    """Record a parcel's induction with its scale reading and re-screen it (ops only).

    Raises
    ------
    ApiError
        404 for an unknown shipment, 409 ``not_inducible`` once it has left (or was cancelled).
    """
    return retrying(db, lambda session: _induct(session, shipment_id, scanned_gross_mass_kg))


def _induct(
    session: Session, shipment_id: str, scanned_gross_mass_kg: float
) -> schemas.ShipmentPublic:
    now = utcnow()
    row, stored = _locked(session, shipment_id)
    if not allowed(Move.INDUCT, row.status, row.sub_status):
        raise ApiError(
            409, "not_inducible", f"shipment is {row.status}/{row.sub_status}, not pre_transit"
        )
    writer = EventWriter(session)

    def emit(sub_status: SubStatus, message: str) -> None:
        writer.emit_for(row, Status.PRE_TRANSIT, sub_status, message, occurred_at=now)

    scale = f"scale {scanned_gross_mass_kg:g} kg (booked {row.mass_g / 1000:g} kg)"
    if stored is None:
        apply(session, row, Move.INDUCT, now)
        emit(SubStatus.INDUCTED, f"inducted at {row.origin_hub}: {scale}")
        session.flush()
        return shipment_public(row)
    declaration = Declaration.from_dict(stored.declaration)
    imports, record = booking_context(
        session,
        row.merchant_id,
        declaration.market,
        declaration.consignee.recipient_id,
        declaration.import_date,
    )
    result = clear_declaration(
        declaration,
        scanned_gross_mass_kg=scanned_gross_mass_kg,
        history=imports.history,
        trust=seller_trust(row.merchant_public_id, *record),
    )
    row.customs = customs_out(result)
    row.customs_decision = str(result.decision)
    row.updated_at = now
    emit(
        SubStatus.INDUCTED,
        f"inducted at {row.origin_hub}: {scale}; customs re-screen: {result.decision}",
    )
    if result.decision == CustomsDecision.HOLD and allowed(
        Move.INDUCT_HOLD, row.status, row.sub_status
    ):
        flight = row.flight_public_id
        had_seat = holds_seat(row.status, row.flight_id)
        apply(session, row, Move.INDUCT_HOLD, now)
        freed = f"; its place on {flight} is released" if had_seat else ""
        emit(SubStatus.CUSTOMS_HOLD, f"customs hold at induction: {result.note}{freed}")
    else:
        apply(session, row, Move.INDUCT, now)
        if result.decision == CustomsDecision.INSPECT and row.service == "one_hour":
            minutes = (result.inspection_delay_s or 0.0) / 60.0
            emit(
                SubStatus.INDUCTED,
                f"customs inspection (+{minutes:g} min): {result.note}; the one-hour promise "
                f"of {row.promised_delivery_at.isoformat()} will be late",
            )
    session.flush()
    return shipment_public(row)


def record_inspection(
    db: Database, shipment_id: str, *, seized: bool, note: str | None
) -> schemas.ShipmentPublic:
    """Record what customs found in an opened parcel, and count it on the merchant (ops only).

    Raises
    ------
    ApiError
        404 unknown shipment; 409 ``not_cross_border`` (no declaration), ``not_inspectable``
        (cancelled or delivered) or ``outcome_recorded`` (reported already).
    """
    return retrying(
        db, lambda session: _record_inspection(session, shipment_id, seized=seized, note=note)
    )


def _record_inspection(
    session: Session, shipment_id: str, *, seized: bool, note: str | None
) -> schemas.ShipmentPublic:
    now = utcnow()
    row, _stored = _locked(session, shipment_id)
    if row.customs is None or not row.customs.get("cross_border"):
        raise ApiError(409, "not_cross_border", "a domestic shipment is not inspected")
    move = Move.CUSTOMS_SEIZED if seized else Move.CUSTOMS_CLEARED
    if row.customs_outcome is not None:  # only the first report counts on the merchant
        raise ApiError(
            409, "outcome_recorded", f"the inspection outcome was already {row.customs_outcome}"
        )
    if not allowed(move, row.status, row.sub_status):
        raise ApiError(409, "not_inspectable", f"shipment is {row.status}")
    flight = row.flight_public_id
    had_seat = holds_seat(row.status, row.flight_id)
    apply(session, row, move, now)
    row.customs_outcome = "seized" if seized else "cleared"
    row.updated_at = now
    record_outcome(session, row.merchant_id, seized=seized)
    found = f": {note}" if note else ""
    if seized:
        freed = f"; its place on {flight} is released" if had_seat else ""
        sub_status, message = SubStatus.SEIZED, f"seized by customs{found}{freed}"
    else:
        sub_status, message = SubStatus.CUSTOMS_CLEARED, "inspected by customs and cleared" + found
    EventWriter(session).emit_for(row, Status(row.status), sub_status, message, occurred_at=now)
    session.flush()
    return shipment_public(row)
