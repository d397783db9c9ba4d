"""The public tracking read: one shipment by its tracking number, and nothing else.

No API key: a tracking number is what a merchant gives its customer (``RP`` and 12 characters
of a 32-letter alphabet, 60 bits: not guessable). The answer holds only what the recipient may
see — status, legs, promise, the flight's launch and state, the events — and none of the
merchant's fields (merchant id, reference, price, parcels, customs declaration), so a tracking
page shows nothing of any merchant, its own included.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from rocketpost.service.db import Database
from rocketpost.service.errors import ApiError
from rocketpost.service.models import Flight, Shipment, TrackingEvent

__all__ = ["TRACKING_NUMBER", "public_tracking"]

TRACKING_NUMBER = re.compile(r"^RP[A-Z2-9]{12}$")
"""The form :mod:`rocketpost.service.booking` issues; anything else is a 404 without a query."""


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def public_tracking(db: Database, tracking_number: str) -> dict[str, Any]:
    """The recipient's view of the shipment with ``tracking_number``.

    Raises
    ------
    ApiError
        404 ``not_found`` when there is no such shipment (or the number cannot exist).
    """
    if not TRACKING_NUMBER.match(tracking_number):
        raise ApiError(404, "not_found", "no such tracking number")
    with db.session() as session:
        row = session.scalars(
            select(Shipment).where(Shipment.tracking_number == tracking_number)
        ).first()
        if row is None:
            raise ApiError(404, "not_found", "no such tracking number")
        flight = None if row.flight_id is None else session.get(Flight, row.flight_id)
        events = session.scalars(
            select(TrackingEvent)
            .where(TrackingEvent.shipment_id == row.id)
            .order_by(TrackingEvent.id)
        ).all()
        destination = row.destination or {}
        return {
            "tracking_number": row.tracking_number,
            "status": row.status,
            "sub_status": row.sub_status,
            "service": row.service,
            "mode": row.mode,
            "origin_hub": row.origin_hub,
            "destination_hub": row.destination_hub,
            "destination": {
                "name": destination.get("name"),
                "country": destination.get("country"),
            },
            "promised_delivery_at": _iso(row.promised_delivery_at),
            "eta_s": row.eta_s,
            "legs": [
                {"leg": leg.get("leg"), "duration_s": leg.get("duration_s")}
                for leg in (row.legs or [])
            ],
            "flight": None
            if flight is None
            else {
                "id": flight.public_id,
                "origin_hub": flight.origin_hub,
                "destination_hub": flight.destination_hub,
                "launch_at": _iso(flight.launch_at),
                "status": flight.status,
            },
            "events": [
                {
                    "status": e.status,
                    "sub_status": e.sub_status,
                    "message": e.message,
                    "occurred_at": _iso(e.occurred_at),
                }
                for e in events
            ],
        }
