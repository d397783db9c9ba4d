"""Customs pre-clearance of one shipment, from the request's declared items.

A quote clears with the merchant's record as cached with its key and without the recipient's
earlier imports (its duties are the parcel's own); a booking clears again inside its
transaction with both read from the database (:mod:`rocketpost.service.booking`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rocketpost.customs import Clearance, RecipientHistory, SellerTrust, clearance
from rocketpost.errors import InputError
from rocketpost.orders.model import Channel, Order, OrderItem
from rocketpost.service import schemas
from rocketpost.service.consignment import ResolvedPlace
from rocketpost.service.imports import duties_out

__all__ = ["ShipmentToClear", "customs_out", "run_clearance"]


def _order_items(customs: schemas.CustomsIn) -> tuple[OrderItem, ...]:
    items = []
    for i, item in enumerate(customs.items):
        try:
            items.append(
                OrderItem(
                    sku=item.sku,
                    description=item.description,
                    hs_code=item.hs_code,
                    quantity=item.quantity,
                    unit_value=item.unit_value,
                    currency=item.currency,
                    unit_mass_kg=item.unit_mass_kg,
                    unit_volume_m3=item.unit_volume_m3,
                    dangerous_goods_class=item.dangerous_goods_class,
                )
            )
        except InputError as error:
            raise InputError(
                f"customs.items[{i}].{error.field}", error.value, error.reason
            ) from None
    return tuple(items)


@dataclass(frozen=True)
class ShipmentToClear:
    """What customs needs to know about a shipment besides its declared items.

    Attributes
    ----------
    order_id, merchant_id, channel
        The merchant's order, the merchant, and the sales channel (a :class:`Channel` value).
    ready_at
        When the parcel is ready (the order's creation time for customs).
    place
        The resolved destination (its country is the import market).
    origin_hub, origin_country
        The hub the route leaves from and its country (the export side).
    """

    order_id: str
    merchant_id: str
    channel: str
    ready_at: datetime
    place: ResolvedPlace
    origin_hub: str
    origin_country: str


def run_clearance(
    customs: schemas.CustomsIn,
    shipment: ShipmentToClear,
    *,
    history: RecipientHistory | None = None,
    trust: SellerTrust | None = None,
) -> Clearance:
    """Pre-clear one shipment; errors name ``customs.items[i].<field>``.

    ``history`` holds the recipient's earlier imports (booking reads them from the database; a
    quote does not, so a quote's duties are the parcel's own); ``trust`` the merchant's record
    as a seller (:func:`rocketpost.service.merchants.seller_trust`).
    """
    place = shipment.place
    assert place.country is not None
    try:
        order = Order(
            order_id=shipment.order_id,
            merchant_id=shipment.merchant_id,
            channel=Channel(shipment.channel),
            created_at=shipment.ready_at,
            destination_lat_deg=place.lat_deg,
            destination_lon_deg=place.lon_deg,
            destination_country=place.country,
            recipient_id=customs.recipient_id,
            items=_order_items(customs),
            origin_hub=shipment.origin_hub,
            destination_label=place.name,
        )
        return clearance(
            order, origin_country=shipment.origin_country, history=history, trust=trust
        )
    except InputError as error:
        field = error.field if error.field.startswith("customs.") else f"customs.{error.field}"
        raise InputError(field, error.value, error.reason) from None


def customs_out(result: Clearance) -> dict[str, Any]:
    """A clearance as stored with a shipment and answered (``schemas.CustomsOut``'s JSON)."""
    duties = None if result.duties is None else duties_out(result.duties)
    return {
        "cross_border": result.cross_border,
        "market": result.market,
        "decision": str(result.decision),
        "one_hour_allowed": result.one_hour_allowed,
        "may_fly": result.may_fly,
        "inspection_delay_s": result.inspection_delay_s,
        "note": result.note,
        "reasons": [
            {"signal": r.signal, "risk": r.risk, "score": float(r.score), "text": r.text}
            for r in result.reasons
        ],
        "duties": duties,
    }
