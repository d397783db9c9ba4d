"""Webhooks: signed, retried with backoff after a failure, delivered at least once."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import select

from rocketpost.service import Settings, create_app
from rocketpost.service.db import Database
from rocketpost.service.merchants import add_webhook, create_merchant
from rocketpost.service.models import WebhookDelivery
from rocketpost.service.webhooks import backoff_s, sign_payload, verify_signature
from tests.support.server import serving

from .conftest import miami, slot_ready_at


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
