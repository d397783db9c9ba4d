"""Webhook delivery: signed POSTs from the outbox, retried with exponential backoff.

At least once: a delivery row is only marked ``delivered`` after the receiver answered 2xx; a
crash between the POST and that update sends it again later, which is why receivers de-duplicate
on ``Rocketpost-Event-Id``. Rows are *claimed* before sending by pushing their
``next_attempt_at`` one lease into the future in a short transaction (``FOR UPDATE SKIP LOCKED``
on PostgreSQL), so several worker processes never send the same row at the same moment, and a
sender that dies mid-way only delays its rows by the lease.

Signature (Stripe-style): ``Rocketpost-Signature: t=<unix seconds>,v1=<hex>`` where ``hex`` is
HMAC-SHA256 with the endpoint's secret over ``f"{t}."`` followed by the raw body bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, update

from rocketpost.service.db import Database
from rocketpost.service.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "SIGNATURE_HEADER",
    "WebhookSender",
    "backoff_s",
    "deliver_due",
    "sign_payload",
    "verify_signature",
]

SIGNATURE_HEADER = "Rocketpost-Signature"
EVENT_ID_HEADER = "Rocketpost-Event-Id"
MAX_BACKOFF_S = 3600.0
_BATCH = 50
_LEASE_S = 60.0

logger = logging.getLogger(__name__)


def sign_payload(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str, body: bytes, header: str, *, now: float | None = None, tolerance_s: float = 300
) -> bool:
    """What a receiver does: recompute, compare in constant time, refuse stale timestamps."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (ValueError, KeyError):
        return False
    if now is not None and abs(now - timestamp) > tolerance_s:
        return False
    expected = sign_payload(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def backoff_s(attempts: int, base_s: float) -> float:
    """Delay before the next try after ``attempts`` failures: base × 2^(attempts−1), capped."""
    return float(min(MAX_BACKOFF_S, base_s * 2.0 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class _Claimed:
    id: int
    url: str
    secret: str
    event_id: str
    payload: str
    attempts: int


def _claim(db: Database, now: datetime, limit: int) -> list[_Claimed]:
    with db.write() as session:
        query = (
            select(
                WebhookDelivery.id,
                WebhookEndpoint.url,
                WebhookEndpoint.secret,
                WebhookDelivery.event_public_id,
                WebhookDelivery.payload,
                WebhookDelivery.attempts,
            )
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
        rows = [_Claimed(*row) for row in session.execute(query)]
        if rows:
            session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_([r.id for r in rows]))
                .values(next_attempt_at=now + timedelta(seconds=_LEASE_S))
            )
    return rows


def deliver_due(
    db: Database,
    client: httpx.Client,
    *,
    max_attempts: int,
    backoff_base_s: float,
    now: datetime | None = None,
    limit: int = _BATCH,
) -> int:
    """Send every due delivery once; returns how many were attempted.

    Each outcome is recorded at once: ``delivered`` on 2xx, else ``attempts + 1`` and the next
    try after :func:`backoff_s`, or ``failed`` after ``max_attempts``.
    """
    now = now or datetime.now(UTC)
    claimed = _claim(db, now, limit)
    for row in claimed:
        body = row.payload.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            EVENT_ID_HEADER: row.event_id,
            SIGNATURE_HEADER: sign_payload(row.secret, body, int(time.time())),
            "User-Agent": "rocketpost-webhooks/1",
        }
        error: str | None
        try:
            response = client.post(row.url, content=body, headers=headers)
            error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        attempts = row.attempts + 1
        done = datetime.now(UTC)
        if error is None:
            values: dict[str, object] = {
                "status": "delivered",
                "attempts": attempts,
                "delivered_at": done,
                "last_error": None,
            }
        else:
            values = {
                "status": "failed" if attempts >= max_attempts else "pending",
                "attempts": attempts,
                "next_attempt_at": done + timedelta(seconds=backoff_s(attempts, backoff_base_s)),
                "last_error": error,
            }
        with db.write() as session:
            session.execute(
                update(WebhookDelivery).where(WebhookDelivery.id == row.id).values(**values)
            )
    return len(claimed)


class WebhookSender:
    """Background thread that polls the outbox and delivers what is due."""

    def __init__(
        self,
        db: Database,
        *,
        poll_s: float,
        max_attempts: int,
        backoff_base_s: float,
        timeout_s: float,
    ) -> None:
        self._db = db
        self._poll_s = poll_s
        self._max_attempts = max_attempts
        self._backoff_base_s = backoff_base_s
        self._timeout_s = timeout_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start polling (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="rocketpost-webhooks", daemon=True
            )
            self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop and wait for the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        with httpx.Client(timeout=self._timeout_s, follow_redirects=False) as client:
            while not self._stop.is_set():
                try:
                    sent = deliver_due(
                        self._db,
                        client,
                        max_attempts=self._max_attempts,
                        backoff_base_s=self._backoff_base_s,
                    )
                except Exception:  # keep the sender alive through database hiccups
                    logger.exception("webhook delivery round failed")
                    sent = 0
                if sent < _BATCH:
                    self._stop.wait(self._poll_s)
