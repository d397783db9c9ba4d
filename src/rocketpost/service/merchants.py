"""Merchants, the ops principal, and webhook endpoints: the library calls behind the CLI.

Each function takes a database URL (it opens, commits and closes its own connection) or an open
SQLAlchemy :class:`~sqlalchemy.orm.Session` (it only flushes: the caller owns the transaction),
so tests and tools can use them in-process either way.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from rocketpost.errors import InputError
from rocketpost.service.auth import hash_key, new_api_key, new_id
from rocketpost.service.db import Database
from rocketpost.service.models import Merchant, WebhookEndpoint, utcnow

__all__ = ["MerchantInfo", "add_webhook", "create_merchant", "list_merchants"]

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
