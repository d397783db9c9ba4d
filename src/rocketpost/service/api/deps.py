"""Request dependencies: the service state, the caller (API key) and its rate limit."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from rocketpost.service.auth import Principal
from rocketpost.service.errors import ApiError
from rocketpost.service.schemas import ErrorPublic, ValidationErrorPublic
from rocketpost.service.state import ServiceState

__all__ = [
    "Caller",
    "OpsCaller",
    "State",
    "check_flight_id",
    "check_shipment_id",
    "error_responses",
    "get_state",
]

_ERROR_MEANINGS = {
    400: "the body is not UTF-8 JSON that can be read at all (invalid UTF-8, an integer of "
    "over 4,300 digits)",
    401: "missing or unknown API key (WWW-Authenticate: Bearer)",
    403: "this key may not do this (ops-only endpoint, or ops cannot book / has no webhooks)",
    404: "no such resource (also: another merchant's, or an id that cannot exist)",
    409: "the state forbids it",
    413: "request body over ROCKETPOST_MAX_BODY_BYTES",
    422: "invalid request: field path in loc (FastAPI's shape)",
    429: "rate limited (Retry-After)",
}


def error_responses(*statuses: int, **meanings: str) -> dict[int | str, dict[str, object]]:
    """The ``responses=`` of a route: each error status it can answer, with its body's model.

    ``meanings`` (``s409="no_capacity, …"``) replace the generic description of a status. The
    OpenAPI document must list every status a route answers (the schemathesis fuzz test checks
    it), so routes declare them here rather than one by one.
    """
    responses: dict[int | str, dict[str, object]] = {}
    for status in statuses:
        responses[status] = {
            "description": meanings.get(f"s{status}", _ERROR_MEANINGS[status]),
            "model": ValidationErrorPublic if status == 422 else ErrorPublic,
        }
    return responses


_SHIPMENT_ID = re.compile(r"^shp_[0-9a-z]{1,40}$")
_FLIGHT_ID = re.compile(r"^flt_[A-Z0-9_-]{1,80}$")  # landing-site ids carry "-"


async def get_state(request: Request) -> ServiceState:
    """The app's :class:`ServiceState`.

    ``async`` on purpose: FastAPI runs a sync dependency in the thread pool, and that hop (a
    thread wake-up, a GIL hand-over and a loop wake-up) cost more than the whole rest of this
    function on every request.
    """
    state: ServiceState = request.app.state.rp
    return state


State = Annotated[ServiceState, Depends(get_state)]


class ApiKeyBearer(HTTPBearer):
    """The caller: ``Authorization: Bearer <api key>`` resolved to its :class:`Principal` (401
    when missing or unknown), then a rate-limit token taken (429).

    One dependency that is also the OpenAPI security scheme (``HTTPBearer``), rather than a
    function depending on ``HTTPBearer`` and ``State``: FastAPI solves every dependency of every
    request in turn, and each one cost a quote about as much as reading its key.
    """

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        credentials = await super().__call__(request)
        if credentials is None or not credentials.credentials:
            raise ApiError(
                401,
                "unauthorized",
                "missing API key: send Authorization: Bearer <api key>",
                headers={"WWW-Authenticate": "Bearer"},
            )
        state = await get_state(request)
        principal = state.keys.resolve(credentials.credentials)
        if principal is None:
            raise ApiError(
                401, "unauthorized", "unknown API key", headers={"WWW-Authenticate": "Bearer"}
            )
        wait_s = state.limiter.acquire(principal.merchant_id)
        if wait_s > 0:
            raise ApiError(
                429,
                "rate_limited",
                f"rate limit of {state.settings.rate_limit_per_min:g} requests/min exceeded",
                headers={"Retry-After": state.limiter.retry_after_header(wait_s)},
            )
        return principal


caller = ApiKeyBearer(
    auto_error=False, description="Authorization: Bearer <api key>", scheme_name="HTTPBearer"
)


async def ops_caller(principal: Annotated[Principal, Depends(caller)]) -> Principal:
    """Only the ops key (403 for merchants)."""
    if not principal.is_ops:
        raise ApiError(403, "forbidden", "this endpoint needs the ops key")
    return principal


Caller = Annotated[Principal, Depends(caller)]
OpsCaller = Annotated[Principal, Depends(ops_caller)]


def check_shipment_id(shipment_id: str) -> str:
    """A shipment id that cannot exist is a 404 without asking the database."""
    if not _SHIPMENT_ID.match(shipment_id):
        raise ApiError(404, "not_found", "no such shipment")
    return shipment_id


def check_flight_id(flight_id: str) -> str:
    """A flight id that cannot exist is a 404 without asking the database."""
    if not _FLIGHT_ID.match(flight_id):
        raise ApiError(404, "not_found", "no such flight")
    return flight_id
