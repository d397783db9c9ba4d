"""Ops: flights, manifests and launch / landing / scrub events (ops key only)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from rocketpost.service import schemas
from rocketpost.service.api.deps import OpsCaller, State, check_flight_id, error_responses
from rocketpost.service.ops_schemas import Day

router = APIRouter(tags=["ops"])

_OPS = {"s403": "not the ops key", "s404": "no such flight"}


@router.get(
    "/v1/flights",
    response_model=schemas.FlightsPublic,
    responses=error_responses(
        401, 403, 422, 429, **_OPS, s422="bad limit, status, origin_hub, date or cursor"
    ),
)
def list_flights(
    principal: OpsCaller,
    state: State,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    status: Literal["scheduled", "launched", "landed", "scrubbed"] | None = None,
    origin_hub: Annotated[str | None, Query(pattern=r"^[A-Z0-9]{2,8}$")] = None,
    date: Annotated[
        Day | None, Query(description="the UTC day of launch: its flights in launch order")
    ] = None,
) -> schemas.FlightsPublic:
    """Flights in creation order, or one day's in launch order (keyset pages either way)."""
    return state.flights.list_flights(
        limit=limit, cursor=cursor, status=status, origin_hub=origin_hub, day=date
    )


@router.get(
    "/v1/flights/{flight_id}",
    response_model=schemas.FlightPublic,
    responses=error_responses(401, 403, 404, 429, **_OPS),
)
def get_flight(flight_id: str, principal: OpsCaller, state: State) -> schemas.FlightPublic:
    """One flight and its load."""
    return state.flights.get(check_flight_id(flight_id))


@router.get(
    "/v1/flights/{flight_id}/manifest",
    response_model=schemas.ManifestPublic,
    responses=error_responses(401, 403, 404, 429, **_OPS),
)
def flight_manifest(flight_id: str, principal: OpsCaller, state: State) -> schemas.ManifestPublic:
    """What is loaded on the flight."""
    return state.flights.manifest(check_flight_id(flight_id))


@router.post(
    "/v1/flights/{flight_id}/events",
    response_model=schemas.FlightEventPublic,
    responses=error_responses(
        400, 401, 403, 404, 409, 413, 422, 429, **_OPS, s409="invalid_transition"
    ),
)
def flight_event(
    flight_id: str, body: schemas.FlightEventIn, principal: OpsCaller, state: State
) -> schemas.FlightEventPublic:
    """Record launched / landed / scrubbed; a scrub re-books its shipments."""
    return state.flights.record(check_flight_id(flight_id), body)
