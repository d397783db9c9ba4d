"""The quote engine: a route for one shipment, whether one hour can be promised, and prices.

One engine per network, built once per app and shared by quotes (:mod:`rocketpost.service.quotes`),
bookings and flight operations. It writes nothing and keeps no per-request state.

Per request the work is one row of the door-to-door kernel
(:func:`rocketpost.core.doortodoor.door_to_door`, what :func:`rocketpost.core.eta.eta_to_places`
and the planner compute, with the fixed legs precomputed per network) and the one eligibility
rule (:func:`rocketpost.core.eligibility.decide_service`) on that row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from rocketpost.core.doortodoor import LEG_NAMES, Routes, network_legs
from rocketpost.core.eligibility import (
    NEEDS_NEAREST_PORT,
    REASONS,
    Reason,
    decide_service,
    exceeds_rocket,
    forbidden_dangerous_goods,
    parcel_routes,
)
from rocketpost.core.eligibility import keeps_promise as promise_kept
from rocketpost.customs import Clearance
from rocketpost.customs.rules import same_customs_territory
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.service.consignment import ResolvedPlace
from rocketpost.service.fleetadmission import BookableFleet

__all__ = [
    "Assessment",
    "QuoteEngine",
    "RoutePlan",
    "cents",
    "flight_public_id",
]

# Pricing (USD). One hour: a handling fee plus the shipment's share of a flight, by whichever of
# mass and volume binds, at the load factor a well-consolidated network flies (80 %).
ONE_HOUR_FEE_USD = Decimal("15")
TARGET_LOAD_FACTOR = 0.8
GROUND_PER_KG_USD = Decimal("1")
STANDARD_FEE_USD = Decimal("9")
STANDARD_PER_KG_USD = Decimal("6")
_CENT = Decimal("0.01")


# --- routes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoutePlan:
    """The fastest route for one shipment from one (or the best) origin hub.

    ``launch_at`` is the first wave at or after ``ready_at + handling`` (``None`` for a ground
    delivery); ``wave_interval_s`` lets booking try the following waves. ``dangerous`` tells
    that the route was found without rocket and drone (UN classes 1–8); ``kernel`` is the
    door-to-door kernel's row behind it, which :meth:`QuoteEngine.assess` decides on.
    """

    origin_hub: str
    origin_country: str
    destination_hub: str
    mode: str
    legs_s: dict[str, float]
    eta_s: float
    ready_at: datetime
    launch_at: datetime | None
    wave_interval_s: float
    dangerous: bool = False
    kernel: Routes | None = field(default=None, compare=False, repr=False)

    @property
    def last_mile_s(self) -> float:
        """Seconds of the last mile."""
        return self.legs_s["last_mile"]

    def shifted(self, waves: int) -> RoutePlan:
        """The same route ``waves`` launch waves later (a longer wait)."""
        if waves == 0 or self.launch_at is None:
            return self
        extra = waves * self.wave_interval_s
        legs = dict(self.legs_s)
        legs["wave_wait"] += extra
        return RoutePlan(
            origin_hub=self.origin_hub,
            origin_country=self.origin_country,
            destination_hub=self.destination_hub,
            mode=self.mode,
            legs_s=legs,
            eta_s=self.eta_s + extra,
            ready_at=self.ready_at,
            launch_at=self.launch_at + timedelta(seconds=extra),
            wave_interval_s=self.wave_interval_s,
            dangerous=self.dangerous,
        )

    def with_customs_s(self, inspection_s: float) -> RoutePlan:
        """The same route with a known customs inspection in its customs leg and its ETA, so
        that the promise, the wave search and the legs shown all count it."""
        if inspection_s <= 0.0:
            return self
        legs = dict(self.legs_s)
        legs["customs"] += inspection_s
        return replace(self, legs_s=legs, eta_s=self.eta_s + inspection_s)

    def legs(self) -> list[dict[str, Any]]:
        """JSON legs."""
        return [{"leg": name, "duration_s": round(self.legs_s[name], 3)} for name in LEG_NAMES]


def flight_public_id(origin_hub: str, destination_hub: str, launch_at: datetime) -> str:
    """Readable, deterministic flight id: ``flt_HZB_ICN_20261125T0940Z``."""
    stamp = launch_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    if stamp.endswith("00Z"):
        stamp = stamp[:-3] + "Z"
    return f"flt_{origin_hub}_{destination_hub}_{stamp}"


def cents(amount: Decimal) -> Decimal:
    """A price rounded to the cent (half up), as it is quoted, signed and charged."""
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Assessment:
    """Whether the one-hour service can be promised, and why not."""

    available: bool
    reason: str | None
    message: str | None
    earliest_s: float


class QuoteEngine:
    """Routes, one-hour decisions and prices for one network (built once per app)."""

    def __init__(self, network: Network, *, fallbacks: bool = False) -> None:
        self.network = network
        # Whether promises count a front's fallback from another hub holding the stock
        # (ROCKETPOST_PROMISE_FALLBACKS): then every hub keeps the fallback's airframe too.
        self.fallbacks = fallbacks
        self.fleet = BookableFleet.of(network, fallbacks=fallbacks)
        self.capacity_kg = float(network.rocket.payload_mass_kg)
        self.capacity_m3 = float(network.rocket.payload_volume_m3)
        self.buffer_s = float(network.promise.buffer_s)
        self.one_hour_s = float(network.promise.one_hour_s)
        self.standard = timedelta(days=float(network.promise.standard_days))
        self._countries = tuple(h.country for h in network.hubs)
        self._intervals = np.asarray(network.launch_wave_interval_s, dtype=np.float64)
        self._flight_share_usd = float(network.rocket.cost_per_flight_usd) / TARGET_LOAD_FACTOR
        self._hub_ids = network.hub_ids
        self._site_ids = network.site_ids
        # The door-to-door kernel's fixed legs, once per network; per request the kernel
        # evaluates one row (rocketpost.core.doortodoor.door_to_door).
        self.legs = network_legs(network)
        self._origins = {hub: self.legs.origin_indices([hub]) for hub in network.hub_ids}

    def check_origin(self, origin_hub: str | None, field: str = "origin_hub") -> None:
        """Refuse an unknown hub id (field named)."""
        if origin_hub is not None and origin_hub not in self.network.hub_ids:
            raise InputError(
                field, origin_hub, f"unknown hub; one of {', '.join(self.network.hub_ids)}"
            )

    def _route(
        self,
        place: ResolvedPlace,
        *,
        mass_kg: float,
        volume_m3: float,
        ready_at: datetime,
        origin_hub: str | None,
        dangerous: bool,
        reach: bool,
    ) -> Routes:
        return parcel_routes(
            self.legs,
            place.lat_deg,
            place.lon_deg,
            ready_s=ready_at.timestamp(),
            mass_kg=float(mass_kg),
            volume_m3=float(volume_m3),
            dangerous=dangerous,
            origins=None if origin_hub is None else self._origins[origin_hub],
            reach=reach,
        )

    def plan(
        self,
        place: ResolvedPlace,
        *,
        mass_kg: float,
        volume_m3: float,
        ready_at: datetime,
        origin_hub: str | None = None,
        dangerous_goods: Iterable[str] = (),
    ) -> RoutePlan:
        """The fastest route to ``place`` (from ``origin_hub``, or the best hub) that the parcel
        may take: one row of :func:`rocketpost.core.eligibility.parcel_routes` (no rocket over
        the payload; neither rocket nor drone for UN classes 1–8 in ``dangerous_goods``).
        """
        self.check_origin(origin_hub)
        if ready_at.tzinfo is None:
            raise InputError("ready_at", ready_at, "must be timezone-aware (UTC)")
        dangerous = bool(dangerous_goods) and bool(forbidden_dangerous_goods(dangerous_goods))
        routes = self._route(
            place,
            mass_kg=mass_kg,
            volume_m3=volume_m3,
            ready_at=ready_at,
            origin_hub=origin_hub,
            dangerous=dangerous,
            reach=False,  # the nearest port's time: only a late parcel's reason needs it
        )
        legs = routes.legs_s(self.legs)
        origin = int(routes.origin[0])
        mode = "ground" if routes.ground[0] else "rocket"
        launch_at = None
        if mode == "rocket":
            # Waves are whole multiples of the interval: the kernel's launch time is exact, so
            # every booking for one wave names exactly the same flight.
            launch_at = datetime.fromtimestamp(round(float(routes.launch_s[0])), tz=UTC)
        return RoutePlan(
            origin_hub=self._hub_ids[origin],
            origin_country=self._countries[origin],
            destination_hub=self._site_ids[int(routes.destination[0])],
            mode=mode,
            legs_s=legs,
            eta_s=float(routes.total_s[0]),
            ready_at=ready_at,
            launch_at=launch_at,
            wave_interval_s=float(self._intervals[origin]),
            dangerous=dangerous,
            kernel=routes,
        )

    def keeps_promise(self, eta_s: float) -> bool:
        """Whether an ETA plus the promise buffer fits in the one-hour promise."""
        return bool(promise_kept(self.network, eta_s))

    def assess(
        self,
        route: RoutePlan,
        place: ResolvedPlace,
        *,
        mass_kg: float,
        volume_m3: float,
        dangerous_goods: Iterable[str],
        customs: Clearance | None,
        origin_hub: str | None = None,
        on_time: bool | None = None,
    ) -> Assessment:
        """One-hour or not, with the first reason that bites: the one eligibility rule
        (:func:`rocketpost.core.eligibility.decide_service`) on this shipment's one row.

        ``route`` is what :meth:`plan` returned for the same parcel, place and origin;
        ``on_time`` the decision at the network's confidence
        (:func:`rocketpost.promise.decision.meets_confidence`, made by the quote), which then
        replaces the buffer rule.
        """
        if route.kernel is None:
            raise InputError("route", route, "must come from QuoteEngine.plan")
        inspection_s = 0.0
        if customs is not None and customs.inspection_delay_s is not None:
            inspection_s = float(customs.inspection_delay_s)
        forbidden = forbidden_dangerous_goods(dangerous_goods)
        heavy = bool(exceeds_rocket(self.network, mass_kg, volume_m3))
        held = customs is not None and not customs.may_fly

        def decide(routes: Routes) -> Reason:
            _, reasons = decide_service(
                self.network,
                routes,
                held=np.array([held]),
                inspection_s=np.array([inspection_s]),
                dangerous=np.array([bool(forbidden)]),
                too_heavy=np.array([heavy]),
                has_stock=np.array([True]),
                on_time=None if on_time is None else np.array([on_time]),
            )
            return REASONS[int(reasons[0])]

        routes = route.kernel
        reason = decide(routes)
        if reason in NEEDS_NEAREST_PORT and np.isnan(routes.nearest_port_s[0]):
            # Only these reasons read the nearest port's time, which routing skipped (a third
            # of a quote's time when every refused parcel was routed again).
            routes = self._route(
                place,
                mass_kg=mass_kg,
                volume_m3=volume_m3,
                ready_at=route.ready_at,
                origin_hub=origin_hub,
                dangerous=route.dangerous,
                reach=True,
            )
            reason = decide(routes)
        earliest = float(routes.total_s[0]) + inspection_s
        if reason is Reason.OK:
            return Assessment(True, None, None, earliest)
        if reason in (Reason.CUSTOMS_HOLD, Reason.CUSTOMS_INSPECTION):
            message = customs.note if customs is not None else None
        elif reason is Reason.DANGEROUS_GOODS:
            message = (
                f"UN class {forbidden[0]} may fly neither on the rocket nor on a drone, "
                "and a van from the origin cannot keep the hour"
            )
        elif reason is Reason.TOO_HEAVY:
            message = (
                f"{mass_kg:g} kg / {volume_m3:g} m³ exceeds one rocket "
                f"({self.capacity_kg:g} kg / {self.capacity_m3:g} m³)"
            )
        else:
            message = (
                f"earliest delivery is {earliest / 60:.1f} min after ready_at "
                f"(promise: {self.one_hour_s / 60:g} min, buffer {self.buffer_s / 60:g} min)"
            )
        return Assessment(False, reason.value, message, earliest)

    def one_hour_price(self, route: RoutePlan, mass_kg: float, volume_m3: float) -> Decimal:
        """Fee plus the share of a flight the shipment takes (ground: fee plus per kg)."""
        if route.mode != "rocket":
            return ONE_HOUR_FEE_USD + GROUND_PER_KG_USD * Decimal(repr(mass_kg))
        share = max(mass_kg / self.capacity_kg, volume_m3 / self.capacity_m3)
        return ONE_HOUR_FEE_USD + Decimal(repr(round(share * self._flight_share_usd, 2)))

    def standard_price(self, mass_kg: float) -> Decimal:
        """Conventional freight: a fee plus per kg."""
        return STANDARD_FEE_USD + STANDARD_PER_KG_USD * Decimal(repr(mass_kg))

    def cross_border(self, route: RoutePlan, place: ResolvedPlace) -> bool:
        """Whether the route crosses a customs border."""
        assert place.country is not None
        return not same_customs_territory(route.origin_country, place.country)
