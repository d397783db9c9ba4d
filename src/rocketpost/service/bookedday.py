"""A day of booked flights and shipments, read from the service's database as the planner's input.

The booking service reserves capacity on wave flights (``flt_HZB_ICN_…``); the planner works
on NumPy tables (hub and site indices, seconds, an :class:`~rocketpost.orders.table.OrderTable`).
:func:`load_booked_day` is the one conversion between the two: the day's flights that still fly
(not scrubbed), in launch order, and every shipment that holds a seat on one of them, as an
orders table in the planner's terms plus what the plan needs that an order file does not carry
(the flight each shipment is booked on, its promise, when it reaches the landing site's port).

Nothing here decides: the flights and the promises are fixed by the bookings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from rocketpost.network import Network
from rocketpost.orders.table import OrderTable
from rocketpost.service.models import CM3_PER_M3, GRAMS_PER_KG, Flight, Shipment
from rocketpost.service.tracking import Status

__all__ = ["FLYING_STATUSES", "ROUTABLE_STATUSES", "BookedDay", "day_bounds", "load_booked_day"]

_TO_PORT_LEGS = (
    "ascent",
    "coast",
    "descent",
    "vessel_transfer",
    "sea_transfer",
    "boat",
    "port_handling",
    "customs",
)
"""The legs from launch to the parcel released at the landing site's port (customs included)."""

ROUTABLE_STATUSES = (Status.PRE_TRANSIT.value, Status.IN_TRANSIT.value)
"""Shipments the last mile may still be (re)planned for: not yet handed to a vehicle."""

FLYING_STATUSES = ("scheduled", "launched", "landed")
"""Flights that still fly (not scrubbed): the ones a day's airframes are for."""


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC day ``[00:00, 24:00)`` of ``day``: the flights that launch in it are its plan."""
    start = datetime.combine(day, time(), UTC)
    return start, start + timedelta(days=1)


@dataclass(frozen=True, eq=False)
class BookedDay:
    """The day's booked flights (``flight_*``, launch order) and shipments (``orders`` rows).

    Attributes
    ----------
    flight_pk, flight_public_id, flight_status
        Row ids, public ids and statuses of the flights.
    flight_origin, flight_site
        Origin hub index and landing-site index (``network.site_ids``) of each flight: the
        booking fixed both (they are in the flight's id and in every promise on it).
    flight_launch_s
        Launch times, epoch seconds.
    flight_fill
        Booked share of the payload (the larger of mass and volume).
    flight_airframe
        The airframe a previous plan assigned (``""`` when none).
    orders
        One row per shipment (``order_id`` is the shipment's public id).
    shipment_pk, shipment_flight
        Shipment row ids and the index (into ``flight_*``) of the flight each is booked on.
    promised_s, release_s
        The promise, and when the parcel is released at the landing site's port (launch plus
        the booked legs up to and including customs), epoch seconds.
    routable
        Shipments whose last mile may still be planned (not out for delivery or delivered).
    planned
        Shipments a previous plan already gave a vehicle.
    """

    flight_pk: NDArray[np.int64]
    flight_public_id: NDArray[np.str_]
    flight_status: NDArray[np.str_]
    flight_origin: NDArray[np.intp]
    flight_site: NDArray[np.intp]
    flight_launch_s: NDArray[np.float64]
    flight_fill: NDArray[np.float64]
    flight_airframe: NDArray[np.str_]
    orders: OrderTable
    shipment_pk: NDArray[np.int64]
    shipment_flight: NDArray[np.int64]
    promised_s: NDArray[np.float64]
    release_s: NDArray[np.float64]
    routable: NDArray[np.bool_]
    planned: NDArray[np.bool_]

    @property
    def flights(self) -> int:
        """Number of flights."""
        return len(self.flight_pk)


def _release_s(launch_s: float, legs: list[dict[str, Any]] | None, to_port_s: float) -> float:
    if not legs:
        return launch_s + to_port_s
    return launch_s + sum(float(g["duration_s"]) for g in legs if g["leg"] in _TO_PORT_LEGS)


def load_booked_day(session: Session, network: Network, day: date) -> BookedDay:
    """Read ``day``'s flights (launching in it, not scrubbed) and their seated shipments.

    A flight whose hub or site this network does not know is an error of the deployment (the
    service books only on the network it runs), reported as :class:`KeyError` by the network.
    """
    from rocketpost.core.eta import landing_to_port_s

    start, end = day_bounds(day)
    flights = session.execute(
        select(
            Flight.id,
            Flight.public_id,
            Flight.status,
            Flight.origin_hub,
            Flight.destination_hub,
            Flight.launch_at,
            Flight.booked_g,
            Flight.booked_cm3,
            Flight.capacity_g,
            Flight.capacity_cm3,
            Flight.airframe_id,
        )
        .where(
            Flight.launch_at >= start, Flight.launch_at < end, Flight.status.in_(FLYING_STATUSES)
        )
        .order_by(Flight.launch_at, Flight.id)
    ).all()
    index = {row.id: k for k, row in enumerate(flights)}
    origin = np.array([network.hub_index(r.origin_hub) for r in flights], dtype=np.intp)
    site = np.array([network.site_index(r.destination_hub) for r in flights], dtype=np.intp)
    launch_s = np.array([r.launch_at.timestamp() for r in flights], dtype=np.float64)
    shipments = session.execute(
        select(
            Shipment.id,
            Shipment.public_id,
            Shipment.merchant_public_id,
            Shipment.channel,
            Shipment.created_at,
            Shipment.destination,
            Shipment.origin_hub,
            Shipment.mass_g,
            Shipment.volume_cm3,
            Shipment.promised_delivery_at,
            Shipment.legs,
            Shipment.status,
            Shipment.flight_id,
            Shipment.last_mile_vehicle,
        )
        .join(Flight, Shipment.flight_id == Flight.id)
        .where(
            Flight.launch_at >= start,
            Flight.launch_at < end,
            Flight.status.in_(FLYING_STATUSES),
            Shipment.status.in_(
                (*ROUTABLE_STATUSES, Status.OUT_FOR_DELIVERY.value, Status.DELIVERED.value)
            ),
        )
        .order_by(Shipment.id)
    ).all()
    on = np.array([index[s.flight_id] for s in shipments], dtype=np.int64)
    to_port = landing_to_port_s(network)
    n = len(shipments)
    orders = OrderTable(
        order_id=np.array([s.public_id for s in shipments], dtype=str),
        merchant_id=np.array([s.merchant_public_id for s in shipments], dtype=str),
        channel=np.array([s.channel for s in shipments], dtype=str),
        created_at=np.array(
            [s.created_at.replace(tzinfo=None) for s in shipments], dtype="datetime64[s]"
        ),
        destination_lat_deg=np.array([s.destination["lat_deg"] for s in shipments], dtype=float),
        destination_lon_deg=np.array([s.destination["lon_deg"] for s in shipments], dtype=float),
        destination_country=np.array(
            [s.destination.get("country") or "" for s in shipments], dtype=str
        ),
        destination_label=np.array([s.destination.get("name", "") for s in shipments], dtype=str),
        recipient_id=np.full(n, "", dtype=str),
        origin_hub=np.array([s.origin_hub for s in shipments], dtype=str),
        mass_kg=np.array([s.mass_g / GRAMS_PER_KG for s in shipments], dtype=np.float64),
        volume_m3=np.array([s.volume_cm3 / CM3_PER_M3 for s in shipments], dtype=np.float64),
        n_items=np.ones(n, dtype=np.int64),
        n_units=np.ones(n, dtype=np.int64),
        currency=np.full(n, "USD", dtype=str),
        declared_value_micros=np.zeros(n, dtype=np.int64),
        dangerous_goods_bits=np.zeros(n, dtype=np.uint32),
    )
    release = np.array(
        [
            _release_s(float(launch_s[k]), s.legs, float(to_port[site[k]]))
            for k, s in zip(on.tolist(), shipments, strict=True)
        ],
        dtype=np.float64,
    )
    return BookedDay(
        flight_pk=np.array([r.id for r in flights], dtype=np.int64),
        flight_public_id=np.array([r.public_id for r in flights], dtype=str),
        flight_status=np.array([r.status for r in flights], dtype=str),
        flight_origin=origin,
        flight_site=site,
        flight_launch_s=launch_s,
        flight_fill=np.array(
            [max(r.booked_g / r.capacity_g, r.booked_cm3 / r.capacity_cm3) for r in flights],
            dtype=np.float64,
        ),
        flight_airframe=np.array([r.airframe_id or "" for r in flights], dtype=str),
        orders=orders,
        shipment_pk=np.array([s.id for s in shipments], dtype=np.int64),
        shipment_flight=on,
        promised_s=np.array(
            [s.promised_delivery_at.timestamp() for s in shipments], dtype=np.float64
        ),
        release_s=release,
        routable=np.array([s.status in ROUTABLE_STATUSES for s in shipments], dtype=bool),
        planned=np.array([s.last_mile_vehicle is not None for s in shipments], dtype=bool),
    )
