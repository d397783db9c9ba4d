"""Merchants: their keys, their webhook endpoints, and their record as sellers in customs' eyes.

The functions behind the CLI take a database URL (they open, commit and close their own
connection) or an open SQLAlchemy :class:`~sqlalchemy.orm.Session` (they only flush: the caller
owns the transaction), so tests and tools can use them in-process either way.

Customs targets sellers with a history of seizures. Every parcel customs opens (an inspection,
or a hold examined) is a trial — cleared or seized — reported by ops with
``POST /v1/shipments/{id}/customs-outcome``; the merchant's counts feed the Beta-Bernoulli
:class:`~rocketpost.customs.SellerTrust` that screening's seller signal reads
(:func:`seller_trust`). Parcels released unopened teach nothing and are not counted.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rocketpost.customs import SellerRecord, SellerTrust
from rocketpost.errors import InputError
from rocketpost.service.auth import Principal, hash_key, new_api_key, new_id
from rocketpost.service.db import Database
from rocketpost.service.models import Merchant, WebhookEndpoint, utcnow

__all__ = [
    "MerchantInfo",
    "WebhookEndpoints",
    "WebhookInfo",
    "add_webhook",
    "add_webhook_for",
    "create_merchant",
    "deactivate_webhook",
    "list_merchants",
    "principal_trust",
    "record_outcome",
    "seller_trust",
    "webhooks_of",
]

_T = TypeVar("_T")


@dataclass(frozen=True)
class MerchantInfo:
    """A merchant as listed (never its key)."""

    merchant_id: str
    name: str
    role: str
    active: bool
    created_at: datetime


@contextmanager
def _session(target: str | Session) -> Iterator[Session]:
    if isinstance(target, Session):
        yield target
        target.flush()
        return
    db = Database.connect(target, pool_size=1)
    try:
        with db.write_session() as session, session.begin():
            yield session
    finally:
        db.dispose()


def _run(target: str | Session, work: Callable[[Session], _T]) -> _T:
    with _session(target) as session:
        return work(session)


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 200 or "\x00" in name:
        raise InputError("name", name, "must be 1–200 characters")
    return name.strip()


def _check_url(url: str) -> str:
    if (
        not isinstance(url, str)
        or not url.startswith(("http://", "https://"))
        or len(url) > 2048
        or any(c.isspace() or c == "\x00" for c in url)
    ):
        raise InputError("webhook_url", url, "must be an http(s) URL")
    return url


def create_merchant(target: str | Session, name: str, *, ops: bool = False) -> tuple[str, str]:
    """Create a merchant (or, with ``ops``, an ops principal); returns ``(merchant_id, api_key)``.

    The key is returned once and only its SHA-256 hash is stored.
    """
    clean = _check_name(name)
    api_key = new_api_key()
    merchant_id = new_id("mer_")

    def work(session: Session) -> tuple[str, str]:
        session.add(
            Merchant(
                public_id=merchant_id,
                name=clean,
                role="ops" if ops else "merchant",
                api_key_hash=hash_key(api_key),
                active=True,
                created_at=utcnow(),
            )
        )
        return merchant_id, api_key

    return _run(target, work)


@dataclass(frozen=True)
class WebhookInfo:
    """A webhook endpoint as listed (the secret only when just created)."""

    webhook_id: str
    url: str
    created_at: datetime
    secret: str | None = None


def add_webhook_for(session: Session, merchant_pk: int, url: str) -> tuple[str, str, datetime]:
    """Register ``url`` for the merchant with primary key ``merchant_pk`` (inside a session)."""
    webhook_id = new_id("whk_")
    secret = "whsec_" + secrets.token_urlsafe(32)
    created = utcnow()
    session.add(
        WebhookEndpoint(
            public_id=webhook_id,
            merchant_id=merchant_pk,
            url=_check_url(url),
            secret=secret,
            active=True,
            created_at=created,
        )
    )
    session.flush()
    return webhook_id, secret, created


def add_webhook(target: str | Session, merchant_id: str, url: str) -> tuple[str, str]:
    """Register a webhook URL for a merchant; returns ``(webhook_id, secret)``.

    Raises
    ------
    InputError
        Unknown merchant, or not an http(s) URL.
    """

    def work(session: Session) -> tuple[str, str]:
        pk = session.scalar(select(Merchant.id).where(Merchant.public_id == merchant_id))
        if pk is None:
            raise InputError("merchant_id", merchant_id, "no such merchant")
        webhook_id, secret, _ = add_webhook_for(session, pk, url)
        return webhook_id, secret

    return _run(target, work)


def list_merchants(target: str | Session) -> list[MerchantInfo]:
    """Every merchant and ops principal, oldest first."""

    def work(session: Session) -> list[MerchantInfo]:
        rows = session.execute(
            select(
                Merchant.public_id,
                Merchant.name,
                Merchant.role,
                Merchant.active,
                Merchant.created_at,
            ).order_by(Merchant.id)
        )
        return [MerchantInfo(*row) for row in rows]

    return _run(target, work)


class WebhookEndpoints:
    """A merchant's webhook endpoints on the app's database (what ``/v1/webhooks`` does)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, merchant_pk: int, url: str) -> WebhookInfo:
        """Register ``url``; the answer carries the signing secret (shown once)."""
        with self.db.write() as session:
            webhook_id, secret, created = add_webhook_for(session, merchant_pk, url)
        return WebhookInfo(webhook_id, url, created, secret)

    def active(self, merchant_pk: int) -> list[WebhookInfo]:
        """The merchant's active endpoints, oldest first (without secrets)."""
        with self.db.session() as session:
            return webhooks_of(session, merchant_pk)

    def deactivate(self, merchant_pk: int, webhook_id: str) -> bool:
        """Stop sending to one of the merchant's endpoints; whether it was active."""
        with self.db.write() as session:
            return deactivate_webhook(session, merchant_pk, webhook_id)


def webhooks_of(session: Session, merchant_pk: int) -> list[WebhookInfo]:
    """A merchant's active endpoints, oldest first (without their secrets)."""
    rows = session.execute(
        select(WebhookEndpoint.public_id, WebhookEndpoint.url, WebhookEndpoint.created_at)
        .where(WebhookEndpoint.merchant_id == merchant_pk, WebhookEndpoint.active.is_(True))
        .order_by(WebhookEndpoint.id)
    ).all()
    return [WebhookInfo(*row) for row in rows]


def deactivate_webhook(session: Session, merchant_pk: int, webhook_id: str) -> bool:
    """Stop sending to one of the merchant's endpoints; whether it was active."""
    result = session.execute(
        update(WebhookEndpoint)
        .where(
            WebhookEndpoint.public_id == webhook_id,
            WebhookEndpoint.merchant_id == merchant_pk,
            WebhookEndpoint.active.is_(True),
        )
        .values(active=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- the merchant as a seller in customs' eyes ----------------------------------------------


@lru_cache(maxsize=1)
def _prior() -> SellerTrust:
    return SellerTrust.default()


def seller_trust(merchant_id: str, inspections: int, seizures: int) -> SellerTrust:
    """The trust screening uses for one merchant's parcel: the shipped prior plus its record."""
    prior = _prior()
    if inspections == 0:
        return prior
    return SellerTrust(
        records={merchant_id: SellerRecord(inspections, seizures)},
        prior_alpha=prior.prior_alpha,
        prior_beta=prior.prior_beta,
    )


def principal_trust(principal: Principal) -> SellerTrust:
    """:func:`seller_trust` from the record cached with the caller's key (quotes: a preview)."""
    return seller_trust(
        principal.merchant_id, principal.customs_inspections, principal.customs_seizures
    )


def record_outcome(session: Session, merchant_pk: int, *, seized: bool) -> None:
    """Count one opened parcel of the merchant (atomic increment: concurrent reports add up)."""
    session.execute(
        update(Merchant)
        .where(Merchant.id == merchant_pk)
        .values(
            customs_inspections=Merchant.customs_inspections + 1,
            customs_seizures=Merchant.customs_seizures + int(seized),
        )
    )
