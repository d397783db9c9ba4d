"""A flight to an extra landing site of the rocket-hour preset (its id has a ``-``, the site's)
in headless Chromium: it is drawn on the map, planned with a last-mile route from the site's own
vans and drones, and moves when ops record its launch and landing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import Browser, expect

from rocketpost.network.loading import PRESET_ENV
from tests.support.server import ServerHandle
from tests.web.browser import recorded_page
from tests.web.conftest import fresh_server, next_boundary
from tests.web.test_pages import WAIT_MS, _assert_clean, _flight_event, _open_control_room


@pytest.fixture(scope="module")
def rocket_hour(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """``rocketpost serve`` on the rocket-hour preset (300 extra landing sites)."""
    handle = fresh_server(tmp_path_factory.mktemp("rocket-hour"), {PRESET_ENV: "rocket-hour"})
    try:
        handle.start()
        yield handle
    finally:
        if handle.running:
            handle.stop()


def test_a_flight_to_an_extra_landing_site_is_planned_and_moves(
    rocket_hour: ServerHandle, browser: Browser
) -> None:
    server = rocket_hour
    merchant = {"Authorization": f"Bearer {server.merchant_key}"}
    ops = {"Authorization": f"Bearer {server.ops_key}"}
    with httpx.Client(base_url=server.base_url, timeout=60.0) as http:
        booked = http.post(
            "/v1/shipments",
            json={
                "destination": {"place": "Anchorage, US"},
                "parcels": [{"mass_kg": 1.5, "volume_m3": 0.006}],
                "origin_hub": "NYC",
                "ready_at": next_boundary(datetime.now(UTC)).isoformat(),
            },
            headers={**merchant, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert booked.status_code == 201, booked.text
        shipment = booked.json()
        flight_id = shipment["flight"]["id"]
        site = shipment["destination_hub"]
        assert shipment["mode"] == "rocket" and "-" in site and site in flight_id, shipment
        day = shipment["flight"]["launch_at"][:10]
        # A plan run routes the extra site's landing with its own fleet, as a hub's zone.
        run = http.post(
            "/v1/ops/plan-runs", json={"date": day, "last_mile_seconds": 0.2}, headers=ops
        )
        assert run.status_code == 201, run.text
        manifest = http.get(f"/v1/flights/{flight_id}/manifest", headers=ops).json()
        (planned,) = [s for s in manifest["shipments"] if s["id"] == shipment["id"]]
        assert planned["last_mile"]["vehicle"].startswith(f"{site}/"), planned

        with recorded_page(browser) as recorded:
            page = _open_control_room(recorded, server, day)
            item = page.locator(f'#flights-list li[data-flight="{flight_id}"]')
            expect(item).to_have_attribute("data-status", "scheduled", timeout=WAIT_MS)
            _flight_event(http, server, flight_id, "launched")
            expect(item).to_have_attribute("data-status", "in_air", timeout=WAIT_MS)
            _flight_event(http, server, flight_id, "landed")
            expect(item).to_have_attribute("data-status", "landed", timeout=WAIT_MS)
            tracked = http.get(f"/v1/tracking/{shipment['tracking_number']}").json()
            assert tracked["flight"]["status"] == "landed"
            assert [e["flight_id"] for e in tracked["events"]][-1] == flight_id
            _assert_clean(recorded)
