"""Shipment reads: one shipment, a page of them, their events — each a merchant's own only.

Responses are built as the public schemas (:class:`rocketpost.service.schemas.ShipmentPublic`
…) from the stored rows, so every answer is validated against the documented shape. Pages use
opaque cursors (:func:`encode_cursor`), shared with the flight lists.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from rocketpost.errors import InputError
from rocketpost.service import schemas
from rocketpost.service.auth import Principal
from rocketpost.service.db import Database
from rocketpost.service.errors import ApiError
from rocketpost.service.models import CM3_PER_M3, GRAMS_PER_KG, Shipment, TrackingEvent

__all__ = [
    "MAX_CURSOR_ID",
    "ShipmentReads",
    "decode_cursor",
    "encode_cursor",
    "own_shipment",
    "shipment_public",
]


MAX_CURSOR_ID = 2**31 - 1
"""The largest row id a cursor can name: ids are ``Integer`` primary keys (PostgreSQL
``int4``), so a larger one in a query is a database error (SQLite's limit, 2⁶³, likewise)."""
_CURSOR = re.compile(r"c1\.[A-Za-z0-9_-]{1,16}")


def encode_cursor(last_id: int) -> str:
    """Opaque pagination cursor."""
    return "c1." + base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """Inverse of :func:`encode_cursor`; a bad cursor is a 422 on ``cursor``.

    Only a cursor this API could have issued is accepted — ``c1.`` and unpadded url-safe
    base64 of a row id's decimal digits, in :func:`encode_cursor`'s exact spelling (no sign,
    leading zero or padding), naming an id in 1 … :data:`MAX_CURSOR_ID` — so that nothing a
    client makes up reaches the database.
    """
    if cursor is None:
        return None
    try:
        if not _CURSOR.fullmatch(cursor):
            raise ValueError
        text = cursor[3:]
        digits = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        if not digits.isdigit():  # bytes.isdigit: ASCII digits only
            raise ValueError
        value = int(digits)
        if not 1 <= value <= MAX_CURSOR_ID or encode_cursor(value) != cursor:
            raise ValueError
        return value
    except (ValueError, binascii.Error):
        raise InputError("query.cursor", cursor, "is not a cursor returned by this API") from None


def shipment_public(row: Any) -> schemas.ShipmentPublic:
    """A shipment as answered, from its row (an ORM object, or the values a booking wrote)."""
    return schemas.ShipmentPublic(
        id=row.public_id,
        tracking_number=row.tracking_number,
        reference=row.reference,
        merchant_id=row.merchant_public_id,
        status=row.status,
        sub_status=row.sub_status,
        service=row.service,
        mode=row.mode,
        channel=row.channel,
        origin_hub=row.origin_hub,
        destination_hub=row.destination_hub,
        destination=row.destination,
        parcels=row.parcels,
        mass_kg=row.mass_g / GRAMS_PER_KG,
        volume_m3=row.volume_cm3 / CM3_PER_M3,
        ready_at=row.ready_at,
        flight=None
        if row.flight_public_id is None
        else schemas.FlightRef(id=row.flight_public_id, launch_at=row.launch_at),
        eta_s=row.eta_s,
        legs=row.legs,
        promised_delivery_at=row.promised_delivery_at,
        price=schemas.Money(amount=row.price_amount, currency=row.price_currency),
        customs=row.customs,
        downgrade_reason=row.downgrade_reason,
        quote_id=row.quote_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _own(query: Select[Any], principal: Principal) -> Select[Any]:
    return query if principal.is_ops else query.where(Shipment.merchant_id == principal.merchant_pk)


def own_shipment(session: Session, principal: Principal, shipment_id: str) -> Shipment:
    """The caller's shipment (ops: anyone's).

    Raises
    ------
    ApiError
        404 when there is none — also when it is another merchant's.
    """
    row = session.scalars(
        _own(select(Shipment).where(Shipment.public_id == shipment_id), principal)
    ).first()
    if row is None:
        raise ApiError(404, "not_found", f"no shipment {shipment_id!r}")
    return row


class ShipmentReads:
    """Shipment reads on one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, principal: Principal, shipment_id: str) -> schemas.ShipmentPublic:
        """One shipment (404 when it is another merchant's)."""
        with self.db.session() as session:
            return shipment_public(own_shipment(session, principal, shipment_id))

    def page(
        self, principal: Principal, *, limit: int, cursor: str | None
    ) -> schemas.ShipmentsPublic:
        """A page of shipments, newest first."""
        after = decode_cursor(cursor)
        query = _own(select(Shipment), principal).order_by(Shipment.id.desc()).limit(limit + 1)
        if after is not None:
            query = query.where(Shipment.id < after)
        with self.db.session() as session:
            rows = list(session.scalars(query))
        more = len(rows) > limit
        rows = rows[:limit]
        return schemas.ShipmentsPublic(
            data=[shipment_public(r) for r in rows],
            has_more=more,
            next_cursor=encode_cursor(rows[-1].id) if more and rows else None,
        )

    def events(self, principal: Principal, shipment_id: str) -> schemas.EventsPublic:
        """A shipment's events, oldest first."""
        with self.db.session() as session:
            row = own_shipment(session, principal, shipment_id)
            events = session.scalars(
                select(TrackingEvent)
                .where(TrackingEvent.shipment_id == row.id)
                .order_by(TrackingEvent.id)
            )
            return schemas.EventsPublic(
                data=[
                    schemas.EventPublic(
                        id=e.public_id,
                        shipment_id=row.public_id,
                        status=e.status,
                        sub_status=e.sub_status,
                        message=e.message,
                        flight_id=e.flight_public_id,
                        occurred_at=e.occurred_at,
                    )
                    for e in events
                ]
            )
