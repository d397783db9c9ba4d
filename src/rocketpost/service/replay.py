"""Replay a day of operations into the service: the same functions the ops endpoints call.

A **timeline** is a time-ordered list of :class:`OpsEvent` — a flight launched, landed or
scrubbed, a shipment out for delivery or delivered (with its vehicle). :func:`planned_timeline`
makes the nominal one from the day's plan in the database (every flight launches on its wave and
lands when the plan says; each van leaves the port once the parcels of its trip are released
and hands each over at its planned time); :func:`read_timeline` reads one from a file (CSV or
Parquet with the columns of :data:`TIMELINE_COLUMNS`), e.g. a simulated day's disruptions edited
in. :func:`replay` feeds a timeline, in order, through
:meth:`rocketpost.service.flights.FlightOps.record` and
:func:`rocketpost.service.lastmile_events.record_last_mile` — the locked, idempotent
transitions the HTTP API uses — optionally paced at ``speed`` × real time.

An event the state no longer allows (a delivery of a shipment a scrub moved to a later flight)
is counted as refused and the replay goes on: a replay reports, it does not stop the day.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import select

from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.service import ops_schemas, schemas
from rocketpost.service.bookedday import load_booked_day
from rocketpost.service.db import Database
from rocketpost.service.errors import ApiError
from rocketpost.service.flights import FlightOps
from rocketpost.service.lastmile_events import record_last_mile
from rocketpost.service.models import Flight, Shipment
from rocketpost.service.quoting import QuoteEngine
from rocketpost.service.transitions import retrying

__all__ = [
    "TIMELINE_COLUMNS",
    "OpsEvent",
    "ReplayResult",
    "planned_timeline",
    "read_timeline",
    "replay",
    "write_timeline",
]

TIMELINE_COLUMNS = ("at", "kind", "flight_id", "shipment_id", "vehicle")
_FLIGHT_KINDS = ("launched", "landed", "scrubbed")
_SHIPMENT_KINDS = ("out_for_delivery", "delivered")
_RANK = {k: i for i, k in enumerate((*_FLIGHT_KINDS, *_SHIPMENT_KINDS))}


@dataclass(frozen=True)
class OpsEvent:
    """One event of the day: a flight's (``flight_id``) or a shipment's (``shipment_id``)."""

    at: datetime
    kind: str
    flight_id: str | None = None
    shipment_id: str | None = None
    vehicle: str | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise InputError("at", self.at, "must be timezone-aware")
        if self.kind in _FLIGHT_KINDS:
            if not self.flight_id:
                raise InputError("flight_id", self.flight_id, f"a {self.kind} event needs one")
        elif self.kind in _SHIPMENT_KINDS:
            if not self.shipment_id:
                raise InputError("shipment_id", self.shipment_id, f"a {self.kind} event needs one")
        else:
            raise InputError("kind", self.kind, f"must be one of {sorted(_RANK)}")

    def key(self) -> tuple[datetime, int, str]:
        """Time order; at one instant flights before shipments, launch before landing."""
        return (self.at, _RANK[self.kind], self.flight_id or self.shipment_id or "")


def _when(seconds: float) -> datetime:
    return datetime.fromtimestamp(round(float(seconds), 3), tz=UTC)


def planned_timeline(db: Database, network: Network, day: date) -> list[OpsEvent]:
    """The nominal day from the plan in the database (see the module doc).

    Flights without a planned landing (no plan run yet) land after the network's flight time;
    shipments without a planned vehicle get no last-mile events.
    """
    with db.session() as session:
        booked = load_booked_day(session, network, day)
        landing = dict(
            session.execute(
                select(Flight.id, Flight.landing_at).where(Flight.id.in_(booked.flight_pk.tolist()))
            ).all()
        )
        plans = {
            pk: (vehicle, delivery)
            for pk, vehicle, delivery in session.execute(
                select(Shipment.id, Shipment.last_mile_vehicle, Shipment.planned_delivery_at).where(
                    Shipment.id.in_(booked.shipment_pk.tolist()),
                    Shipment.last_mile_vehicle.is_not(None),
                )
            ).all()
        }
    from rocketpost.core.eta import flight_matrix

    flight_s = np.asarray(flight_matrix(network).flight_s, dtype=np.float64)
    events: list[OpsEvent] = []
    for f in range(booked.flights):
        fid = str(booked.flight_public_id[f])
        launch = float(booked.flight_launch_s[f])
        landed = landing.get(int(booked.flight_pk[f]))
        land_s = (
            landed.timestamp()
            if landed is not None
            else launch + flight_s[booked.flight_origin[f], booked.flight_site[f]]
        )
        events.append(OpsEvent(_when(launch), "launched", flight_id=fid))
        events.append(OpsEvent(_when(land_s), "landed", flight_id=fid))
    # A vehicle's trip from one landing leaves when the last of its parcels is released.
    leaves: dict[tuple[int, str | None], float] = {}
    rows = [i for i, pk in enumerate(booked.shipment_pk.tolist()) if pk in plans]
    for i in rows:
        trip = (int(booked.shipment_flight[i]), plans[int(booked.shipment_pk[i])][0])
        leaves[trip] = max(leaves.get(trip, 0.0), float(booked.release_s[i]))
    for i in rows:
        f = int(booked.shipment_flight[i])
        vehicle, delivery = plans[int(booked.shipment_pk[i])]
        sid = str(booked.orders.order_id[i])
        land_s = events[2 * f + 1].at.timestamp()
        handed = delivery.timestamp() if delivery is not None else leaves[(f, vehicle)]
        out = min(max(leaves[(f, vehicle)], land_s), handed)
        events.append(OpsEvent(_when(out), "out_for_delivery", shipment_id=sid, vehicle=vehicle))
        events.append(OpsEvent(_when(max(handed, out)), "delivered", shipment_id=sid))
    return sorted(events, key=OpsEvent.key)


def write_timeline(events: Iterable[OpsEvent], path: str | Path) -> Path:
    """Write a timeline as Parquet (``.parquet``) or CSV (anything else)."""
    import pyarrow as pa

    rows = list(events)
    table = pa.table(
        {
            "at": pa.array([e.at for e in rows], pa.timestamp("ms", tz="UTC")),
            "kind": [e.kind for e in rows],
            "flight_id": [e.flight_id for e in rows],
            "shipment_id": [e.shipment_id for e in rows],
            "vehicle": [e.vehicle for e in rows],
        }
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, out)
    else:
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, out)
    return out


def read_timeline(path: str | Path) -> list[OpsEvent]:
    """Read a timeline written by :func:`write_timeline` (or by hand, same columns).

    Raises
    ------
    InputError
        A missing column (field ``path``), or a bad row (field ``path:row N.column``).
    """
    source = Path(path)
    if source.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(source)
    else:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        table = pacsv.read_csv(
            source,
            convert_options=pacsv.ConvertOptions(
                column_types={"at": pa.timestamp("ms", tz="UTC")}, strings_can_be_null=True
            ),
        )
    missing = [c for c in TIMELINE_COLUMNS if c not in table.column_names]
    if missing:
        raise InputError(str(source), missing, f"missing columns (need {list(TIMELINE_COLUMNS)})")
    out: list[OpsEvent] = []
    for n, row in enumerate(table.select(list(TIMELINE_COLUMNS)).to_pylist(), start=2):
        try:
            out.append(OpsEvent(**row))
        except InputError as error:
            raise InputError(f"{source}:row {n}.{error.field}", error.value, error.reason) from None
    return sorted(out, key=OpsEvent.key)


@dataclass(frozen=True)
class ReplayResult:
    """What a replay did: events applied by kind, and those the state refused (409)."""

    applied: dict[str, int]
    refused: dict[str, int]
    last_at: datetime | None


def replay(
    db: Database,
    network: Network,
    events: Iterable[OpsEvent],
    *,
    speed: float = 0.0,
    reschedule_window_min: float = 120.0,
    fallbacks: bool = False,
    on_event: Callable[[OpsEvent], None] | None = None,
) -> ReplayResult:
    """Apply ``events`` in order (see the module doc); ``speed`` > 0 paces them at that many
    times real time (the first event at once), 0 applies them as fast as the database goes.

    ``reschedule_window_min`` and ``fallbacks`` are the service's settings of the same names
    (``ROCKETPOST_RESCHEDULE_WINDOW_MIN``, ``ROCKETPOST_PROMISE_FALLBACKS``): a scrub moves its
    shipments as the running service would, under the conditions declared in the database (a
    front at the origin flies the fallback its promises counted)."""
    from rocketpost.service.conditions_store import ConditionsStore

    flights = FlightOps(
        db,
        QuoteEngine(network, fallbacks=fallbacks),
        reschedule_window_min=reschedule_window_min,
        conditions=ConditionsStore(db, network).current,
    )
    applied: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    first: tuple[float, float] | None = None
    last: datetime | None = None
    for event in events:
        if speed > 0:
            if first is None:
                first = (event.at.timestamp(), time.monotonic())
            due = first[1] + (event.at.timestamp() - first[0]) / speed
            time.sleep(max(0.0, due - time.monotonic()))
        try:
            _apply(db, flights, event)
        except ApiError as error:
            if error.status not in (404, 409):
                raise
            refused[event.kind] += 1
        else:
            applied[event.kind] += 1
        last = event.at
        if on_event is not None:
            on_event(event)
    return ReplayResult(dict(applied), dict(refused), last)


def _apply(db: Database, flights: FlightOps, event: OpsEvent) -> None:
    if event.kind in _FLIGHT_KINDS:
        assert event.flight_id is not None
        # Built, not validated: a replayed (simulated) day may lie ahead of the wall clock,
        # which the HTTP API refuses beyond a day of skew; the event itself is checked above.
        body = schemas.FlightEventIn.model_construct(
            type=event.kind, occurred_at=event.at, reason=None
        )
        flights.record(event.flight_id, body)
        return
    assert event.shipment_id is not None
    shipment_id = event.shipment_id
    move = ops_schemas.LastMileEventIn.model_construct(
        type=event.kind, vehicle=event.vehicle, occurred_at=event.at, note=None
    )
    retrying(db, lambda session: record_last_mile(session, shipment_id, move))
