"""Order domain types: B2C parcels and B2B freight, one record at a time.

These frozen dataclasses are the single-order view used at the edges (HTTP booking, customs
declarations, tests). Bulk work (a day of a million orders) uses the columnar tables in
:mod:`rocketpost.orders.table`, which hold the same fields as NumPy arrays.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC as _UTC
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from rocketpost.errors import InputError, require_positive

__all__ = [
    "DANGEROUS_GOODS_CLASSES",
    "Channel",
    "Order",
    "OrderItem",
]

_HS_CODE = re.compile(r"^\d{6}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")

DANGEROUS_GOODS_CLASSES = frozenset(
    {
        "1", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6",
        "2", "2.1", "2.2", "2.3",
        "3",
        "4", "4.1", "4.2", "4.3",
        "5", "5.1", "5.2",
        "6", "6.1", "6.2",
        "7",
        "8",
        "9",
    }
)  # fmt: skip
"""UN Model Regulations hazard classes and divisions (UN Recommendations on the Transport of
Dangerous Goods, Rev. 23); class 9 covers lithium batteries."""


class Channel(StrEnum):
    """Sales channel: storefront parcels (B2C) or marketplace freight (B2B)."""

    B2C = "b2c"
    B2B = "b2b"


@dataclass(frozen=True)
class OrderItem:
    """One order line.

    Parameters
    ----------
    sku
        Merchant's stock-keeping unit; stock (inventory) is counted per SKU and hub.
    description
        Plain-language goods description, as declared to customs.
    hs_code
        6-digit Harmonized System subheading (the internationally shared part of every tariff).
    quantity
        Number of units, > 0.
    unit_value
        Declared value per unit in ``currency`` (``Decimal``: money is never a float).
    currency
        ISO 4217 alphabetic code.
    unit_mass_kg, unit_volume_m3
        Packed mass and volume per unit; both bind a rocket's hold (its payload mass and volume).
    dangerous_goods_class
        UN hazard class or division (``"9"`` for lithium batteries), or ``None``.
    """

    sku: str
    description: str
    hs_code: str
    quantity: int
    unit_value: Decimal
    currency: str
    unit_mass_kg: float
    unit_volume_m3: float
    dangerous_goods_class: str | None = None

    def __post_init__(self) -> None:
        if not self.sku.strip():
            raise InputError("sku", self.sku, "must not be empty")
        if not _HS_CODE.match(self.hs_code):
            raise InputError("hs_code", self.hs_code, "must be a 6-digit HS subheading")
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise InputError("quantity", self.quantity, "must be a whole number")
        if self.quantity <= 0:
            raise InputError("quantity", self.quantity, "must be positive")
        if not isinstance(self.unit_value, Decimal):
            object.__setattr__(self, "unit_value", _to_decimal("unit_value", self.unit_value))
        if not self.unit_value.is_finite() or self.unit_value < 0:
            raise InputError("unit_value", self.unit_value, "must be a finite amount ≥ 0")
        if not _CURRENCY.match(self.currency):
            raise InputError("currency", self.currency, "must be an ISO 4217 code like 'USD'")
        require_positive("unit_mass_kg", self.unit_mass_kg)
        require_positive("unit_volume_m3", self.unit_volume_m3)
        if (
            self.dangerous_goods_class is not None
            and self.dangerous_goods_class not in DANGEROUS_GOODS_CLASSES
        ):
            raise InputError(
                "dangerous_goods_class",
                self.dangerous_goods_class,
                "must be a UN hazard class such as '3' or '9'",
            )

    @property
    def mass_kg(self) -> float:
        """Line mass (kg)."""
        return self.unit_mass_kg * self.quantity

    @property
    def volume_m3(self) -> float:
        """Line volume (m³)."""
        return self.unit_volume_m3 * self.quantity

    @property
    def value(self) -> Decimal:
        """Line value in ``currency``."""
        return self.unit_value * self.quantity


@dataclass(frozen=True)
class Order:
    """One customer order, B2C parcel or B2B freight, bound for one destination.

    Parameters
    ----------
    order_id, merchant_id, recipient_id
        Identifiers; ``recipient_id`` lets customs sum same-day parcels to one person (KR rule).
    channel
        :class:`Channel`.
    created_at
        When the order was placed; timezone-aware, normalised to UTC.
    destination_lat_deg, destination_lon_deg
        Delivery point.
    destination_country
        ISO alpha-2 of the delivery point (the importing market for customs).
    items
        Non-empty tuple of :class:`OrderItem`.
    origin_hub
        Hub id the order must ship from, or ``None`` to let the planner choose.
    destination_label
        The place as the customer gave it (for display only).
    """

    order_id: str
    merchant_id: str
    channel: Channel
    created_at: datetime
    destination_lat_deg: float
    destination_lon_deg: float
    destination_country: str
    recipient_id: str
    items: tuple[OrderItem, ...]
    origin_hub: str | None = None
    destination_label: str | None = None
    _totals: tuple[float, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("order_id", "merchant_id", "recipient_id"):
            if not str(getattr(self, name)).strip():
                raise InputError(name, getattr(self, name), "must not be empty")
        try:
            object.__setattr__(self, "channel", Channel(self.channel))
        except ValueError:
            raise InputError("channel", self.channel, "must be 'b2c' or 'b2b'") from None
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise InputError("created_at", self.created_at, "must be timezone-aware")
        if self.created_at.utcoffset() != timedelta(0):
            object.__setattr__(self, "created_at", self.created_at.astimezone(_UTC))
        lat, lon = self.destination_lat_deg, self.destination_lon_deg
        if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
            raise InputError("destination_lat_deg", lat, "must be a latitude in [-90, 90]")
        if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
            raise InputError("destination_lon_deg", lon, "must be a longitude in [-180, 180]")
        if not _COUNTRY.match(self.destination_country):
            raise InputError(
                "destination_country", self.destination_country, "must be an ISO alpha-2 code"
            )
        if not isinstance(self.items, tuple):
            object.__setattr__(self, "items", tuple(self.items))
        if not self.items:
            raise InputError("items", self.items, "an order needs at least one item")
        object.__setattr__(
            self,
            "_totals",
            (sum(i.mass_kg for i in self.items), sum(i.volume_m3 for i in self.items)),
        )

    @property
    def mass_kg(self) -> float:
        """Total packed mass (kg)."""
        return self._totals[0]

    @property
    def volume_m3(self) -> float:
        """Total packed volume (m³)."""
        return self._totals[1]

    @property
    def dangerous_goods_classes(self) -> frozenset[str]:
        """Hazard classes present in the order (empty when none)."""
        return frozenset(i.dangerous_goods_class for i in self.items if i.dangerous_goods_class)


def _to_decimal(name: str, value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except Exception:
        raise InputError(name, value, "must be a decimal amount") from None
