"""The control room, the tracking page and the API docs in headless Chromium (Playwright).

One ``rocketpost serve`` subprocess and one browser for the module. Every page is checked for
console errors and for requests leaving localhost (each request is recorded by a route).
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from rocketpost.network import default_network
from rocketpost.planning import read_plan
from tests.support.server import ServerHandle
from tests.web.browser import RecordedPage, recorded_page
from tests.web.conftest import book_miami, merchant_headers

WAIT_MS = 15_000
POLL = "?poll_ms=400"  # the pages poll every 3 s; the tests need not wait that long


def _open_control_room(recorded: RecordedPage, server: ServerHandle, day: str) -> Page:
    page = recorded.page
    page.goto(f"{server.base_url}/?date={day}&{POLL[1:]}")
    page.fill("#login-key", server.ops_key)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-ready=true]", timeout=WAIT_MS)
    return page


# The page's colours of a flight's phases (maplib.js COLORS).
PHASE_COLORS = {"scheduled": "#8a9bb0", "in_air": "#ffd24a", "landed": "#3ddc97"}


def _expect_on_map(page: Page, flight_id: str, phase: str) -> dict[str, Any]:
    """Wait until the map draws ``flight_id`` in ``phase``: its rocket painted in the phase's
    colour on the flights' canvas.

    The flights are drawn on a canvas, so there is no element to wait for: the page answers
    what it drew (``window.controlRoom.flightOnMap``: the phase, and the canvas pixel under
    the rocket), polled here (the page's CSP forbids the eval Playwright's
    ``wait_for_function`` needs).
    """
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        drawn = page.evaluate(f"window.controlRoom.flightOnMap({flight_id!r})")
        # Its phase, and the canvas painted in the phase's colour under its rocket.
        if drawn is not None and drawn["phase"] == phase and drawn["drawn"] == drawn["color"]:
            assert drawn["color"] == PHASE_COLORS[phase], drawn
            return dict(drawn)
        if time.monotonic() > deadline:
            raise AssertionError(f"{flight_id} is drawn as {drawn}, not {phase}")
        time.sleep(0.1)


def _assert_clean(recorded: RecordedPage) -> None:
    assert recorded.external == [], f"requests left localhost: {recorded.external}"
    assert recorded.errors == [], f"console errors: {recorded.errors}"
    assert recorded.requests, "no request was recorded"


def _flight_event(http: httpx.Client, server: ServerHandle, flight_id: str, kind: str) -> None:
    response = http.post(
        f"/v1/flights/{flight_id}/events",
        json={"type": kind},
        headers={"Authorization": f"Bearer {server.ops_key}"},
    )
    assert response.status_code == 200, response.text


def test_control_room_draws_the_network_offline_and_follows_a_flight(
    server: ServerHandle, browser: Browser, http: httpx.Client
) -> None:
    network = default_network()
    _, headers = merchant_headers(server)
    ops = {"Authorization": f"Bearer {server.ops_key}"}
    shipment = book_miami(http, headers)
    flight_id = shipment["flight"]["id"]
    day = shipment["flight"]["launch_at"][:10]
    with recorded_page(browser) as recorded:
        page = _open_control_room(recorded, server, day)
        # The map draws every hub and landing site of the network, and the countries.
        expect(page.locator("path.hub")).to_have_count(len(network.hubs))
        expect(page.locator("path.site")).to_have_count(len(network.landing_sites))
        # The country outlines are drawn on one canvas in their own pane, under the overlays;
        # the flights on two in theirs (the arcs, and the rockets above them).
        expect(page.locator(".leaflet-countries-pane canvas")).to_have_count(1)
        expect(page.locator(".leaflet-flights-pane canvas")).to_have_count(2)
        assert page.evaluate("window.controlRoom.layers.countries.rings()") > 100
        expect(page.locator(".kpi")).not_to_have_count(0)

        # The booked shipment is on its flight: in the list, on the map, in the manifest.
        item = page.locator(f'#flights-list li[data-flight="{flight_id}"]')
        expect(item).to_have_attribute("data-status", "scheduled", timeout=WAIT_MS)
        drawn = _expect_on_map(page, flight_id, "scheduled")
        # A click on its arc (on the canvas, off the hubs) opens its manifest.
        x, y = drawn["middle"]
        page.locator("#map").hover(position={"x": x, "y": y})  # its tooltip names it
        expect(page.locator(".leaflet-tooltip", has_text=flight_id)).to_be_visible()
        page.locator("#map").click(position={"x": x, "y": y})
        manifest = page.locator("#manifest")
        expect(manifest).to_contain_text(shipment["tracking_number"], timeout=WAIT_MS)
        expect(page.locator("#details h3").first).to_have_text(f"Flight {flight_id}")
        page.locator("#details").evaluate("box => box.replaceChildren()")
        item.click()  # and so does its line in the list
        expect(manifest).to_contain_text(shipment["tracking_number"], timeout=WAIT_MS)
        page.locator(f'#manifest tr[data-shipment="{shipment["id"]}"]').click()
        expect(page.locator("#shipment-detail")).to_contain_text("pre_transit / booked")

        # Ops record the launch: the page's next poll moves the flight into the air.
        _flight_event(http, server, flight_id, "launched")
        expect(item).to_have_attribute("data-status", "in_air", timeout=WAIT_MS)
        flying = _expect_on_map(page, flight_id, "in_air")
        assert flying["rocket"] != drawn["rocket"]  # off the pad, on its way along the arc
        expect(page.locator("#flight-detail")).to_have_attribute(
            "data-status", "launched", timeout=WAIT_MS
        )
        _flight_event(http, server, flight_id, "landed")
        expect(item).to_have_attribute("data-status", "landed", timeout=WAIT_MS)
        _expect_on_map(page, flight_id, "landed")
        expect(page.locator('[data-kpi="landed"] .value')).not_to_have_text("0")

        # A click on NYC shows its airframes of the day as bookings count them (the shipped
        # fleet: 6, one kept spare), and how many flights are left to open.
        page.locator("path.hub-NYC").click()
        fleet = page.locator("#hub-fleet")
        expect(fleet).to_contain_text(
            "of 5 bookable flights opened (1 kept spare)", timeout=WAIT_MS
        )
        answer = http.get(f"/v1/ops/fleet?date={day}", headers=ops).json()
        nyc = next(h for h in answer["hubs"] if h["hub_id"] == "NYC")
        assert nyc["loaded_flights"] >= 1
        expect(fleet).to_have_attribute("data-left", str(nyc["flights_left"]))
        # The hub keeps the panel through the next polls: the flight opened before it is no
        # longer selected, so its manifest does not come back over the hub.
        polls = page.evaluate("window.controlRoom.polls")
        page.wait_for_function("n => window.controlRoom.polls >= n", arg=polls + 2, timeout=WAIT_MS)
        expect(page.locator("#details h3").first).to_contain_text("Hub NYC")

        # The reach heat map draws on a canvas layer, with its legend.
        page.check("#layer-reach")
        expect(page.locator("#legend")).to_contain_text("Reach", timeout=WAIT_MS)
        assert page.locator(".leaflet-overlay-pane canvas").count() >= 1
        _assert_clean(recorded)


def test_a_hubs_airframes_still_away_show_the_next_day(
    server: ServerHandle, browser: Browser, http: httpx.Client
) -> None:
    """The day after NYC flew to Miami, a click on NYC says how many of its airframes earlier
    days' flights still hold and when the first is back (``GET /v1/ops/fleet``)."""
    _, headers = merchant_headers(server)
    shipment = book_miami(http, headers)
    launch = datetime.fromisoformat(shipment["flight"]["launch_at"].replace("Z", "+00:00"))
    next_day = (launch + timedelta(days=1)).date().isoformat()
    ops = {"Authorization": f"Bearer {server.ops_key}"}
    answer = http.get(f"/v1/ops/fleet?date={next_day}", headers=ops).json()
    nyc = next(h for h in answer["hubs"] if h["hub_id"] == "NYC")
    assert nyc["held_from_earlier_days"] >= 1 and nyc["next_back_at"] is not None
    with recorded_page(browser) as recorded:
        page = _open_control_room(recorded, server, next_day)
        page.locator("path.hub-NYC").click()
        fleet = page.locator("#hub-fleet")
        back = nyc["next_back_at"]
        expect(fleet).to_contain_text(
            f"{nyc['held_from_earlier_days']} not yet home, first back {back[5:10]} "
            f"{back[11:16]} UTC",
            timeout=WAIT_MS,
        )
        expect(fleet).to_have_attribute("data-held", str(nyc["held_from_earlier_days"]))
        _assert_clean(recorded)


def test_replay_plays_the_planned_day(
    server: ServerHandle, browser: Browser, replay_plan: Any
) -> None:
    plan = read_plan(replay_plan)
    flown = len(plan.flights.flight_id)
    assert flown > 0
    with recorded_page(browser) as recorded:
        page = _open_control_room(recorded, server, "2026-11-25")
        page.click("#mode-replay")
        expect(page.locator("#replaybar")).to_be_visible()
        expect(page.locator("#flights-list li")).to_have_count(flown, timeout=WAIT_MS)
        # At the start nothing has launched; at the end every flight has landed.
        expect(page.locator('#flights-list li[data-status="scheduled"]')).to_have_count(flown)
        page.locator("#replay-time").fill("1000")
        expect(page.locator('#flights-list li[data-status="landed"]')).to_have_count(flown)
        expect(page.locator('[data-kpi="landed"] .value')).to_have_text(str(flown))
        # Playing at the fastest speed moves the clock forward.
        page.locator("#replay-time").fill("0")
        page.select_option("#replay-speed", "3600")
        before = page.locator("#clock").inner_text()
        page.click("#replay-play")
        expect(page.locator("#clock")).not_to_have_text(before, timeout=WAIT_MS)
        page.click("#replay-play")
        page.click("#mode-design")
        expect(page.locator("#details")).to_contain_text("Design")
        _assert_clean(recorded)


def test_tracking_page_follows_the_flight_and_shows_nothing_of_any_merchant(
    server: ServerHandle, browser: Browser, http: httpx.Client
) -> None:
    merchant_a, headers_a = merchant_headers(server)
    merchant_b, headers_b = merchant_headers(server)
    # A later wave than the other tests' flight, which they launch.
    later = datetime.now(UTC) + timedelta(hours=2)
    mine = book_miami(http, headers_a, later, reference="ORDER-OF-A-7731")
    theirs = book_miami(http, headers_b, later, reference="ORDER-OF-B-9045")
    assert mine["flight"]["id"] == theirs["flight"]["id"]  # same wave: the same manifest
    with recorded_page(browser) as recorded:
        page = recorded.page
        page.goto(f"{server.base_url}/track/{mine['tracking_number']}{POLL}")
        status = page.locator("#status")
        expect(status).to_have_attribute("data-state", "pre_transit/booked", timeout=WAIT_MS)
        text = page.locator("body").inner_text()
        assert mine["tracking_number"] in text
        for secret in (
            theirs["tracking_number"],
            theirs["id"],
            merchant_b,
            "ORDER-OF-B-9045",
            merchant_a,  # not even its own merchant's fields: only the shipment's journey
            "ORDER-OF-A-7731",
            mine["id"],
        ):
            assert secret not in text
        html = page.content()
        assert theirs["tracking_number"] not in html and merchant_b not in html

        _flight_event(http, server, mine["flight"]["id"], "launched")
        expect(status).to_have_attribute("data-state", "in_transit/launched", timeout=WAIT_MS)
        expect(page.locator("#flight-status")).to_have_text("launched")
        _assert_clean(recorded)
    with recorded_page(browser) as recorded:
        recorded.page.goto(f"{server.base_url}/track/RPNOSUCHNUMBER{POLL}")
        expect(recorded.page.locator("#track")).to_contain_text("No shipment", timeout=WAIT_MS)
        assert recorded.external == []

    # The page's read is the API's public tracking (no key).
    answer = http.get(f"/v1/tracking/{mine['tracking_number']}").json()
    assert set(answer) >= {"status", "sub_status", "legs", "events", "flight"}
    assert not {"merchant_id", "reference", "price", "parcels", "customs", "id"} & set(answer)
    assert set(answer["destination"]) == {"name", "country"}  # not the door's coordinates
    assert all(set(leg) == {"leg", "duration_s"} for leg in answer["legs"])
    assert http.get("/v1/tracking/not-a-number").status_code == 404
    assert http.get("/ui/api/track/" + mine["tracking_number"]).status_code == 404  # one read


def test_docs_and_redoc_render_with_no_external_request(
    server: ServerHandle, browser: Browser
) -> None:
    with recorded_page(browser) as recorded:
        page = recorded.page
        page.goto(f"{server.base_url}/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text(
            "rocketpost booking service", timeout=WAIT_MS
        )
        expect(page.locator(".opblock").first).to_be_visible()
        page.goto(f"{server.base_url}/redoc")
        expect(page.locator("h1").first).to_contain_text(
            re.compile("rocketpost booking service"), timeout=WAIT_MS
        )
        _assert_clean(recorded)
    assert all(
        "/ui/static/vendor/" in u
        or "/openapi.json" in u
        or "/docs" in u
        or "/redoc" in u
        or u.startswith(("blob:", "data:"))
        for u in recorded.requests
    )


def test_page_reads_need_the_ops_key_and_the_day_is_aggregated(
    server: ServerHandle, http: httpx.Client
) -> None:
    _, merchant = merchant_headers(server)
    ops = {"Authorization": f"Bearer {server.ops_key}"}
    page_reads = ("/ui/api/reach", "/ui/api/replay", "/ui/api/design")
    day_reads = ("/v1/ops/sites", "/v1/ops/flights/positions", "/v1/ops/kpis", "/v1/ops/overview")
    for path in page_reads + day_reads:
        assert http.get(path).status_code == 401
        assert http.get(path, headers=merchant).status_code == 403
    assert http.get("/v1/ops/kpis?date=25-11-2026", headers=ops).status_code == 422
    assert http.get("/ui/api/reach?mode=teleport", headers=ops).status_code == 422
    for gone in ("/ui/api/day", "/ui/api/network"):  # each read once: the API's
        assert http.get(gone, headers=ops).status_code == 404

    shipment = book_miami(http, merchant, datetime.now(UTC) + timedelta(hours=5))
    on = shipment["flight"]["launch_at"][:10]
    positions = http.get(f"/v1/ops/flights/positions?date={on}", headers=ops)
    assert positions.status_code == 200
    body = positions.json()
    rows = [dict(zip(body["columns"], row, strict=True)) for row in body["rows"]]
    flight = next(f for f in rows if f["id"] == shipment["flight"]["id"])
    assert flight["status"] == "scheduled" and flight["booked_kg"] == pytest.approx(1.5)
    kpis = http.get(f"/v1/ops/kpis?date={on}", headers=ops).json()
    assert kpis["shipments"] >= 1
    assert sum(kpis["flights"].values()) == len(rows)

    page = http.get("/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert "https://" not in page.text
