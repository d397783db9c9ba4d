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

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rocketpost.customs import CustomsDecision, Declaration, clear_declaration
from rocketpost.service import schemas
from rocketpost.service.capacity import release
from rocketpost.service.clearance import customs_out
from rocketpost.service.db import Database
from rocketpost.service.errors import ApiError
from rocketpost.service.imports import booking_context, lock_recipient
from rocketpost.service.merchants import record_outcome, seller_trust
from rocketpost.service.models import CustomsImport, Shipment, utcnow
from rocketpost.service.reads import shipment_public
from rocketpost.service.tracking import EventWriter, Status, SubStatus

__all__ = ["induct", "record_inspection"]


def induct(db: Database, shipment_id: str, scanned_gross_mass_kg: float) -> schemas.ShipmentPublic:
    """Record a parcel's induction with its scale reading and re-screen it (ops only).

    Raises
    ------
    ApiError
        404 for an unknown shipment, 409 ``not_inducible`` once it has left (or was cancelled).
    """
    now = utcnow()
    with db.write() as session:
        row = session.scalars(select(Shipment).where(Shipment.public_id == shipment_id)).first()
        if row is None:
            raise ApiError(404, "not_found", f"no shipment {shipment_id!r}")
        if row.status != Status.PRE_TRANSIT:
            raise ApiError(
                409, "not_inducible", f"shipment is {row.status}/{row.sub_status}, not pre_transit"
            )
        writer = EventWriter(session)

        def emit(sub_status: SubStatus, message: str) -> None:
            writer.emit_for(row, Status.PRE_TRANSIT, sub_status, message, occurred_at=now)

        scale = f"scale {scanned_gross_mass_kg:g} kg (booked {row.mass_g / 1000:g} kg)"
        stored = session.scalars(
            select(CustomsImport).where(CustomsImport.shipment_id == row.id)
        ).first()
        if stored is None:
            emit(SubStatus.INDUCTED, f"inducted at {row.origin_hub}: {scale}")
            session.flush()
            session.refresh(row)
            return shipment_public(row)
        declaration = Declaration.from_dict(stored.declaration)
        lock_recipient(session, declaration.market, declaration.consignee.recipient_id)
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
        values: dict[str, Any] = {
            "customs": customs_out(result),
            "customs_decision": str(result.decision),
            "updated_at": now,
        }
        emit(
            SubStatus.INDUCTED,
            f"inducted at {row.origin_hub}: {scale}; customs re-screen: {result.decision}",
        )
        if result.decision == CustomsDecision.HOLD and row.sub_status != SubStatus.CUSTOMS_HOLD:
            freed = _free_seat(session, row, now)
            emit(SubStatus.CUSTOMS_HOLD, f"customs hold at induction: {result.note}{freed}")
            values.update(sub_status=SubStatus.CUSTOMS_HOLD.value)
        elif result.decision == CustomsDecision.INSPECT and row.service == "one_hour":
            minutes = (result.inspection_delay_s or 0.0) / 60.0
            emit(
                SubStatus.INDUCTED,
                f"customs inspection (+{minutes:g} min): {result.note}; the one-hour promise "
                f"of {row.promised_delivery_at.isoformat()} will be late",
            )
        session.execute(update(Shipment).where(Shipment.id == row.id).values(**values))
        session.flush()
        session.refresh(row)
        return shipment_public(row)


def _free_seat(session: Session, row: Shipment, now: datetime) -> str:
    """Give up a parcel's seat on its (still scheduled) flight: the shipment leaves the flight.

    Returns the words that say so for its event ("" when it had no seat to give up).
    """
    if row.status != Status.PRE_TRANSIT or row.flight_id is None:
        return ""
    if not release(session, row.flight_id, row.mass_g, row.volume_cm3, now):
        return ""
    flight = row.flight_public_id
    session.execute(
        update(Shipment)
        .where(Shipment.id == row.id)
        .values(flight_id=None, flight_public_id=None, launch_at=None)
        .execution_options(synchronize_session=False)
    )
    return f"; its place on {flight} is released"


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
    now = utcnow()
    with db.write() as session:
        row = session.scalars(select(Shipment).where(Shipment.public_id == shipment_id)).first()
        if row is None:
            raise ApiError(404, "not_found", f"no shipment {shipment_id!r}")
        if row.customs is None or not row.customs.get("cross_border"):
            raise ApiError(409, "not_cross_border", "a domestic shipment is not inspected")
        if row.status in (Status.CANCELLED, Status.DELIVERED):
            raise ApiError(409, "not_inspectable", f"shipment is {row.status}")
        # Claim the report first: of two concurrent reports only one counts on the merchant.
        claimed = session.execute(
            update(Shipment)
            .where(Shipment.id == row.id, Shipment.customs_outcome.is_(None))
            .values(customs_outcome="seized" if seized else "cleared", updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            raise ApiError(
                409, "outcome_recorded", f"the inspection outcome was already {row.customs_outcome}"
            )
        record_outcome(session, row.merchant_id, seized=seized)
        found = f": {note}" if note else ""
        if seized:
            freed = _free_seat(session, row, now)
            session.execute(
                update(Shipment)
                .where(Shipment.id == row.id)
                .values(status=Status.FAILURE.value, sub_status=SubStatus.SEIZED.value)
            )
            status, sub_status = Status.FAILURE, SubStatus.SEIZED
            message = f"seized by customs{found}{freed}"
        else:
            status, sub_status = Status(row.status), SubStatus.CUSTOMS_CLEARED
            if row.sub_status == SubStatus.CUSTOMS_HOLD:
                session.execute(
                    update(Shipment)
                    .where(Shipment.id == row.id)
                    .values(sub_status=SubStatus.CUSTOMS_CLEARED.value)
                )
            message = "inspected by customs and cleared" + found
        EventWriter(session).emit_for(row, status, sub_status, message, occurred_at=now)
        session.flush()
        session.refresh(row)
        return shipment_public(row)
