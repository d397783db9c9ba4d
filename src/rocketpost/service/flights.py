"""Operations on flights: list, manifest, and the launched / landed / scrubbed events.

A scrub moves the flight's one-hour shipments first, in booking order. Under a front declared at
the origin, a shipment promised counting a front's fallback (it named its ``stock_hubs`` on a
service that counts fallbacks) is re-picked at the fallback hub, its promise kept
(:func:`rocketpost.service.scrubmoves.fallback_seat`). Every other one-hour shipment goes to the
next wave of the same route that still has room (through the same atomic reservation as
booking), within the reschedule window, its promise moved by the delay (when no wave has room,
the latest-booked same-day freight on the first wave where that makes room is bumped to a later
flight within its own promise, or to standard: one-hour freight comes first). Then its same-day
shipments, each to the first later flight of the route that keeps its 12 h promise and has room
beyond the one-hour share (:func:`rocketpost.service.sameday.later_flight_for_same_day`), its
promise unchanged. A shipment that finds none is marked for the standard service
(:class:`~rocketpost.service.scrubmoves.ScrubMoves` writes each move and its event). The
flight's status change, every move and every event commit together, so a scrub is all or
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.orm import Session

from rocketpost.core.eligibility import SAME_DAY_WINDOW_S
from rocketpost.network import Network
from rocketpost.promise.conditions import Conditions
from rocketpost.service import ops_schemas, schemas
from rocketpost.service.bookedday import day_bounds
from rocketpost.service.capacity import FlightKey, Hold, Load, release, reserve
from rocketpost.service.db import Database
from rocketpost.service.errors import ApiError
from rocketpost.service.kpitally import tally_cache
from rocketpost.service.models import CM3_PER_M3, GRAMS_PER_KG, Flight, Shipment, utcnow
from rocketpost.service.quoting import QuoteEngine
from rocketpost.service.reads import decode_cursor, encode_cursor
from rocketpost.service.sameday import later_flight_for_same_day
from rocketpost.service.scrubmoves import ScrubMoves, fallback_seat
from rocketpost.service.tracking import EventWriter, Status, SubStatus
from rocketpost.service.transitions import (
    TRANSITIONS,
    Move,
    allowed,
    apply,
    lock_shipments,
    retrying,
)

__all__ = ["FlightOps", "arc_end", "flight_public", "last_mile_public"]

_TRANSITIONS = {"launched": "scheduled", "landed": "launched", "scrubbed": "scheduled"}
_NEW_STATUS = {"launched": "launched", "landed": "landed", "scrubbed": "scrubbed"}
_MOVES = {"launched": Move.LAUNCH, "landed": Move.LAND, "scrubbed": Move.SCRUB_RESCHEDULE}


def arc_end(network: Network, place_id: str, *, site: bool) -> ops_schemas.ArcEnd:
    """The origin hub's pad (``site`` false) or a landing site, as one end of an arc."""
    if site:
        k = network.site_index(place_id)
        lat, lon = network.site_lat_deg[k], network.site_lon_deg[k]
    else:
        k = network.hub_index(place_id)
        lat, lon = network.pad_lat_deg[k], network.pad_lon_deg[k]
    return ops_schemas.ArcEnd(id=place_id, lat_deg=float(lat), lon_deg=float(lon))


def _plan_public(row: Flight, network: Network | None) -> ops_schemas.FlightPlanPublic | None:
    if network is None or row.landing_at is None or row.landing_site is None:
        return None
    return ops_schemas.FlightPlanPublic(
        airframe_id=row.airframe_id,
        landing_site=row.landing_site,
        landing_at=row.landing_at,
        origin=arc_end(network, row.origin_hub, site=False),
        site=arc_end(network, row.landing_site, site=True),
        planned_kg=(row.planned_g or 0) / GRAMS_PER_KG,
        planned_m3=(row.planned_cm3 or 0) / CM3_PER_M3,
        planned_shipments=row.planned_shipments or 0,
    )


def last_mile_public(s: Shipment) -> ops_schemas.LastMilePublic:
    """A shipment's planned last mile (and its delivery, once made)."""
    return ops_schemas.LastMilePublic(
        vehicle=s.last_mile_vehicle,
        stop=s.last_mile_stop,
        planned_delivery_at=s.planned_delivery_at,
        delivered_at=s.delivered_at,
    )


def flight_public(
    row: Flight, shipments: int, network: Network | None = None
) -> schemas.FlightPublic:
    """A flight and its load as answered, with the plan's assignment when ``network`` is given
    and a plan run has covered the flight."""
    return schemas.FlightPublic(
        id=row.public_id,
        origin_hub=row.origin_hub,
        destination_hub=row.destination_hub,
        launch_at=row.launch_at,
        status=row.status,
        capacity_kg=row.capacity_g / GRAMS_PER_KG,
        capacity_m3=row.capacity_cm3 / CM3_PER_M3,
        booked_kg=row.booked_g / GRAMS_PER_KG,
        booked_m3=row.booked_cm3 / CM3_PER_M3,
        shipments=shipments,
        plan=_plan_public(row, network),
    )


def _active_on(flight_pk: int) -> Any:
    return (Shipment.flight_id == flight_pk) & (Shipment.status != Status.CANCELLED.value)


class FlightOps:
    """Flight reads and events on one database."""

    def __init__(
        self,
        db: Database,
        engine: QuoteEngine,
        *,
        reschedule_window_min: float,
        conditions: Callable[[], Conditions] | None = None,
    ) -> None:
        self.db = db
        self.engine = engine
        self.reschedule_window_s = reschedule_window_min * 60.0
        # The declared conditions (the quotes' own): a scrub under a front at the origin flies
        # the fallback its promises counted (service/scrubmoves.py). None: no fallback.
        self.conditions = conditions

    def _count(self, session: Session, flight_pk: int) -> int:
        return int(session.scalar(select(func.count()).where(_active_on(flight_pk))) or 0)

    def _get(self, session: Session, flight_id: str) -> Flight:
        row = session.scalars(select(Flight).where(Flight.public_id == flight_id)).first()
        if row is None:
            raise ApiError(404, "not_found", f"no flight {flight_id!r}")
        return row

    def list_flights(
        self,
        *,
        limit: int,
        cursor: str | None,
        status: str | None = None,
        origin_hub: str | None = None,
        day: date | None = None,
    ) -> schemas.FlightsPublic:
        """Flights in creation order; with ``day``, that day's flights in launch order.

        Keyset pagination either way: the cursor is the last row's id, and a day's page resumes
        after that row's ``(launch_at, id)`` (one indexed lookup), so a page costs the same on
        the thousandth flight as on the first.
        """
        after = decode_cursor(cursor)
        query = select(Flight).limit(limit + 1)
        if status is not None:
            query = query.where(Flight.status == status)
        if origin_hub is not None:
            query = query.where(Flight.origin_hub == origin_hub)
        with self.db.session() as session:
            if day is None:
                query = query.order_by(Flight.id)
                if after is not None:
                    query = query.where(Flight.id > after)
            else:
                start, end = day_bounds(day)
                query = query.where(Flight.launch_at >= start, Flight.launch_at < end)
                query = query.order_by(Flight.launch_at, Flight.id)
                if after is not None:
                    last = session.scalar(select(Flight.launch_at).where(Flight.id == after))
                    if last is not None:
                        query = query.where(
                            tuple_(Flight.launch_at, Flight.id) > tuple_(last, after)
                        )
            rows = list(session.scalars(query))
            more = len(rows) > limit
            rows = rows[:limit]
            # Shipments per flight from the control room's tallies (refreshed by flight
            # version), not a count over each flight's shipments on every page.
            counts = tally_cache(self.db).counts(session, {r.id: r.updated_at for r in rows})
        network = self.engine.network
        return schemas.FlightsPublic(
            data=[flight_public(r, int(counts.get(r.id, 0)), network) for r in rows],
            has_more=more,
            next_cursor=encode_cursor(rows[-1].id) if more and rows else None,
        )

    def get(self, flight_id: str) -> schemas.FlightPublic:
        """One flight."""
        with self.db.session() as session:
            row = self._get(session, flight_id)
            return flight_public(row, self._count(session, row.id), self.engine.network)

    def manifest(self, flight_id: str) -> schemas.ManifestPublic:
        """The flight and the shipments loaded on it."""
        with self.db.session() as session:
            row = self._get(session, flight_id)
            shipments = list(
                session.scalars(select(Shipment).where(_active_on(row.id)).order_by(Shipment.id))
            )
            lines = [
                schemas.ManifestLine(
                    id=s.public_id,
                    tracking_number=s.tracking_number,
                    merchant_id=s.merchant_public_id,
                    reference=s.reference,
                    mass_kg=s.mass_g / GRAMS_PER_KG,
                    volume_m3=s.volume_cm3 / CM3_PER_M3,
                    destination_hub=s.destination_hub,
                    destination=schemas.DestinationOut(**s.destination),
                    customs_decision=s.customs_decision,
                    status=s.status,
                    last_mile=last_mile_public(s),
                )
                for s in shipments
            ]
            return schemas.ManifestPublic(
                flight=flight_public(row, len(lines), self.engine.network),
                shipments=lines,
                total_kg=sum(s.mass_g for s in shipments) / GRAMS_PER_KG,
                total_m3=sum(s.volume_cm3 for s in shipments) / CM3_PER_M3,
            )

    def record(self, flight_id: str, event: schemas.FlightEventIn) -> schemas.FlightEventPublic:
        """Apply a launched / landed / scrubbed event and emit the shipments' events.

        Locks in the order every shipment transition uses: the flight's shipments (id order),
        then the flight; each shipment moves through
        :func:`~rocketpost.service.transitions.apply`.
        """
        return retrying(self.db, lambda session: self._record(session, flight_id, event))

    def _record(
        self, session: Session, flight_id: str, event: schemas.FlightEventIn
    ) -> schemas.FlightEventPublic:
        now = utcnow()
        occurred = event.occurred_at or now
        row = self._get(session, flight_id)
        move = _MOVES[event.type]
        boarding = [t for t in TRANSITIONS if t.move == move]
        statuses = sorted({status for t in boarding for status, _ in t.sources})
        on_board = (Shipment.flight_id == row.id) & Shipment.status.in_(statuses)
        lock_shipments(session, on_board)
        source = _TRANSITIONS[event.type]
        moved = session.execute(
            update(Flight)
            .where(Flight.id == row.id, Flight.status == source)
            .values(status=_NEW_STATUS[event.type], updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if not moved.rowcount:  # type: ignore[attr-defined]
            session.refresh(row)
            raise ApiError(
                409,
                "invalid_transition",
                f"flight is {row.status}; {event.type} needs {source}",
            )
        # Read again under the flight's lock: a booking that committed meanwhile is on board.
        shipments = [
            s for s in lock_shipments(session, on_board) if allowed(move, s.status, s.sub_status)
        ]
        writer = EventWriter(session)
        rescheduled: list[schemas.Rescheduled] = []
        downgraded: list[str] = []
        if event.type == "scrubbed":
            rescheduled, downgraded = self._scrub(session, writer, row, shipments, event, now)
        else:
            sub = SubStatus.LAUNCHED if event.type == "launched" else SubStatus.LANDED
            for s in shipments:
                apply(session, s, move, now)
                writer.emit_for(
                    s,
                    Status.IN_TRANSIT,
                    sub,
                    f"{row.public_id} {event.type}",
                    flight_public_id=row.public_id,
                    occurred_at=occurred,
                )
        session.flush()
        session.refresh(row)
        return schemas.FlightEventPublic(
            flight=flight_public(row, self._count(session, row.id), self.engine.network),
            shipments_affected=len(shipments),
            rescheduled=rescheduled,
            downgraded=downgraded,
        )

    def _next_wave_with_room(
        self, session: Session, row: Flight, s: Shipment, interval_s: float, now: datetime
    ) -> tuple[int, datetime, float] | None:
        """A one-hour (or other) shipment's seat on the first later wave of its lane within the
        reschedule window that has room (the whole hold); ``(flight id, launch, delay s)``."""
        for k in range(1, int(self.reschedule_window_s // interval_s) + 1):
            launch_at = row.launch_at + timedelta(seconds=k * interval_s)
            if launch_at <= now:
                continue
            pk = reserve(
                session,
                self.engine.fleet,
                FlightKey(row.origin_hub, row.destination_hub, launch_at),
                Load(s.mass_g, s.volume_cm3),
                Hold(row.capacity_g, row.capacity_cm3),
                now,
            )
            if pk is not None:
                return pk, launch_at, k * interval_s
        return None

    def _scrub(
        self,
        session: Session,
        writer: EventWriter,
        row: Flight,
        shipments: list[Shipment],
        event: schemas.FlightEventIn,
        now: datetime,
    ) -> tuple[list[schemas.Rescheduled], list[str]]:
        """Move the scrubbed flight's shipments: one-hour ones first (booking order), each to
        the next wave with room within the reschedule window, its promise moved by the delay
        (when no wave has room, same-day freight is bumped off the first wave where that makes
        room: :meth:`_bump_for`); then same-day ones
        (:func:`~rocketpost.service.sameday.later_flight_for_same_day`: any later flight within
        their 12 h promise, beyond the one-hour share, promise unchanged), so a same-day load
        never takes a seat a one-hour shipment of the same scrub needs."""
        interval_s = self.engine.network.hub(row.origin_hub).launch_interval_min * 60.0
        why = f" ({event.reason})" if event.reason else ""
        moves = ScrubMoves(writer, event.occurred_at or now, now)
        hold = Hold(row.capacity_g, row.capacity_cm3)
        scrubbed = FlightKey(row.origin_hub, row.destination_hub, row.launch_at)
        for s in sorted(shipments, key=lambda s: (s.service == "same_day", s.id)):
            target: tuple[int, datetime, float] | None
            if s.service == "same_day":
                target = self._same_day_seat(session, hold, scrubbed, s, interval_s, now)
            else:
                if self.conditions is not None:
                    seat = fallback_seat(session, self.engine, self.conditions(), s, hold, now)
                    if seat is not None:
                        moves.re_picked(session, s, seat, f"{row.public_id} scrubbed{why}")
                        continue
                target = self._next_wave_with_room(session, row, s, interval_s, now)
                if target is None:
                    target = self._bump_for(session, moves, row, s, interval_s, now)
            moves.land(session, self.engine, s, target, f"{row.public_id} scrubbed{why}", row)
        # Everything has moved off: the scrubbed flight carries nothing.
        session.execute(
            update(Flight)
            .where(Flight.id == row.id)
            .values(booked_g=0, booked_cm3=0)
            .execution_options(synchronize_session=False)
        )
        return moves.rescheduled, moves.downgraded

    def _same_day_seat(
        self,
        session: Session,
        hold: Hold,
        flight: FlightKey,
        s: Shipment,
        interval_s: float,
        now: datetime,
    ) -> tuple[int, datetime, float] | None:
        """A same-day shipment's seat on a later flight of ``flight``'s lane within its promise."""
        return later_flight_for_same_day(
            session,
            self.engine,
            hold,
            flight,
            interval_s=interval_s,
            eta_s=SAME_DAY_WINDOW_S if s.eta_s is None else s.eta_s,
            load=Load(s.mass_g, s.volume_cm3),
            now=now,
        )

    def _bump_for(
        self,
        session: Session,
        moves: ScrubMoves,
        row: Flight,
        s: Shipment,
        interval_s: float,
        now: datetime,
    ) -> tuple[int, datetime, float] | None:
        """Make room for one-hour shipment ``s`` of scrubbed ``row`` on the first later wave of
        the window where bumping same-day freight frees enough: one-hour freight comes first.

        The wave's flight row and its same-day shipments are locked; the latest-booked same-day
        shipments go first, only as many as the room needs, each to a later flight within its
        own 12 h promise (promise unchanged) or to the standard service. Then ``s`` is reserved
        through the same atomic reservation as a booking."""
        load = Load(s.mass_g, s.volume_cm3)
        for k in range(1, int(self.reschedule_window_s // interval_s) + 1):
            launch_at = row.launch_at + timedelta(seconds=k * interval_s)
            if launch_at <= now:
                continue
            wave = session.scalars(
                select(Flight)
                .where(
                    Flight.origin_hub == row.origin_hub,
                    Flight.destination_hub == row.destination_hub,
                    Flight.launch_at == launch_at,
                    Flight.status == "scheduled",
                )
                .with_for_update()
                .execution_options(populate_existing=True)
            ).first()
            if wave is None:
                continue
            riders = lock_shipments(
                session, (Shipment.flight_id == wave.id) & (Shipment.service == "same_day")
            )
            riders = [
                r
                for r in reversed(riders)
                if allowed(Move.SCRUB_RESCHEDULE, r.status, r.sub_status)
            ]
            free_g, free_cm3 = wave.capacity_g - wave.booked_g, wave.capacity_cm3 - wave.booked_cm3
            bumped = []
            for r in riders:
                if free_g >= load.mass_g and free_cm3 >= load.volume_cm3:
                    break
                bumped.append(r)
                free_g, free_cm3 = free_g + r.mass_g, free_cm3 + r.volume_cm3
            if free_g < load.mass_g or free_cm3 < load.volume_cm3:
                continue
            hold = Hold(wave.capacity_g, wave.capacity_cm3)
            key = FlightKey(wave.origin_hub, wave.destination_hub, wave.launch_at)
            for r in bumped:
                release(session, wave.id, r.mass_g, r.volume_cm3, now)
                target = self._same_day_seat(session, hold, key, r, interval_s, now)
                reason = f"room made on {wave.public_id} for one-hour freight of {row.public_id}"
                moves.land(session, self.engine, r, target, reason, wave)
            pk = reserve(session, self.engine.fleet, key, load, hold, now)
            if pk is not None:
                return pk, launch_at, k * interval_s
        return None
