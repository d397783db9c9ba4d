"""``POST /v1/quotes``: the one-hour and standard options for a shipment (no database write)."""

from __future__ import annotations

from fastapi import APIRouter

from rocketpost.service import schemas
from rocketpost.service.api.deps import Caller, State, error_responses

router = APIRouter(tags=["quotes"])


@router.post(
    "/v1/quotes",
    response_model=schemas.QuotePublic,
    responses=error_responses(400, 401, 413, 422, 429),
)
async def create_quote(
    body: schemas.QuoteRequest, principal: Caller, state: State
) -> schemas.QuotePublic:
    """Quote a shipment: the one-hour option leg by leg (or why not) and the standard option.

    Nothing is stored: ``quote_id`` is a signed token that ``POST /v1/shipments`` accepts until
    ``expires_at``.
    """
    return state.quotes.issue(principal, body)
