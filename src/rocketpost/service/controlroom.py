"""The control room's reads: the day's KPIs, flight positions, the network, public tracking.

Everything a control-room page polls is small whatever the day's size: KPIs are the day's
flights plus per-flight tallies of their shipments, kept up to date flight by flight (a handful
of numbers back, never rows), positions are one compact row per flight (a thousand, not a
million), and the network is a few hundred rows. The shipments of a flight are read only on a
click (its manifest).

Public tracking answers one tracking number with that shipment's status, legs and events —
nothing that names its merchant, price or customs, and nothing of any other shipment.
"""

from __future__ import annotations

import logging
import math
import threading
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.sql.elements import ColumnElement

from rocketpost.network import Network
from rocketpost.service import ops_schemas
from rocketpost.service.bookedday import day_bounds
from rocketpost.service.db import Database
from rocketpost.service.errors import ApiError
from rocketpost.service.kpitally import tally_cache
from rocketpost.service.models import GRAMS_PER_KG, Flight, Shipment, TrackingEvent
from rocketpost.service.tracking import Status, SubStatus

__all__ = ["POSITION_COLUMNS", "ControlRoom", "network_view", "warm_in_background"]

logger = logging.getLogger(__name__)

POSITION_COLUMNS = ["id", "origin", "site", "status", "progress", "launch_at", "booked_kg"]
_FLIGHT_STATUSES = ("scheduled", "launched", "landed", "scrubbed")
_PRIVATE_MESSAGES = frozenset(
    {
        SubStatus.CUSTOMS_HOLD.value,
        SubStatus.CUSTOMS_REASSESSED.value,
        SubStatus.CUSTOMS_CLEARED.value,
        SubStatus.SEIZED.value,
        SubStatus.INDUCTED.value,
    }
)
_OPEN = (Status.PRE_TRANSIT.value, Status.IN_TRANSIT.value, Status.OUT_FOR_DELIVERY.value)


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class ControlRoom:
    """Aggregated reads of one database on one network (cheap to build: no state)."""

    def __init__(self, db: Database, network: Network) -> None:
        self.db = db
        self.network = network

    def kpis(self, day: date, at: datetime) -> ops_schemas.KpisPublic:
        """The day's promises kept, late and at risk at ``at``; scrubs, fill and cost.

        One aggregation over the day's flights, and the shipments' tallies per flight
        (:mod:`rocketpost.service.kpitally`: recomputed, in SQL, only for the flights that
        changed since the last call).
        """
        start, end = day_bounds(day)
        f = Flight
        with self.db.session() as session:
            flights = session.execute(
                select(
                    f.id,
                    f.updated_at,
                    f.status,
                    f.launch_at,
                    f.booked_g,
                    f.booked_cm3,
                    f.capacity_g,
                    f.capacity_cm3,
                ).where(f.launch_at >= start, f.launch_at < end)
            ).all()
            tally = tally_cache(self.db).day(
                session, [(r.id, r.updated_at, r.status, r.launch_at) for r in flights], at
            )
        counts = {k: 0 for k in _FLIGHT_STATUSES}
        for r in flights:
            counts[r.status] = counts.get(r.status, 0) + 1
        flying = [r for r in flights if r.status != "scrubbed"]
        flown = [r for r in flights if r.status in ("launched", "landed")]
        cap_g = sum(r.capacity_g for r in flying)
        cap_cm3 = sum(r.capacity_cm3 for r in flying)
        fill = max(
            sum(r.booked_g for r in flying) / cap_g if cap_g else 0.0,
            sum(r.booked_cm3 for r in flying) / cap_cm3 if cap_cm3 else 0.0,
        )
        carried_kg = sum(r.booked_g for r in flown) / GRAMS_PER_KG
        cost = len(flown) * self.network.rocket.cost_per_flight_usd
        return ops_schemas.KpisPublic(
            date=day,
            at=at,
            shipments=tally.shipments,
            one_hour=tally.one_hour,
            delivered=tally.delivered,
            promises_kept=tally.promises_kept,
            late=tally.late,
            at_risk=tally.at_risk,
            in_the_air=tally.in_the_air,
            flights=counts,
            scrubs=counts["scrubbed"],
            fill=float(fill),
            carried_kg=carried_kg,
            cost_usd=float(cost),
            cost_per_kg_usd=float(cost / carried_kg) if carried_kg else None,
        )

    def positions(self, day: date, at: datetime) -> dict[str, Any]:
        """Every flight of ``day`` as ``[id, origin, site, status, progress, launch_at,
        booked_kg]`` at ``at``: the
        JSON body of :class:`~rocketpost.service.ops_schemas.PositionsPublic`, built directly
        (a thousand rows polled every few seconds; validating each cell costs more than the
        query).

        ``progress`` is the share of the flight flown (0 on the ground before launch or
        scrubbed, 1 landed); a launched flight's is its time since launch over its planned
        flight time (the plan's landing, else the network's flight time), capped at 1.
        """
        from rocketpost.core.eta import flight_matrix

        start, end = day_bounds(day)
        query = (
            select(
                Flight.public_id,
                Flight.origin_hub,
                Flight.destination_hub,
                Flight.status,
                Flight.launch_at,
                Flight.landing_at,
                Flight.booked_g,
            )
            .where(Flight.launch_at >= start, Flight.launch_at < end)
            .order_by(Flight.launch_at, Flight.id)
        )
        with self.db.session() as session:
            rows = session.execute(query).all()
        flight_s = flight_matrix(self.network).flight_s
        out: list[list[str | float]] = []
        now_s = at.timestamp()
        for fid, origin, site, status, launch_at, landing_at, booked_g in rows:
            progress = 1.0 if status == "landed" else 0.0
            if status == "launched":
                launch_s = launch_at.timestamp()
                if landing_at is not None:
                    duration = landing_at.timestamp() - launch_s
                else:
                    o, d = self.network.hub_index(origin), self.network.site_index(site)
                    duration = float(flight_s[o, d])
                progress = float(np.clip((now_s - launch_s) / max(duration, 1.0), 0.0, 1.0))
            launch = launch_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
            booked_kg = round(booked_g / GRAMS_PER_KG, 3)
            out.append([fid, origin, site, status, round(progress, 4), launch, booked_kg])
        stamp = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return {"at": stamp, "columns": POSITION_COLUMNS, "rows": out}

    def sites(self) -> dict[str, Any]:
        """Hubs, landing sites and the lanes' touchdown times, for the map
        (:func:`network_view`)."""
        return network_view(self.network)

    def track(self, tracking_number: str) -> ops_schemas.TrackingPublic:
        """One shipment by its tracking number (public: see the module doc); 404 if unknown."""
        with self.db.session() as session:
            s = session.scalars(
                select(Shipment).where(Shipment.tracking_number == tracking_number)
            ).first()
            if s is None:
                raise ApiError(404, "not_found", "no such tracking number")
            events = session.execute(
                select(
                    TrackingEvent.status,
                    TrackingEvent.sub_status,
                    TrackingEvent.message,
                    TrackingEvent.flight_public_id,
                    TrackingEvent.occurred_at,
                )
                .where(TrackingEvent.shipment_id == s.id)
                .order_by(TrackingEvent.id)
            ).all()
            flight = None
            if s.flight_id is not None:
                flight = session.scalar(select(Flight.status).where(Flight.id == s.flight_id))
        return ops_schemas.TrackingPublic.model_validate(
            {
                "tracking_number": s.tracking_number,
                "status": s.status,
                "sub_status": s.sub_status,
                "service": s.service,
                "mode": s.mode,
                "origin_hub": s.origin_hub,
                "destination_hub": s.destination_hub,
                "destination": {
                    "name": s.destination.get("name"),
                    "country": s.destination.get("country"),
                },
                "flight": None
                if s.flight_public_id is None
                else {"id": s.flight_public_id, "launch_at": s.launch_at, "status": flight},
                "promised_delivery_at": s.promised_delivery_at,
                "planned_delivery_at": s.planned_delivery_at,
                "delivered_at": s.delivered_at,
                "last_mile_vehicle": s.last_mile_vehicle,
                "legs": [
                    {"leg": leg["leg"], "duration_s": leg["duration_s"]} for leg in s.legs or []
                ],
                "events": [
                    {
                        "status": e.status,
                        "sub_status": e.sub_status,
                        # Customs messages may name the recipient's other parcels: not public.
                        "message": "" if e.sub_status in _PRIVATE_MESSAGES else e.message,
                        "flight_id": e.flight_public_id,
                        "occurred_at": e.occurred_at,
                    }
                    for e in events
                ],
            }
        )


@lru_cache(maxsize=4)
def network_view(network: Network) -> dict[str, Any]:
    """Hubs, landing sites and the lanes' touchdown times, as the map draws them (the JSON
    body of :class:`~rocketpost.service.ops_schemas.SitesPublic`; computed once per network,
    an immutable object).

    ``touchdown_s[o][s]`` is liftoff to touchdown from hub ``o`` (position in ``hubs``) to
    site ``s`` (position in ``sites``: hub ``i``'s own landing zone is site ``i``), ``None``
    where the lane is not flown (a hub's own zone, or out of the rocket's reach): the page
    moves a flight along its great circle over that time between two polls.
    """
    from rocketpost.core.networklegs import network_legs

    legs = network_legs(network)
    hubs = [
        {
            "id": hub.hub_id,
            "name": hub.name,
            "country": hub.country,
            "lat_deg": hub.pad[0],
            "lon_deg": hub.pad[1],
            "fleet": hub.fleet,
            "pads": hub.pads,
            "launch": hub.launch,
            "launch_interval_min": hub.launch_interval_min,
            "port": hub.port,
        }
        for hub in network.hubs
    ]
    sites = [
        {
            "id": site.site_id,
            "lat_deg": site.position[0],
            "lon_deg": site.position[1],
            "port": site.port,
            "drones": site.drones,
            "hub": network.hubs[site.hub_index].hub_id if site.hub_index >= 0 else None,
            "serves": site.serves,
        }
        for site in network.landing_sites
    ]
    touchdown = [
        [round(float(v), 1) if math.isfinite(v) else None for v in row] for row in legs.touchdown_s
    ]
    return {
        "source": network.source,
        "preset": network.preset,
        "rocket": {
            "name": network.rocket.name,
            "payload_mass_kg": network.rocket.payload_mass_kg,
            "cost_per_flight_usd": network.rocket.cost_per_flight_usd,
        },
        "promise": {
            "one_hour_min": network.promise.one_hour_min,
            "buffer_min": network.promise.buffer_min,
        },
        "hubs": hubs,
        "sites": sites,
        "touchdown_s": touchdown,
    }


def warm_in_background(db: Database, network: Network) -> threading.Thread:
    """Tally today's shipments in a daemon thread, so that a control room's first page load
    on a freshly started server does not pay for the whole day (:mod:`.kpitally`)."""

    def work() -> None:
        try:
            now = utc_now()
            ControlRoom(db, network).kpis(now.date(), now)
        except Exception:  # a warm-up never stops the service (the first call tallies anyway)
            logger.warning("control-room warm-up failed", exc_info=True)

    thread = threading.Thread(target=work, name="controlroom-warm-up", daemon=True)
    thread.start()
    return thread


def utc_now() -> datetime:
    """Now, UTC (the default ``at`` of the control room's reads)."""
    return datetime.now(UTC)
