"""Make the README's picture of the control room: ``python -m tests.web.screenshot [OUT]``.

Starts ``rocketpost serve`` on a throwaway SQLite database with the ``rocket-hour`` preset, books
one-hour rocket shipments from the Chinese hubs to cities on several continents over the next
two hours of launch waves, records launches, landings and a scrub through the ops API, declares
a front at one hub and a closed sea at one landing site, then photographs the control room in
headless Chromium with the page's clock an hour ahead (so flights are in the air mid-arc), the
reach heat map on and one flight's manifest open. Default output: ``docs/img/controlroom.png``.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.web.browser import chromium, recorded_page
from tests.web.conftest import fresh_server

DESTINATIONS = (
    ("SZX", "Sydney, AU"),
    ("SHA", "Barcelona, ES"),
    ("SZX", "Singapore, SG"),
    ("HZB", "Istanbul, TR"),
    ("SHA", "Lagos, NG"),
    ("SZX", "Jakarta, ID"),
    ("HZB", "Mumbai, IN"),
    ("SHA", "Lisbon, PT"),
    ("SZX", "Dubai, AE"),
    ("HZB", "London, GB"),
    ("SHA", "Istanbul, TR"),
    ("SZX", "Perth, AU"),
    ("HZB", "Sydney, AU"),
    ("SHA", "Mumbai, IN"),
    ("SZX", "Lagos, NG"),
    ("HZB", "Singapore, SG"),
    ("SHA", "Athens, GR"),
    ("SZX", "London, GB"),
)
T_SHIRT = {
    "sku": "TS-1",
    "description": "cotton T-shirt",
    "hs_code": "610910",
    "quantity": 2,
    "unit_value": "45.00",
    "currency": "USD",
    "unit_mass_kg": 0.25,
    "unit_volume_m3": 0.001,
}


def _book(http: httpx.Client, key: str, hub: str, place: str, ready: datetime) -> Any:
    """Book a one-hour rocket shipment at the first minute from ``ready`` whose wave keeps it."""
    headers = {"Authorization": f"Bearer {key}"}
    for minute in range(10):
        body = {
            "destination": {"place": place},
            "parcels": [{"mass_kg": 0.8 + 0.3 * (len(place) % 5), "volume_m3": 0.006}],
            "origin_hub": hub,
            "ready_at": (ready + timedelta(minutes=minute)).isoformat(),
            "customs": {"recipient_id": f"R-{uuid.uuid4().hex[:8]}", "items": [T_SHIRT]},
        }
        quote = http.post("/v1/quotes", json=body, headers=headers)
        if quote.status_code != 200 or not quote.json()["one_hour"]["available"]:
            continue
        response = http.post(
            "/v1/shipments",
            json=body,
            headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
        )
        if response.status_code == 201 and response.json()["flight"]:
            return response.json()
        print(f"  {hub} -> {place}: {response.status_code} {response.text[:200]}")
    return None


def _event(
    http: httpx.Client, ops: dict[str, str], flight_id: str, kind: str, at: datetime
) -> None:
    body = {"type": kind, "occurred_at": at.isoformat()}
    response = http.post(f"/v1/flights/{flight_id}/events", json=body, headers=ops)
    if response.status_code != 200:
        print(f"  {flight_id} {kind}: {response.status_code} {response.text[:200]}")


def _stage_day(http: httpx.Client, merchant_key: str, ops_key: str) -> tuple[datetime, str]:
    """Bookings over two hours of waves, then the flight events as they stand at the view time.

    The view time is a few minutes after the last hub-to-hub launch: flights launched more than
    40 minutes before it have landed, the others are in the air, and one early flight is
    scrubbed (its parcels move to a later wave). Flights to the preset's extra landing sites
    (ids with the site's ``-``) fly like the others.
    """
    ops = {"Authorization": f"Bearer {ops_key}"}
    first = datetime.now(UTC) + timedelta(minutes=1)
    for k, (hub, place) in enumerate(DESTINATIONS):
        for _ in range(3):  # a few parcels per flight
            _book(http, merchant_key, hub, place, first + timedelta(minutes=6 * k))
    positions = http.get(
        "/v1/ops/flights/positions", params={"date": first.date().isoformat()}, headers=ops
    ).json()
    column = {name: i for i, name in enumerate(positions["columns"])}
    hub_flights = sorted(
        (datetime.fromisoformat(row[column["launch_at"]]), row[column["id"]])
        for row in positions["rows"]
    )
    view_at = hub_flights[-1][0] + timedelta(minutes=12)
    for i, (launch, flight_id) in enumerate(hub_flights):
        if i == 1:
            _event(http, ops, flight_id, "scrubbed", launch)
            continue
        # Recorded at the times they would have happened: a launch is refused before its wave.
        _event(http, ops, flight_id, "launched", launch)
        if launch < view_at - timedelta(minutes=40):
            _event(http, ops, flight_id, "landed", launch + timedelta(minutes=35))
    http.put("/v1/conditions/hubs/TYO", json={"weather": "front"}, headers=ops)
    http.put("/v1/conditions/hubs/SZX", json={"weather": "clear"}, headers=ops)
    http.put("/v1/conditions/sites/SIN", json={"sea": "closed"}, headers=ops)
    return view_at, hub_flights[-2][1]


def main(out: Path) -> None:
    directory = Path(tempfile.mkdtemp(prefix="rocketpost-screenshot-"))
    handle = fresh_server(directory, {"ROCKETPOST_PRESET": "rocket-hour"})
    merchant_key, ops_key = handle.merchant_key, handle.ops_key
    handle.start()
    try:
        with httpx.Client(base_url=handle.base_url, timeout=60.0) as http:
            view_at, flight_id = _stage_day(http, merchant_key, ops_key)
        with chromium() as browser, recorded_page(browser, 1600, 900) as recorded:
            page = recorded.page
            page.clock.set_fixed_time(view_at)
            page.goto(f"{handle.base_url}/?date={view_at.date().isoformat()}")
            page.fill("#login-key", ops_key)
            page.click("#login-form button[type=submit]")
            page.wait_for_selector("body[data-ready=true]", timeout=60_000)
            page.check("#layer-reach")
            page.wait_for_selector("#legend :text('Reach')", timeout=60_000)
            page.locator(f'#flights-list li[data-flight="{flight_id}"]').click()
            page.wait_for_selector("#manifest", timeout=60_000)
            page.wait_for_timeout(1500)
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
            if recorded.external or recorded.errors:
                raise SystemExit(f"external {recorded.external}, errors {recorded.errors}")
    finally:
        handle.stop()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/img/controlroom.png"))
