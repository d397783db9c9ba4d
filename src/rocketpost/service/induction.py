"""Induction at the origin hub: the scale reading, and the customs re-screen it allows.

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
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from rocketpost.customs import Decision, Declaration, clear_declaration
from rocketpost.service.booking import release, shipment_public
from rocketpost.service.db import Database
from rocketpost.service.errors import ApiError
from rocketpost.service.imports import lock_recipient, recipient_imports
from rocketpost.service.models import CustomsImport, Shipment, utcnow
from rocketpost.service.quoting import customs_out
from rocketpost.service.tracking import EventWriter, Status, SubStatus

__all__ = ["induct"]


def induct(db: Database, shipment_id: str, scanned_gross_mass_kg: float) -> dict[str, Any]:
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
            writer.emit(
                shipment_pk=row.id,
                shipment_public_id=row.public_id,
                tracking_number=row.tracking_number,
                reference=row.reference,
                merchant_pk=row.merchant_id,
                status=Status.PRE_TRANSIT,
                sub_status=sub_status,
                message=message,
                flight_public_id=row.flight_public_id,
                occurred_at=now,
            )

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
        history = recipient_imports(
            session, declaration.market, declaration.consignee.recipient_id, declaration.import_date
        ).history
        result = clear_declaration(
            declaration, scanned_gross_mass_kg=scanned_gross_mass_kg, history=history
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
        if result.decision == Decision.HOLD and row.sub_status != SubStatus.CUSTOMS_HOLD:
            released = row.flight_id is not None and release(
                session, row.flight_id, row.mass_g, row.volume_cm3, now
            )
            emit(
                SubStatus.CUSTOMS_HOLD,
                f"customs hold at induction: {result.note}"
                + (f"; its place on {row.flight_public_id} is released" if released else ""),
            )
            values.update(sub_status=SubStatus.CUSTOMS_HOLD.value)
            if released:
                values.update(flight_id=None, flight_public_id=None, launch_at=None)
        elif result.decision == Decision.INSPECT and row.service == "one_hour":
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
