"""``POST /v1/quotes``: the one-hour and standard options for a shipment (no database write)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Response

from rocketpost.service import schemas
from rocketpost.service.api.deps import Caller, State, respond
from rocketpost.service.models import utcnow
from rocketpost.service.quoting import (
    QuoteToken,
    check_ready_at,
    customs_out,
    parcels_summary,
    resolve_destination,
    run_clearance,
    sign_token,
    token_parcels,
)
from rocketpost.service.sellers import seller_trust

router = APIRouter(tags=["quotes"])

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "missing or unknown API key"},
    422: {"description": "invalid request (field path in loc)"},
    429: {"description": "rate limited (Retry-After)"},
}


@router.post("/v1/quotes", response_model=schemas.QuoteResponse, responses=_ERRORS)
async def create_quote(body: schemas.QuoteRequest, principal: Caller, state: State) -> Response:
    """Quote a shipment: the one-hour option leg by leg (or why not) and the standard option.

    Nothing is stored: ``quote_id`` is a signed token that ``POST /v1/shipments`` accepts until
    ``expires_at``.
    """
    engine = state.engine
    now = utcnow()
    engine.check_origin(body.origin_hub)
    ready_at = check_ready_at(body.ready_at, now)
    place = resolve_destination(body.destination)
    mass_kg, volume_m3, classes = parcels_summary(body.parcels)
    route = engine.plan(
        place, mass_kg=mass_kg, volume_m3=volume_m3, ready_at=ready_at, origin_hub=body.origin_hub
    )
    cross_border = engine.cross_border(route, place)
    result = None
    if body.customs is not None:
        result = run_clearance(
            body.customs,
            order_id="quote",
            merchant_id=principal.merchant_id,
            channel=body.channel,
            ready_at=ready_at,
            place=place,
            origin_hub=route.origin_hub,
            origin_country=route.origin_country,
            trust=seller_trust(
                principal.merchant_id, principal.customs_inspections, principal.customs_seizures
            ),
        )
        classes |= {i.dangerous_goods_class for i in body.customs.items if i.dangerous_goods_class}
    assessment = engine.assess(
        route, mass_kg=mass_kg, volume_m3=volume_m3, dangerous_goods=classes, customs=result
    )
    one_hour = engine.one_hour_option(
        route, assessment, engine.one_hour_price(route, mass_kg, volume_m3)
    )
    standard = engine.standard_option(ready_at, mass_kg)
    expires_at = now + timedelta(seconds=state.settings.quote_ttl_s)
    token = QuoteToken(
        merchant_id=principal.merchant_id,
        origin_hub=route.origin_hub,
        destination=place,
        channel=body.channel,
        ready_at=ready_at,
        expires_at=expires_at,
        parcels=token_parcels(body.parcels),
        mass_kg=mass_kg,
        volume_m3=volume_m3,
        one_hour_price=None if one_hour["price"] is None else one_hour["price"]["amount"],
        standard_price=standard["price"]["amount"],
    )
    return respond(
        {
            "quote_id": sign_token(token, state.signing_key),
            "expires_at": expires_at.replace(microsecond=0),
            "ready_at": ready_at,
            "destination": place.public(),
            "mass_kg": mass_kg,
            "volume_m3": volume_m3,
            "channel": body.channel,
            "cross_border": cross_border,
            "one_hour": one_hour,
            "standard": standard,
            "customs": None if result is None else customs_out(result),
        }
    )
