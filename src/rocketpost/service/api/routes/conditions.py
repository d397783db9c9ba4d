"""Ops: the conditions quotes are made under (weather per hub, sea per landing site).

Kept in this process's memory (see ``docs/promise.md``): a restart returns to the climate, and
several server processes each hold their own.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from rocketpost.promise.conditions import Conditions, HubWeather, SiteSea
from rocketpost.service import schemas
from rocketpost.service.api.deps import OpsCaller, State, error_responses
from rocketpost.service.errors import ApiError
from rocketpost.service.quotes import Quotes

router = APIRouter(tags=["ops"])

_OPS = {"s403": "not the ops key"}
_Id = Annotated[str, Path(min_length=1, max_length=16)]


def _public(quotes: Quotes) -> schemas.ConditionsPublic:
    c: Conditions = quotes.conditions
    hub_ids = quotes.engine.network.hub_ids
    hubs = []
    sites = []
    for hub_id in hub_ids:
        weather = c.weather(hub_id)
        front_s = c.front_mean_s(hub_id)
        hubs.append(
            schemas.HubConditionsPublic(
                hub_id=hub_id,
                declared=c.declared(hub_id),
                weather=weather.state.value,
                scrub_p=c.scrub_p(hub_id),
                front_remaining_h=None if front_s is None else front_s / 3600.0,
            )
        )
        sea = c.sea(hub_id)
        closed_s = c.sea_closed_mean_s(hub_id)
        sites.append(
            schemas.SiteConditionsPublic(
                site_id=hub_id,
                declared=hub_id in c.sites,
                sea=sea.state.value,
                alternate=sea.alternate,
                closed_remaining_h=None if closed_s is None else closed_s / 3600.0,
            )
        )
    return schemas.ConditionsPublic(
        hubs=hubs,
        sites=sites,
        inspection_p=c.customs_p,
        boat_sigma=c.boat_spread,
        last_mile_sigma=c.last_mile_spread,
        confidence=quotes.target,
        stored="memory",
    )


def _known(quotes: Quotes, kind: str, ident: str) -> None:
    if ident not in quotes.engine.network.hub_ids:
        raise ApiError(404, "not_found", f"no such {kind}: {ident}")


@router.get(
    "/v1/conditions",
    response_model=schemas.ConditionsPublic,
    responses=error_responses(401, 403, 429, **_OPS),
)
def get_conditions(principal: OpsCaller, state: State) -> schemas.ConditionsPublic:
    """Every hub's weather and every landing site's sea, declared or the climate."""
    return _public(state.quotes)


@router.put(
    "/v1/conditions/hubs/{hub_id}",
    response_model=schemas.ConditionsPublic,
    responses=error_responses(400, 401, 403, 404, 413, 422, 429, **_OPS, s404="no such hub"),
)
def put_hub_conditions(
    hub_id: _Id, body: schemas.HubConditionsIn, principal: OpsCaller, state: State
) -> schemas.ConditionsPublic:
    """Declare a hub's launch weather: ``clear``, ``hold_risk`` or ``front``."""
    _known(state.quotes, "hub", hub_id)
    weather = HubWeather(body.weather, body.scrub_p, body.front_remaining_h)  # type: ignore[arg-type]
    state.quotes.declare_hub(hub_id, weather)
    return _public(state.quotes)


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
    _known(state.quotes, "landing site", site_id)
    sea = SiteSea(body.sea, body.alternate, body.closed_remaining_h)  # type: ignore[arg-type]
    state.quotes.declare_site(site_id, sea)
    return _public(state.quotes)
