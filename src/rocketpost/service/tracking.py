"""Tracking events with normalised statuses, written together with their webhook outbox rows.

Statuses follow the conventions merchants know from shipping APIs (EasyPost-style):
``pre_transit`` → ``in_transit`` → ``out_for_delivery`` → ``delivered``, or ``failure`` /
``cancelled``; the sub-status says what happened (``launched``, ``landed``, ``customs_hold`` …).

An event and the webhook deliveries it causes are inserted in the *same* transaction as the
change they describe (the transactional outbox): a committed booking always has its event and
its pending deliveries, and a rolled-back one has neither — the basis of at-least-once delivery.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import EllipsisType
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session

from rocketpost.service.auth import new_id
from rocketpost.service.models import TrackingEvent, WebhookDelivery, WebhookEndpoint

__all__ = ["EventShipment", "EventWriter", "Status", "SubStatus", "event_public"]

# Built once (Core, bind parameters): per event only parameters change, so SQLAlchemy neither
# rebuilds nor re-keys the statements — a booking's CPU was mostly statement construction.
_EVENT_INSERT = insert(cast(Table, TrackingEvent.__table__))
_DELIVERY_INSERT = insert(cast(Table, WebhookDelivery.__table__))
_ENDPOINTS = cast(Table, WebhookEndpoint.__table__)
_ENDPOINTS_OF = select(_ENDPOINTS.c.id).where(
    _ENDPOINTS.c.merchant_id == bindparam("merchant_id"), _ENDPOINTS.c.active.is_(True)
)


class Status(StrEnum):
    """Normalised shipment status."""

    PRE_TRANSIT = "pre_transit"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    FAILURE = "failure"
    CANCELLED = "cancelled"


class SubStatus(StrEnum):
    """What happened, within a status."""

    BOOKED = "booked"
    CUSTOMS_HOLD = "customs_hold"
    CUSTOMS_REASSESSED = "customs_reassessed"
    CUSTOMS_CLEARED = "customs_cleared"
    SEIZED = "seized"
    INDUCTED = "inducted"
    RESCHEDULED = "rescheduled"
    DOWNGRADED_TO_STANDARD = "downgraded_to_standard"
    LAUNCHED = "launched"
    LANDED = "landed"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


def event_public(
    public_id: str,
    shipment_public_id: str,
    status: str,
    sub_status: str,
    message: str,
    flight_public_id: str | None,
    occurred_at: datetime,
) -> dict[str, Any]:
    """JSON form of an event (``schemas.Event``)."""
    return {
        "id": public_id,
        "shipment_id": shipment_public_id,
        "status": status,
        "sub_status": sub_status,
        "message": message,
        "flight_id": flight_public_id,
        "occurred_at": occurred_at,
    }


@dataclass(frozen=True)
class EventShipment:
    """The shipment an event is about: its keys, and what a webhook names it by.

    Attributes
    ----------
    pk, public_id
        The shipment's row id and its public id (``shp_...``).
    tracking_number, reference
        Sent with the event to the merchant's webhooks.
    merchant_pk
        Whose webhook endpoints receive the event.
    """

    pk: int
    public_id: str
    tracking_number: str
    reference: str | None
    merchant_pk: int

    @classmethod
    def of(cls, shipment: Any) -> EventShipment:
        """From a shipment row (ORM object or row with the ``shipments`` columns)."""
        return cls(
            pk=shipment.id,
            public_id=shipment.public_id,
            tracking_number=shipment.tracking_number,
            reference=shipment.reference,
            merchant_pk=shipment.merchant_id,
        )


class EventWriter:
    """Insert events and their outbox rows inside the caller's transaction.

    Endpoint lists are looked up once per merchant per writer, so a launch that emits an event
    for each of a thousand shipments does not query the endpoints a thousand times.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._endpoints: dict[int, list[int]] = {}

    def _endpoints_of(self, merchant_pk: int) -> list[int]:
        if merchant_pk not in self._endpoints:
            self._endpoints[merchant_pk] = list(
                self._session.scalars(_ENDPOINTS_OF, {"merchant_id": merchant_pk})
            )
        return self._endpoints[merchant_pk]

    def emit_for(
        self,
        shipment: Any,
        status: Status,
        sub_status: SubStatus,
        message: str,
        *,
        occurred_at: datetime,
        flight_public_id: str | EllipsisType | None = ...,
    ) -> dict[str, Any]:
        """:meth:`emit` for a shipment row (ORM object or row with the ``shipments`` columns);
        ``flight_public_id`` defaults to the row's own (pass ``None`` for no flight)."""
        return self.emit(
            EventShipment.of(shipment),
            status,
            sub_status,
            message,
            flight_public_id=shipment.flight_public_id
            if isinstance(flight_public_id, EllipsisType)
            else flight_public_id,
            occurred_at=occurred_at,
        )

    def emit(
        self,
        shipment: EventShipment,
        status: Status,
        sub_status: SubStatus,
        message: str,
        *,
        flight_public_id: str | None,
        occurred_at: datetime,
    ) -> dict[str, Any]:
        """Record one event (and queue it for the merchant's webhooks); returns its JSON."""
        public_id = new_id("evt_")
        self._session.execute(
            _EVENT_INSERT,
            {
                "public_id": public_id,
                "shipment_id": shipment.pk,
                "status": status.value,
                "sub_status": sub_status.value,
                "message": message[:500],
                "flight_public_id": flight_public_id,
                "occurred_at": occurred_at,
            },
        )
        event = event_public(
            public_id,
            shipment.public_id,
            status.value,
            sub_status.value,
            message,
            flight_public_id,
            occurred_at,
        )
        endpoints = self._endpoints_of(shipment.merchant_pk)
        if endpoints:
            data = dict(
                event, tracking_number=shipment.tracking_number, reference=shipment.reference
            )
            data["occurred_at"] = occurred_at.isoformat().replace("+00:00", "Z")
            payload = json.dumps(
                {
                    "id": public_id,
                    "type": "shipment.event",
                    "created_at": data["occurred_at"],
                    "data": data,
                },
                separators=(",", ":"),
            )
            self._session.execute(
                _DELIVERY_INSERT,
                [
                    {
                        "endpoint_id": endpoint,
                        "event_public_id": public_id,
                        "payload": payload,
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": occurred_at,
                        "created_at": occurred_at,
                    }
                    for endpoint in endpoints
                ],
            )
        return event
