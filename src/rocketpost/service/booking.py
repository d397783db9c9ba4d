"""Booking: capacity that is never oversold, idempotent retries, cancellation, reads.

Capacity is taken with one atomic statement on both databases::

    INSERT INTO flights (route, launch_at, booked_g, booked_cm3, ...) VALUES (...)
    ON CONFLICT (origin_hub, destination_hub, launch_at) DO UPDATE
       SET booked_g = flights.booked_g + :g, booked_cm3 = flights.booked_cm3 + :cm3
     WHERE flights.booked_g + :g <= flights.capacity_g
       AND flights.booked_cm3 + :cm3 <= flights.capacity_cm3
       AND flights.status = 'scheduled'
    RETURNING id

It creates the flight on its first booking and otherwise is the conditional UPDATE: no row comes
back when the shipment does not fit. PostgreSQL evaluates the WHERE on the latest committed row
version under the row lock (concurrent bookers queue on the row, each sees the others' loads);
SQLite runs the whole booking in a ``BEGIN IMMEDIATE`` transaction, one writer at a time. The
shipment, its first event, the webhook outbox rows and the idempotency record are written in the
same transaction, so an answered 201 is exactly a committed booking.

Idempotency: ``(merchant, Idempotency-Key)`` is a primary key holding a hash of the validated
request and the response. A replay with the same hash returns the stored response; another body
is a 409. Two concurrent first attempts race on the primary key: the loser's transaction (and
its capacity) rolls back and it answers with the winner's stored response.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import BigInteger, BindParameter, Select, Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rocketpost.customs import Clearance, RecipientHistory, SellerTrust
from rocketpost.errors import InputError
from rocketpost.service import schemas
from rocketpost.service.auth import Principal, new_id, random_text
from rocketpost.service.db import Database
from rocketpost.service.errors import ApiError
from rocketpost.service.imports import (
    booking_context,
    forget_import,
    lock_recipient,
    reassess_day,
    record_import,
)
from rocketpost.service.models import (
    CM3_PER_M3,
    GRAMS_PER_KG,
    Flight,
    IdempotencyRecord,
    Shipment,
    TrackingEvent,
    UTCDateTime,
    utcnow,
)
from rocketpost.service.quoting import (
    Assessment,
    QuoteEngine,
    ResolvedPlace,
    RoutePlan,
    TokenError,
    check_ready_at,
    customs_out,
    flight_public_id,
    parcels_summary,
    resolve_destination,
    run_clearance,
    token_parcels,
    verify_token,
)
from rocketpost.service.sellers import seller_trust
from rocketpost.service.tracking import EventWriter, Status, SubStatus, event_public

__all__ = [
    "BookingResult",
    "BookingService",
    "decode_cursor",
    "encode_cursor",
    "grams",
    "reserve",
    "shipment_public",
]

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def grams(mass_kg: float) -> int:
    """Whole grams, rounded up (never under-count a load)."""
    return math.ceil(mass_kg * GRAMS_PER_KG - 1e-6)


def cm3(volume_m3: float) -> int:
    """Whole cubic centimetres, rounded up."""
    return math.ceil(volume_m3 * CM3_PER_M3 - 1e-6)


def _tracking_number() -> str:
    return "RP" + random_text(_ALPHABET, 12)


def encode_cursor(last_id: int) -> str:
    """Opaque pagination cursor."""
    return "c1." + base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """Inverse of :func:`encode_cursor`; a bad cursor is a 422 on ``cursor``."""
    if cursor is None:
        return None
    try:
        if not cursor.startswith("c1.") or len(cursor) > 40:
            raise ValueError
        text = cursor[3:]
        value = int(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode())
        if value < 0:
            raise ValueError
        return value
    except Exception:
        raise InputError("query.cursor", cursor, "is not a cursor returned by this API") from None


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def shipment_public(row: Shipment) -> dict[str, Any]:
    """JSON form of a shipment (``schemas.Shipment``)."""
    return {
        "id": row.public_id,
        "object": "shipment",
        "tracking_number": row.tracking_number,
        "reference": row.reference,
        "merchant_id": row.merchant_public_id,
        "status": row.status,
        "sub_status": row.sub_status,
        "service": row.service,
        "mode": row.mode,
        "channel": row.channel,
        "origin_hub": row.origin_hub,
        "destination_hub": row.destination_hub,
        "destination": row.destination,
        "parcels": row.parcels,
        "mass_kg": row.mass_g / GRAMS_PER_KG,
        "volume_m3": row.volume_cm3 / CM3_PER_M3,
        "ready_at": _iso(row.ready_at),
        "flight": None
        if row.flight_public_id is None
        else {"id": row.flight_public_id, "launch_at": _iso(row.launch_at)},
        "eta_s": row.eta_s,
        "legs": row.legs,
        "promised_delivery_at": _iso(row.promised_delivery_at),
        "price": {"amount": row.price_amount, "currency": row.price_currency},
        "customs": row.customs,
        "downgrade_reason": row.downgrade_reason,
        "quote_id": row.quote_id,
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
    }


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=_iso)


_FLIGHTS = cast(Table, Flight.__table__)
_SHIPMENTS = cast(Table, Shipment.__table__)
_IDEMPOTENCY = cast(Table, IdempotencyRecord.__table__)


@lru_cache(maxsize=4)
def _upsert_statement(dialect: str) -> Any:
    """The capacity upsert for ``dialect``, built once with bind parameters.

    Building it per booking (``.values(...)`` with literal values, then the cache key of the
    result) cost more CPU than the rest of the transaction; built once, SQLAlchemy's compiled
    cache and its memoised cache key make each execution a parameter substitution.
    """
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    g: BindParameter[int] = bindparam("mass_g", type_=BigInteger())
    cm3_: BindParameter[int] = bindparam("volume_cm3", type_=BigInteger())
    now = bindparam("now", type_=UTCDateTime())
    statement = maker(_FLIGHTS).values(
        public_id=bindparam("public_id"),
        origin_hub=bindparam("origin_hub"),
        destination_hub=bindparam("destination_hub"),
        launch_at=bindparam("launch_at", type_=UTCDateTime()),
        status="scheduled",
        capacity_g=bindparam("capacity_g"),
        capacity_cm3=bindparam("capacity_cm3"),
        booked_g=g,
        booked_cm3=cm3_,
        created_at=now,
        updated_at=now,
    )
    return statement.on_conflict_do_update(
        index_elements=[_FLIGHTS.c.origin_hub, _FLIGHTS.c.destination_hub, _FLIGHTS.c.launch_at],
        set_={
            "booked_g": _FLIGHTS.c.booked_g + g,
            "booked_cm3": _FLIGHTS.c.booked_cm3 + cm3_,
            "updated_at": now,
        },
        where=(_FLIGHTS.c.booked_g + g <= _FLIGHTS.c.capacity_g)
        & (_FLIGHTS.c.booked_cm3 + cm3_ <= _FLIGHTS.c.capacity_cm3)
        & (_FLIGHTS.c.status == "scheduled"),
    ).returning(_FLIGHTS.c.id)


_SHIPMENT_INSERT = insert(_SHIPMENTS).returning(_SHIPMENTS.c.id)
_IDEMPOTENCY_INSERT = insert(_IDEMPOTENCY)
_IDEMPOTENCY_LOOKUP = select(
    _IDEMPOTENCY.c.request_hash, _IDEMPOTENCY.c.status_code, _IDEMPOTENCY.c.response_body
).where(
    _IDEMPOTENCY.c.merchant_id == bindparam("merchant_id"), _IDEMPOTENCY.c.key == bindparam("key")
)


def reserve(
    session: Session,
    *,
    origin_hub: str,
    destination_hub: str,
    launch_at: datetime,
    mass_g: int,
    volume_cm3: int,
    capacity_g: int,
    capacity_cm3: int,
    now: datetime,
) -> int | None:
    """Take ``mass_g`` / ``volume_cm3`` on the flight, creating it if needed; its id or ``None``.

    The one statement that guards capacity (see the module docs).
    """
    if mass_g > capacity_g or volume_cm3 > capacity_cm3:
        return None
    statement = _upsert_statement(session.get_bind().dialect.name)
    params = {
        "public_id": flight_public_id(origin_hub, destination_hub, launch_at),
        "origin_hub": origin_hub,
        "destination_hub": destination_hub,
        "launch_at": launch_at,
        "capacity_g": capacity_g,
        "capacity_cm3": capacity_cm3,
        "mass_g": mass_g,
        "volume_cm3": volume_cm3,
        "now": now,
    }
    return session.execute(statement, params).scalar_one_or_none()


def release(session: Session, flight_pk: int, mass_g: int, volume_cm3: int, now: datetime) -> bool:
    """Give capacity back to a flight that has not launched; whether it was released."""
    result = session.execute(
        update(Flight)
        .where(Flight.id == flight_pk, Flight.status == "scheduled")
        .values(
            booked_g=Flight.booked_g - mass_g,
            booked_cm3=Flight.booked_cm3 - volume_cm3,
            updated_at=now,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class BookingResult:
    """What ``POST /v1/shipments`` answers: status, JSON body, and whether it is a replay."""

    status_code: int
    body: str
    replayed: bool


@dataclass
class _Prepared:
    public_id: str
    place: ResolvedPlace
    route: RoutePlan
    channel: str
    parcels: list[dict[str, Any]]
    mass_kg: float
    volume_m3: float
    clearance: Clearance | None
    assessment: Assessment
    service: str
    downgrade_reason: str | None
    one_hour_price: str | None
    standard_price: str
    quote_id: str | None
    reference: str | None
    fallback: bool


class BookingService:
    """Bookings, cancellations and shipment reads on one database."""

    def __init__(
        self, db: Database, engine: QuoteEngine, signing_key: bytes, *, capacity_waves: int = 12
    ) -> None:
        self.db = db
        self.engine = engine
        self.signing_key = signing_key
        self.capacity_waves = capacity_waves
        rocket = engine.network.rocket
        self.capacity_g = grams(rocket.payload_mass_kg)
        self.capacity_cm3 = cm3(rocket.payload_volume_m3)

    # --- booking ------------------------------------------------------------------------------

    def book(
        self, principal: Principal, body: schemas.ShipmentCreate, idempotency_key: str
    ) -> BookingResult:
        """Book a shipment (or replay the stored answer for this key)."""
        if principal.is_ops:
            raise ApiError(403, "forbidden", "the ops key cannot book shipments")
        canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        body_hash = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        stored = self._stored(principal, idempotency_key)
        if stored is not None:
            return self._replay(stored, body_hash)
        prepared = self._prepare(principal, body)
        try:
            with self.db.write() as session:
                declaration = None if prepared.clearance is None else prepared.clearance.declaration
                if declaration is not None:
                    # The recipient's earlier imports decide this parcel's duties (same-day
                    # sums, annual limits) and the merchant's latest customs record its
                    # screening: read both under the recipient's lock, in this transaction, and
                    # clear again when they differ from what the first pass assumed.
                    lock_recipient(session, declaration.market, declaration.consignee.recipient_id)
                    stored, record = booking_context(
                        session,
                        principal.merchant_pk,
                        declaration.market,
                        declaration.consignee.recipient_id,
                        declaration.import_date,
                    )
                    history = stored.history
                    cached = (principal.customs_inspections, principal.customs_seizures)
                    if history.records or record != cached:
                        prepared = self._prepare(
                            principal,
                            body,
                            history=history,
                            trust=seller_trust(principal.merchant_id, *record),
                            public_id=prepared.public_id,
                        )
                return self._write(session, principal, prepared, idempotency_key, body_hash)
        except IntegrityError:
            stored = self._stored(principal, idempotency_key)
            if stored is None:
                raise
            return self._replay(stored, body_hash)

    def _stored(self, principal: Principal, key: str) -> Any:
        """The stored ``(request_hash, status_code, response_body)`` for this key, if any."""
        assert self.db.point_read_session is not None
        with self.db.point_read_session() as session:
            return session.execute(
                _IDEMPOTENCY_LOOKUP, {"merchant_id": principal.merchant_pk, "key": key}
            ).first()

    @staticmethod
    def _replay(stored: Any, body_hash: str) -> BookingResult:
        if stored.request_hash != body_hash:
            raise ApiError(
                409,
                "idempotency_key_reused",
                "this Idempotency-Key was used with a different request body",
            )
        return BookingResult(stored.status_code, stored.response_body, replayed=True)

    def _prepare(
        self,
        principal: Principal,
        body: schemas.ShipmentCreate,
        *,
        history: RecipientHistory | None = None,
        trust: SellerTrust | None = None,
        public_id: str | None = None,
    ) -> _Prepared:
        now = utcnow()
        engine = self.engine
        quote_id = body.quote_id
        if quote_id is not None:
            try:
                token = verify_token(quote_id, self.signing_key)
            except TokenError as error:
                raise InputError("quote_id", quote_id[:40] + "…", str(error)) from None
            if token.merchant_id != principal.merchant_id:
                raise InputError("quote_id", quote_id[:40] + "…", "is not a quote of this merchant")
            if now > token.expires_at:
                raise ApiError(
                    409, "quote_expired", f"the quote expired at {_iso(token.expires_at)}"
                )
            origin: str | None = token.origin_hub
            place, ready_at = token.destination, token.ready_at
            channel, parcels = token.channel, token.parcels
            mass_kg, volume_m3 = token.mass_kg, token.volume_m3
            classes = {
                str(p["dangerous_goods_class"]) for p in parcels if p.get("dangerous_goods_class")
            }
        else:
            assert body.destination is not None and body.parcels is not None
            engine.check_origin(body.origin_hub)
            ready_at = check_ready_at(body.ready_at, now)
            place = resolve_destination(body.destination)
            origin = body.origin_hub
            channel = body.channel or "b2c"
            parcels = token_parcels(body.parcels)
            mass_kg, volume_m3, classes = parcels_summary(body.parcels)
        route = engine.plan(
            place, mass_kg=mass_kg, volume_m3=volume_m3, ready_at=ready_at, origin_hub=origin
        )
        public_id = public_id or new_id("shp_")
        result: Clearance | None = None
        if body.customs is not None:
            result = run_clearance(
                body.customs,
                order_id=public_id,
                merchant_id=principal.merchant_id,
                channel=channel,
                ready_at=ready_at,
                place=place,
                origin_hub=route.origin_hub,
                origin_country=route.origin_country,
                history=history,
                trust=seller_trust(
                    principal.merchant_id,
                    principal.customs_inspections,
                    principal.customs_seizures,
                )
                if trust is None
                else trust,
            )
            classes |= {
                i.dangerous_goods_class for i in body.customs.items if i.dangerous_goods_class
            }
        elif engine.cross_border(route, place):
            raise InputError(
                "customs",
                None,
                f"required for a cross-border shipment ({route.origin_country} → {place.country})",
            )
        assessment = engine.assess(
            route, mass_kg=mass_kg, volume_m3=volume_m3, dangerous_goods=classes, customs=result
        )
        if quote_id is not None:
            one_hour_price, standard_price = token.one_hour_price, token.standard_price
        else:
            one_hour_price = engine.one_hour_option(
                route, assessment, engine.one_hour_price(route, mass_kg, volume_m3)
            )["price"]
            one_hour_price = None if one_hour_price is None else one_hour_price["amount"]
            standard_price = engine.standard_option(ready_at, mass_kg)["price"]["amount"]
        service, downgrade = body.service, None
        if service == "one_hour" and not assessment.available:
            if not body.fallback_to_standard:
                raise ApiError(
                    409,
                    "one_hour_unavailable",
                    assessment.message or "no one-hour option",
                    reason=assessment.reason,
                    earliest_delivery_at=_iso(ready_at + timedelta(seconds=assessment.earliest_s)),
                )
            service, downgrade = "standard", assessment.reason
        if service == "one_hour" and one_hour_price is None:
            # A quote issued without a one-hour option (e.g. before customs data) whose option
            # now holds: price it as a fresh quote would.
            one_hour_price = engine.one_hour_option(
                route, assessment, engine.one_hour_price(route, mass_kg, volume_m3)
            )["price"]["amount"]
        return _Prepared(
            public_id=public_id,
            place=place,
            route=route,
            channel=channel,
            parcels=parcels,
            mass_kg=mass_kg,
            volume_m3=volume_m3,
            clearance=result,
            assessment=assessment,
            service=service,
            downgrade_reason=downgrade,
            one_hour_price=one_hour_price,
            standard_price=standard_price,
            quote_id=quote_id,
            reference=body.reference,
            fallback=body.fallback_to_standard,
        )

    def _find_wave(
        self, session: Session, route: RoutePlan, mass_g: int, volume_cm3: int, now: datetime
    ) -> tuple[int, RoutePlan] | None:
        """The first wave from the quoted one on that is in the future, keeps the promise and
        has room; reserves on it."""
        for k in range(self.capacity_waves):
            candidate = route.shifted(k)
            assert candidate.launch_at is not None
            if candidate.launch_at <= now:
                continue
            if not self.engine.keeps_promise(candidate.eta_s):
                return None
            flight_pk = reserve(
                session,
                origin_hub=candidate.origin_hub,
                destination_hub=candidate.destination_hub,
                launch_at=candidate.launch_at,
                mass_g=mass_g,
                volume_cm3=volume_cm3,
                capacity_g=self.capacity_g,
                capacity_cm3=self.capacity_cm3,
                now=now,
            )
            if flight_pk is not None:
                return flight_pk, candidate
        return None

    def _write(
        self,
        session: Session,
        principal: Principal,
        p: _Prepared,
        idempotency_key: str,
        body_hash: str,
    ) -> BookingResult:
        now = utcnow()
        mass_g, volume_cm3 = grams(p.mass_kg), cm3(p.volume_m3)
        route, service, downgrade = p.route, p.service, p.downgrade_reason
        flight_pk: int | None = None
        if service == "one_hour" and route.mode == "rocket":
            found = self._find_wave(session, route, mass_g, volume_cm3, now)
            if found is None:
                if not p.fallback:
                    raise ApiError(
                        409,
                        "no_capacity",
                        "no launch wave that keeps the one-hour promise has room left",
                        reason="no_capacity",
                    )
                service, downgrade = "standard", "no_capacity"
            else:
                flight_pk, route = found
        customs = None if p.clearance is None else customs_out(p.clearance)
        held = p.clearance is not None and not p.clearance.may_fly
        if service == "one_hour":
            promised = route.ready_at + timedelta(
                seconds=math.ceil(route.eta_s + self.engine.buffer_s)
            )
            assert p.one_hour_price is not None
            price, mode = p.one_hour_price, route.mode
            destination_hub, eta_s, legs = route.destination_hub, route.eta_s, route.legs()
            launch_at = route.launch_at if flight_pk is not None else None
        else:
            promised = route.ready_at + self.engine.standard
            price, mode, destination_hub, eta_s, legs, launch_at = (
                p.standard_price,
                "standard",
                None,
                None,
                None,
                None,
            )
        flight_id = (
            flight_public_id(route.origin_hub, route.destination_hub, launch_at)
            if flight_pk is not None and launch_at is not None
            else None
        )
        sub_status = SubStatus.CUSTOMS_HOLD if held else SubStatus.BOOKED
        values: dict[str, Any] = {
            "public_id": p.public_id,
            "tracking_number": _tracking_number(),
            "merchant_id": principal.merchant_pk,
            "merchant_public_id": principal.merchant_id,
            "flight_id": flight_pk,
            "flight_public_id": flight_id,
            "reference": p.reference,
            "service": service,
            "mode": mode,
            "channel": p.channel,
            "status": Status.PRE_TRANSIT.value,
            "sub_status": sub_status.value,
            "origin_hub": route.origin_hub,
            "destination_hub": destination_hub,
            "destination": p.place.public(),
            "parcels": p.parcels,
            "mass_g": mass_g,
            "volume_cm3": volume_cm3,
            "ready_at": route.ready_at,
            "launch_at": launch_at,
            "eta_s": None if eta_s is None else round(eta_s, 3),
            "legs": legs,
            "promised_delivery_at": promised,
            "price_amount": price,
            "price_currency": "USD",
            "customs": customs,
            "customs_decision": None if p.clearance is None else str(p.clearance.decision),
            "downgrade_reason": downgrade,
            "quote_id": p.quote_id,
            "created_at": now,
            "updated_at": now,
        }
        # Core rather than the ORM unit of work: one prebuilt INSERT … RETURNING id, and the
        # response is rendered from the very values written (what a flushed row would hold).
        values["id"] = session.execute(_SHIPMENT_INSERT, values).scalar_one()
        row = SimpleNamespace(**values)
        declaration = None if p.clearance is None else p.clearance.declaration
        if p.clearance is not None and declaration is not None:
            record_import(session, row.id, p.clearance, now)
            de_minimis = None if p.clearance.duties is None else p.clearance.duties.de_minimis
            if de_minimis is not None and de_minimis.aggregated_with:
                # Summed with the recipient's earlier parcels of the day: re-assess them on the
                # new total (they lose their relief with this one).
                reassess_day(
                    session,
                    declaration,
                    now=now,
                    cause=f"same-day parcel {p.public_id} to the same recipient",
                )
        if held:
            message = f"customs hold: {p.clearance.note if p.clearance else ''}"
        elif flight_id is not None:
            message = f"booked on {flight_id} launching {_iso(launch_at)}"
        else:
            message = f"booked for the {service.replace('_', '-')} service ({mode})"
        if downgrade is not None and not held:
            message += f"; one-hour unavailable: {downgrade}"
        EventWriter(session).emit(
            shipment_pk=row.id,
            shipment_public_id=row.public_id,
            tracking_number=row.tracking_number,
            reference=row.reference,
            merchant_pk=principal.merchant_pk,
            status=Status.PRE_TRANSIT,
            sub_status=sub_status,
            message=message,
            flight_public_id=flight_id,
            occurred_at=now,
        )
        response = _dump(shipment_public(row))  # type: ignore[arg-type]
        session.execute(
            _IDEMPOTENCY_INSERT,
            {
                "merchant_id": principal.merchant_pk,
                "key": idempotency_key,
                "request_hash": body_hash,
                "status_code": 201,
                "response_body": response,
                "created_at": now,
            },
        )
        return BookingResult(201, response, replayed=False)

    # --- reads and cancellation ---------------------------------------------------------------

    @staticmethod
    def _own(query: Select[Any], principal: Principal) -> Select[Any]:
        return (
            query
            if principal.is_ops
            else query.where(Shipment.merchant_id == principal.merchant_pk)
        )

    def _get(self, session: Session, principal: Principal, shipment_id: str) -> Shipment:
        row = session.scalars(
            self._own(select(Shipment).where(Shipment.public_id == shipment_id), principal)
        ).first()
        if row is None:
            raise ApiError(404, "not_found", f"no shipment {shipment_id!r}")
        return row

    def get(self, principal: Principal, shipment_id: str) -> dict[str, Any]:
        """One shipment (404 when it is another merchant's)."""
        with self.db.session() as session:
            return shipment_public(self._get(session, principal, shipment_id))

    def list_shipments(
        self, principal: Principal, *, limit: int, cursor: str | None
    ) -> dict[str, Any]:
        """A page of shipments, newest first."""
        after = decode_cursor(cursor)
        query = self._own(select(Shipment), principal).order_by(Shipment.id.desc()).limit(limit + 1)
        if after is not None:
            query = query.where(Shipment.id < after)
        with self.db.session() as session:
            rows = list(session.scalars(query))
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            "data": [shipment_public(r) for r in rows],
            "has_more": more,
            "next_cursor": encode_cursor(rows[-1].id) if more and rows else None,
        }

    def events(self, principal: Principal, shipment_id: str) -> dict[str, Any]:
        """A shipment's events, oldest first."""
        with self.db.session() as session:
            row = self._get(session, principal, shipment_id)
            events = session.scalars(
                select(TrackingEvent)
                .where(TrackingEvent.shipment_id == row.id)
                .order_by(TrackingEvent.id)
            )
            return {
                "data": [
                    event_public(
                        e.public_id,
                        row.public_id,
                        e.status,
                        e.sub_status,
                        e.message,
                        e.flight_public_id,
                        e.occurred_at,
                    )
                    for e in events
                ]
            }

    def cancel(self, principal: Principal, shipment_id: str) -> dict[str, Any]:
        """Cancel and release the flight capacity; cancelling twice returns the shipment."""
        now = utcnow()
        with self.db.write() as session:
            row = self._get(session, principal, shipment_id)
            if row.status == Status.CANCELLED:
                return shipment_public(row)
            if row.status != Status.PRE_TRANSIT:
                raise ApiError(409, "not_cancellable", f"shipment is {row.status}/{row.sub_status}")
            # Claim the transition first: of two concurrent cancels only one releases capacity.
            claimed = session.execute(
                update(Shipment)
                .where(Shipment.id == row.id, Shipment.status == Status.PRE_TRANSIT.value)
                .values(
                    status=Status.CANCELLED.value,
                    sub_status=SubStatus.CANCELLED.value,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                session.rollback()
                return self.get(principal, shipment_id)
            if row.flight_id is not None and not release(
                session, row.flight_id, row.mass_g, row.volume_cm3, now
            ):
                raise ApiError(409, "not_cancellable", "its flight is no longer scheduled")
            declaration = forget_import(session, row.id)
            if declaration is not None:
                reassess_day(
                    session,
                    declaration,
                    now=now,
                    cause=f"same-day parcel {row.public_id} cancelled",
                )
            EventWriter(session).emit_for(
                row,
                Status.CANCELLED,
                SubStatus.CANCELLED,
                "cancelled; capacity released" if row.flight_id is not None else "cancelled",
                occurred_at=now,
            )
            session.refresh(row)
            return shipment_public(row)
