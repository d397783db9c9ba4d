"""The quote use-case: ``quote(consignment) -> Quote``, for ``POST /v1/quotes`` and for booking.

A :class:`~rocketpost.service.quote_answer.Quote` is one immutable object: the route, the
customs pre-clearance, the one-hour decision and both prices. ``POST /v1/quotes`` answers it
(:meth:`~rocketpost.service.quote_answer.Quote.public`) with a signed
quote id (:mod:`rocketpost.service.tokens`); a booking books it. Both compute it with the same
:meth:`Quotes.quote`, so a booking can never price, route or clear a shipment differently from
the quote its merchant saw — only with more knowledge (the recipient's earlier imports, the
merchant's current customs record, the capacity left on the flight).

A quote writes nothing to the database, which is how quoting scales like a pure function;
``POST /v1/quotes`` reads the day's flights through the flight board, at most once a second
per day and worker (:meth:`Quotes.on_a_flight`: the hour is offered on the wave a booking
would take, :mod:`rocketpost.service.flightboard`).
Per request the work is the route (:meth:`rocketpost.service.quoting.QuoteEngine.plan`), a
cached place lookup, when customs items are sent one :func:`rocketpost.customs.clearance`, and
the delivery-time distribution under the current conditions (:mod:`rocketpost.promise`: ~0.7 ms
for a lane's first quote, ~0.1 ms once its grids and quantiles are cached).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from rocketpost.core.eligibility import Reason
from rocketpost.core.routes import Routes
from rocketpost.customs import RecipientHistory, SellerTrust
from rocketpost.errors import InputError
from rocketpost.promise.conditions import Conditions, HubWeather, SiteSea
from rocketpost.promise.confidence import (
    PromiseAtConfidence,
)
from rocketpost.service import schemas
from rocketpost.service.auth import Principal
from rocketpost.service.capacity import (
    CAPACITY_WAVES,
    NO_ROOM,
    FlightKey,
    Load,
    candidate_waves,
    first_wave,
)
from rocketpost.service.clearance import ShipmentToClear, run_clearance
from rocketpost.service.consignment import Consignment
from rocketpost.service.flightboard import FlightBoard
from rocketpost.service.merchants import principal_trust
from rocketpost.service.models import utcnow
from rocketpost.service.quote_answer import Quote
from rocketpost.service.quote_promise import (
    ShipmentFacts,
    below_message,
    later_wave,
    plan_from_stock,
    route_promise,
)
from rocketpost.service.quoting import QuoteEngine, RoutePlan, cents
from rocketpost.service.sameday import (
    NO_SAME_DAY_ROOM,
    offer_same_day,
    one_hour_reserve,
    same_day_wave,
)
from rocketpost.service.tokens import sign_token

__all__ = ["BELOW_CONFIDENCE", "NO_CAPACITY", "Quotes"]

BELOW_CONFIDENCE = Reason.BELOW_CONFIDENCE.value
"""Reason of a one-hour option that the physics and the buffer allow but the declared conditions
do not, at the network's confidence (docs/promise.md)."""

NO_CAPACITY = Reason.NO_CAPACITY.value
"""Reason of an option no booking could seat now: no wave that keeps its promise has room in a
hold or an airframe to open a flight (the flight board, :meth:`Quotes.on_a_flight`)."""


class Quotes:
    """Quoting for one app: the engine, the key quote ids are signed with, their lifetime."""

    def __init__(
        self,
        engine: QuoteEngine,
        signing_key: bytes,
        *,
        ttl_s: float,
        conditions: Conditions | None = None,
    ) -> None:
        self.engine = engine
        self.signing_key = signing_key
        self.ttl = timedelta(seconds=ttl_s)
        self.target = float(engine.network.promise.confidence)
        # Only a fleet that keeps a spare airframe at each hub flies the fallback (Settings):
        # the engine's fleet keeps it exactly when the engine counts fallbacks.
        self.count_fallbacks = engine.fallbacks
        hub_ids = engine.network.hub_ids
        self._conditions = conditions or Conditions(known_ids=hub_ids)
        self._declare = threading.Lock()  # read-modify-write of the conditions
        self.conditions_source: Callable[[], Conditions] | None = None
        # The app's flight board: POST /v1/quotes offers the hour on a wave a booking can take
        # (service/flightboard.py). None (a library user, a test): the quoted wave as routed.
        self.board: FlightBoard | None = None

    # --- conditions (ops) ---------------------------------------------------------------------
    # The app reads them from the database (``conditions_source``: the store, shared by every
    # worker, docs/promise.md); without one (a library user, a test) they are this object's own,
    # declared with the methods below. Readers take the current immutable value without a lock.

    @property
    def conditions(self) -> Conditions:
        """The conditions quotes are made under now."""
        source = self.conditions_source
        return self._conditions if source is None else source()

    def declare_hub(self, hub_id: str, weather: HubWeather) -> Conditions:
        """Declare a hub's weather (unknown hub: ``InputError`` on ``hub_id``)."""
        self.engine.check_origin(hub_id, "hub_id")
        with self._declare:
            self._conditions = self._conditions.with_hub(hub_id, weather)
            return self._conditions

    def declare_site(self, site_id: str, sea: SiteSea) -> Conditions:
        """Declare a landing site's sea state (today a site is a hub's zone, named by its id)."""
        if site_id not in self.engine.network.hub_ids:
            raise InputError("site_id", site_id, "unknown landing site")
        with self._declare:
            self._conditions = self._conditions.with_site(site_id, sea)
            return self._conditions

    def at_confidence(
        self,
        route: RoutePlan,
        facts: ShipmentFacts,
        *,
        explain: bool,
        kernel: Routes | None = None,
    ) -> PromiseAtConfidence:
        """The decision at the network's confidence for a shipment of ``facts`` on ``route``
        under the current conditions (:func:`rocketpost.service.quote_promise.route_promise`:
        with the stock's hubs told and ``count_fallbacks``, counting the fallback as the planner
        does)."""
        if not self.count_fallbacks and facts.stock is not None:
            facts = replace(facts, stock=None)
        return route_promise(
            self.engine, self.conditions, self.target, route, facts, explain=explain, kernel=kernel
        )

    def promise_on(self, quote: Quote, route: RoutePlan) -> PromiseAtConfidence:
        """The decision at the confidence for ``quote``'s shipment on ``route`` (the quoted
        route, or a later wave of it: booking's search for a wave with room). The quoted route
        itself was decided by the quote, on the same route and facts: that decision is kept."""
        if route is quote.route and quote.confidence is not None:
            return quote.confidence
        return self.at_confidence(
            route,
            ShipmentFacts.of(
                quote.consignment, quote.clearance, quote.cross_border, quote.inspection_p
            ),
            explain=False,
            kernel=None if quote.consignment.stock_hubs is None else later_wave(quote.route, route),
        )

    def quote(
        self,
        consignment: Consignment,
        *,
        merchant_id: str,
        customs: schemas.CustomsIn | None,
        trust: SellerTrust,
        order_id: str = "quote",
        history: RecipientHistory | None = None,
        distribution: bool = True,
    ) -> Quote:
        """Route, pre-clear, decide and price one consignment.

        ``order_id`` names the customs declaration (a booking's shipment id); ``history`` is the
        recipient's earlier imports (booking reads them; a quote's duties are the parcel's own);
        The hour is decided at the network's confidence (:mod:`rocketpost.promise.decision`);
        ``distribution`` also explains a refusal (the limiting leg: five more distributions; a
        quote answers it, a booking does not need it).

        Raises
        ------
        rocketpost.errors.InputError
            Unknown origin hub, or customs items that customs refuses (fields named).
        """
        engine, c = self.engine, consignment
        dangerous_goods = set(c.dangerous_goods)
        if customs is not None:
            dangerous_goods |= {
                i.dangerous_goods_class for i in customs.items if i.dangerous_goods_class
            }
        route = plan_from_stock(engine, c, dangerous_goods)
        clearance = None
        if customs is not None:
            clearance = run_clearance(
                customs,
                ShipmentToClear(
                    order_id=order_id,
                    merchant_id=merchant_id,
                    channel=c.channel,
                    ready_at=c.ready_at,
                    place=c.place,
                    origin_hub=route.origin_hub,
                    origin_country=route.origin_country,
                ),
                history=history,
                trust=trust,
            )
        same_day = offer_same_day(
            engine,
            route,
            mass_kg=c.mass_kg,
            volume_m3=c.volume_m3,
            dangerous_goods=dangerous_goods,
            customs=clearance,
        )
        # A known customs inspection is a leg of the route: the promise, the booking's search
        # for a wave that keeps it, and the legs shown all count it.
        if clearance is not None and clearance.inspection_delay_s:
            route = route.with_customs_s(float(clearance.inspection_delay_s))
        cross_border = engine.cross_border(route, c.place)
        inspection_p = None
        if clearance is not None and clearance.relative_risk is not None:
            inspection_p = self.conditions.inspection_odds(clearance.relative_risk)
        # The one decision at the network's confidence (rocketpost.promise.decision): the hour is
        # promised iff P(on time) under the current conditions ≥ the target.
        at_confidence = self.at_confidence(
            route,
            ShipmentFacts.of(c, clearance, cross_border, inspection_p),
            explain=distribution,
        )
        assessment = engine.assess(
            route,
            c.place,
            mass_kg=c.mass_kg,
            volume_m3=c.volume_m3,
            dangerous_goods=dangerous_goods,
            customs=clearance,
            origin_hub=c.origin_hub if c.stock_hubs is None else route.origin_hub,
            on_time=at_confidence.kept,
        )
        promised = None
        if assessment.available:
            promised = route.ready_at + timedelta(
                seconds=math.ceil(at_confidence.earliest_at_target_s)
            )
        elif assessment.reason == BELOW_CONFIDENCE:
            assessment = replace(assessment, message=below_message(at_confidence, route.origin_hub))
        decided_by = "confidence"
        return Quote(
            merchant_id=merchant_id,
            consignment=c,
            route=route,
            clearance=clearance,
            assessment=assessment,
            cross_border=cross_border,
            one_hour_price=cents(engine.one_hour_price(route, c.mass_kg, c.volume_m3)),
            standard_price=cents(engine.standard_price(c.mass_kg)),
            earliest_delivery_at=route.ready_at + timedelta(seconds=assessment.earliest_s),
            promised_delivery_at=promised,
            standard_delivery_at=c.ready_at + engine.standard,
            confidence=at_confidence,
            decided_by=decided_by,
            inspection_p=inspection_p,
            same_day=same_day,
        )

    def on_a_flight(self, quote: Quote, board: FlightBoard, now: datetime) -> Quote:
        """``quote`` as a booking would seat it now: the one-hour option on the wave the
        booking's own search (:func:`~rocketpost.service.capacity.first_wave`, with the board
        as its taker) finds, promised by the decision on that wave, and the same-day option
        where the same-day booking's search (:func:`~rocketpost.service.sameday.
        same_day_wave`) finds a seat beyond the one-hour share; each unavailable with reason
        ``no_capacity`` when its search finds no room (in a hold, or an airframe to open a
        flight)."""
        load = Load.of(quote.consignment.mass_kg, quote.consignment.volume_m3)
        offer = quote.same_day
        if offer is not None and offer.available:
            leave = one_hour_reserve(board.hold)
            if (
                same_day_wave(
                    self.engine, quote.route, lambda f: board.seats(f, load, leave) or None, now=now
                )
                is None
            ):
                quote = replace(
                    quote,
                    same_day=replace(
                        offer,
                        available=False,
                        reason=NO_CAPACITY,
                        message=NO_SAME_DAY_ROOM,
                        promised_delivery_at=None,
                    ),
                )
        route = quote.route
        if not quote.assessment.available or route.mode != "rocket":
            return quote

        # With no seat on any of its waves the search finds nothing, whatever it decides: the
        # decisions (the search's dear part) are made only when some wave has a seat.
        waves = candidate_waves(route, now=now, waves=CAPACITY_WAVES)
        seated = any(board.seats(flight, load) for _, flight in waves)
        found = (
            first_wave(
                route,
                lambda r: self.promise_on(quote, r),
                lambda flight: board.seats(flight, load) or None,
                now=now,
                waves=CAPACITY_WAVES,
            )
            if seated
            else None
        )
        if found is None:
            assert route.launch_at is not None  # a rocket route has its wave
            after = FlightKey(route.origin_hub, route.destination_hub, route.launch_at)
            return replace(
                quote,
                assessment=replace(
                    quote.assessment, available=False, reason=NO_CAPACITY, message=NO_ROOM
                ),
                promised_delivery_at=None,
                next_seat_at=board.next_seat(after, load),
            )
        _, on_wave, decision = found
        if on_wave is route:
            return quote
        return replace(
            quote,
            route=on_wave,
            confidence=decision,
            promised_delivery_at=route.ready_at
            + timedelta(seconds=math.ceil(decision.earliest_at_target_s)),
        )

    def issue(self, principal: Principal, body: schemas.QuoteRequest) -> schemas.QuotePublic:
        """``POST /v1/quotes``: quote the request and sign the quote id (nothing is stored).

        Screens customs with the merchant's record as cached with its key (a preview; a booking
        re-reads it in its transaction).
        """
        now = utcnow()
        quote = self.quote(
            Consignment.from_request(self.engine, body, now),
            merchant_id=principal.merchant_id,
            customs=body.customs,
            trust=principal_trust(principal),
        )
        if self.board is not None:
            quote = self.on_a_flight(quote, self.board, now)
        expires_at = now + self.ttl
        return quote.public(sign_token(quote.token(expires_at), self.signing_key), expires_at)
