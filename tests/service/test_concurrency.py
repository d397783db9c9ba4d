"""Capacity integrity under concurrency: many clients, one nearly full flight, real HTTP.

48 threads, each with its own connection, book 10 kg each into a NYC → Miami flight that holds
9,900 kg of 10,000, all released at once by a barrier. Exactly ten fit; the next wave would break
the one-hour promise, so everyone else must get 409 ``no_capacity``. The flight must never exceed
its capacity and every 201 must be in the database and on the manifest.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import httpx

from rocketpost.service import Settings, create_app
from rocketpost.service.merchants import create_merchant

from .conftest import miami, slot_ready_at
from .server import running

CLIENTS = 48


def test_parallel_bookings_never_overbook(database_url: str) -> None:
    _, ops_key = create_merchant(database_url, "ops-concurrency", ops=True)
    keys = [create_merchant(database_url, f"m{i}")[1] for i in range(4)]
    settings = Settings.from_env(
        environ={}, database_url=database_url, webhooks=False, rate_limit_per_min=0
    )
    ready = slot_ready_at()
    with running(create_app(settings)) as base:
        with httpx.Client(base_url=base, timeout=60) as client:
            fill = client.post(
                "/v1/shipments",
                json={**miami(ready, mass_kg=9_900.0, volume_m3=50.0), "channel": "b2b"},
                headers={"Authorization": f"Bearer {keys[0]}", "Idempotency-Key": "fill"},
            )
            assert fill.status_code == 201, fill.text
            flight_id = fill.json()["flight"]["id"]

        barrier = threading.Barrier(CLIENTS)
        results: list[tuple[int, Any, str]] = [(0, None, "")] * CLIENTS

        def book(i: int) -> None:
            headers = {
                "Authorization": f"Bearer {keys[i % len(keys)]}",
                "Idempotency-Key": uuid.uuid4().hex,
            }
            with httpx.Client(base_url=base, timeout=60) as client:
                client.get("/health")  # open the connection before the race
                barrier.wait()
                response = client.post(
                    "/v1/shipments",
                    json=miami(ready, mass_kg=10.0, volume_m3=0.05),
                    headers=headers,
                )
                results[i] = (response.status_code, response.json(), headers["Authorization"])

        threads = [threading.Thread(target=book, args=(i,)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)

        statuses = sorted(code for code, _, _ in results)
        accepted = [(body, auth) for code, body, auth in results if code == 201]
        assert set(statuses) <= {201, 409}, statuses
        assert len(accepted) == 10, statuses
        for code, body, _ in results:
            if code == 409:
                assert body["detail"]["code"] == "no_capacity"

        with httpx.Client(base_url=base, timeout=60) as client:
            ops = {"Authorization": f"Bearer {ops_key}"}
            flight = client.get(f"/v1/flights/{flight_id}", headers=ops).json()
            assert flight["booked_kg"] <= 10_000.0
            assert flight["booked_kg"] == 9_900.0 + 10.0 * len(accepted)
            manifest = client.get(f"/v1/flights/{flight_id}/manifest", headers=ops).json()
            on_board = {s["id"] for s in manifest["shipments"]}
            assert manifest["total_kg"] == flight["booked_kg"]
            for body, auth in accepted:
                assert body["flight"]["id"] == flight_id
                assert body["id"] in on_board
                stored = client.get(f"/v1/shipments/{body['id']}", headers={"Authorization": auth})
                assert stored.status_code == 200
                assert stored.json() == body
