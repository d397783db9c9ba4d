"""The webhook sender: checks the address again before sending and connects to that address;
delivers to different endpoints concurrently, a limited number at a time to each.

Each test has its own database (a leftover row of one test must never be sent by another's
sender), and nothing leaves the machine: names resolve through substitute resolvers, and the
requests go to an httpx ``MockTransport`` or to receivers on loopback.
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select

from rocketpost.errors import InputError
from rocketpost.service.db import Database
from rocketpost.service.merchants import add_webhook, create_merchant
from rocketpost.service.models import WebhookDelivery, WebhookEndpoint, utcnow
from rocketpost.service.webhooks import WebhookSender, WebhookSenderParams, verify_signature

from .conftest import BACKENDS, fresh_database
from .test_webhook_targets import PUBLIC_V4, fake_resolver

OTHER_PUBLIC_V4 = "93.184.216.35"


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Database]:
    """A fresh migrated database for this test alone."""
    database = Database.connect(fresh_database(request, request.param, tmp_path), pool_size=4)
    yield database
    database.dispose()


def endpoint(db: Database, url: str) -> tuple[int, str]:
    """Register ``url`` for a new merchant (the CLI path); ``(endpoint pk, secret)``."""
    merchant_id, _ = create_merchant(db.url, f"m-{url[-12:]}")
    webhook_id, secret = add_webhook(db.url, merchant_id, url)
    with db.session() as session:
        pk = session.scalar(
            select(WebhookEndpoint.id).where(WebhookEndpoint.public_id == webhook_id)
        )
    assert pk is not None
    return pk, secret


def queue(db: Database, endpoint_pk: int, event_id: str, due: datetime) -> None:
    """One pending delivery of event ``event_id``, due at ``due``."""
    with db.write() as session:
        session.execute(
            insert(WebhookDelivery).values(
                endpoint_id=endpoint_pk,
                event_public_id=event_id,
                payload=json.dumps({"id": event_id}),
                status="pending",
                attempts=0,
                next_attempt_at=due,
                created_at=utcnow(),
            )
        )


def deliveries(db: Database) -> dict[str, tuple[str, int, str | None]]:
    """``event id -> (status, attempts, last_error)``."""
    with db.session() as session:
        rows = session.execute(
            select(
                WebhookDelivery.event_public_id,
                WebhookDelivery.status,
                WebhookDelivery.attempts,
                WebhookDelivery.last_error,
            )
        ).all()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def mock_sender(
    db: Database,
    handler: Callable[[httpx.Request], httpx.Response],
    answers: dict[str, list[str]],
    **options: Any,
) -> WebhookSender:
    settings: dict[str, Any] = {
        "poll_s": 0.02,
        "max_attempts": 3,
        "backoff_base_s": 60.0,
        "timeout_s": 3.0,
        **options,
    }
    return WebhookSender(
        db,
        WebhookSenderParams(**settings),
        resolve=fake_resolver(answers),
        transport=httpx.MockTransport(handler),
    )


def test_delivery_connects_to_the_checked_address_and_rechecks_every_time(db: Database) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    answers = {"hooks.example.com": [PUBLIC_V4]}
    pk, secret = endpoint(db, "https://hooks.example.com/in")
    sender = mock_sender(db, handler, answers)
    try:
        queue(db, pk, "evt_1", utcnow())
        assert sender.deliver_due(wait_s=30) == 1
        [request] = seen
        assert (request.url.host, request.url.path) == (PUBLIC_V4, "/in")  # pinned, no lookup
        assert request.headers["host"] == "hooks.example.com"
        assert request.extensions["sni_hostname"] == "hooks.example.com"  # TLS on the name
        assert verify_signature(
            secret, request.content, request.headers["rocketpost-signature"], now=time.time()
        )
        assert deliveries(db)["evt_1"] == ("delivered", 1, None)

        answers["hooks.example.com"] = ["127.0.0.1"]  # DNS rebinding after registration
        queue(db, pk, "evt_2", utcnow())
        assert sender.deliver_due(wait_s=30) == 1
        assert len(seen) == 1  # nothing was sent
        status, attempts, error = deliveries(db)["evt_2"]
        assert (status, attempts) == ("pending", 1)  # a failed attempt: backoff, then failed
        assert error is not None
        assert "refused" in error
        assert "resolves to 127.0.0.1, a loopback address" in error
    finally:
        sender.stop()


def test_endpoints_registered_before_the_rules_are_refused_at_delivery(db: Database) -> None:
    sent: list[httpx.Request] = []
    pk, _ = endpoint(db, "http://169.254.169.254/latest/meta-data/")
    sender = mock_sender(db, lambda r: sent.append(r) or httpx.Response(204), {}, max_attempts=1)
    try:
        queue(db, pk, "evt_meta", utcnow())
        assert sender.deliver_due(wait_s=30) == 1
    finally:
        sender.stop()
    assert sent == []
    status, attempts, error = deliveries(db)["evt_meta"]
    assert (status, attempts) == ("failed", 1)
    assert error is not None and "https" in error


def test_claims_respect_the_per_endpoint_and_total_limits(db: Database) -> None:
    gate = threading.Event()
    busy = threading.Semaphore(0)

    def handler(request: httpx.Request) -> httpx.Response:
        busy.release()
        gate.wait(30)
        return httpx.Response(204)

    answers = {"a.example.com": [PUBLIC_V4], "b.example.com": [OTHER_PUBLIC_V4]}
    a, _ = endpoint(db, "https://a.example.com/")
    b, _ = endpoint(db, "https://b.example.com/")
    now = utcnow()
    for n in range(3):
        queue(db, a, f"evt_a{n}", now - timedelta(seconds=10 - n))  # A's backlog is oldest
    queue(db, b, "evt_b0", now)
    sender = mock_sender(db, handler, answers, concurrency=8, per_endpoint_limit=2)
    try:
        assert sender.deliver_due() == 3  # two of A (its limit), and B's despite A's backlog
        for _ in range(3):
            assert busy.acquire(timeout=30)
        assert sender.deliver_due() == 0  # A is full, B has nothing more
        gate.set()
        assert sender.deliver_due(wait_s=30) in (0, 1)  # A's third once a slot is free
        deadline = time.monotonic() + 30
        while set(deliveries(db).values()) != {("delivered", 1, None)}:
            assert time.monotonic() < deadline, deliveries(db)
            sender.deliver_due(wait_s=1)
    finally:
        gate.set()
        sender.stop()

    small = mock_sender(db, lambda r: httpx.Response(204), answers, concurrency=1)
    try:
        queue(db, a, "evt_a9", utcnow())
        queue(db, b, "evt_b9", utcnow())
        assert small.deliver_due(wait_s=30) == 1  # total concurrency bounds a claim
    finally:
        small.stop()


class _Receiver(BaseHTTPRequestHandler):
    """A loopback webhook receiver; ``on_post(event_id)`` decides how long it takes."""

    on_post: Callable[[str], None]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).on_post(json.loads(body)["id"])
        try:
            self.send_response(204)
            self.end_headers()
        except OSError:  # the sender gave up waiting (timeout) and closed the connection
            pass

    def log_message(self, *args: Any) -> None:
        pass


def _serve(on_post: Callable[[str], None]) -> ThreadingHTTPServer:
    handler = type("Receiver", (_Receiver,), {"on_post": staticmethod(on_post)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_an_endpoint_that_hangs_does_not_delay_another(db: Database) -> None:
    release_slow = threading.Event()
    fast_got = threading.Event()
    slow_started = threading.Event()
    slow_seen: list[str] = []
    seen_when_fast_arrived: dict[str, Any] = {}

    def slow(event_id: str) -> None:
        slow_seen.append(event_id)
        slow_started.set()
        release_slow.wait(60)  # hangs past the sender's 3 s timeout until the test says so

    def fast(event_id: str) -> None:
        # Both requests are in flight at once; the two handler threads may start in either
        # order, so wait (well inside the slow one's 3 s timeout) until the slow one is in.
        slow_started.wait(2.5)
        # Looked at before answering: had the slow endpoint's first try ended yet?
        seen_when_fast_arrived["slow_attempts"] = deliveries(db)["evt_slow_1"][1]
        seen_when_fast_arrived["slow_requests"] = list(slow_seen)
        seen_when_fast_arrived["event"] = event_id
        fast_got.set()

    slow_server, fast_server = _serve(slow), _serve(fast)
    slow_pk, _ = endpoint(db, f"http://127.0.0.1:{slow_server.server_address[1]}/hook")
    fast_pk, _ = endpoint(db, f"http://127.0.0.1:{fast_server.server_address[1]}/hook")
    now = utcnow()
    # The slow endpoint's events are due first: a one-at-a-time sender would be stuck on them.
    queue(db, slow_pk, "evt_slow_1", now - timedelta(seconds=3))
    queue(db, slow_pk, "evt_slow_2", now - timedelta(seconds=2))
    queue(db, fast_pk, "evt_fast", now - timedelta(seconds=1))
    sender = WebhookSender(
        db,
        WebhookSenderParams(
            poll_s=0.02,
            max_attempts=5,
            backoff_base_s=0.05,
            timeout_s=3.0,
            concurrency=4,
            per_endpoint_limit=1,
            allow_loopback_http=True,
        ),
    )
    sender.start()
    try:
        assert fast_got.wait(30), deliveries(db)
        assert seen_when_fast_arrived == {
            "slow_attempts": 0,  # the slow endpoint's first try was still waiting
            "slow_requests": ["evt_slow_1"],  # and its second waited for it (limit 1)
            "event": "evt_fast",
        }
        deadline = time.monotonic() + 30
        while deliveries(db)["evt_slow_1"][1] == 0:  # its timeout ends the first try
            assert time.monotonic() < deadline
            time.sleep(0.02)
        status, attempts, error = deliveries(db)["evt_slow_1"]
        assert (status, attempts) == ("pending", 1)
        assert error is not None and "Timeout" in error
        release_slow.set()
        while {v[0] for v in deliveries(db).values()} != {"delivered"}:
            assert time.monotonic() < deadline, deliveries(db)
            time.sleep(0.02)
    finally:
        release_slow.set()
        sender.stop()
        slow_server.shutdown()
        fast_server.shutdown()
    assert slow_seen[0] == "evt_slow_1"
    assert set(slow_seen) == {"evt_slow_1", "evt_slow_2"}
    assert deliveries(db)["evt_fast"] == ("delivered", 1, None)


@pytest.fixture
def tls_receiver(tmp_path: Any) -> Iterator[tuple[int, ssl.SSLContext, list[tuple[str, str]]]]:
    """An https receiver on loopback with a certificate for hooks.example.com only.

    Yields its port, a client context that trusts the certificate, and the ``(SNI, Host)`` of
    each request it served.
    """
    openssl = shutil.which("openssl")
    if openssl is None:  # pragma: no cover - every supported platform ships it
        pytest.skip("needs the openssl command to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=hooks.example.com"),
            *("-addext", "subjectAltName=DNS:hooks.example.com"),
        ],
        check=True,
        capture_output=True,
    )
    served: list[tuple[str, str]] = []
    names: dict[int, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            served.append((names.get(id(self.connection), ""), self.headers["Host"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    server_context.sni_callback = lambda sock, name, _ctx: names.__setitem__(id(sock), name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], ssl.create_default_context(cafile=str(cert)), served
    finally:
        server.shutdown()


def test_tls_goes_to_the_pinned_address_under_the_original_name(
    db: Database, tls_receiver: tuple[int, ssl.SSLContext, list[tuple[str, str]]]
) -> None:
    port, trust, served = tls_receiver
    good, _ = endpoint(db, f"https://hooks.example.com:{port}/in")
    wrong, _ = endpoint(db, f"https://other.example.com:{port}/in")
    queue(db, good, "evt_tls", utcnow())
    queue(db, wrong, "evt_wrong_name", utcnow())
    # Loopback is only reachable with the development setting; both names "resolve" to it.
    sender = WebhookSender(
        db,
        WebhookSenderParams(
            poll_s=0.02,
            max_attempts=3,
            backoff_base_s=60.0,
            timeout_s=3.0,
            allow_loopback_http=True,
        ),
        resolve=fake_resolver(
            {"hooks.example.com": ["127.0.0.1"], "other.example.com": ["127.0.0.1"]}
        ),
        verify=trust,
    )
    try:
        assert sender.deliver_due(wait_s=30) == 2
    finally:
        sender.stop()
    assert served == [("hooks.example.com", f"hooks.example.com:{port}")]
    assert deliveries(db)["evt_tls"] == ("delivered", 1, None)
    status, attempts, error = deliveries(db)["evt_wrong_name"]
    assert (status, attempts) == ("pending", 1)  # the certificate is checked against the name
    assert error is not None and "certificate" in error.lower()


@pytest.mark.parametrize("field", ["concurrency", "per_endpoint_limit"])
def test_sender_params_need_at_least_one_slot(field: str) -> None:
    settings: dict[str, Any] = {"poll_s": 0.02, "max_attempts": 3, "backoff_base_s": 1.0}
    with pytest.raises(InputError, match=f"webhook_{field}"):
        WebhookSenderParams(**settings, timeout_s=3.0, **{field: 0})
