"""Quotes: the one-hour option (leg by leg, priced, expiring) and the standard option.

A quote writes nothing to the database. Its id is a signed token: the quote's content (route,
wave, prices, parcels, expiry, merchant) as compact JSON, base64url, and an HMAC-SHA256 over it
with the server's signing key. Booking verifies the signature and the expiry and re-derives the
route deterministically from the signed inputs, so a quote cannot be forged or edited (a cheaper
price, another merchant's quote) and quoting scales like a pure function — which is how it meets
≥ 1,000 quotes/s on two cores.

Per request the work is one :meth:`rocketpost.service.fastquote.FastRouter.route` for one place
(what :func:`rocketpost.core.eta.eta_to_places` computes, with the fixed legs precomputed per
network), a cached place lookup and, when customs items are sent, one
:func:`rocketpost.customs.clearance`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

import numpy as np

from rocketpost.core.doortodoor import LEG_NAMES, Routes, network_legs
from rocketpost.core.eligibility import (
    REASONS,
    Reason,
    decide_service,
    exceeds_rocket,
    forbidden_dangerous_goods,
    parcel_routes,
)
from rocketpost.core.eligibility import keeps_promise as promise_kept
from rocketpost.customs import Clearance, RecipientHistory, SellerTrust, clearance
from rocketpost.customs.rules import same_customs_territory
from rocketpost.errors import InputError, RocketpostError
from rocketpost.network import Network
from rocketpost.orders.model import Channel, Order, OrderItem
from rocketpost.service import schemas
from rocketpost.service.imports import duties_out
from rocketpost.world.places import resolve_place

__all__ = [
    "QuoteEngine",
    "QuoteToken",
    "ResolvedPlace",
    "RoutePlan",
    "TokenError",
    "check_ready_at",
    "customs_out",
    "field_loc",
    "resolve_destination",
    "run_clearance",
    "sign_token",
    "verify_token",
]

READY_AT_PAST_TOLERANCE_S = 60.0
READY_AT_MAX_AHEAD = timedelta(days=30)
# Pricing (USD). One hour: a handling fee plus the shipment's share of a flight, by whichever of
# mass and volume binds, at the load factor a well-consolidated network flies (80 %).
ONE_HOUR_FEE_USD = Decimal("15")
TARGET_LOAD_FACTOR = 0.8
GROUND_PER_KG_USD = Decimal("1")
STANDARD_FEE_USD = Decimal("9")
STANDARD_PER_KG_USD = Decimal("6")
_CENT = Decimal("0.01")
_TOKEN_VERSION = "q1"
_TOKEN_MAX_PARCELS = 50


class TokenError(RocketpostError):
    """A quote id that is malformed, tampered with, or not this merchant's."""


@dataclass(frozen=True)
class ResolvedPlace:
    """A destination the ETA and customs can use."""

    name: str
    country: str | None
    lat_deg: float
    lon_deg: float

    def public(self) -> dict[str, Any]:
        """JSON form (``DestinationOut``)."""
        return {
            "name": self.name,
            "country": self.country,
            "lat_deg": self.lat_deg,
            "lon_deg": self.lon_deg,
        }


@lru_cache(maxsize=65_536)
def _resolve_query(query: str) -> ResolvedPlace:
    place = resolve_place(query)
    return ResolvedPlace(place.name, place.country_code, place.lat_deg, place.lon_deg)


def resolve_destination(destination: schemas.DestinationIn) -> ResolvedPlace:
    """Resolve a request's destination; errors name ``destination.<field>``.

    Raises
    ------
    InputError
        Unknown place (with suggestions in the message), or no country known for the point.
    """
    try:
        if destination.place is not None:
            place = _resolve_query(destination.place)
        else:
            assert destination.lat_deg is not None and destination.lon_deg is not None
            place = _resolve_query(f"{destination.lat_deg!r},{destination.lon_deg!r}")
    except InputError as error:
        # PlaceNotFoundError's message carries the suggestions: keep it as the reason.
        field = "destination.place" if destination.place is not None else "destination"
        raise InputError(field, error.value, str(error)) from None
    country = destination.country or place.country
    if country is None:
        raise InputError(
            "destination.country",
            None,
            "no country is known near these coordinates: give destination.country",
        )
    name = destination.name or place.name
    return ResolvedPlace(name, country, place.lat_deg, place.lon_deg)


def check_ready_at(ready_at: datetime | None, now: datetime, field: str = "ready_at") -> datetime:
    """``ready_at`` in UTC, defaulting to ``now``; at most a minute past and 30 days ahead."""
    if ready_at is None:
        return now
    ready = ready_at.astimezone(UTC)
    if ready < now - timedelta(seconds=READY_AT_PAST_TOLERANCE_S):
        raise InputError(field, ready_at.isoformat(), "must not be in the past")
    if ready > now + READY_AT_MAX_AHEAD:
        raise InputError(field, ready_at.isoformat(), "must be within 30 days")
    return ready


def field_loc(field: str, prefix: tuple[str | int, ...] = ("body",)) -> list[str | int]:
    """``"items[0].hs_code"`` → ``["body", "items", 0, "hs_code"]`` (a 422 ``loc``)."""
    loc: list[str | int] = list(prefix)
    for part in field.split("."):
        name, _, rest = part.partition("[")
        if name:
            loc.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            loc.append(int(index) if index.isdigit() else index)
            rest = rest.removeprefix("[")
    return loc


# --- customs ----------------------------------------------------------------------------------


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


def run_clearance(
    customs: schemas.CustomsIn,
    *,
    order_id: str,
    merchant_id: str,
    channel: str,
    ready_at: datetime,
    place: ResolvedPlace,
    origin_hub: str,
    origin_country: str,
    history: RecipientHistory | None = None,
    trust: SellerTrust | None = None,
) -> Clearance:
    """Pre-clear one shipment; errors name ``customs.items[i].<field>``.

    ``history`` holds the recipient's earlier imports (booking reads them from the database; a
    quote does not, so a quote's duties are the parcel's own); ``trust`` the merchant's record
    as a seller (:func:`rocketpost.service.sellers.seller_trust`).
    """
    assert place.country is not None
    try:
        order = Order(
            order_id=order_id,
            merchant_id=merchant_id,
            channel=Channel(channel),
            created_at=ready_at,
            destination_lat_deg=place.lat_deg,
            destination_lon_deg=place.lon_deg,
            destination_country=place.country,
            recipient_id=customs.recipient_id,
            items=_order_items(customs),
            origin_hub=origin_hub,
            destination_label=place.name,
        )
        return clearance(order, origin_country=origin_country, history=history, trust=trust)
    except InputError as error:
        field = error.field if error.field.startswith("customs.") else f"customs.{error.field}"
        raise InputError(field, error.value, error.reason) from None


def customs_out(result: Clearance) -> dict[str, Any]:
    """JSON form of a clearance (``CustomsOut``)."""
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


# --- routes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoutePlan:
    """The fastest route for one shipment from one (or the best) origin hub.

    ``launch_at`` is the first wave at or after ``ready_at + handling`` (``None`` for a ground
    delivery); ``wave_interval_s`` lets booking try the following waves.
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
        )

    def legs(self) -> list[dict[str, Any]]:
        """JSON legs."""
        return [{"leg": name, "duration_s": round(self.legs_s[name], 3)} for name in LEG_NAMES]


def flight_public_id(origin_hub: str, destination_hub: str, launch_at: datetime) -> str:
    """Readable, deterministic flight id: ``flt_HZB_ICN_20261125T0940Z``."""
    stamp = launch_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    if stamp.endswith("00Z"):
        stamp = stamp[:-3] + "Z"
    return f"flt_{origin_hub}_{destination_hub}_{stamp}"


def _money(amount: Decimal) -> dict[str, str]:
    return {
        "amount": format(amount.quantize(_CENT, rounding=ROUND_HALF_UP), "f"),
        "currency": "USD",
    }


@dataclass(frozen=True)
class Assessment:
    """Whether the one-hour service can be promised, and why not."""

    available: bool
    reason: str | None
    message: str | None
    earliest_s: float


class QuoteEngine:
    """Routes, one-hour decisions and prices for one network (built once per app)."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.capacity_kg = float(network.rocket.payload_mass_kg)
        self.capacity_m3 = float(network.rocket.payload_volume_m3)
        self.buffer_s = float(network.promise.buffer_s)
        self.one_hour_s = float(network.promise.one_hour_s)
        self.standard = timedelta(days=float(network.promise.standard_days))
        self._countries = tuple(h.country for h in network.hubs)
        self._intervals = np.asarray(network.launch_wave_interval_s, dtype=np.float64)
        self._flight_share_usd = float(network.rocket.cost_per_flight_usd) / TARGET_LOAD_FACTOR
        self._hub_ids = network.hub_ids
        # The door-to-door kernel's fixed legs, once per network; per request the kernel
        # evaluates one row (rocketpost.core.doortodoor.door_to_door).
        self.legs = network_legs(network)
        self._origins = {hub: self.legs.origin_indices([hub]) for hub in network.hub_ids}
        # The kernel's answer and inputs behind recent RoutePlans (by id, the plan itself kept
        # so that an id is never reused while listed): assess decides on the same row, and
        # re-routes it when dangerous goods forbid the rocket and the drone.
        self._planned: dict[int, tuple[RoutePlan, Routes, ResolvedPlace, str | None]] = {}

    def check_origin(self, origin_hub: str | None, field: str = "origin_hub") -> None:
        """Refuse an unknown hub id (field named)."""
        if origin_hub is not None and origin_hub not in self.network.hub_ids:
            raise InputError(
                field, origin_hub, f"unknown hub; one of {', '.join(self.network.hub_ids)}"
            )

    def plan(
        self,
        place: ResolvedPlace,
        *,
        mass_kg: float,
        volume_m3: float,
        ready_at: datetime,
        origin_hub: str | None = None,
    ) -> RoutePlan:
        """The fastest route to ``place`` (from ``origin_hub``, or the best hub).

        One row of :func:`rocketpost.core.doortodoor.door_to_door` (what
        :func:`rocketpost.core.eta.eta_to_places` and the planner compute), for a parcel that
        may fly unless it exceeds the rocket's payload. Dangerous goods are not known here:
        :meth:`assess` re-routes a parcel that may not fly.
        """
        self.check_origin(origin_hub)
        if ready_at.tzinfo is None:
            raise InputError("ready_at", ready_at, "must be timezone-aware (UTC)")
        routes = parcel_routes(
            self.legs,
            place.lat_deg,
            place.lon_deg,
            ready_s=ready_at.timestamp(),
            mass_kg=float(mass_kg),
            volume_m3=float(volume_m3),
            origins=None if origin_hub is None else self._origins[origin_hub],
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
        route = RoutePlan(
            origin_hub=self._hub_ids[origin],
            origin_country=self._countries[origin],
            destination_hub=self._hub_ids[int(routes.destination[0])],
            mode=mode,
            legs_s=legs,
            eta_s=float(routes.total_s[0]),
            ready_at=ready_at,
            launch_at=launch_at,
            wave_interval_s=float(self._intervals[origin]),
        )
        planned = self._planned
        if len(planned) >= 1024:
            for key in list(planned)[:512]:  # the older half (list() is atomic under the GIL)
                planned.pop(key, None)
        planned[id(route)] = (route, routes, place, origin_hub)
        return route

    def keeps_promise(self, eta_s: float) -> bool:
        """Whether an ETA plus the promise buffer fits in the hour."""
        return bool(promise_kept(self.network, eta_s))

    def assess(
        self,
        route: RoutePlan,
        *,
        mass_kg: float,
        volume_m3: float,
        dangerous_goods: set[str],
        customs: Clearance | None,
    ) -> Assessment:
        """One-hour or not, with the first reason that bites: the one eligibility rule
        (:func:`rocketpost.core.eligibility.decide_service`) on this shipment's one row."""
        inspection_s = 0.0
        if customs is not None and customs.inspection_delay_s is not None:
            inspection_s = float(customs.inspection_delay_s)
        forbidden = forbidden_dangerous_goods(dangerous_goods)
        entry = self._planned.get(id(route))
        if entry is None or entry[0] is not route:
            raise RuntimeError("assess takes a RoutePlan made by this engine's plan()")
        _, routes, place, origin_hub = entry
        held = customs is not None and not customs.may_fly
        late = not promise_kept(self.network, float(routes.total_s[0]) + inspection_s)
        if forbidden or (late and not held):
            # Routed again when dangerous goods forbid the rocket and the drone, or when a late
            # parcel's reason needs the nearest port's time (routing skipped it).
            routes = parcel_routes(
                self.legs,
                place.lat_deg,
                place.lon_deg,
                ready_s=route.ready_at.timestamp(),
                mass_kg=float(mass_kg),
                volume_m3=float(volume_m3),
                dangerous=bool(forbidden),
                origins=None if origin_hub is None else self._origins[origin_hub],
            )
        heavy = bool(exceeds_rocket(self.network, mass_kg, volume_m3))
        _, reasons = decide_service(
            self.network,
            routes,
            held=np.array([held]),
            inspection_s=np.array([inspection_s]),
            dangerous=np.array([bool(forbidden)]),
            too_heavy=np.array([heavy]),
            has_stock=np.array([True]),
        )
        reason = REASONS[int(reasons[0])]
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

    def one_hour_option(
        self,
        route: RoutePlan,
        assessment: Assessment,
        price: Decimal,
    ) -> dict[str, Any]:
        """JSON ``OneHourOption``."""
        earliest = route.ready_at + timedelta(seconds=assessment.earliest_s)
        promised = (
            route.ready_at + timedelta(seconds=math.ceil(route.eta_s + self.buffer_s))
            if assessment.available
            else None
        )
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
            "earliest_delivery_at": earliest,
            "promised_delivery_at": promised,
            "price": _money(price) if assessment.available else None,
        }

    def standard_option(self, ready_at: datetime, mass_kg: float) -> dict[str, Any]:
        """JSON ``StandardOption``."""
        return {
            "available": True,
            "promised_delivery_at": ready_at + self.standard,
            "price": _money(self.standard_price(mass_kg)),
        }

    def cross_border(self, route: RoutePlan, place: ResolvedPlace) -> bool:
        """Whether the route crosses a customs border."""
        assert place.country is not None
        return not same_customs_territory(route.origin_country, place.country)


def parcels_summary(parcels: list[schemas.ParcelIn]) -> tuple[float, float, set[str]]:
    """Total mass, total volume and the dangerous-goods classes of a shipment's parcels."""
    mass = math.fsum(p.mass_kg for p in parcels)
    volume = math.fsum(p.volume_m3 for p in parcels)
    classes = {p.dangerous_goods_class for p in parcels if p.dangerous_goods_class}
    return mass, volume, classes


# --- signed quote tokens ----------------------------------------------------------------------


@dataclass(frozen=True)
class QuoteToken:
    """What a quote id carries (signed)."""

    merchant_id: str
    origin_hub: str
    destination: ResolvedPlace
    channel: str
    ready_at: datetime
    expires_at: datetime
    parcels: list[dict[str, Any]]
    mass_kg: float
    volume_m3: float
    one_hour_price: str | None
    standard_price: str

    def to_payload(self) -> dict[str, Any]:
        """Compact JSON payload."""
        d = self.destination
        return {
            "m": self.merchant_id,
            "o": self.origin_hub,
            "d": [d.name, d.country, d.lat_deg, d.lon_deg],
            "c": self.channel,
            "r": self.ready_at.timestamp(),
            "x": int(self.expires_at.timestamp()),
            "p": self.parcels,
            "k": [self.mass_kg, self.volume_m3],
            "$": [self.one_hour_price, self.standard_price],
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> QuoteToken:
        """Inverse of :meth:`to_payload` (the payload is trusted: its signature was checked)."""
        name, country, lat, lon = payload["d"]
        return cls(
            merchant_id=payload["m"],
            origin_hub=payload["o"],
            destination=ResolvedPlace(name, country, float(lat), float(lon)),
            channel=payload["c"],
            ready_at=datetime.fromtimestamp(payload["r"], tz=UTC),
            expires_at=datetime.fromtimestamp(payload["x"], tz=UTC),
            parcels=list(payload["p"]),
            mass_kg=float(payload["k"][0]),
            volume_m3=float(payload["k"][1]),
            one_hour_price=payload["$"][0],
            standard_price=payload["$"][1],
        )


def token_parcels(parcels: list[schemas.ParcelIn]) -> list[dict[str, Any]]:
    """Parcels as stored with a shipment; many parcels are consolidated to keep ids short."""
    if len(parcels) <= _TOKEN_MAX_PARCELS:
        return [p.model_dump() for p in parcels]
    mass, volume, classes = parcels_summary(parcels)
    return [
        {
            "mass_kg": mass,
            "volume_m3": volume,
            "dangerous_goods_class": min(classes) if classes else None,
            "count": len(parcels),
        }
    ]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_token(token: QuoteToken, key: bytes) -> str:
    """``q1.<payload>.<hmac>``."""
    body = _b64(json.dumps(token.to_payload(), separators=(",", ":")).encode("utf-8"))
    mac = hmac.new(key, f"{_TOKEN_VERSION}.{body}".encode("ascii"), hashlib.sha256).digest()
    return f"{_TOKEN_VERSION}.{body}.{_b64(mac)}"


def verify_token(quote_id: str, key: bytes) -> QuoteToken:
    """Check the signature and decode (the expiry is the caller's to check).

    Raises
    ------
    TokenError
        Malformed or tampered id.
    """
    parts = quote_id.split(".")
    if len(parts) != 3 or parts[0] != _TOKEN_VERSION or not parts[1].isascii():
        raise TokenError("not a quote id")
    try:
        expected = hmac.new(key, f"{parts[0]}.{parts[1]}".encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(parts[2])):
            raise TokenError("quote id signature does not match")
        return QuoteToken.from_payload(json.loads(_unb64(parts[1])))
    except TokenError:
        raise
    except Exception:
        raise TokenError("not a quote id") from None
