"""The quote engine: a route for one shipment, whether one hour can be promised, and prices.

One engine per network, built once per app and shared by quotes (:mod:`rocketpost.service.quotes`),
bookings and flight operations. It writes nothing and keeps no per-request state.

Per request the work is one :meth:`rocketpost.service.fastquote.FastRouter.route` for one place
(what :func:`rocketpost.core.eta.eta_to_places` computes, with the fixed legs precomputed per
network) and the one-hour decision in planning's priority order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from rocketpost.core.eta import LEG_NAMES
from rocketpost.customs import Clearance
from rocketpost.customs.rules import same_customs_territory
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.planning.service import FORBIDDEN_DANGEROUS_GOODS, Reason
from rocketpost.service.consignment import ResolvedPlace
from rocketpost.service.fastquote import FastRouter

__all__ = [
    "ONE_HOUR_S",
    "Assessment",
    "CustomsReason",
    "QuoteEngine",
    "RoutePlan",
    "cents",
    "flight_public_id",
]

ONE_HOUR_S = 3600.0
# Pricing (USD). One hour: a handling fee plus the shipment's share of a flight, by whichever of
# mass and volume binds, at the load factor a well-consolidated network flies (80 %).
ONE_HOUR_FEE_USD = Decimal("15")
TARGET_LOAD_FACTOR = 0.8
GROUND_PER_KG_USD = Decimal("1")
STANDARD_FEE_USD = Decimal("9")
STANDARD_PER_KG_USD = Decimal("6")
_CENT = Decimal("0.01")


class CustomsReason:
    """Reason codes beyond :class:`rocketpost.planning.service.Reason` (inspect lengthens)."""

    INSPECTION = "customs_inspection"


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

    def __init__(self, network: Network) -> None:
        self.network = network
        self.capacity_kg = float(network.rocket.payload_mass_kg)
        self.capacity_m3 = float(network.rocket.payload_volume_m3)
        self.buffer_s = float(network.promise.buffer_s)
        self.standard = timedelta(days=float(network.promise.standard_days))
        self._countries = tuple(h.country for h in network.hubs)
        self._intervals = np.asarray(network.launch_wave_interval_s, dtype=np.float64)
        self._flight_share_usd = float(network.rocket.cost_per_flight_usd) / TARGET_LOAD_FACTOR
        self._hub_ids = network.hub_ids
        # Fixed legs precomputed once; per request only what depends on the place and time
        # (equal to rocketpost.core.eta.eta_to_places, see rocketpost.service.fastquote).
        self.router = FastRouter(network)

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

        The same answer as the fastest row of :func:`rocketpost.core.eta.eta_to_places` for this one
        place, computed by :class:`~rocketpost.service.fastquote.FastRouter`.
        """
        self.check_origin(origin_hub)
        fast = self.router.route(
            place.lat_deg,
            place.lon_deg,
            order_time=ready_at,
            mass_kg=mass_kg,
            volume_m3=volume_m3,
            origins=None if origin_hub is None else [origin_hub],
        )
        origin = fast.origin_index
        legs = fast.legs_s
        mode = fast.mode
        launch_at = None
        if mode == "rocket":
            launch_at = ready_at + timedelta(seconds=legs["origin_handling"] + legs["wave_wait"])
            # Waves are whole multiples of the interval: drop float noise so that every booking
            # for one wave names exactly the same flight.
            launch_at = datetime.fromtimestamp(round(launch_at.timestamp()), tz=UTC)
        return RoutePlan(
            origin_hub=self._hub_ids[origin],
            origin_country=self._countries[origin],
            destination_hub=self._hub_ids[fast.destination_index],
            mode=mode,
            legs_s=legs,
            eta_s=fast.total_s,
            ready_at=ready_at,
            launch_at=launch_at,
            wave_interval_s=float(self._intervals[origin]),
        )

    def keeps_promise(self, eta_s: float) -> bool:
        """Whether an ETA plus the promise buffer fits in the hour."""
        return eta_s + self.buffer_s <= ONE_HOUR_S + 1e-6

    def assess(
        self,
        route: RoutePlan,
        *,
        mass_kg: float,
        volume_m3: float,
        dangerous_goods: set[str],
        customs: Clearance | None,
    ) -> Assessment:
        """One-hour or not, with the first reason that bites (planning's priority order)."""
        inspection_s = 0.0
        if customs is not None and customs.inspection_delay_s is not None:
            inspection_s = float(customs.inspection_delay_s)
        earliest = route.eta_s + inspection_s
        if customs is not None and not customs.may_fly:
            return Assessment(False, Reason.CUSTOMS_HOLD.value, customs.note, earliest)
        forbidden = sorted(
            c for c in dangerous_goods if c.split(".")[0] in FORBIDDEN_DANGEROUS_GOODS
        )
        if forbidden:
            return Assessment(
                False,
                Reason.DANGEROUS_GOODS.value,
                f"UN class {forbidden[0]} may not fly on the rocket",
                earliest,
            )
        if mass_kg > self.capacity_kg + 1e-9 or volume_m3 > self.capacity_m3 + 1e-9:
            return Assessment(
                False,
                Reason.TOO_HEAVY.value,
                f"{mass_kg:g} kg / {volume_m3:g} m³ exceeds one rocket "
                f"({self.capacity_kg:g} kg / {self.capacity_m3:g} m³)",
                earliest,
            )
        if not self.keeps_promise(route.eta_s):
            to_port_s = route.eta_s - route.last_mile_s
            reason = (
                Reason.NO_LANDING_ZONE_IN_REACH
                if route.mode == "rocket" and not self.keeps_promise(to_port_s)
                else Reason.LAST_MILE_TOO_LONG
            )
            return Assessment(
                False,
                reason.value,
                f"earliest delivery is {route.eta_s / 60:.1f} min after ready_at "
                f"(promise: 60 min, buffer {self.buffer_s / 60:g} min)",
                earliest,
            )
        if customs is not None and not customs.one_hour_allowed:
            return Assessment(False, CustomsReason.INSPECTION, customs.note, earliest)
        return Assessment(True, None, None, earliest)

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
