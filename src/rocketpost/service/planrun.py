"""Plan a day from the database: airframes and last-mile routes for the booked flights.

The booking service has already fixed each flight (origin hub, landing site, launch wave) and
each promise. A plan run gives the day's flights what bookings cannot: an **airframe**
(:func:`rocketpost.planning.fleet.schedule_fleet`, in launch order, repositioning where the
fleet allows), the **landing time** at the booked landing site, the **load the planner loaded**
(its manifest), and for each shipment the **last-mile vehicle and stop**
(:func:`rocketpost.planning.lastmile.route_landing`, one PyVRP problem per landing, deadline =
the shipment's promise). It never moves a flight or a promise; a flight the fleet cannot fly is
reported (``unassigned_flights``) for ops to act on, not downgraded.

Two kinds of run:

* ``full``: the fleet and every landing's routes, from scratch. Airframes already flying
  (a launched or landed flight) keep the airframe recorded for them.
* ``fit``: bookings made after a plan. Each landing that gained unrouted shipments is routed
  again (its airframe and every other landing unchanged). When a new booking opened a flight
  the plan has no airframe for, a fit cannot place it and the run is ``full`` instead.

``auto`` (the default) is ``fit`` when the day has a plan and ``full`` otherwise. The plan is
computed outside any transaction (PyVRP takes seconds) and written in one; shipments that moved
on meanwhile (out for delivery, cancelled) are not overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal, cast

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Table, bindparam, or_, select, update

from rocketpost.network import Network
from rocketpost.planning.fleet import Airframe
from rocketpost.planning.params import LastMileParams
from rocketpost.service.auth import new_id
from rocketpost.service.bookedday import ROUTABLE_STATUSES, BookedDay, day_bounds, load_booked_day
from rocketpost.service.db import Database
from rocketpost.service.fleetadmission import one_flight_a_day
from rocketpost.service.fleetcarry import carried_fleet
from rocketpost.service.models import Flight, PlanRun, Shipment, utcnow

__all__ = ["BookedPlan", "PlanKind", "plan_booked", "plan_runs", "run_plan"]

PlanKind = Literal["auto", "full", "fit"]

_CONFLICTS_LISTED = 50  # airframe conflicts listed in a run's summary (all are counted)

_FLIGHTS = cast(Table, Flight.__table__)
_SHIPMENTS = cast(Table, Shipment.__table__)
_FLIGHT_PLAN = (
    update(_FLIGHTS)
    .where(_FLIGHTS.c.id == bindparam("pk"))
    .values(
        airframe_id=bindparam("airframe"),
        landing_site=bindparam("site"),
        landing_at=bindparam("landing"),
        planned_g=bindparam("grams"),
        planned_cm3=bindparam("cm3"),
        planned_shipments=bindparam("count"),
        plan_run_id=bindparam("run"),
        updated_at=bindparam("now"),  # the flight's version: see service/kpitally.py
    )
)
_ROUTE = (
    update(_SHIPMENTS)
    .where(
        _SHIPMENTS.c.id == bindparam("pk"),
        # Spelt out: an IN list cannot be used with executemany.
        or_(*(_SHIPMENTS.c.status == status for status in ROUTABLE_STATUSES)),
    )
    .values(
        last_mile_vehicle=bindparam("vehicle"),
        last_mile_stop=bindparam("stop"),
        planned_delivery_at=bindparam("delivery"),
    )
)


@dataclass(frozen=True, eq=False)
class BookedPlan:
    """What a run assigned, aligned with its :class:`BookedDay` (flights, then shipments).

    ``flight_airframe`` is ``""`` where no airframe flies the flight; ``flight_touched`` marks
    the flights whose assignment the run (re)wrote. ``vehicle`` is ``""`` for a shipment the run
    did not route (``stop`` -1, ``delivery_s`` NaN).
    """

    flight_airframe: NDArray[np.str_]
    flight_landing_s: NDArray[np.float64]
    flight_touched: NDArray[np.bool_]
    vehicle: NDArray[np.str_]
    stop: NDArray[np.int64]
    delivery_s: NDArray[np.float64]
    late: NDArray[np.bool_]
    repositioning_flights: int


def _airframes(
    network: Network, booked: BookedDay, day: date, fleet: list[Airframe] | None
) -> tuple[NDArray[np.str_], NDArray[np.float64], int]:
    """Airframes for the flights that carry something, in launch order, from ``fleet`` (the
    fleet carried from the earlier days; ``None``: home and ready at the day's start)."""
    from rocketpost.core.eta import flight_matrix
    from rocketpost.service.fleetadmission import schedule_day

    flight_s = np.asarray(flight_matrix(network).flight_s, dtype=np.float64)
    landing = booked.flight_launch_s + flight_s[booked.flight_origin, booked.flight_site]
    airframe = np.full(booked.flights, "", dtype="<U32")
    bins = np.flatnonzero(booked.flight_fill > 0)  # what admission counts: a booked load
    schedule = schedule_day(
        network,
        booked.flight_origin[bins],
        booked.flight_site[bins],
        booked.flight_launch_s[bins],
        day_start_s=day_bounds(day)[0].timestamp(),
        fleet=fleet,
    )
    flown = schedule.bin_flight >= 0
    ids = np.array([a.airframe_id for a in schedule.airframes], dtype="<U32")
    airframe[bins[flown]] = ids[schedule.flight_airframe[schedule.bin_flight[flown]]]
    # An airframe already in the air stays the one recorded for it.
    gone = (booked.flight_status != "scheduled") & (booked.flight_airframe != "")
    airframe[gone] = booked.flight_airframe[gone]
    return airframe, landing, int(np.count_nonzero(schedule.repositioning))


def plan_booked(
    network: Network,
    booked: BookedDay,
    day: date,
    params: LastMileParams,
    *,
    kind: Literal["full", "fit"],
    fleet: list[Airframe] | None = None,
) -> BookedPlan:
    """Assign airframes (``full`` only, from ``fleet``: see :func:`_airframes`) and route the
    landings the run covers."""
    from rocketpost.core.eta import flight_matrix
    from rocketpost.planning.lastmile import LandingParcels, route_landing

    n = len(booked.orders)
    if kind == "full":
        airframe, landing, repositioning = _airframes(network, booked, day, fleet)
        landings = np.ones(booked.flights, dtype=bool)
    else:
        flight_s = np.asarray(flight_matrix(network).flight_s, dtype=np.float64)
        airframe = booked.flight_airframe.astype("<U32")
        landing = booked.flight_launch_s + flight_s[booked.flight_origin, booked.flight_site]
        repositioning = 0
        todo = booked.routable & ~booked.planned
        landings = np.bincount(booked.shipment_flight[todo], minlength=booked.flights) > 0
    vehicle = np.full(n, "", dtype="<U24")
    stop = np.full(n, -1, dtype=np.int64)
    delivery = np.full(n, np.nan)
    late = np.zeros(n, dtype=bool)
    orders = booked.orders
    for f in np.flatnonzero(landings).tolist():
        rows = np.flatnonzero((booked.shipment_flight == f) & booked.routable)
        site = int(booked.flight_site[f])
        if len(rows) == 0:
            continue  # nothing to route
        # A hub's zone routes with the hub's vans and drones, an extra landing site with its
        # own (planning.lastmile.depot_fleet): both get last-mile routes.
        routes = route_landing(
            network,
            site,
            LandingParcels(
                orders.destination_lat_deg[rows],
                orders.destination_lon_deg[rows],
                orders.mass_kg[rows],
                orders.volume_m3[rows],
                np.maximum(booked.release_s[rows], landing[f]),
                booked.promised_s[rows],
            ),
            params,
        )
        prefix = network.site_ids[site] + "/"
        vehicle[rows] = np.char.add(prefix, routes.vehicle.astype(str))
        stop[rows] = routes.stop
        delivery[rows] = routes.arrival_s
        late[rows] = routes.late
    return BookedPlan(
        flight_airframe=airframe,
        flight_landing_s=landing,
        flight_touched=landings,
        vehicle=vehicle,
        stop=stop,
        delivery_s=delivery,
        late=late,
        repositioning_flights=repositioning,
    )


def _when(seconds: float) -> datetime:
    return datetime.fromtimestamp(round(seconds, 3), tz=UTC)


def _has_plan(db: Database, day: date) -> bool:
    with db.session() as session:
        return session.scalar(select(PlanRun.id).where(PlanRun.day == day).limit(1)) is not None


def run_plan(
    db: Database,
    network: Network,
    day: date,
    *,
    kind: PlanKind = "auto",
    trigger: str = "ops",
    params: LastMileParams | None = None,
) -> PlanRun:
    """Plan ``day`` from the database and write the assignment back; returns the run's row.

    See the module doc for ``kind``. The run's row records what it did (``summary``: flights
    with an airframe, routed shipments, planned-late shipments, repositioning flights).
    """
    params = params or LastMileParams()
    started = utcnow()
    with db.session() as session:
        booked = load_booked_day(session, network, day)
    chosen: Literal["full", "fit"] = "full" if kind == "full" else "fit"
    if kind == "auto" and not _has_plan(db, day):
        chosen = "full"
    carrying = np.bincount(booked.shipment_flight, minlength=booked.flights) > 0
    if chosen == "fit" and np.any(carrying & (booked.flight_airframe == "")):
        chosen = "full"  # a new flight has no airframe: a fit cannot place it
    fleet = None
    if chosen == "full" and one_flight_a_day(network):
        with db.session() as session:  # the fleet as the earlier days left it, as bookings count
            fleet = carried_fleet(session, network, day)
    plan = plan_booked(network, booked, day, params, kind=chosen, fleet=fleet)
    grams = np.bincount(
        booked.shipment_flight,
        weights=np.rint(booked.orders.mass_kg * 1000.0),
        minlength=booked.flights,
    )
    cm3 = np.bincount(
        booked.shipment_flight,
        weights=np.rint(booked.orders.volume_m3 * 1e6),
        minlength=booked.flights,
    )
    count = np.bincount(booked.shipment_flight, minlength=booked.flights)
    routed = plan.vehicle != ""
    assigned = carrying & (plan.flight_airframe != "")
    conflicts: list[str] = []
    if chosen == "full":
        from rocketpost.service.fleetchain import airframe_conflicts

        with db.session() as session:
            conflicts = airframe_conflicts(
                session,
                network,
                day,
                booked,
                np.where(assigned, plan.flight_airframe, ""),
                plan.flight_landing_s,
            )
    summary = {
        "flights": booked.flights,
        "flights_carrying": int(carrying.sum()),
        "flights_with_airframe": int(assigned.sum()),
        "unassigned_flights": [
            str(x) for x in booked.flight_public_id[carrying & (plan.flight_airframe == "")]
        ],
        "repositioning_flights": plan.repositioning_flights,
        # Airframes the earlier days' runs left in their reuse cycle or away from home
        # (service/fleetchain.py): empty unless the fleet changed or the cycle is under a day.
        "airframe_conflicts": conflicts[:_CONFLICTS_LISTED],
        "airframe_conflicts_count": len(conflicts),
        "shipments": len(booked.orders),
        "shipments_routed": int(routed.sum()),
        "planned_late": int((plan.late & routed).sum()),
        "landings_routed": int(plan.flight_touched.sum()),
        "last_mile_time_limit_s": params.time_limit_s,
    }
    with db.write() as session:
        run = PlanRun(
            public_id=new_id("pln_"),
            day=day,
            kind=chosen,
            trigger=trigger,
            flights=booked.flights,
            shipments=len(booked.orders),
            unassigned_flights=len(summary["unassigned_flights"]),  # type: ignore[arg-type]
            planned_late=summary["planned_late"],
            summary=summary,
            started_at=started,
            finished_at=utcnow(),
        )
        session.add(run)
        session.flush()
        touched = np.flatnonzero(plan.flight_touched).tolist()
        if touched:
            session.execute(
                _FLIGHT_PLAN,
                [
                    {
                        "pk": int(booked.flight_pk[f]),
                        "airframe": str(plan.flight_airframe[f]) or None,
                        "site": network.site_ids[int(booked.flight_site[f])],
                        "landing": _when(float(plan.flight_landing_s[f])),
                        "grams": int(grams[f]),
                        "cm3": int(cm3[f]),
                        "count": int(count[f]),
                        "run": run.id,
                        "now": utcnow(),
                    }
                    for f in touched
                ],
            )
        rows = np.flatnonzero(routed).tolist()
        if rows:
            session.execute(
                _ROUTE,
                [
                    {
                        "pk": int(booked.shipment_pk[i]),
                        "vehicle": str(plan.vehicle[i]),
                        "stop": int(plan.stop[i]),
                        "delivery": _when(float(plan.delivery_s[i])),
                    }
                    for i in rows
                ],
            )
        session.flush()
        session.expunge(run)
    return run


def plan_runs(db: Database, day: date, limit: int = 20) -> list[PlanRun]:
    """The day's runs, newest first."""
    with db.session() as session:
        rows = list(
            session.scalars(
                select(PlanRun).where(PlanRun.day == day).order_by(PlanRun.id.desc()).limit(limit)
            )
        )
        for row in rows:
            session.expunge(row)
        return rows
