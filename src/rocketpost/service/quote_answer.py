"""A quote: one shipment quoted, and the answer ``POST /v1/quotes`` gives for it.

:class:`Quote` is one immutable value: the route, the customs pre-clearance, the one-hour
decision, both prices and promises, the same-day offer. :mod:`rocketpost.service.quotes` makes
it (:meth:`~rocketpost.service.quotes.Quotes.quote`) and a booking books it; here it is turned
into its answer (:meth:`Quote.public`, validated once, as a whole) and its signed token
(:meth:`Quote.token`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from rocketpost.customs import Clearance
from rocketpost.promise.confidence import PromiseAtConfidence
from rocketpost.service import schemas
from rocketpost.service.clearance import customs_out
from rocketpost.service.consignment import Consignment
from rocketpost.service.quoting import Assessment, RoutePlan, cents, flight_public_id
from rocketpost.service.sameday import SameDayOffer
from rocketpost.service.tokens import QuoteToken

__all__ = ["CURRENCY", "Quote"]

CURRENCY = "USD"


def _money_fields(amount: Decimal) -> dict[str, str]:
    return {"amount": format(cents(amount), "f"), "currency": CURRENCY}


@dataclass(frozen=True)
class Quote:
    """One shipment quoted: route, customs, the one-hour decision, both prices and promises.

    ``one_hour_price`` is what the one-hour service costs whether or not it is available (a
    booking that falls back to it later, or a quote issued before customs data, is priced the
    same); ``promised_delivery_at`` is ``None`` when one hour cannot be promised.
    """

    merchant_id: str
    consignment: Consignment
    route: RoutePlan
    clearance: Clearance | None
    assessment: Assessment
    cross_border: bool
    one_hour_price: Decimal
    standard_price: Decimal
    earliest_delivery_at: datetime
    promised_delivery_at: datetime | None
    standard_delivery_at: datetime
    confidence: PromiseAtConfidence | None = None
    decided_by: str = "confidence"
    inspection_p: float | None = None
    same_day: SameDayOffer | None = None
    next_seat_at: datetime | None = None  # no_capacity: the lane's first later wave with a seat

    def _at(self, seconds: float) -> datetime | None:
        if not math.isfinite(seconds):
            return None
        return self.route.ready_at + timedelta(seconds=math.ceil(seconds))

    # The answer is built as plain JSON-ready values and validated once, as a whole, by
    # :meth:`public` (one pydantic call instead of one per nested model: issue #14's quote path).

    def _one_hour_fields(self) -> dict[str, Any]:
        route, assessment = self.route, self.assessment
        return {
            "available": assessment.available,
            "reason": assessment.reason,
            "message": assessment.message,
            "origin_hub": route.origin_hub,
            "destination_hub": route.destination_hub,
            "mode": route.mode,
            "launch_at": route.launch_at,
            "flight_id": None
            if route.launch_at is None
            else flight_public_id(route.origin_hub, route.destination_hub, route.launch_at),
            "eta_s": round(route.eta_s, 3),
            "legs": route.legs(),
            "earliest_delivery_at": self.earliest_delivery_at,
            "promised_delivery_at": self.promised_delivery_at,
            "price": _money_fields(self.one_hour_price) if assessment.available else None,
            "next_seat_at": self.next_seat_at,
            **self._confidence_public(),
        }

    def one_hour_public(self) -> schemas.OneHourOption:
        """The one-hour option as answered (leg by leg; why not, when unavailable)."""
        return schemas.OneHourOption.model_validate(self._one_hour_fields())

    def _confidence_public(self) -> dict[str, Any]:
        c = self.confidence
        if c is None:
            return {}
        return {
            "p_on_time": round(c.p_on_time, 6),
            "p50_delivery_at": self._at(c.p50_s),
            "p90_delivery_at": self._at(c.p90_s),
            "p99_delivery_at": self._at(c.p99_s),
            "confidence": c.target,
            "decided_by": self.decided_by,
            "limiting_leg": c.limiting_leg,
            "earliest_at_confidence_at": self._at(c.earliest_at_target_s),
            "fallback_hub": c.fallback_hub,
        }

    def _same_day_fields(self) -> dict[str, Any] | None:
        offer = self.same_day
        if offer is None:
            return None
        return {
            "available": offer.available,
            "reason": offer.reason,
            "message": offer.message,
            "promised_delivery_at": offer.promised_delivery_at,
            "price": _money_fields(offer.price) if offer.available else None,
        }

    def same_day_public(self) -> schemas.SameDayOption | None:
        """The same-day option as answered (:mod:`rocketpost.service.sameday`)."""
        fields = self._same_day_fields()
        return None if fields is None else schemas.SameDayOption.model_validate(fields)

    def _standard_fields(self) -> dict[str, Any]:
        return {
            "available": True,
            "promised_delivery_at": self.standard_delivery_at,
            "price": _money_fields(self.standard_price),
        }

    def standard_public(self) -> schemas.StandardOption:
        """The standard option as answered."""
        return schemas.StandardOption.model_validate(self._standard_fields())

    def token(self, expires_at: datetime) -> QuoteToken:
        """What the quote id signs: the inputs to quote it again, and the prices offered."""
        c = self.consignment
        return QuoteToken(
            merchant_id=self.merchant_id,
            origin_hub=self.route.origin_hub,
            destination=c.place,
            channel=c.channel,
            ready_at=c.ready_at,
            expires_at=expires_at,
            parcels=list(c.parcels),
            mass_kg=c.mass_kg,
            volume_m3=c.volume_m3,
            one_hour_price=format(cents(self.one_hour_price), "f")
            if self.assessment.available
            else None,
            standard_price=format(cents(self.standard_price), "f"),
            stock_hubs=c.stock_hubs,
        )

    def public(self, quote_id: str, expires_at: datetime) -> schemas.QuotePublic:
        """The answer of ``POST /v1/quotes`` (validated once, as a whole)."""
        c = self.consignment
        return schemas.QuotePublic.model_validate(
            {
                "quote_id": quote_id,
                "expires_at": expires_at.replace(microsecond=0),
                "ready_at": c.ready_at,
                "destination": c.place.stored(),
                "mass_kg": c.mass_kg,
                "volume_m3": c.volume_m3,
                "channel": c.channel,
                "cross_border": self.cross_border,
                "one_hour": self._one_hour_fields(),
                "same_day": self._same_day_fields(),
                "standard": self._standard_fields(),
                "customs": None if self.clearance is None else customs_out(self.clearance),
            }
        )
