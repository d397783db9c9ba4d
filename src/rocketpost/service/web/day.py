"""One day of flights and its KPIs, aggregated in the database (the control room's fallback).

The page uses the ops API's own day endpoints when the server has them (``GET /v1/flights?date=``
and ``GET /v1/ops/kpis``, detected in ``/openapi.json``); otherwise it reads this: the day's
flights in one compact answer (capped at :data:`MAX_FLIGHTS`, newest launches last) and counts
that the database aggregates (``GROUP BY``), so the browser never pulls the shipments.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from rocketpost.network import Network
from rocketpost.service.db import Database
from rocketpost.service.models import CM3_PER_M3, GRAMS_PER_KG, Flight, Shipment
from rocketpost.service.web.track import _iso

__all__ = ["MAX_FLIGHTS", "day_summary"]

MAX_FLIGHTS = 5_000
"""More than a day of the shipped network's waves from every hub (21 hubs × 144 ten-minute
waves = 3,024 lanes at most one flight each); past it the answer says ``truncated``."""


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return start, start + timedelta(days=1)


def day_summary(db: Database, network: Network, day: date, now: datetime) -> dict[str, Any]:
    """The flights launching on ``day`` (UTC) and the day's KPIs as of ``now``.

    KPIs: flights by status; shipments by status; ``late`` (promise passed, not yet landed);
    ``at_risk`` (on a flight still on the pad after its launch time); ``scrubs``; ``fill``
    (booked mass over capacity of the flights that launched); ``cost_per_kg_usd`` (the rocket's
    cost per flight × launched flights ÷ kg they carried).
    """
    start, end = _bounds(day)
    with db.session() as session:
        in_day = Flight.launch_at >= start, Flight.launch_at < end
        flights = session.execute(
            select(
                Flight.public_id,
                Flight.origin_hub,
                Flight.destination_hub,
                Flight.launch_at,
                Flight.status,
                Flight.booked_g,
                Flight.capacity_g,
                Flight.booked_cm3,
            )
            .where(*in_day)
            .order_by(Flight.launch_at, Flight.id)
            .limit(MAX_FLIGHTS + 1)
        ).all()
        flight_counts = dict(
            session.execute(
                select(Flight.status, func.count()).where(*in_day).group_by(Flight.status)
            ).all()
        )
        flown = session.execute(
            select(func.count(), func.sum(Flight.booked_g), func.sum(Flight.capacity_g)).where(
                *in_day, Flight.status.in_(("launched", "landed"))
            )
        ).one()
        on_day = Shipment.flight_id == Flight.id
        shipment_counts = {
            f"{status}/{sub}": n
            for status, sub, n in session.execute(
                select(Shipment.status, Shipment.sub_status, func.count())
                .join(Flight, on_day)
                .where(*in_day)
                .group_by(Shipment.status, Shipment.sub_status)
            ).all()
        }
        late = session.scalar(
            select(func.count())
            .select_from(Shipment)
            .join(Flight, on_day)
            .where(
                *in_day,
                Shipment.promised_delivery_at < now,
                Shipment.status == "pre_transit",
            )
        )
        late_in_air = session.scalar(
            select(func.count())
            .select_from(Shipment)
            .join(Flight, on_day)
            .where(
                *in_day,
                Shipment.promised_delivery_at < now,
                Shipment.sub_status == "launched",
            )
        )
        at_risk = session.scalar(
            select(func.count())
            .select_from(Shipment)
            .join(Flight, on_day)
            .where(
                *in_day,
                Flight.status == "scheduled",
                Flight.launch_at < now,
                Shipment.status == "pre_transit",
            )
        )
    n_flown, flown_g, flown_capacity_g = flown[0], flown[1] or 0, flown[2] or 0
    cost = n_flown * network.rocket.cost_per_flight_usd
    landed = sum(n for key, n in shipment_counts.items() if key == "in_transit/landed")
    return {
        "date": day.isoformat(),
        "as_of": _iso(now),
        "truncated": len(flights) > MAX_FLIGHTS,
        "flights": [
            {
                "id": f.public_id,
                "origin_hub": f.origin_hub,
                "destination_hub": f.destination_hub,
                "launch_at": _iso(f.launch_at),
                "status": f.status,
                "booked_kg": f.booked_g / GRAMS_PER_KG,
                "capacity_kg": f.capacity_g / GRAMS_PER_KG,
                "booked_m3": f.booked_cm3 / CM3_PER_M3,
            }
            for f in flights[:MAX_FLIGHTS]
        ],
        "kpis": {
            "flights": {k: flight_counts.get(k, 0) for k in _FLIGHT_STATES},
            "shipments": sum(shipment_counts.values()),
            "shipments_by_state": shipment_counts,
            "landed": landed,
            "late": int(late or 0) + int(late_in_air or 0),
            "at_risk": int(at_risk or 0),
            "scrubs": flight_counts.get("scrubbed", 0),
            "fill": flown_g / flown_capacity_g if flown_capacity_g else None,
            "cost_per_kg_usd": cost / (flown_g / GRAMS_PER_KG) if flown_g else None,
        },
    }


_FLIGHT_STATES = ("scheduled", "launched", "landed", "scrubbed")
