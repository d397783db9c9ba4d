"""Same-day by rocket at the API: the quote's option, its price, and the seat a booking takes.

The second rocket tier sells the room one-hour flights leave (docs/service.md):

* **Decision.** The one eligibility rule, :func:`rocketpost.core.eligibility.same_day_reasons`,
  on the quote's own route row (the door-to-door kernel's): by rocket, delivered within
  :data:`~rocketpost.core.eligibility.SAME_DAY_WINDOW_S` (12 h) of ``ready_at`` with the customs
  inspection and the promise buffer; never for a customs hold, dangerous goods of classes 1–8
  or a load over one rocket. Promised: ``ready_at`` + 12 h.
* **Price.** A fee plus half the share of a flight the one-hour price charges
  (:data:`SAME_DAY_FEE_USD`, :data:`SAME_DAY_FLIGHT_SHARE`): it fills space that would fly
  empty, so it costs less than the hour and, per kilogram, more than the 5-day service.
* **Capacity.** A same-day booking reserves on the first wave of its lane, from the quoted
  one, that is in the future, still keeps the same-day promise, and has room *beyond the
  one-hour share*: :data:`ONE_HOUR_RESERVED_SHARE` of every hold stays free of same-day loads
  (:func:`rocketpost.service.capacity.reserve` with ``leave``, the same single atomic statement as a
  one-hour seat, with the share added to its condition). One-hour bookings may use the whole
  hold. So a one-hour booking is refused for capacity only when one-hour loads themselves hold
  at least that share of the flight: same-day never takes the room the reserve guarantees.
* **Scrub.** When its flight is scrubbed, a same-day shipment moves after the flight's one-hour
  shipments (:class:`rocketpost.service.flights.FlightOps`), through
  :func:`later_flight_for_same_day`: the first later flight of its lane that still keeps its
  12 h promise and has room beyond the one-hour share, however many waves later (its promise,
  not the reschedule window, bounds the wait), with its promise unchanged. So a scrubbed
  same-day load never takes the seat a scrubbed or a new one-hour shipment needs on the next
  wave; none left in its promise → the standard service.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

import numpy as np
from sqlalchemy.orm import Session

from rocketpost.core.eligibility import (
    REASONS,
    SAME_DAY_WINDOW_S,
    Reason,
    exceeds_rocket,
    forbidden_dangerous_goods,
    keeps_promise,
    same_day_reasons,
)
from rocketpost.customs import Clearance
from rocketpost.errors import InputError
from rocketpost.service.capacity import FlightKey, Hold, Load, reserve
from rocketpost.service.quoting import TARGET_LOAD_FACTOR, QuoteEngine, RoutePlan, cents

__all__ = [
    "NO_SAME_DAY_ROOM",
    "ONE_HOUR_RESERVED_SHARE",
    "SAME_DAY_FEE_USD",
    "SAME_DAY_FLIGHT_SHARE",
    "SameDayOffer",
    "first_wave_for_same_day",
    "later_flight_for_same_day",
    "offer_same_day",
    "one_hour_reserve",
    "same_day_price",
    "same_day_wave",
]

T = TypeVar("T")

NO_SAME_DAY_ROOM = (
    "no flight that keeps the same-day promise has room left"
    " (in its hold, or a free pad and an airframe to fly it)"
)
"""Why a same-day shipment finds no seat (a booking's 409 ``no_capacity``, a quote's reason)."""

ONE_HOUR_RESERVED_SHARE = 0.25
"""Share of every flight's hold (mass and volume) that same-day bookings leave free for
one-hour ones: 2.5 t / 30 m³ of an XZY-1, over a hundred times the one-hour load a planned
day puts on a flight (docs/planning.md), while same-day may still fill three quarters."""

SAME_DAY_FEE_USD = Decimal("10")
"""Handling fee of a same-day shipment (one hour: US$15, standard: US$9)."""

SAME_DAY_FLIGHT_SHARE = Decimal("0.5")
"""Same-day pays this fraction of the flight share the one-hour price charges."""


@dataclass(frozen=True)
class SameDayOffer:
    """The same-day option of one quote: available or why not, its promise and price."""

    available: bool
    reason: str | None
    message: str | None
    promised_delivery_at: datetime | None
    price: Decimal


def same_day_price(engine: QuoteEngine, mass_kg: float, volume_m3: float) -> Decimal:
    """Fee plus :data:`SAME_DAY_FLIGHT_SHARE` of the one-hour price's share of a flight."""
    share = max(mass_kg / engine.capacity_kg, volume_m3 / engine.capacity_m3)
    flight_share = engine.network.rocket.cost_per_flight_usd / TARGET_LOAD_FACTOR
    return cents(
        SAME_DAY_FEE_USD
        + SAME_DAY_FLIGHT_SHARE * Decimal(repr(round(share * float(flight_share), 2)))
    )


def offer_same_day(
    engine: QuoteEngine,
    route: RoutePlan,
    *,
    mass_kg: float,
    volume_m3: float,
    dangerous_goods: Iterable[str],
    customs: Clearance | None,
) -> SameDayOffer:
    """The same-day decision for one quoted shipment (see the module docstring).

    ``route`` is :meth:`QuoteEngine.plan`'s (before any inspection is added to it).
    """
    if route.kernel is None:
        raise InputError("route", route, "must come from QuoteEngine.plan")
    inspection_s = 0.0
    if customs is not None and customs.inspection_delay_s is not None:
        inspection_s = float(customs.inspection_delay_s)
    forbidden = forbidden_dangerous_goods(dangerous_goods)
    held = customs is not None and not customs.may_fly
    codes = same_day_reasons(
        engine.network,
        route.kernel,
        held=np.array([held]),
        inspection_s=np.array([inspection_s]),
        dangerous=np.array([bool(forbidden)]),
        too_heavy=np.array([bool(exceeds_rocket(engine.network, mass_kg, volume_m3))]),
        has_stock=np.array([True]),
    )
    reason = REASONS[int(codes[0])]
    price = same_day_price(engine, mass_kg, volume_m3)
    if reason is Reason.OK:
        promised = route.ready_at + timedelta(seconds=SAME_DAY_WINDOW_S)
        return SameDayOffer(True, None, None, promised, price)
    earliest_h = (float(route.kernel.total_s[0]) + inspection_s) / 3600.0  # seconds to hours
    messages = {
        Reason.CUSTOMS_HOLD: customs.note if customs is not None else None,
        Reason.DANGEROUS_GOODS: f"UN class {forbidden[0] if forbidden else '?'} may not fly",
        Reason.TOO_HEAVY: f"{mass_kg:g} kg / {volume_m3:g} m³ exceeds one rocket",
        Reason.NO_ROCKET_ROUTE: "the fastest delivery is by ground from the origin: it does "
        "not fly (see the one-hour option)",
        Reason.BEYOND_SAME_DAY: f"earliest delivery is {earliest_h:.1f} h after ready_at "
        f"(same-day: {SAME_DAY_WINDOW_S / 3600.0:g} h, buffer {engine.buffer_s / 60:g} min)",
    }
    return SameDayOffer(False, reason.value, messages.get(reason), None, price)


def one_hour_reserve(hold: Hold) -> Load:
    """What same-day bookings leave free on every flight: the one-hour share of ``hold``."""
    return Load(
        math.ceil(hold.capacity_g * ONE_HOUR_RESERVED_SHARE),
        math.ceil(hold.capacity_cm3 * ONE_HOUR_RESERVED_SHARE),
    )


def same_day_wave(
    engine: QuoteEngine,
    route: RoutePlan,
    take: Callable[[FlightKey], T | None],
    *,
    now: datetime,
) -> tuple[T, RoutePlan] | None:
    """The first wave of the lane, from the quoted one on, that is in the future, keeps the
    same-day promise and that ``take`` takes; ``(what take returned, route on that wave)``.

    A booking takes a seat beyond the one-hour share (:func:`first_wave_for_same_day`); a quote
    asks the flight board whether it would (:meth:`rocketpost.service.quotes.Quotes.
    on_a_flight`): one search, two takers."""
    if route.launch_at is None or route.wave_interval_s <= 0:
        return None
    waves = math.ceil(SAME_DAY_WINDOW_S / route.wave_interval_s) + 1
    for k in range(waves):
        candidate = route.shifted(k)
        assert candidate.launch_at is not None
        if not keeps_promise(engine.network, candidate.eta_s, SAME_DAY_WINDOW_S):
            return None
        if candidate.launch_at <= now:
            continue
        taken = take(
            FlightKey(candidate.origin_hub, candidate.destination_hub, candidate.launch_at)
        )
        if taken is not None:
            return taken, candidate
    return None


def first_wave_for_same_day(
    session: Session,
    engine: QuoteEngine,
    hold: Hold,
    route: RoutePlan,
    *,
    load: Load,
    now: datetime,
) -> tuple[int, RoutePlan] | None:
    """Reserve on the first wave of the lane, from the quoted one on, that is in the future,
    keeps the same-day promise and has room beyond the one-hour share (:func:`same_day_wave`);
    ``(flight id, route on that wave)``, or ``None``."""
    leave = one_hour_reserve(hold)
    return same_day_wave(
        engine,
        route,
        lambda flight: reserve(session, engine.fleet, flight, load, hold, now, leave),
        now=now,
    )


def later_flight_for_same_day(
    session: Session,
    engine: QuoteEngine,
    hold: Hold,
    scrubbed: FlightKey,
    *,
    interval_s: float,
    eta_s: float,
    load: Load,
    now: datetime,
) -> tuple[int, datetime, float] | None:
    """Reserve a same-day shipment of the ``scrubbed`` flight on the first later flight of the
    lane that is in the future, keeps the same-day promise and has room beyond the one-hour
    share; ``(flight id, its launch, the delay in s)``, or ``None``.

    ``eta_s`` is the shipment's delivery on the scrubbed flight, seconds after its ``ready_at``
    (the booking's, with any earlier delay); a flight ``k`` launch intervals later delivers
    ``k × interval_s`` later, which must still be within
    :data:`~rocketpost.core.eligibility.SAME_DAY_WINDOW_S` with the promise buffer (the same
    test as :func:`first_wave_for_same_day`).
    """
    if interval_s <= 0:
        return None
    leave = one_hour_reserve(hold)
    k = 1
    while keeps_promise(engine.network, eta_s + k * interval_s, SAME_DAY_WINDOW_S):
        delay_s = k * interval_s
        launch_at = scrubbed.launch_at + timedelta(seconds=delay_s)
        k += 1
        if launch_at <= now:
            continue
        flight = FlightKey(scrubbed.origin_hub, scrubbed.destination_hub, launch_at)
        flight_pk = reserve(session, engine.fleet, flight, load, hold, now, leave)
        if flight_pk is not None:
            return flight_pk, launch_at, delay_s
    return None
