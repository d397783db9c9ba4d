"""Ops: the conditions quotes are made under (weather per hub, sea per landing site).

Kept in the database (:mod:`rocketpost.service.conditions_store`): every server process quotes
under the same declarations, within a second of a change, and a restart keeps them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from rocketpost.promise.conditions import HubWeather, SiteSea
from rocketpost.service import schemas
from rocketpost.service.api.deps import OpsCaller, State, error_responses
from rocketpost.service.conditions_store import StoredConditions
from rocketpost.service.errors import ApiError
from rocketpost.service.state import ServiceState

router = APIRouter(tags=["ops"])

_OPS = {"s403": "not the ops key"}
_Id = Annotated[str, Path(min_length=1, max_length=16)]


def _public(state: ServiceState, stored: StoredConditions) -> schemas.ConditionsPublic:
    c = stored.conditions
    hubs = []
    sites = []
    for hub_id in state.network.hub_ids:
        weather = c.weather(hub_id)
        front_s = c.front_mean_s(hub_id)
        hub_by = stored.hubs.get(hub_id)
        hubs.append(
            schemas.HubConditionsPublic(
                hub_id=hub_id,
                declared=c.declared(hub_id),
                weather=weather.state.value,
                scrub_p=c.scrub_p(hub_id),
                front_remaining_h=None if front_s is None else front_s / 3600.0,
                set_by=None if hub_by is None else hub_by.set_by,
                set_at=None if hub_by is None else hub_by.set_at,
            )
        )
        sea = c.sea(hub_id)
        closed_s = c.sea_closed_mean_s(hub_id)
        site_by = stored.sites.get(hub_id)
        sites.append(
            schemas.SiteConditionsPublic(
                site_id=hub_id,
                declared=hub_id in c.sites,
                sea=sea.state.value,
                alternate=sea.alternate,
                closed_remaining_h=None if closed_s is None else closed_s / 3600.0,
                set_by=None if site_by is None else site_by.set_by,
                set_at=None if site_by is None else site_by.set_at,
            )
        )
    return schemas.ConditionsPublic(
        hubs=hubs,
        sites=sites,
        inspection_p=c.customs_p,
        boat_sigma=c.boat_spread,
        last_mile_sigma=c.last_mile_spread,
        confidence=state.quotes.target,
        stored="database",
    )


def _known(state: ServiceState, kind: str, ident: str) -> None:
    if ident not in state.network.hub_ids:
        raise ApiError(404, "not_found", f"no such {kind}: {ident}")


@router.get(
    "/v1/conditions",
    response_model=schemas.ConditionsPublic,
    responses=error_responses(401, 403, 429, **_OPS),
)
def get_conditions(principal: OpsCaller, state: State) -> schemas.ConditionsPublic:
    """Every hub's weather and every landing site's sea, declared or the climate."""
    return _public(state, state.conditions.read())


@router.put(
    "/v1/conditions/hubs/{hub_id}",
    response_model=schemas.ConditionsPublic,
    responses=error_responses(400, 401, 403, 404, 413, 422, 429, **_OPS, s404="no such hub"),
)
def put_hub_conditions(
    hub_id: _Id, body: schemas.HubConditionsIn, principal: OpsCaller, state: State
) -> schemas.ConditionsPublic:
    """Declare a hub's launch weather: ``clear``, ``hold_risk`` or ``front``."""
    _known(state, "hub", hub_id)
    weather = HubWeather(body.weather, body.scrub_p, body.front_remaining_h)  # type: ignore[arg-type]
    return _public(state, state.conditions.declare_hub(hub_id, weather, set_by=principal.name))


@router.put(
    "/v1/conditions/customs",
    response_model=schemas.ConditionsPublic,
    responses=error_responses(400, 401, 403, 413, 422, 429, **_OPS),
)
def put_customs_conditions(
    body: schemas.CustomsConditionsIn, principal: OpsCaller, state: State
) -> schemas.ConditionsPublic:
    """Declare the base rate of unplanned customs inspections (a parcel of typical risk)."""
    stored = state.conditions.declare_customs(body.inspection_p, set_by=principal.name)
    return _public(state, stored)


@router.put(
    "/v1/conditions/sites/{site_id}",
    response_model=schemas.ConditionsPublic,
    responses=error_responses(
        400, 401, 403, 404, 413, 422, 429, **_OPS, s404="no such landing site"
    ),
)
def put_site_conditions(
    site_id: _Id, body: schemas.SiteConditionsIn, principal: OpsCaller, state: State
) -> schemas.ConditionsPublic:
    """Declare a landing site's sea state (a site is a hub's landing zone, by the hub's id)."""
    _known(state, "landing site", site_id)
    sea = SiteSea(body.sea, body.alternate, body.closed_remaining_h)  # type: ignore[arg-type]
    return _public(state, state.conditions.declare_site(site_id, sea, set_by=principal.name))
