"""A merchant's webhook endpoints: only public https URLs are registered (``docs/webhooks.md``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlalchemy import select, update

from rocketpost.service import schemas
from rocketpost.service.api.deps import Caller, State, respond
from rocketpost.service.auth import Principal
from rocketpost.service.errors import ApiError
from rocketpost.service.merchants import add_webhook_for
from rocketpost.service.models import WebhookEndpoint
from rocketpost.service.webhook_targets import BoundedResolver, Target, check_target

router = APIRouter(tags=["webhooks"])

_WEBHOOK_ID = re.compile(r"^whk_[0-9a-z]{1,40}$")
_COMMON: dict[int | str, dict[str, object]] = {
    401: {"description": "missing or unknown API key"},
    403: {"description": "the ops key has no webhooks"},
    429: {"description": "rate limited (Retry-After)"},
}


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
    response_model=schemas.WebhookCreated,
    responses={
        **_COMMON,
        422: {"description": "not a public https URL (field ``url``, its value and why)"},
    },
)
def create_webhook(
    body: schemas.WebhookCreate, principal: Caller, state: State, check: TargetCheck
) -> Response:
    """Register a public https URL for your shipment events; the secret is shown once.

    The host must be, or resolve to, public addresses only (no loopback, private, link-local
    or other special-purpose ranges); it is checked again before every delivery.
    """
    _merchant_only(principal)
    check(body.url)  # InputError → 422 naming ``url``; sync route, so the lookup blocks a worker
    with state.db.write() as session:
        webhook_id, secret, created = add_webhook_for(session, principal.merchant_pk, body.url)
    return respond(
        {"id": webhook_id, "url": body.url, "secret": secret, "created_at": created}, 201
    )


@router.get("/v1/webhooks", response_model=schemas.WebhookList, responses=_COMMON)
def list_webhooks(principal: Caller, state: State) -> Response:
    """Your active endpoints (without secrets)."""
    _merchant_only(principal)
    with state.db.session() as session:
        rows = session.execute(
            select(WebhookEndpoint.public_id, WebhookEndpoint.url, WebhookEndpoint.created_at)
            .where(
                WebhookEndpoint.merchant_id == principal.merchant_pk,
                WebhookEndpoint.active.is_(True),
            )
            .order_by(WebhookEndpoint.id)
        ).all()
    return respond({"data": [{"id": r[0], "url": r[1], "created_at": r[2]} for r in rows]})


@router.delete(
    "/v1/webhooks/{webhook_id}",
    status_code=204,
    responses={**_COMMON, 404: {"description": "no such endpoint"}},
)
def delete_webhook(webhook_id: str, principal: Caller, state: State) -> Response:
    """Stop sending to an endpoint."""
    _merchant_only(principal)
    if not _WEBHOOK_ID.match(webhook_id):
        raise ApiError(404, "not_found", "no such webhook")
    with state.db.write() as session:
        result = session.execute(
            update(WebhookEndpoint)
            .where(
                WebhookEndpoint.public_id == webhook_id,
                WebhookEndpoint.merchant_id == principal.merchant_pk,
                WebhookEndpoint.active.is_(True),
            )
            .values(active=False)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise ApiError(404, "not_found", "no such webhook")
    return Response(status_code=204)
