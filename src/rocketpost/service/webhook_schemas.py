"""The webhook endpoints' request and answers (``/v1/webhooks``): kept apart from the shipment
and quote schemas (:mod:`rocketpost.service.schemas`), whose answer time type they share."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from rocketpost.service.fields import InModel as _In
from rocketpost.service.fields import OutModel as _Out
from rocketpost.service.schemas import UtcDatetime

__all__ = ["WebhookCreate", "WebhookCreatedPublic", "WebhookPublic", "WebhooksPublic"]


class WebhookCreate(_In):
    """``POST /v1/webhooks``."""

    url: Annotated[str, Field(min_length=8, max_length=2048, pattern=r"^https?://[^\s\x00]+$")]


class WebhookPublic(_Out):
    """A registered webhook endpoint (the secret is only shown when created)."""

    id: str
    url: str
    created_at: UtcDatetime


class WebhookCreatedPublic(WebhookPublic):
    """A new endpoint, with its signing secret (shown once)."""

    secret: str


class WebhooksPublic(_Out):
    """A merchant's endpoints."""

    data: list[WebhookPublic]
