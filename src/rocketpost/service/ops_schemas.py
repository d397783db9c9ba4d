"""HTTP shapes of the operational day: plan runs, a flight's plan, last-mile events, the control
room's aggregates (KPIs, positions, network sites).

Kept apart from :mod:`rocketpost.service.schemas` (which re-uses :class:`FlightPlanPublic` in
``FlightPublic`` and :class:`LastMilePublic` in ``ManifestLine``) so that this module imports
only the field types.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from rocketpost.service.fields import FIRST_YEAR, LAST_YEAR, Note, PastInstant
from rocketpost.service.fields import InModel as _In
from rocketpost.service.fields import OutModel as _Out

__all__ = [
    "ArcEnd",
    "Day",
    "FlightPlanPublic",
    "KpisPublic",
    "LastMileEventIn",
    "LastMileEventPublic",
    "LastMilePublic",
    "PlanRunIn",
    "PlanRunPublic",
    "PlanRunsPublic",
    "PositionsPublic",
    "SitesPublic",
    "TrackingPublic",
]

UtcDatetime = Annotated[dt.datetime, AfterValidator(lambda value: value.astimezone(dt.UTC))]
"""An answered instant, in UTC (as ``schemas.UtcDatetime``; repeated here to avoid a cycle)."""


def _day_in_years(value: dt.date) -> dt.date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must be in the years {FIRST_YEAR} to {LAST_YEAR}")
    return value


Day = Annotated[dt.date, AfterValidator(_day_in_years)]
"""A UTC day (``YYYY-MM-DD``) in the years the service accepts instants in."""

VehicleId = Annotated[str, Field(min_length=1, max_length=24, pattern=r"^[A-Za-z0-9_./-]+$")]


class ArcEnd(_Out):
    """One end of a flight's arc: the origin hub's pad or the landing site."""

    id: str
    lat_deg: float
    lon_deg: float


class FlightPlanPublic(_Out):
    """What the day's plan assigned to a flight (``null`` before a plan run covered it)."""

    airframe_id: str | None = Field(description="null: the fleet could not fly it (see the run)")
    landing_site: str
    landing_at: UtcDatetime
    origin: ArcEnd
    site: ArcEnd
    planned_kg: float
    planned_m3: float
    planned_shipments: int


class LastMilePublic(_Out):
    """A shipment's planned last mile: the vehicle from the landing site's port, its stop."""

    vehicle: str | None
    stop: int | None
    planned_delivery_at: UtcDatetime | None
    delivered_at: UtcDatetime | None = None


class PlanRunIn(_In):
    """``POST /v1/ops/plan-runs``."""

    date: Day = Field(description="the UTC day whose flights (by launch time) are planned")
    kind: Literal["auto", "full", "fit"] = Field(
        default="auto",
        description="fit: route only new bookings into the existing plan; full: fleet and every "
        "landing again; auto: fit when the day has a plan (full when a new flight needs an "
        "airframe)",
    )
    last_mile_seconds: Annotated[float, Field(gt=0.0, le=60.0, allow_inf_nan=False)] = 2.0


class PlanRunPublic(_Out):
    """One run of the planner over the day's booked flights."""

    id: str
    date: dt.date
    kind: str
    trigger: str
    flights: int
    shipments: int
    unassigned_flights: int
    planned_late: int
    summary: dict[str, object]
    started_at: UtcDatetime
    finished_at: UtcDatetime


class PlanRunsPublic(_Out):
    """The day's plan runs, newest first."""

    data: list[PlanRunPublic]


class LastMileEventIn(_In):
    """``POST /v1/shipments/{id}/last-mile-events``."""

    type: Literal["out_for_delivery", "delivered"]
    vehicle: VehicleId | None = Field(
        default=None, description="the vehicle (default: the one the plan assigned)"
    )
    occurred_at: PastInstant | None = None
    note: Note | None = None


class LastMileEventPublic(_Out):
    """What a last-mile event did (``changed`` false: a repeat, nothing recorded)."""

    shipment_id: str
    status: str
    sub_status: str
    changed: bool
    last_mile: LastMilePublic


class KpisPublic(_Out):
    """The day so far, aggregated in the database (never per-shipment rows)."""

    date: dt.date
    at: UtcDatetime
    shipments: int = Field(description="booked on the day's flights (not cancelled)")
    one_hour: int
    delivered: int
    promises_kept: int = Field(description="delivered by the promise")
    late: int = Field(description="delivered after the promise, or not delivered and past it")
    at_risk: int = Field(
        description="not yet delivered nor late, but planned after the promise or on a flight "
        "still on the ground after its launch time"
    )
    in_the_air: int
    flights: dict[str, int] = Field(description="by status: scheduled, launched, landed, scrubbed")
    scrubs: int
    fill: float = Field(description="booked over capacity of flights that fly (mass or volume)")
    carried_kg: float
    cost_usd: float
    cost_per_kg_usd: float | None


class HubFleetPublic(_Out):
    """One hub's airframes on a day, as bookings count them."""

    hub_id: str
    fleet: int = Field(description="the hub's airframes")
    kept: int = Field(
        description="kept from sale: the spare that re-flies a lost landing, and the "
        "fallback's when the service counts fallbacks"
    )
    bookable: int = Field(description="flights a day may open at most: fleet less kept")
    held_from_earlier_days: int | None = Field(
        description="airframes earlier days' flights still hold at the day's start (in flight, "
        "at sea, in turnaround or flying home; null: the schedule decides, reuse cycle under a "
        "day)"
    )
    next_back_at: UtcDatetime | None = Field(
        description="when the first of those airframes is home and ready again (null: none "
        "held, or the schedule decides)"
    )
    loaded_flights: int = Field(description="the day's flights from the hub carrying a load")
    flights_left: int | None = Field(
        description="flights bookings may still open that day, the latest waves first (null: "
        "the schedule decides, reuse cycle under a day)"
    )


class FleetDayPublic(_Out):
    """A day's airframes by hub, as bookings and quotes count them (``GET /v1/ops/fleet``)."""

    date: dt.date
    rule: str = Field(
        description="one_flight_a_day (reuse cycle ≥ 24 h: each hub's airframes across days) "
        "or schedule"
    )
    hubs: list[HubFleetPublic]


class PositionsPublic(_Out):
    """Compact rows for the map and the flight list: ``[id, origin, site, status, progress,
    launch_at, booked_kg]`` per flight."""

    at: UtcDatetime
    columns: list[str]
    rows: list[list[str | float]]


class SitesPublic(_Out):
    """The network for the map: hubs, landing sites (hub ``i``'s own zone is site ``i``) and
    ``touchdown_s[hub][site]``, liftoff to touchdown of each lane (``None``: not flown)."""

    source: str
    preset: str | None
    rocket: dict[str, str | float]
    promise: dict[str, float]
    hubs: list[dict[str, Any]]
    sites: list[dict[str, Any]]
    touchdown_s: list[list[float | None]]


class TrackingEventPublic(_Out):
    """One event as the public sees it (customs messages blanked)."""

    status: str
    sub_status: str
    message: str
    flight_id: str | None
    occurred_at: UtcDatetime


class TrackingFlightPublic(_Out):
    """The flight a tracked shipment is on."""

    id: str
    launch_at: UtcDatetime | None
    status: str | None


class TrackingPlace(_Out):
    """Where a tracked shipment goes: the recipient's name and country, never the door's
    coordinates (a tracking number is shared; an address is not)."""

    name: str | None
    country: str | None


class TrackingLeg(_Out):
    """One leg of the door-to-door route and its planned duration."""

    leg: str
    duration_s: float


class TrackingPublic(_Out):
    """``GET /v1/tracking/{tracking_number}``: one shipment's status, legs and events; nothing
    of its merchant (id, reference, price, parcels, customs, shipment id) nor the door's
    coordinates."""

    tracking_number: str
    status: str
    sub_status: str
    service: str
    mode: str
    origin_hub: str
    destination_hub: str | None
    destination: TrackingPlace
    flight: TrackingFlightPublic | None
    promised_delivery_at: UtcDatetime
    planned_delivery_at: UtcDatetime | None
    delivered_at: UtcDatetime | None
    last_mile_vehicle: str | None
    legs: list[TrackingLeg]
    events: list[TrackingEventPublic]
