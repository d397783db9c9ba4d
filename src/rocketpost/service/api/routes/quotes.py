"""``POST /v1/quotes``: the one-hour and standard options for a shipment (no database write)."""

from __future__ import annotations

from fastapi import APIRouter

from rocketpost.service import schemas
from rocketpost.service.api.deps import Caller, State

router = APIRouter(tags=["quotes"])

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "missing or unknown API key"},
    422: {"description": "invalid request (field path in loc)"},
    429: {"description": "rate limited (Retry-After)"},
}


@router.post("/v1/quotes", response_model=schemas.QuotePublic, responses=_ERRORS)
async def create_quote(
    body: schemas.QuoteRequest, principal: Caller, state: State
) -> schemas.QuotePublic:
    """Quote a shipment: the one-hour option leg by leg (or why not) and the standard option.

    Nothing is stored: ``quote_id`` is a signed token that ``POST /v1/shipments`` accepts until
    ``expires_at``.
    """
    return state.quotes.issue(principal, body)
