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
from tests.support.server import serving

from .conftest import busan, miami, slot_ready_at

CLIENTS = 48


def test_parallel_bookings_never_overbook(database_url: str) -> None:
    _, ops_key = create_merchant(database_url, "ops-concurrency", ops=True)
    keys = [create_merchant(database_url, f"m{i}")[1] for i in range(4)]
    settings = Settings.from_env(  # the miami lane's one wave is the today preset's, promised
        environ={},  # as if the clear sky lasted (tests/service/conftest.py make_api)
        database_url=database_url,
        webhooks=False,
        rate_limit_per_min=0,
        preset="today",
        promise_onsets=False,
    )
    ready = slot_ready_at()
    with serving(create_app(settings)) as base:
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


SAME_RECIPIENT = 8


def test_concurrent_parcels_to_one_recipient_are_all_summed(database_url: str) -> None:
    """Eight 90 USD parcels to one Korean recipient, booked at once by different merchants.

    Each booking reads the recipient's day under the recipient's lock, so none misses another:
    every parcel ends up assessed on the day's 720 USD total, with the other seven named.
    """
    keys = [create_merchant(database_url, f"kr{i}")[1] for i in range(SAME_RECIPIENT)]
    settings = Settings.from_env(
        environ={}, database_url=database_url, webhooks=False, rate_limit_per_min=0
    )
    ready, recipient = slot_ready_at(), f"R-{uuid.uuid4().hex[:10]}"
    barrier = threading.Barrier(SAME_RECIPIENT)
    ids: list[str] = [""] * SAME_RECIPIENT
    with serving(create_app(settings)) as base:

        def book(i: int) -> None:
            body = busan(ready)
            body["customs"]["recipient_id"] = recipient
            with httpx.Client(base_url=base, timeout=60) as client:
                client.get("/health")
                barrier.wait()
                response = client.post(
                    "/v1/shipments",
                    json={**body, "fallback_to_standard": True},
                    headers={"Authorization": f"Bearer {keys[i]}", "Idempotency-Key": f"k{i}"},
                )
                assert response.status_code == 201, response.text
                ids[i] = response.json()["id"]

        threads = [threading.Thread(target=book, args=(i,)) for i in range(SAME_RECIPIENT)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert all(ids), ids
        with httpx.Client(base_url=base, timeout=60) as client:
            for i, shipment_id in enumerate(ids):
                stored = client.get(
                    f"/v1/shipments/{shipment_id}", headers={"Authorization": f"Bearer {keys[i]}"}
                ).json()
                dm = stored["customs"]["duties"]["de_minimis"]
                assert dm["aggregated_value"] == f"{90 * SAME_RECIPIENT}.00"
                assert sorted(dm["aggregated_with"]) == sorted(set(ids) - {shipment_id})
                assert dm["relieved"] is False
