"""A merchant's webhook endpoints: only public https URLs are registered (``docs/webhooks.md``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from rocketpost.service import webhook_schemas
from rocketpost.service.api.deps import Caller, State, error_responses
from rocketpost.service.auth import Principal
from rocketpost.service.errors import ApiError
from rocketpost.service.webhook_targets import BoundedResolver, Target, check_target

router = APIRouter(tags=["webhooks"])

_WEBHOOK_ID = re.compile(r"^whk_[0-9a-z]{1,40}$")
_MERCHANT = {"s403": "the ops key has no webhooks"}


@lru_cache(maxsize=4)
def _resolver(timeout_s: float) -> BoundedResolver:
    # One per process (and time limit), so its cap on abandoned lookups holds across requests.
    return BoundedResolver(timeout_s)


def target_check(state: State) -> Callable[[str], Target]:
    """How ``POST /v1/webhooks`` checks a URL; a dependency so tests can swap the resolver."""
    settings = state.settings
    return partial(
        check_target,
        allow_loopback_http=settings.webhook_allow_loopback_http,
        resolve=_resolver(settings.webhook_resolve_timeout_s),
    )


TargetCheck = Annotated[Callable[[str], Target], Depends(target_check)]


def _merchant_only(principal: Principal) -> None:
    if principal.is_ops:
        raise ApiError(403, "forbidden", "webhooks belong to merchants")


@router.post(
    "/v1/webhooks",
    status_code=201,
    response_model=webhook_schemas.WebhookCreatedPublic,
    responses=error_responses(
        400,
        401,
        403,
        413,
        422,
        429,
        **_MERCHANT,
        s422="not a public https URL (field ``url``, its value and why)",
    ),
)
def create_webhook(
    body: webhook_schemas.WebhookCreate, principal: Caller, state: State, check: TargetCheck
) -> webhook_schemas.WebhookCreatedPublic:
    """Register a public https URL for your shipment events; the secret is shown once.

    The host must be, or resolve to, public addresses only (no loopback, private, link-local
    or other special-purpose ranges); it is checked again before every delivery.
    """
    _merchant_only(principal)
    check(body.url)  # InputError → 422 naming ``url``; sync route, so the lookup blocks a worker
    created = state.endpoints.create(principal.merchant_pk, body.url)
    assert created.secret is not None
    return webhook_schemas.WebhookCreatedPublic(
        id=created.webhook_id, url=created.url, secret=created.secret, created_at=created.created_at
    )


@router.get(
    "/v1/webhooks",
    response_model=webhook_schemas.WebhooksPublic,
    responses=error_responses(401, 403, 429, **_MERCHANT),
)
def list_webhooks(principal: Caller, state: State) -> webhook_schemas.WebhooksPublic:
    """Your active endpoints (without secrets)."""
    _merchant_only(principal)
    return webhook_schemas.WebhooksPublic(
        data=[
            webhook_schemas.WebhookPublic(id=w.webhook_id, url=w.url, created_at=w.created_at)
            for w in state.endpoints.active(principal.merchant_pk)
        ]
    )


@router.delete(
    "/v1/webhooks/{webhook_id}",
    status_code=204,
    responses=error_responses(401, 403, 404, 429, **_MERCHANT, s404="no such endpoint"),
)
def delete_webhook(webhook_id: str, principal: Caller, state: State) -> Response:
    """Stop sending to an endpoint."""
    _merchant_only(principal)
    if not _WEBHOOK_ID.match(webhook_id) or not state.endpoints.deactivate(
        principal.merchant_pk, webhook_id
    ):
        raise ApiError(404, "not_found", "no such webhook")
    return Response(status_code=204)
