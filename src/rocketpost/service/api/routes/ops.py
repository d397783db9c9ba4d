"""Ops: the operational day (plan runs, last-mile events, the control room's aggregates) and
public tracking by tracking number."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from rocketpost.service import ops_schemas, schemas
from rocketpost.service.api.deps import OpsCaller, State, check_shipment_id, error_responses
from rocketpost.service.api.routes.conditions import get_conditions
from rocketpost.service.booking import _ALPHABET as TRACKING_ALPHABET
from rocketpost.service.controlroom import ControlRoom, utc_now
from rocketpost.service.errors import ApiError
from rocketpost.service.fields import Instant, OutModel
from rocketpost.service.flightboard import fleet_day
from rocketpost.service.lastmile_events import LastMileEvents
from rocketpost.service.models import PlanRun
from rocketpost.service.planrun import plan_runs, run_plan

router = APIRouter(tags=["ops"])

TRACKING_NUMBER = re.compile(rf"^RP[{TRACKING_ALPHABET}]{{12}}$")
"""The form booking issues (``RP`` and 12 letters of its alphabet 60 bits: not
guessable); anything else is a 404 without a query."""
_AT = Query(description="the instant to compute at (default: now)")


class OverviewPublic(OutModel):
    """Everything the control room draws first, in one answer: each part is exactly what its
    own endpoint answers (``GET /v1/ops/sites``, ``/v1/ops/flights/positions``,
    ``/v1/ops/kpis``, ``/v1/conditions``), built by the same functions at the same instant."""

    sites: ops_schemas.SitesPublic
    positions: ops_schemas.PositionsPublic
    kpis: ops_schemas.KpisPublic
    conditions: schemas.ConditionsPublic


def _run_public(run: PlanRun) -> ops_schemas.PlanRunPublic:
    return ops_schemas.PlanRunPublic(
        id=run.public_id,
        date=run.day,
        kind=run.kind,
        trigger=run.trigger,
        flights=run.flights,
        shipments=run.shipments,
        unassigned_flights=run.unassigned_flights,
        planned_late=run.planned_late,
        summary=run.summary,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


@router.post(
    "/v1/ops/plan-runs",
    status_code=201,
    response_model=ops_schemas.PlanRunPublic,
    responses=error_responses(400, 401, 403, 413, 422, 429, s403="not the ops key"),
)
def create_plan_run(
    body: ops_schemas.PlanRunIn, principal: OpsCaller, state: State
) -> ops_schemas.PlanRunPublic:
    """Plan the day from the database: airframes and last-mile routes for the booked flights."""
    from rocketpost.planning.params import LastMileParams

    run = run_plan(
        state.db,
        state.network,
        body.date,
        kind=body.kind,
        trigger="ops",
        params=LastMileParams(time_limit_s=body.last_mile_seconds),
    )
    return _run_public(run)


@router.get(
    "/v1/ops/plan-runs",
    response_model=ops_schemas.PlanRunsPublic,
    responses=error_responses(401, 403, 422, 429, s403="not the ops key"),
)
def list_plan_runs(
    principal: OpsCaller,
    state: State,
    date: ops_schemas.Day,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ops_schemas.PlanRunsPublic:
    """The day's plan runs, newest first."""
    return ops_schemas.PlanRunsPublic(
        data=[_run_public(r) for r in plan_runs(state.db, date, limit)]
    )


@router.post(
    "/v1/shipments/{shipment_id}/last-mile-events",
    response_model=ops_schemas.LastMileEventPublic,
    responses=error_responses(
        400,
        401,
        403,
        404,
        409,
        413,
        422,
        429,
        s403="not the ops key",
        s404="no such shipment",
        s409="invalid_transition (not landed yet, or not out for delivery)",
    ),
)
def last_mile_event(
    shipment_id: str, body: ops_schemas.LastMileEventIn, principal: OpsCaller, state: State
) -> ops_schemas.LastMileEventPublic:
    """Out for delivery / delivered, with the vehicle (a repeat changes nothing)."""
    return LastMileEvents(state.db).record(check_shipment_id(shipment_id), body)


@router.get(
    "/v1/ops/kpis",
    response_model=ops_schemas.KpisPublic,
    responses=error_responses(401, 403, 422, 429, s403="not the ops key"),
)
def kpis(
    principal: OpsCaller,
    state: State,
    date: ops_schemas.Day | None = None,
    at: Annotated[Instant | None, _AT] = None,
) -> ops_schemas.KpisPublic:
    """The day so far (default: today, UTC), aggregated in the database."""
    at = _instant(at)
    return ControlRoom(state.db, state.network).kpis(date or at.date(), at)


@router.get(
    "/v1/ops/fleet",
    response_model=ops_schemas.FleetDayPublic,
    responses=error_responses(401, 403, 422, 429, s403="not the ops key"),
)
def fleet(
    principal: OpsCaller, state: State, date: ops_schemas.Day | None = None
) -> ops_schemas.FleetDayPublic:
    """The day's airframes by hub (default: today, UTC) as bookings and quotes count them:
    the fleet, the spares kept from sale, the flights a day may open, those opened, those left
    (at most ``ROCKETPOST_FLIGHT_BOARD_TTL_S`` old)."""
    board = state.quotes.board
    assert board is not None  # the app always has one
    return ops_schemas.FleetDayPublic.model_validate(fleet_day(board, date or utc_now().date()))


@router.get(
    "/v1/ops/flights/positions",
    response_model=ops_schemas.PositionsPublic,
    responses=error_responses(401, 403, 422, 429, s403="not the ops key"),
)
def positions(
    principal: OpsCaller,
    state: State,
    at: Annotated[Instant | None, _AT] = None,
    date: ops_schemas.Day | None = None,
) -> JSONResponse:
    """One compact row per flight of the day of ``at`` (or ``date``): the map's layer."""
    at = _instant(at)
    return JSONResponse(ControlRoom(state.db, state.network).positions(date or at.date(), at))


@router.get(
    "/v1/ops/sites",
    response_model=ops_schemas.SitesPublic,
    responses=error_responses(401, 403, 429, s403="not the ops key"),
)
def sites(principal: OpsCaller, state: State) -> JSONResponse:
    """Hubs and landing sites with their coordinates and state, and each lane's flight time."""
    return JSONResponse(ControlRoom(state.db, state.network).sites())


@router.get(
    "/v1/ops/overview",
    response_model=OverviewPublic,
    responses=error_responses(401, 403, 422, 429, s403="not the ops key"),
)
def overview(
    principal: OpsCaller,
    state: State,
    at: Annotated[Instant | None, _AT] = None,
    date: ops_schemas.Day | None = None,
) -> JSONResponse:
    """The control room's first read: the network, the day's positions and KPIs, and the
    conditions, in one answer (one round trip, one request on the server's queue)."""
    at = _instant(at)
    room = ControlRoom(state.db, state.network)
    day = date or at.date()
    return JSONResponse(
        {
            "sites": room.sites(),
            "positions": room.positions(day, at),
            "kpis": room.kpis(day, at).model_dump(mode="json"),
            "conditions": get_conditions(principal, state).model_dump(mode="json"),
        }
    )


@router.get(
    "/v1/tracking/{tracking_number}",
    response_model=ops_schemas.TrackingPublic,
    responses=error_responses(404, s404="no such tracking number"),
    tags=["tracking"],
)
def track(tracking_number: str, state: State) -> ops_schemas.TrackingPublic:
    """Public (no key): one shipment's status, legs and events, nothing of anyone else's."""
    if not TRACKING_NUMBER.match(tracking_number):
        raise ApiError(404, "not_found", "no such tracking number")
    return ControlRoom(state.db, state.network).track(tracking_number)


def _instant(at: dt.datetime | None) -> dt.datetime:
    """``at`` in UTC, or now."""
    return utc_now() if at is None else at.astimezone(dt.UTC)
