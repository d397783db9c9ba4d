"""Webhooks: only public https endpoints are registered; signed, retried with backoff after a
failure, delivered at least once."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from rocketpost.service import Settings, create_app
from rocketpost.service.api.routes.webhooks import target_check
from rocketpost.service.db import Database
from rocketpost.service.merchants import add_webhook, create_merchant
from rocketpost.service.models import WebhookDelivery
from rocketpost.service.webhook_targets import BoundedResolver, Resolver, Target, check_target
from rocketpost.service.webhooks import backoff_s, sign_payload, verify_signature
from tests.support.server import serving

from .conftest import Api, make_api, miami, slot_ready_at
from .test_webhook_targets import NAMES


class _Receiver(BaseHTTPRequestHandler):
    calls: list[tuple[dict[str, str], bytes]] = []  # noqa: RUF012
    fail_first = 1

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).calls.append((dict(self.headers), body))
        failing = len(type(self).calls) <= type(self).fail_first
        self.send_response(500 if failing else 204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_signature_round_trip_and_backoff() -> None:
    header = sign_payload("whsec_x", b'{"a":1}', 1_700_000_000)
    assert verify_signature("whsec_x", b'{"a":1}', header)
    assert not verify_signature("whsec_x", b'{"a":2}', header)
    assert not verify_signature("other", b'{"a":1}', header)
    assert not verify_signature("whsec_x", b'{"a":1}', header, now=1_700_001_000)
    assert [backoff_s(n, 2.0) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert backoff_s(40, 2.0) == 3600.0


def test_events_are_delivered_signed_and_retried(database_url: str) -> None:
    _Receiver.calls = []
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        merchant_id, key = create_merchant(database_url, "hooked")
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        _, secret = add_webhook(database_url, merchant_id, url)
        settings = Settings.from_env(
            environ={},
            database_url=database_url,
            rate_limit_per_min=0,
            webhook_poll_s=0.02,
            webhook_backoff_s=0.05,
            webhook_allow_loopback_http=True,  # the receiver is on loopback over plain http
        )
        with serving(create_app(settings)) as base:
            import httpx

            booked = httpx.post(
                f"{base}/v1/shipments",
                json=miami(slot_ready_at()),
                headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "hook-1"},
            )
            assert booked.status_code == 201
            deadline = time.monotonic() + 20
            while len(_Receiver.calls) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
        assert len(_Receiver.calls) >= 2  # the first answer was a 500: retried
        headers, body = _Receiver.calls[-1]
        assert verify_signature(secret, body, headers["Rocketpost-Signature"], now=time.time())
        event = json.loads(body)
        assert event["data"]["shipment_id"] == booked.json()["id"]
        assert event["data"]["status"] == "pre_transit"
        assert headers["Rocketpost-Event-Id"] == event["id"]
        assert _Receiver.calls[0][1] == body  # the same event, at least once
        db = Database.connect(database_url, pool_size=1)
        try:
            with db.session() as session:
                rows = session.execute(
                    select(WebhookDelivery.status, WebhookDelivery.attempts).where(
                        WebhookDelivery.event_public_id == event["id"]
                    )
                ).all()
        finally:
            db.dispose()
        assert [tuple(r) for r in rows] == [("delivered", 2)]
    finally:
        receiver.shutdown()


def _check_with(resolve: Resolver, *, allow_loopback_http: bool = False) -> Callable[[], Any]:
    """A ``target_check`` override: the route's check with a substitute resolver (no real DNS)."""

    def override() -> Callable[[str], Target]:
        return partial(check_target, allow_loopback_http=allow_loopback_http, resolve=resolve)

    return override


@pytest.fixture
def hooks_api(api: Api) -> Iterator[Api]:
    """The module's service with registration resolving names from ``NAMES``."""
    overrides = api.app.dependency_overrides
    overrides[target_check] = _check_with(NAMES)
    yield api
    overrides.pop(target_check)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://169.254.169.254/latest/meta-data/", "https"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]:22/", "https"),
        ("https://[::1]:22/", "loopback"),
        ("http://127.0.0.1:5432/", "https"),
        ("https://127.0.0.1:5432/", "loopback"),
        ("https://[::ffff:169.254.169.254]/", "link-local"),
        ("https://intranet.example.com/hook", "resolves to 10.0.0.7, a private address"),
        ("https://nowhere.example.com/hook", "does not resolve"),
        ("https://user:pw@hooks.example.com/hook", "credentials"),
    ],
)
def test_registration_refuses_what_is_not_public_https(hooks_api: Api, url: str, why: str) -> None:
    _, headers = hooks_api.merchant()
    response = hooks_api.client.post("/v1/webhooks", json={"url": url}, headers=headers)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "url"]
    assert error["input"] == url
    assert why in error["msg"]
    assert hooks_api.client.get("/v1/webhooks", headers=headers).json()["data"] == []


def test_registration_accepts_a_public_https_name(hooks_api: Api) -> None:
    _, headers = hooks_api.merchant()
    url = "https://hooks.example.com/rocketpost"
    created = hooks_api.client.post("/v1/webhooks", json={"url": url}, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["url"] == url
    listed = hooks_api.client.get("/v1/webhooks", headers=headers).json()["data"]
    assert [hook["url"] for hook in listed] == [url]


def test_registration_does_not_hang_on_dns(api: Api) -> None:
    hang = threading.Event()

    def stuck(host: str, port: int, **_: Any) -> list[Any]:
        hang.wait(30)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    overrides = api.app.dependency_overrides
    overrides[target_check] = _check_with(BoundedResolver(0.2, lookup=stuck))
    try:
        _, headers = api.merchant()
        response = api.client.post(
            "/v1/webhooks", json={"url": "https://slow.example.com/"}, headers=headers
        )
    finally:
        overrides.pop(target_check)
        hang.set()
    assert response.status_code == 422
    assert "did not resolve in time" in response.json()["detail"][0]["msg"]


def test_loopback_http_needs_the_development_setting(database_url: str) -> None:
    for allow, expected in ((False, 422), (True, 201)):
        for api in make_api(database_url, webhook_allow_loopback_http=allow):
            _, headers = api.merchant()
            response = api.client.post(
                "/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=headers
            )
            assert response.status_code == expected, response.text
            if allow:  # loopback only: metadata and private addresses stay refused
                for url in ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/"):
                    refused = api.client.post("/v1/webhooks", json={"url": url}, headers=headers)
                    assert refused.status_code == 422, url
