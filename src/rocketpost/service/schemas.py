"""HTTP shapes (pydantic): what clients send (``*Create`` / requests) and what they get back.

Pydantic lives only at the HTTP edge: requests are converted to domain types (``Order``,
``Parcel``) at once. Requests are built from the bounded, strict, finite field types of
:mod:`rocketpost.service.fields` (the *Input rules* of ``docs/service.md``), so that nothing a
client sends can cause a 500 or overflow a computation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, Strict, model_validator

from rocketpost.service.conditions_schemas import (
    ConditionsPublic,
    CustomsConditionsIn,
    HubConditionsIn,
    HubConditionsPublic,
    SiteConditionsIn,
    SiteConditionsPublic,
)
from rocketpost.service.error_schemas import (
    ErrorDetail,
    ErrorPublic,
    FieldError,
    ValidationErrorPublic,
)
from rocketpost.service.fields import (
    M3,
    Amount,
    Code,
    Country,
    Degrees,
    HubId,
    Instant,
    ItemKg,
    ItemM3,
    Kg,
    Label,
    Name,
    Note,
    PastInstant,
    Reference,
    Short,
    StockHubs,
    Token,
)
from rocketpost.service.fields import InModel as _In
from rocketpost.service.fields import OutModel as _Out
from rocketpost.service.ops_schemas import FlightPlanPublic, LastMilePublic

__all__ = [
    "ConditionsPublic",
    "CustomsConditionsIn",
    "CustomsIn",
    "CustomsOut",
    "DestinationIn",
    "DestinationOut",
    "ErrorDetail",
    "ErrorPublic",
    "EventPublic",
    "EventsPublic",
    "FieldError",
    "FlightEventIn",
    "FlightEventPublic",
    "FlightPublic",
    "FlightsPublic",
    "HubConditionsIn",
    "HubConditionsPublic",
    "Leg",
    "ManifestLine",
    "ManifestPublic",
    "Money",
    "OneHourOption",
    "OrderItemIn",
    "ParcelIn",
    "QuotePublic",
    "QuoteRequest",
    "SameDayOption",
    "ShipmentCreate",
    "ShipmentPublic",
    "ShipmentsPublic",
    "SiteConditionsIn",
    "SiteConditionsPublic",
    "StandardOption",
    "ValidationErrorPublic",
]


class DestinationIn(_In):
    """Where to deliver: a place query, or coordinates (with a country far from any city)."""

    place: Label | None = Field(
        default=None,
        description="'City, CC', a port UN/LOCODE or 'lat,lon'",
        examples=["Incheon, KR"],
    )
    lat_deg: Annotated[Degrees, Field(ge=-90, le=90)] | None = None
    lon_deg: Annotated[Degrees, Field(ge=-180, le=180)] | None = None
    country: Country | None = None
    name: Label | None = None

    @model_validator(mode="after")
    def _one_form(self) -> DestinationIn:
        has_point = self.lat_deg is not None or self.lon_deg is not None
        if self.place is None and not has_point:
            raise ValueError("give either place or lat_deg and lon_deg")
        if self.place is not None and has_point:
            raise ValueError("give either place or lat_deg and lon_deg, not both")
        if has_point and (self.lat_deg is None or self.lon_deg is None):
            raise ValueError("lat_deg and lon_deg go together")
        return self


class ParcelIn(_In):
    """One physical parcel (or a B2B freight unit)."""

    mass_kg: Kg = Field(examples=[1.2])
    volume_m3: M3 = Field(examples=[0.006])
    dangerous_goods_class: Code | None = Field(
        default=None, description="UN hazard class, e.g. '9' (lithium batteries)"
    )


class OrderItemIn(_In):
    """One declared order line (``rocketpost.orders.model.OrderItem``)."""

    sku: Short = Field(examples=["TS-1"])
    description: Label = Field(examples=["cotton T-shirt"])
    hs_code: Annotated[str, Field(pattern=r"^\d{6}$", examples=["610910"])]
    quantity: Annotated[int, Strict(), Field(gt=0, le=1_000_000)]
    unit_value: Amount = Field(examples=["45.00"])
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["USD"])]
    unit_mass_kg: ItemKg = Field(examples=[0.25])
    unit_volume_m3: ItemM3 = 0.001
    dangerous_goods_class: Code | None = None


class CustomsIn(_In):
    """Customs data a cross-border parcel declares."""

    recipient_id: Name = Field(examples=["R-77"])
    items: list[OrderItemIn] = Field(min_length=1, max_length=100)


Channel = Literal["b2c", "b2b"]


class QuoteRequest(_In):
    """``POST /v1/quotes``."""

    destination: DestinationIn
    parcels: list[ParcelIn] = Field(min_length=1, max_length=1000)
    origin_hub: HubId | None = None
    stock_hubs: StockHubs | None = None
    channel: Channel = "b2c"
    ready_at: Instant | None = Field(
        default=None, description="when the order is placed (default: now; at most 30 days ahead)"
    )
    customs: CustomsIn | None = None


_INLINE_FIELDS = ("destination", "parcels", "origin_hub", "stock_hubs", "channel", "ready_at")


class ShipmentCreate(_In):
    """``POST /v1/shipments``: from a quote (``quote_id``) or inline (``destination`` …)."""

    quote_id: Token | None = None
    destination: DestinationIn | None = None
    parcels: list[ParcelIn] | None = Field(default=None, min_length=1, max_length=1000)
    origin_hub: HubId | None = None
    stock_hubs: StockHubs | None = None
    channel: Channel | None = None
    ready_at: Instant | None = None
    customs: CustomsIn | None = None
    service: Literal["one_hour", "same_day", "standard"] = Field(
        "one_hour",
        description="one_hour; same_day (by rocket on a flight with room, within 12 h); standard",
    )
    fallback_to_standard: Annotated[bool, Strict()] = False
    reference: Reference | None = None

    @model_validator(mode="after")
    def _one_form(self) -> ShipmentCreate:
        inline = [name for name in _INLINE_FIELDS if getattr(self, name) is not None]
        if self.quote_id is not None and inline:
            raise ValueError(
                f"give either quote_id or destination and parcels, not both (also: {inline})"
            )
        if self.quote_id is None and (self.destination is None or self.parcels is None):
            raise ValueError("give either quote_id or destination and parcels")
        return self


# --- responses --------------------------------------------------------------------------------


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# Every instant the service answers is in UTC (serialised with ``Z``), whatever offset it was
# given or stored with.
UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


class Money(_Out):
    """An amount as a decimal string (money is never a float)."""

    amount: str
    currency: str


class Leg(_Out):
    """One leg of the door-to-door budget."""

    leg: str
    duration_s: float


class DestinationOut(_Out):
    """A resolved destination."""

    name: str
    country: str | None
    lat_deg: float
    lon_deg: float


class OneHourOption(_Out):
    """The one-hour option, or why there is none (with the earliest delivery still given)."""

    available: bool
    reason: str | None = None
    message: str | None = None
    origin_hub: str
    destination_hub: str
    mode: str
    launch_at: UtcDatetime | None
    flight_id: str | None
    eta_s: float
    legs: list[Leg]
    earliest_delivery_at: UtcDatetime
    promised_delivery_at: UtcDatetime | None
    price: Money | None
    p_on_time: float | None = Field(
        None, description="P(delivered within the one-hour promise) under the conditions"
    )
    p50_delivery_at: UtcDatetime | None = None
    p90_delivery_at: UtcDatetime | None = None
    p99_delivery_at: UtcDatetime | None = None
    confidence: float | None = Field(None, description="the network's target confidence")
    decided_by: Literal["confidence", "buffer"] | None = Field(
        None,
        description="confidence: the origin's weather or the landing site's sea is declared, "
        "the promise is made at P(on time) >= confidence; buffer: climate only, the calibrated "
        "buffer decides (docs/promise.md)",
    )
    limiting_leg: str | None = Field(
        None, description="the leg whose uncertainty breaks the promise at the confidence"
    )
    earliest_at_confidence_at: UtcDatetime | None = Field(
        None, description="the earliest delivery that can be promised at the confidence"
    )
    fallback_hub: str | None = Field(
        None,
        description="the hub (of stock_hubs) that flies the parcels if a front scrubs the "
        "origin's wave, counted in p_on_time and the percentiles; null: none counted",
    )
    next_seat_at: UtcDatetime | None = Field(
        None,
        description="with reason no_capacity: the launch of the lane's first later wave on "
        "which a booking would find a seat (an airframe home again, or room on a loaded "
        "flight); null otherwise, or none within the days the hub's flights are read",
    )


class SameDayOption(_Out):
    """Same-day by rocket: a later flight of the lane with room, delivered within 12 hours."""

    available: bool
    reason: str | None = None
    message: str | None = None
    promised_delivery_at: UtcDatetime | None
    price: Money | None


class StandardOption(_Out):
    """The conventional air/sea freight service."""

    available: bool
    promised_delivery_at: UtcDatetime
    price: Money


class CustomsOut(_Out):
    """Pre-clearance outcome: decision, reasons and duties."""

    cross_border: bool
    market: str | None
    decision: str
    one_hour_allowed: bool
    may_fly: bool
    inspection_delay_s: float | None
    note: str
    reasons: list[dict[str, Any]]
    duties: dict[str, Any] | None


class QuotePublic(_Out):
    """``POST /v1/quotes`` answer."""

    quote_id: str
    expires_at: UtcDatetime
    ready_at: UtcDatetime
    destination: DestinationOut
    mass_kg: float
    volume_m3: float
    channel: str
    cross_border: bool
    one_hour: OneHourOption
    same_day: SameDayOption | None = None
    standard: StandardOption
    customs: CustomsOut | None


class FlightRef(_Out):
    """The flight a shipment is booked on."""

    id: str
    launch_at: UtcDatetime


class ShipmentPublic(_Out):
    """A shipment as merchants see it."""

    id: str
    object: Literal["shipment"] = "shipment"
    tracking_number: str
    reference: str | None
    merchant_id: str
    status: str
    sub_status: str
    service: str
    mode: str
    channel: str
    origin_hub: str
    destination_hub: str | None
    destination: DestinationOut
    parcels: list[dict[str, Any]]
    mass_kg: float
    volume_m3: float
    ready_at: UtcDatetime
    flight: FlightRef | None
    eta_s: float | None
    legs: list[Leg] | None
    promised_delivery_at: UtcDatetime
    price: Money
    customs: CustomsOut | None
    downgrade_reason: str | None
    quote_id: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class ShipmentsPublic(_Out):
    """A page of shipments, newest first."""

    data: list[ShipmentPublic]
    has_more: bool
    next_cursor: str | None


class EventPublic(_Out):
    """A tracking event."""

    id: str
    shipment_id: str
    status: str
    sub_status: str
    message: str
    flight_id: str | None
    occurred_at: UtcDatetime


class EventsPublic(_Out):
    """A shipment's events, oldest first."""

    data: list[EventPublic]


class FlightPublic(_Out):
    """A flight and its load."""

    id: str
    origin_hub: str
    destination_hub: str
    launch_at: UtcDatetime
    status: str
    capacity_kg: float
    capacity_m3: float
    booked_kg: float
    booked_m3: float
    shipments: int
    plan: FlightPlanPublic | None = None


class FlightsPublic(_Out):
    """A page of flights, by launch time."""

    data: list[FlightPublic]
    has_more: bool
    next_cursor: str | None


class ManifestLine(_Out):
    """One line of a flight manifest."""

    id: str
    tracking_number: str
    merchant_id: str
    reference: str | None
    mass_kg: float
    volume_m3: float
    destination_hub: str | None
    destination: DestinationOut
    customs_decision: str | None
    status: str
    last_mile: LastMilePublic | None = None


class ManifestPublic(_Out):
    """What is loaded on a flight."""

    flight: FlightPublic
    shipments: list[ManifestLine]
    total_kg: float
    total_m3: float


class FlightEventIn(_In):
    """``POST /v1/flights/{id}/events``."""

    type: Literal["launched", "landed", "scrubbed"]
    occurred_at: PastInstant | None = None
    reason: Note | None = None


class InductionIn(_In):
    """``POST /v1/shipments/{id}/induction``: the hub's scale reading."""

    scanned_gross_mass_kg: Kg = Field(
        description="gross mass on the induction scale, packaging included", examples=[1.31]
    )


class InspectionIn(_In):
    """``POST /v1/shipments/{id}/customs-outcome``: what customs found in the opened parcel."""

    seized: Annotated[bool, Strict()] = Field(
        description="true: seized (counterfeit, empty box...); false: cleared"
    )
    note: Note | None = Field(default=None, examples=["counterfeit trademark, 2 units"])


class Rescheduled(_Out):
    """A shipment moved off a scrubbed flight."""

    shipment_id: str
    flight_id: str


class FlightEventPublic(_Out):
    """What a flight event did."""

    flight: FlightPublic
    shipments_affected: int
    rescheduled: list[Rescheduled]
    downgraded: list[str]
