"""Shipments: book (idempotent), read, list, cancel, and their tracking events."""

from __future__ import annotations

import asyncio
import weakref
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import APIRouter, Header, Query, Response

from rocketpost.service import schemas
from rocketpost.service.api.deps import (
    Caller,
    OpsCaller,
    State,
    check_shipment_id,
    error_responses,
)
from rocketpost.service.induction import induct, record_inspection

router = APIRouter(tags=["shipments"])

BOOKING_THREADS = 4
"""Bookings in flight per process (each holds a worker thread and a database connection)."""

_limiters: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[int, anyio.CapacityLimiter]
] = weakref.WeakKeyDictionary()


def booking_limiter(state: object) -> anyio.CapacityLimiter:
    """This app's booking limiter on the running event loop (limiters belong to one loop)."""
    per_app = _limiters.setdefault(asyncio.get_running_loop(), {})
    limiter = per_app.get(id(state))
    if limiter is None:
        limiter = per_app[id(state)] = anyio.CapacityLimiter(BOOKING_THREADS)
    return limiter


_SHIPMENT = {"s404": "no such shipment (or another merchant's)"}
_OPS_ONLY = {**_SHIPMENT, "s403": "needs the ops key"}
_READ = error_responses(401, 404, 429, **_SHIPMENT)

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Unique per booking attempt; a retry with the same key and body returns "
        "the original response, with another body a 409.",
    ),
]


@router.post(
    "/v1/shipments",
    status_code=201,
    response_model=schemas.ShipmentPublic,
    responses=error_responses(
        400,
        401,
        403,
        409,
        413,
        422,
        429,
        s403="the ops key cannot book",
        s409="no_capacity, one_hour_unavailable, quote_expired, idempotency_key_reused, "
        "idempotency_in_progress",
        s422="invalid request (field path in loc; a missing Idempotency-Key header too)",
    ),
)
async def create_shipment(
    body: schemas.ShipmentCreate,
    idempotency_key: IdempotencyKey,
    principal: Caller,
    state: State,
    response: Response,
) -> schemas.ShipmentPublic:
    """Book capacity on a launch wave's flight, from a quote or inline, with customs data."""
    # The booking blocks on the database: it runs in a worker thread, but in at most
    # BOOKING_THREADS at once per process. With the default 40 threads, 16 concurrent bookings
    # spent more CPU handing the GIL around than booking (5 ms of CPU per booking against 2).
    result = await anyio.to_thread.run_sync(
        state.booking.book, principal, body, idempotency_key, limiter=booking_limiter(state)
    )
    response.status_code = result.status_code
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return result.shipment


@router.get(
    "/v1/shipments",
    response_model=schemas.ShipmentsPublic,
    responses=error_responses(401, 422, 429, s422="bad limit or cursor"),
)
def list_shipments(
    principal: Caller,
    state: State,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> schemas.ShipmentsPublic:
    """Your shipments, newest first (ops: everyone's)."""
    return state.shipments.page(principal, limit=limit, cursor=cursor)


@router.get("/v1/shipments/{shipment_id}", response_model=schemas.ShipmentPublic, responses=_READ)
def get_shipment(shipment_id: str, principal: Caller, state: State) -> schemas.ShipmentPublic:
    """One shipment."""
    return state.shipments.get(principal, check_shipment_id(shipment_id))


@router.post(
    "/v1/shipments/{shipment_id}/cancel",
    response_model=schemas.ShipmentPublic,
    responses=error_responses(
        401, 404, 409, 413, 429, **_SHIPMENT, s409="not_cancellable (launched)"
    ),
)
def cancel_shipment(shipment_id: str, principal: Caller, state: State) -> schemas.ShipmentPublic:
    """Cancel and release the flight capacity (idempotent)."""
    return state.booking.cancel(principal, check_shipment_id(shipment_id))


@router.get(
    "/v1/shipments/{shipment_id}/events", response_model=schemas.EventsPublic, responses=_READ
)
def shipment_events(shipment_id: str, principal: Caller, state: State) -> schemas.EventsPublic:
    """Tracking events, oldest first."""
    return state.shipments.events(principal, check_shipment_id(shipment_id))


@router.post(
    "/v1/shipments/{shipment_id}/induction",
    response_model=schemas.ShipmentPublic,
    responses=error_responses(
        400,
        401,
        403,
        404,
        409,
        413,
        422,
        429,
        **_OPS_ONLY,
        s409="not_inducible (left the hub, or cancelled)",
        s422="invalid scale reading",
    ),
)
def induct_shipment(
    shipment_id: str, body: schemas.InductionIn, _ops: OpsCaller, state: State
) -> schemas.ShipmentPublic:
    """Record the parcel's induction at its origin hub with the scale reading, and re-screen it
    for customs: a weight mismatch (empty box) now holds it and releases its seat on the flight."""
    return induct(state.db, check_shipment_id(shipment_id), body.scanned_gross_mass_kg)


@router.post(
    "/v1/shipments/{shipment_id}/customs-outcome",
    response_model=schemas.ShipmentPublic,
    responses=error_responses(
        400,
        401,
        403,
        404,
        409,
        413,
        422,
        429,
        **_OPS_ONLY,
        s409="not_cross_border, not_inspectable, outcome_recorded",
    ),
)
def customs_outcome(
    shipment_id: str, body: schemas.InspectionIn, _ops: OpsCaller, state: State
) -> schemas.ShipmentPublic:
    """Report what customs found in an opened parcel: seized (the shipment fails) or cleared.
    It counts on the merchant's customs record, which screens its later parcels."""
    return record_inspection(
        state.db, check_shipment_id(shipment_id), seized=body.seized, note=body.note
    )
