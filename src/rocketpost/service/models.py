"""Database tables of the booking service (SQLAlchemy 2 typed ORM).

Masses and volumes are stored as whole grams and cubic centimetres: capacity checks compare sums
of many bookings against 10,000 kg / 120 m³, and integer sums never drift the way float sums do,
so "never over capacity" is exact. Timestamps are UTC; SQLite stores them naive (it has no time
zone type) and :class:`UTCDateTime` puts the zone back on the way out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Base",
    "CustomsImport",
    "DeclaredCondition",
    "Flight",
    "FlightTally",
    "IdempotencyRecord",
    "Merchant",
    "PlanRun",
    "ServiceSecret",
    "Shipment",
    "TrackingEvent",
    "UTCDateTime",
    "WebhookDelivery",
    "WebhookEndpoint",
]

GRAMS_PER_KG = 1000
CM3_PER_M3 = 1_000_000


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python, ``timestamptz`` on PostgreSQL, naive UTC text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every service table."""

    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime()}  # noqa: RUF012


class ServiceSecret(Base):
    """Server-side secrets created by migrations (the quote-signing key)."""

    __tablename__ = "service_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class Merchant(Base):
    """A merchant (or the ops principal) and the SHA-256 hash of its API key."""

    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="merchant")
    api_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The merchant's customs record as a seller: parcels opened by customs, and how many of
    # those were seized. Screening's seller-trust signal reads it (Beta-Bernoulli).
    customs_inspections: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    customs_seizures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEndpoint(Base):
    """A URL a merchant wants its shipment events POSTed to, with its signing secret."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Flight(Base):
    """One launch: (origin hub, destination hub, launch wave time), with its booked load."""

    __tablename__ = "flights"
    __table_args__ = (
        UniqueConstraint("origin_hub", "destination_hub", "launch_at", name="uq_flights_route"),
        Index("ix_flights_launch_at", "launch_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    origin_hub: Mapped[str] = mapped_column(String(8))
    destination_hub: Mapped[str] = mapped_column(String(16))
    launch_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    capacity_g: Mapped[int] = mapped_column(BigInteger)
    capacity_cm3: Mapped[int] = mapped_column(BigInteger)
    booked_g: Mapped[int] = mapped_column(BigInteger, default=0)
    booked_cm3: Mapped[int] = mapped_column(BigInteger, default=0)
    # What the day's plan (service/planrun.py) assigned: the airframe that flies it, the landing
    # site and when it lands there, and the load the planner loaded (its manifest). NULL until
    # a plan run covers the flight.
    airframe_id: Mapped[str | None] = mapped_column(String(32))
    landing_site: Mapped[str | None] = mapped_column(String(16))
    landing_at: Mapped[datetime | None]
    planned_g: Mapped[int | None] = mapped_column(BigInteger)
    planned_cm3: Mapped[int | None] = mapped_column(BigInteger)
    planned_shipments: Mapped[int | None] = mapped_column(Integer)
    plan_run_id: Mapped[int | None] = mapped_column(Integer)  # plan_runs.id (no FK: see 0003)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FlightTally(Base):
    """One flight's shipments counted by KPI class and promise minute, as of a flight version.

    The control room's KPIs add these up instead of scanning a million shipments
    (:mod:`rocketpost.service.kpitally`). ``version`` is the flight's ``updated_at`` when the
    tally was counted: every change to one of its shipments moves that version, so a row whose
    version is not the flight's is stale and counted again. Kept in the database, a day's tallies
    outlive the server process: a restart needs no warm-up. Each tally has a marker row
    (``kind`` -1, counts 0), so that an empty flight's tally is stored too.
    """

    __tablename__ = "flight_tallies"

    flight_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("flights.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    promise_minute: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    version: Mapped[datetime]
    shipments: Mapped[int] = mapped_column(Integer)
    one_hour: Mapped[int] = mapped_column(Integer)
    in_air: Mapped[int] = mapped_column(Integer)


class PlanRun(Base):
    """One run of the planner over a day's booked flights (CLI or ``POST /v1/ops/plan-runs``)."""

    __tablename__ = "plan_runs"
    __table_args__ = (Index("ix_plan_runs_day", "day", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))  # "full" or "fit"
    trigger: Mapped[str] = mapped_column(String(16))  # "cli", "ops", "booking"
    flights: Mapped[int] = mapped_column(Integer, default=0)
    shipments: Mapped[int] = mapped_column(Integer, default=0)
    unassigned_flights: Mapped[int] = mapped_column(Integer, default=0)
    planned_late: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime] = mapped_column(default=utcnow)


class Shipment(Base):
    """A booked shipment: route, flight, promise, price, customs outcome, current status."""

    __tablename__ = "shipments"
    __table_args__ = (
        Index("ix_shipments_merchant_id_id", "merchant_id", "id"),
        Index("ix_shipments_launch_at", "launch_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    tracking_number: Mapped[str] = mapped_column(String(32), unique=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    merchant_public_id: Mapped[str] = mapped_column(String(40))
    flight_id: Mapped[int | None] = mapped_column(ForeignKey("flights.id"), index=True)
    flight_public_id: Mapped[str | None] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(100))
    service: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(24))
    sub_status: Mapped[str] = mapped_column(String(32))
    origin_hub: Mapped[str] = mapped_column(String(8))
    destination_hub: Mapped[str | None] = mapped_column(String(16))
    destination: Mapped[dict[str, Any]] = mapped_column(JSON)
    parcels: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    mass_g: Mapped[int] = mapped_column(BigInteger)
    volume_cm3: Mapped[int] = mapped_column(BigInteger)
    ready_at: Mapped[datetime]
    launch_at: Mapped[datetime | None]
    eta_s: Mapped[float | None] = mapped_column(Float)
    legs: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    promised_delivery_at: Mapped[datetime]
    price_amount: Mapped[str] = mapped_column(String(32))
    price_currency: Mapped[str] = mapped_column(String(3))
    customs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    customs_decision: Mapped[str | None] = mapped_column(String(16))
    customs_outcome: Mapped[str | None] = mapped_column(String(16))
    downgrade_reason: Mapped[str | None] = mapped_column(String(40))
    quote_id: Mapped[str | None] = mapped_column(Text)
    # The hubs holding the goods, as booked (NULL: not told): a scrub's fallback re-picks the
    # shipment at one of them (service/scrubmoves.py).
    stock_hubs: Mapped[list[str] | None] = mapped_column(JSON)
    # The plan's last mile (service/planrun.py): the vehicle that takes it from the landing
    # site's port to the door, its stop on that vehicle's route, and the planned hand-over.
    last_mile_vehicle: Mapped[str | None] = mapped_column(String(24))
    last_mile_stop: Mapped[int | None] = mapped_column(Integer)
    planned_delivery_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomsImport(Base):
    """A booked cross-border parcel as an import of its recipient, with its declaration.

    The recipient's earlier imports decide a new parcel's duties: Korea and the US sum the
    parcels one person receives on one day against the de minimis, China caps a person's
    cross-border retail purchases per year. The recipient id is the personal customs identifier
    (Korea's PCCC, China's ID number), so the history spans every merchant. The declaration is
    kept so that an earlier parcel can be re-assessed when a later one joins its day, and
    re-screened at induction. A cancelled shipment's row is deleted: it never imports.
    """

    __tablename__ = "customs_imports"
    __table_args__ = (
        Index("ix_customs_imports_recipient", "market", "recipient_id", "import_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), unique=True)
    declaration_id: Mapped[str] = mapped_column(String(40))
    recipient_id: Mapped[str] = mapped_column(String(100))
    market: Mapped[str] = mapped_column(String(8))
    import_date: Mapped[date] = mapped_column(Date)
    customs_value: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    value_usd: Mapped[str] = mapped_column(String(32))
    regime: Mapped[str] = mapped_column(String(16))
    declaration: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrackingEvent(Base):
    """One tracking event of a shipment, with a normalised status and sub-status."""

    __tablename__ = "tracking_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    status: Mapped[str] = mapped_column(String(24))
    sub_status: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(500), default="")
    flight_public_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    """The stored answer to a booking request, keyed by (merchant, Idempotency-Key)."""

    __tablename__ = "idempotency_keys"

    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """Outbox row: one event to one endpoint, retried until delivered or out of attempts."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    event_public_id: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeclaredCondition(Base):
    """One condition operations declared: a hub's launch weather or a landing site's sea state.

    Every server process and a restart read the same rows (``service/conditions_store.py`` is
    the one writer). ``kind`` is ``hub`` or ``site``; ``state`` the hub's weather (``clear``,
    ``hold_risk``, ``front``) or the site's sea (``open``, ``closed``); ``remaining_h`` the
    front's or the closure's expected remaining hours (memoryless: it does not age); who set it
    and when are kept for the record. ``probability`` is a hub's per-wave hold probability, or
    for the one ``customs`` row (subject ``base``) the base rate of unplanned inspections.
    """

    __tablename__ = "declared_conditions"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # hub, site, customs
    subject_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    probability: Mapped[float | None] = mapped_column(Float)
    remaining_h: Mapped[float | None] = mapped_column(Float)
    alternate: Mapped[bool] = mapped_column(Boolean, default=False)
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
