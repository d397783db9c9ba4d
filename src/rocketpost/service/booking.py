"""Booking and cancellation: the writes of a shipment's life before it flies.

A booking quotes the shipment with the same :meth:`rocketpost.service.quotes.Quotes.quote` as
``POST /v1/quotes`` (from the signed quote id, or inline), decides the service (one hour, or
standard when the merchant allows the fallback), takes capacity on the first launch wave that
keeps the promise (:mod:`rocketpost.service.capacity`) and writes the shipment, its first event,
the webhook outbox rows, the customs import and the idempotency record
(:mod:`rocketpost.service.idempotency`) in one transaction: an answered 201 is exactly a
committed booking.

Cross-border bookings read the recipient's earlier imports and the merchant's current customs
record under the recipient's lock, in the booking's transaction, and quote again when they
differ from what the first pass (outside the transaction) assumed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rocketpost.customs import RecipientHistory, SellerTrust
from rocketpost.errors import InputError
from rocketpost.service import schemas
from rocketpost.service.auth import Principal, new_id, random_text
from rocketpost.service.capacity import (
    CAPACITY_WAVES,
    NO_ROOM,
    Hold,
    Load,
    first_wave_with_room,
)
from rocketpost.service.clearance import customs_out
from rocketpost.service.consignment import Consignment
from rocketpost.service.db import Database
from rocketpost.service.errors import ApiError
from rocketpost.service.idempotency import BookingResult, lookup, remember, replay, request_hash
from rocketpost.service.imports import (
    booking_context,
    forget_import,
    lock_recipient,
    reassess_day,
    record_import,
)
from rocketpost.service.merchants import principal_trust, seller_trust
from rocketpost.service.models import CustomsImport, Shipment, utcnow
from rocketpost.service.quote_answer import Quote
from rocketpost.service.quotes import Quotes
from rocketpost.service.quoting import cents, flight_public_id
from rocketpost.service.reads import own_shipment, shipment_public
from rocketpost.service.sameday import NO_SAME_DAY_ROOM, first_wave_for_same_day
from rocketpost.service.tokens import QuoteToken, TokenError, verify_token
from rocketpost.service.tracking import EventShipment, EventWriter, Status, SubStatus
from rocketpost.service.transitions import (
    Move,
    apply,
    created,
    holds_seat,
    lock_shipments,
    retrying,
)

__all__ = ["BookingService"]

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_SHIPMENTS = cast(Table, Shipment.__table__)
_SHIPMENT_INSERT = insert(_SHIPMENTS).returning(_SHIPMENTS.c.id)


def _tracking_number() -> str:
    return "RP" + random_text(_ALPHABET, 12)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class _Order:
    """A booking decided but not yet written: the quote, the service and its prices."""

    public_id: str
    quote: Quote
    service: str
    downgrade_reason: str | None
    one_hour_price: Decimal
    standard_price: Decimal
    quote_id: str | None
    reference: str | None
    fallback: bool


class BookingService:
    """Bookings and cancellations on one database."""

    def __init__(
        self, db: Database, quotes: Quotes, *, capacity_waves: int = CAPACITY_WAVES
    ) -> None:
        self.db = db
        self.quotes = quotes
        self.engine = quotes.engine
        self.capacity_waves = capacity_waves
        self.hold = Hold.of(quotes.engine.network)

    # --- booking ------------------------------------------------------------------------------

    def book(
        self, principal: Principal, body: schemas.ShipmentCreate, idempotency_key: str
    ) -> BookingResult:
        """Book a shipment (or replay the stored answer for this key)."""
        if principal.is_ops:
            raise ApiError(403, "forbidden", "the ops key cannot book shipments")
        body_hash = request_hash(body)
        stored = lookup(self.db, principal.merchant_pk, idempotency_key)
        if stored is not None:
            return replay(stored, body_hash)
        first = self._order(principal, body)

        def work(session: Session) -> BookingResult:
            order = first
            clearance = order.quote.clearance
            declaration = None if clearance is None else clearance.declaration
            if declaration is not None:
                # The recipient's earlier imports decide this parcel's duties (same-day
                # sums, annual limits) and the merchant's latest customs record its
                # screening: read both under the recipient's lock, in this transaction, and
                # clear again when they differ from what the first pass assumed.
                lock_recipient(session, declaration.market, declaration.consignee.recipient_id)
                imports, record = booking_context(
                    session,
                    principal.merchant_pk,
                    declaration.market,
                    declaration.consignee.recipient_id,
                    declaration.import_date,
                )
                history = imports.history
                cached = (principal.customs_inspections, principal.customs_seizures)
                if history.records or record != cached:
                    order = self._order(
                        principal,
                        body,
                        history=history,
                        trust=seller_trust(principal.merchant_id, *record),
                        public_id=order.public_id,
                    )
            result = self._write(session, principal, order)
            remember(
                session,
                merchant_pk=principal.merchant_pk,
                key=idempotency_key,
                body_hash=body_hash,
                result=result,
                now=result.shipment.created_at,
            )
            return result

        try:
            return retrying(self.db, work)
        except IntegrityError:
            stored = lookup(self.db, principal.merchant_pk, idempotency_key)
            if stored is None:
                raise
            return replay(stored, body_hash)

    def _verified_token(self, principal: Principal, quote_id: str, now: datetime) -> QuoteToken:
        try:
            token = verify_token(quote_id, self.quotes.signing_key)
        except TokenError as error:
            raise InputError("quote_id", quote_id[:40] + "…", str(error)) from None
        if token.merchant_id != principal.merchant_id:
            raise InputError("quote_id", quote_id[:40] + "…", "is not a quote of this merchant")
        if now > token.expires_at:
            raise ApiError(409, "quote_expired", f"the quote expired at {_iso(token.expires_at)}")
        return token

    def _order(
        self,
        principal: Principal,
        body: schemas.ShipmentCreate,
        *,
        history: RecipientHistory | None = None,
        trust: SellerTrust | None = None,
        public_id: str | None = None,
    ) -> _Order:
        """Quote the booking (from its quote id or inline) and decide its service and prices."""
        now = utcnow()
        token = None
        if body.quote_id is not None:
            token = self._verified_token(principal, body.quote_id, now)
            consignment = token.consignment()
        else:
            consignment = Consignment.from_request(self.engine, body, now)
        public_id = public_id or new_id("shp_")
        quote = self.quotes.quote(
            consignment,
            merchant_id=principal.merchant_id,
            customs=body.customs,
            trust=principal_trust(principal) if trust is None else trust,
            order_id=public_id,
            history=history,
            distribution=False,  # a booking needs the decision, not the percentiles
        )
        if body.customs is None and quote.cross_border:
            raise InputError(
                "customs",
                None,
                f"required for a cross-border shipment ({quote.route.origin_country} → "
                f"{consignment.place.country})",
            )
        # The prices the merchant was quoted hold; a quote issued without a one-hour option
        # (e.g. before customs data) whose option now holds is priced as a fresh quote would be.
        one_hour_price, standard_price = quote.one_hour_price, quote.standard_price
        if token is not None:
            if token.one_hour_price is not None:
                one_hour_price = Decimal(token.one_hour_price)
            standard_price = Decimal(token.standard_price)
        assessment = quote.assessment
        service, downgrade = body.service, None
        if service == "one_hour" and not assessment.available:
            if not body.fallback_to_standard:
                raise ApiError(
                    409,
                    "one_hour_unavailable",
                    assessment.message or "no one-hour option",
                    reason=assessment.reason,
                    earliest_delivery_at=_iso(quote.earliest_delivery_at),
                )
            service, downgrade = "standard", assessment.reason
        offer = quote.same_day
        if service == "same_day" and (offer is None or not offer.available):
            reason = None if offer is None else offer.reason
            if not body.fallback_to_standard:
                raise ApiError(
                    409,
                    "same_day_unavailable",
                    (offer.message if offer else None) or "no same-day option",
                    reason=reason,
                    earliest_delivery_at=_iso(quote.earliest_delivery_at),
                )
            service, downgrade = "standard", reason
        return _Order(
            public_id=public_id,
            quote=quote,
            service=service,
            downgrade_reason=downgrade,
            one_hour_price=one_hour_price,
            standard_price=standard_price,
            quote_id=body.quote_id,
            reference=body.reference,
            fallback=body.fallback_to_standard,
        )

    def _write(self, session: Session, principal: Principal, order: _Order) -> BookingResult:
        now = utcnow()
        quote = order.quote
        c = quote.consignment
        load = Load.of(c.mass_kg, c.volume_m3)
        route, service, downgrade = quote.route, order.service, order.downgrade_reason
        flight_pk: int | None = None
        decision = None  # the decision on the wave booked, when the wave search made it
        if service == "one_hour" and route.mode == "rocket":
            seat = first_wave_with_room(
                session,
                self.engine.fleet,
                lambda candidate: self.quotes.promise_on(quote, candidate),
                self.hold,
                route,
                load=load,
                now=now,
                waves=self.capacity_waves,
            )
            if seat is None:
                if not order.fallback:
                    raise ApiError(409, "no_capacity", NO_ROOM, reason="no_capacity")
                service, downgrade = "standard", "no_capacity"
            else:
                flight_pk, route, decision = seat
        elif service == "same_day":
            # After the one-hour share: see rocketpost.service.sameday.
            found = first_wave_for_same_day(
                session, self.engine, self.hold, route, load=load, now=now
            )
            if found is None:
                if not order.fallback:
                    raise ApiError(409, "no_capacity", NO_SAME_DAY_ROOM, reason="no_capacity")
                service, downgrade = "standard", "no_capacity"
            else:
                flight_pk, route = found
        clearance = quote.clearance
        held = clearance is not None and not clearance.may_fly
        launch_at = route.launch_at if flight_pk is not None else None
        if service == "one_hour":
            # The time promised at the network's confidence on the wave booked (the same
            # decision as the quote's, rocketpost.promise.decision).
            if decision is None:
                decision = self.quotes.promise_on(quote, route)
            at_target_s = decision.earliest_at_target_s
            promised = route.ready_at + timedelta(seconds=math.ceil(at_target_s))
            price, mode = order.one_hour_price, route.mode
            destination_hub, eta_s, legs = route.destination_hub, route.eta_s, route.legs()
        elif service == "same_day":
            offer = quote.same_day
            assert offer is not None and offer.promised_delivery_at is not None
            promised, price, mode = offer.promised_delivery_at, offer.price, route.mode
            destination_hub, eta_s, legs = route.destination_hub, route.eta_s, route.legs()
        else:
            promised = route.ready_at + self.engine.standard
            price, mode, destination_hub, eta_s, legs = (
                order.standard_price,
                "standard",
                None,
                None,
                None,
            )
        flight_id = (
            None
            if launch_at is None
            else flight_public_id(route.origin_hub, route.destination_hub, launch_at)
        )
        status, sub_status = created(Move.BOOK_HELD if held else Move.BOOK)
        values: dict[str, Any] = {
            "public_id": order.public_id,
            "tracking_number": _tracking_number(),
            "merchant_id": principal.merchant_pk,
            "merchant_public_id": principal.merchant_id,
            "flight_id": flight_pk,
            "flight_public_id": flight_id,
            "reference": order.reference,
            "service": service,
            "mode": mode,
            "channel": c.channel,
            "status": status.value,
            "sub_status": sub_status.value,
            "origin_hub": route.origin_hub,
            "destination_hub": destination_hub,
            "destination": c.place.stored(),
            "parcels": list(c.parcels),
            "mass_g": load.mass_g,
            "volume_cm3": load.volume_cm3,
            "ready_at": route.ready_at,
            "launch_at": launch_at,
            "eta_s": None if eta_s is None else round(eta_s, 3),
            "legs": legs,
            "promised_delivery_at": promised,
            "price_amount": format(cents(price), "f"),
            "price_currency": "USD",
            "customs": None if clearance is None else customs_out(clearance),
            "customs_decision": None if clearance is None else str(clearance.decision),
            "downgrade_reason": downgrade,
            "quote_id": order.quote_id,
            "stock_hubs": None if c.stock_hubs is None else list(c.stock_hubs),
            "created_at": now,
            "updated_at": now,
        }
        # Core rather than the ORM unit of work: one prebuilt INSERT … RETURNING id, and the
        # response is rendered from the very values written (what a flushed row would hold).
        values["id"] = session.execute(_SHIPMENT_INSERT, values).scalar_one()
        row = SimpleNamespace(**values)
        declaration = None if clearance is None else clearance.declaration
        if clearance is not None and declaration is not None:
            record_import(session, row.id, clearance, now)
            de_minimis = None if clearance.duties is None else clearance.duties.de_minimis
            if de_minimis is not None and de_minimis.aggregated_with:
                # Summed with the recipient's earlier parcels of the day: re-assess them on the
                # new total (they lose their relief with this one).
                reassess_day(
                    session,
                    declaration,
                    now=now,
                    cause=f"same-day parcel {order.public_id} to the same recipient",
                )
        if held:
            message = f"customs hold: {clearance.note if clearance else ''}"
        elif flight_id is not None and launch_at is not None:
            message = f"booked on {flight_id} launching {_iso(launch_at)}"
        else:
            message = f"booked for the {service.replace('_', '-')} service ({mode})"
        if downgrade is not None and not held:
            message += f"; one-hour unavailable: {downgrade}"
        EventWriter(session).emit(
            EventShipment(
                pk=row.id,
                public_id=row.public_id,
                tracking_number=row.tracking_number,
                reference=row.reference,
                merchant_pk=principal.merchant_pk,
            ),
            status,
            sub_status,
            message,
            flight_public_id=flight_id,
            occurred_at=now,
        )
        return BookingResult(201, shipment_public(row), replayed=False)

    # --- cancellation -------------------------------------------------------------------------

    def cancel(self, principal: Principal, shipment_id: str) -> schemas.ShipmentPublic:
        """Cancel and release the flight capacity; cancelling twice returns the shipment.

        A :data:`~rocketpost.service.transitions.Move.CANCEL` on the locked shipment (locks:
        the recipient's, then the shipment's, then its flight's through the release).
        """
        return retrying(self.db, lambda session: self._cancel(session, principal, shipment_id))

    def _cancel(
        self, session: Session, principal: Principal, shipment_id: str
    ) -> schemas.ShipmentPublic:
        now = utcnow()
        found = own_shipment(session, principal, shipment_id)
        stored = session.scalars(
            select(CustomsImport).where(CustomsImport.shipment_id == found.id)
        ).first()
        if stored is not None:
            lock_recipient(session, stored.market, stored.recipient_id)
        (row,) = lock_shipments(session, Shipment.id == found.id)
        had_seat = holds_seat(row.status, row.flight_id)
        if apply(session, row, Move.CANCEL, now).target is None:
            return shipment_public(row)  # cancelling again: the first cancel's answer
        declaration = forget_import(session, row.id)
        if declaration is not None:
            reassess_day(
                session,
                declaration,
                now=now,
                cause=f"same-day parcel {row.public_id} cancelled",
            )
        EventWriter(session).emit_for(
            row,
            Status.CANCELLED,
            SubStatus.CANCELLED,
            "cancelled; capacity released" if had_seat else "cancelled",
            occurred_at=now,
        )
        session.flush()
        return shipment_public(row)
