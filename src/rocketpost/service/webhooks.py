"""Webhook delivery: signed POSTs from the outbox, retried with exponential backoff.

At least once: a delivery row is only marked ``delivered`` after the receiver answered 2xx; a
crash between the POST and that update sends it again later, which is why receivers de-duplicate
on ``Rocketpost-Event-Id``. Rows are *claimed* before sending by pushing their
``next_attempt_at`` one lease into the future in a short transaction (``FOR UPDATE SKIP LOCKED``
on PostgreSQL), so several worker processes never send the same row at the same moment, and a
sender that dies mid-way only delays its rows by the lease.

Deliveries to different endpoints go out concurrently (a thread pool of ``concurrency``), at
most ``per_endpoint_limit`` at a time to one endpoint: a merchant whose endpoint hangs until the
timeout only delays its own events, and a burst of one merchant's events cannot take every slot.
Only what can start at once is claimed, so no claimed row waits in a queue while its lease runs.

Every URL is checked again right before it is sent to (:mod:`rocketpost.service.webhook_targets`:
public https only, after a fresh DNS lookup) and the connection goes to the address checked, so
a registration that was fine and a name that later resolves inwards (DNS rebinding) cannot aim
the service at its own network. A refusal counts as a failed attempt (backoff, then ``failed``).

Signature (Stripe-style): ``Rocketpost-Signature: t=<unix seconds>,v1=<hex>`` where ``hex`` is
HMAC-SHA256 with the endpoint's secret over ``f"{t}."`` followed by the raw body bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import ssl
import threading
import time
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import select, update

from rocketpost.errors import InputError
from rocketpost.service.db import Database
from rocketpost.service.models import WebhookDelivery, WebhookEndpoint
from rocketpost.service.webhook_targets import BoundedResolver, Resolver, Target, check_target

if TYPE_CHECKING:
    from rocketpost.service.settings import Settings

__all__ = [
    "EVENT_ID_HEADER",
    "SIGNATURE_HEADER",
    "WebhookSender",
    "WebhookSenderParams",
    "backoff_s",
    "sign_payload",
    "verify_signature",
]

SIGNATURE_HEADER = "Rocketpost-Signature"
EVENT_ID_HEADER = "Rocketpost-Event-Id"
MAX_BACKOFF_S = 3600.0
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
    endpoint_id: int
    url: str
    secret: str
    event_id: str
    payload: str
    attempts: int


def _claim(
    db: Database,
    now: datetime,
    *,
    capacity: int,
    per_endpoint_limit: int,
    in_flight: Mapping[int, int],
    lease_s: float,
) -> list[_Claimed]:
    """Lease up to ``capacity`` due rows, oldest first, keeping each endpoint under its limit.

    Endpoints already at their limit are left out of the query, so one endpoint's backlog can
    never fill a batch; each round takes at least one row (every row it sees belongs to an
    endpoint with room), so the loop ends after at most ``capacity`` rounds.
    """
    busy = Counter(in_flight)
    full = {endpoint for endpoint, n in busy.items() if n >= per_endpoint_limit}
    taken: list[_Claimed] = []
    with db.write() as session:
        while len(taken) < capacity:
            query = (
                select(
                    WebhookDelivery.id,
                    WebhookDelivery.endpoint_id,
                    WebhookEndpoint.url,
                    WebhookEndpoint.secret,
                    WebhookDelivery.event_public_id,
                    WebhookDelivery.payload,
                    WebhookDelivery.attempts,
                )
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(capacity - len(taken))
            )
            if full:
                query = query.where(WebhookDelivery.endpoint_id.not_in(sorted(full)))
            if not db.is_sqlite:
                query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
            batch: list[_Claimed] = []
            for row in session.execute(query):
                claimed = _Claimed(*row)
                if busy[claimed.endpoint_id] >= per_endpoint_limit:
                    continue  # its endpoint filled up earlier in this batch: left for later
                busy[claimed.endpoint_id] += 1
                if busy[claimed.endpoint_id] >= per_endpoint_limit:
                    full.add(claimed.endpoint_id)
                batch.append(claimed)
            if not batch:
                break
            session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_([r.id for r in batch]))
                .values(next_attempt_at=now + timedelta(seconds=lease_s))
            )
            taken.extend(batch)
    return taken


def _record(
    db: Database, row: _Claimed, error: str | None, *, max_attempts: int, backoff_base_s: float
) -> None:
    """Store one outcome: ``delivered``, or the next try after :func:`backoff_s`, or ``failed``."""
    attempts = row.attempts + 1
    done = datetime.now(UTC)
    values: dict[str, object]
    if error is None:
        values = {
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
            "last_error": error[:500],
        }
    with db.write() as session:
        session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == row.id).values(**values)
        )


@dataclass(frozen=True)
class WebhookSenderParams:
    """How a :class:`WebhookSender` polls, retries and limits its deliveries.

    Attributes
    ----------
    poll_s, max_attempts, backoff_base_s, timeout_s
        Poll period, attempts before ``failed``, first retry delay, per-request timeout.
    concurrency, per_endpoint_limit
        Deliveries in flight at once in this process, and at most this many to one endpoint.
        The limits are per process: each ``rocketpost serve`` worker runs its own sender.
    allow_loopback_http
        Development only: loopback endpoints (also plain ``http``) are allowed.
    resolve_timeout_s
        The time limit of the default resolver's host name lookups.
    """

    poll_s: float
    max_attempts: int
    backoff_base_s: float
    timeout_s: float
    concurrency: int = 8
    per_endpoint_limit: int = 2
    allow_loopback_http: bool = False
    resolve_timeout_s: float = 2.0

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise InputError("webhook_concurrency", self.concurrency, "must be ≥ 1")
        if self.per_endpoint_limit < 1:
            raise InputError("webhook_per_endpoint_limit", self.per_endpoint_limit, "must be ≥ 1")

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookSenderParams:
        """The service settings' ``webhook_*`` values."""
        return cls(
            poll_s=settings.webhook_poll_s,
            max_attempts=settings.webhook_max_attempts,
            backoff_base_s=settings.webhook_backoff_s,
            timeout_s=settings.webhook_timeout_s,
            concurrency=settings.webhook_concurrency,
            per_endpoint_limit=settings.webhook_per_endpoint_limit,
            allow_loopback_http=settings.webhook_allow_loopback_http,
            resolve_timeout_s=settings.webhook_resolve_timeout_s,
        )


class WebhookSender:
    """Delivers what is due from the outbox: a polling thread hands rows to a thread pool.

    Parameters
    ----------
    db
        The service database (the outbox).
    params
        Polling, retries, timeouts and concurrency limits (:class:`WebhookSenderParams`).
    resolve
        ``(host, port) -> addresses``; default :class:`BoundedResolver` (``getaddrinfo`` bounded by
        ``params.resolve_timeout_s``). Tests pass their own so no test asks real DNS.
    transport, verify
        For tests: an httpx transport in place of the network, and the TLS trust (a CA's
        ``ssl.SSLContext``) in place of the system's.
    """

    def __init__(
        self,
        db: Database,
        params: WebhookSenderParams,
        *,
        resolve: Resolver | None = None,
        transport: httpx.BaseTransport | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._db = db
        self._poll_s = params.poll_s
        self._max_attempts = params.max_attempts
        self._backoff_base_s = params.backoff_base_s
        self._concurrency = params.concurrency
        self._per_endpoint_limit = params.per_endpoint_limit
        self._allow_loopback_http = params.allow_loopback_http
        self._resolve: Resolver = resolve or BoundedResolver(params.resolve_timeout_s)
        # A claimed row must not come due again while it is still being tried: the lease covers
        # the lookup plus connect, write and read timeouts with room to spare.
        self._lease_s = max(_LEASE_S, 4.0 * params.timeout_s + params.resolve_timeout_s)
        # No connection reuse: the pool is keyed by the pinned address alone, and a connection
        # opened (and TLS-verified) for one host name must never carry another name's request.
        # trust_env=False: a proxy from the environment would resolve names itself, unchecked.
        self._client = httpx.Client(
            timeout=params.timeout_s,
            follow_redirects=False,
            trust_env=False,
            verify=verify,
            transport=transport,
            limits=httpx.Limits(max_connections=params.concurrency, max_keepalive_connections=0),
        )
        self._pool = ThreadPoolExecutor(params.concurrency, thread_name_prefix="rocketpost-webhook")
        self._lock = threading.Lock()
        self._in_flight: Counter[int] = Counter()
        self._futures: set[Future[None]] = set()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_settings(cls, db: Database, settings: Settings, **hooks: Any) -> WebhookSender:
        """The sender the service runs; ``hooks`` (``resolve``, ``transport``...) are for tests."""
        return cls(db, WebhookSenderParams.from_settings(settings), **hooks)

    def start(self) -> None:
        """Start polling (idempotent; a stopped sender stays stopped)."""
        if self._thread is None and not self._stop.is_set():
            self._thread = threading.Thread(
                target=self._run, name="rocketpost-webhooks", daemon=True
            )
            self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop polling, give deliveries in flight ``timeout_s`` to finish, release the client.

        A delivery still in flight after that is abandoned unrecorded: its lease runs out and it
        is sent again later (at least once).
        """
        self._stop.set()
        self._wake.set()
        deadline = time.monotonic() + timeout_s
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        with self._lock:
            pending = set(self._futures)
        wait(pending, timeout=max(0.0, deadline - time.monotonic()))
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def deliver_due(self, now: datetime | None = None, *, wait_s: float | None = None) -> int:
        """Claim what is due and has a free slot, start sending it; returns how many started.

        With ``wait_s``, also wait up to that long for those deliveries to be recorded (tests,
        tools); the background thread does not wait, it claims more as slots free up.
        """
        now = now or datetime.now(UTC)
        with self._lock:
            capacity = self._concurrency - sum(self._in_flight.values())
            in_flight = dict(self._in_flight)
        if capacity <= 0:
            return 0
        claimed = _claim(
            self._db,
            now,
            capacity=capacity,
            per_endpoint_limit=self._per_endpoint_limit,
            in_flight=in_flight,
            lease_s=self._lease_s,
        )
        started = []
        for row in claimed:
            with self._lock:
                self._in_flight[row.endpoint_id] += 1
                future = self._pool.submit(self._deliver, row)
                self._futures.add(future)
            started.append(future)
        if wait_s is not None:
            wait(started, timeout=wait_s)
        return len(claimed)

    def _run(self) -> None:
        while not self._stop.is_set():
            # Cleared before looking, so a delivery that finishes meanwhile wakes the next look
            # at once: the endpoint it frees may have more due rows.
            self._wake.clear()
            try:
                self.deliver_due()
            except Exception:  # keep the sender alive through database hiccups
                logger.exception("webhook delivery round failed")
            self._wake.wait(self._poll_s)

    def _deliver(self, row: _Claimed) -> None:
        try:
            try:
                target = check_target(
                    row.url, allow_loopback_http=self._allow_loopback_http, resolve=self._resolve
                )
            except InputError as refused:
                error: str | None = f"refused: {refused.reason}"
            else:
                error = self._post(target, row)
            _record(
                self._db,
                row,
                error,
                max_attempts=self._max_attempts,
                backoff_base_s=self._backoff_base_s,
            )
        except Exception:  # recorded nothing: the lease runs out and it is tried again
            logger.exception("webhook delivery %s failed", row.id)
        finally:
            with self._lock:
                self._in_flight[row.endpoint_id] -= 1
                if self._in_flight[row.endpoint_id] <= 0:
                    del self._in_flight[row.endpoint_id]
                self._futures = {f for f in self._futures if not f.done()}
            self._wake.set()

    def _post(self, target: Target, row: _Claimed) -> str | None:
        """POST to the pinned address; ``None`` on 2xx, else what went wrong."""
        body = row.payload.encode("utf-8")
        headers = {
            "Host": target.host_header,
            "Content-Type": "application/json",
            EVENT_ID_HEADER: row.event_id,
            SIGNATURE_HEADER: sign_payload(row.secret, body, int(time.time())),
            "User-Agent": "rocketpost-webhooks/1",
        }
        try:
            # Only the status line and headers are read: a receiver that drips its response body
            # cannot hold a slot.
            with self._client.stream(
                "POST",
                target.pinned_url,
                content=body,
                headers=headers,
                extensions=target.request_extensions(),
            ) as response:
                status = response.status_code
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        return None if 200 <= status < 300 else f"HTTP {status}"
