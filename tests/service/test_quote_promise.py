"""Quotes and bookings count the fallback of the stock's other hubs, over real HTTP: under a
front at SHA, a quote with the stock at SHA only has no rocket hour; with the stock at SHA and a
clear HZB it has one, through HZB, at the planner's very P(on time) (one rule)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np
import pytest

from rocketpost.core.eligibility import Mode
from rocketpost.network import default_network
from rocketpost.planning.service_choice import choose_service
from rocketpost.service.quotes import BELOW_CONFIDENCE
from tests.planning import make_orders

from .conftest import T_SHIRT, Api, make_api, slot_ready_at

BUSAN_LAT_LON = (35.10, 129.04)


@pytest.fixture(scope="module")
def api(database_url: str) -> Iterator[Api]:
    """The rocket-hour network (SHA and HZB both fly to Busan), a front declared at SHA."""
    for served in make_api(database_url, preset="rocket-hour", promise_fallbacks=True):
        served.declare_front("SHA", 6.0)
        yield served


def to_busan(ready_at: datetime, **fields: Any) -> dict[str, Any]:
    lat, lon = BUSAN_LAT_LON
    return {
        "destination": {"lat_deg": lat, "lon_deg": lon, "country": "KR"},
        "parcels": [{"mass_kg": 1.0, "volume_m3": 0.005}],
        "ready_at": ready_at.isoformat(),
        **fields,
    }


def quote(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    _, merchant = api.merchant()
    response = api.client.post("/v1/quotes", json=body, headers=merchant)
    assert response.status_code == 200, response.text
    return response.json()["one_hour"]  # type: ignore[no-any-return]


def test_without_the_stock_elsewhere_a_front_at_the_origin_takes_the_hour(api: Api) -> None:
    ready = slot_ready_at()
    for fields in ({"origin_hub": "SHA"}, {"stock_hubs": ["SHA"]}, {"origin_hub": "SHA"}):
        one_hour = quote(api, to_busan(ready, **fields))
        assert one_hour["origin_hub"] == "SHA" and one_hour["mode"] == "rocket"
        assert not one_hour["available"] and one_hour["reason"] == BELOW_CONFIDENCE
        assert one_hour["fallback_hub"] is None and one_hour["p_on_time"] < 0.2


def test_with_the_stock_at_a_clear_hub_the_fallback_keeps_the_hour(api: Api) -> None:
    ready = slot_ready_at()
    network = default_network("rocket-hour")
    one_hour = quote(api, to_busan(ready, stock_hubs=["HZB", "SHA"]))
    # The fastest of the stock's hubs is SHA (under the front): HZB is its fallback.
    assert one_hour["origin_hub"] == "SHA" and one_hour["fallback_hub"] == "HZB"
    assert one_hour["available"] and one_hour["reason"] is None
    assert one_hour["p_on_time"] >= network.promise.confidence
    assert one_hour["promised_delivery_at"] is not None and one_hour["limiting_leg"] is None
    assert one_hour["p50_delivery_at"] <= one_hour["p90_delivery_at"]
    assert one_hour["p90_delivery_at"] <= one_hour["earliest_at_confidence_at"]
    # The origin told too: the same route, the same fallback.
    same = quote(api, to_busan(ready, origin_hub="SHA", stock_hubs=["SHA", "HZB"]))
    assert same["fallback_hub"] == "HZB" and same["p_on_time"] == one_hour["p_on_time"]


def test_the_quote_and_the_planner_count_the_same_fallback(api: Api) -> None:
    ready = slot_ready_at()
    network = default_network("rocket-hour")
    one_hour = quote(api, to_busan(ready, stock_hubs=["SHA", "HZB"]))
    sha, hzb = network.hub_index("SHA"), network.hub_index("HZB")
    allowed = np.zeros((1, len(network.hubs)), dtype=bool)
    allowed[0, [sha, hzb]] = True
    orders = make_orders([BUSAN_LAT_LON], [ready.timestamp()], [1.0], [0.005])
    # The conditions the service quoted under (the database's declarations).
    conditions = api.app.state.rp.quotes.conditions
    planned = choose_service(
        network, orders, conditions=conditions, allowed_origins=allowed, fallbacks=True,
        same_day=False,
    )  # fmt: skip
    assert planned.mode[0] == Mode.ROCKET and network.hub_ids[int(planned.origin[0])] == "SHA"
    assert one_hour["p_on_time"] == pytest.approx(float(planned.p_on_time[0]), abs=1e-6)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"stock_hubs": []}, "stock_hubs"),
        ({"stock_hubs": ["SHA", "SHA"]}, "stock_hubs"),
        ({"stock_hubs": ["XXX"]}, "stock_hubs"),
        ({"stock_hubs": ["sha"]}, "stock_hubs"),
        ({"stock_hubs": "SHA"}, "stock_hubs"),
        ({"stock_hubs": [1]}, "stock_hubs"),
        ({"stock_hubs": ["HZB"] + [f"H{i:02d}" for i in range(64)]}, "stock_hubs"),
        ({"origin_hub": "HZB", "stock_hubs": ["SHA"]}, "origin_hub"),
    ],
)
def test_bad_stock_hubs_are_refused(api: Api, fields: dict[str, Any], field: str) -> None:
    _, merchant = api.merchant()
    response = api.client.post(
        "/v1/quotes", json=to_busan(slot_ready_at(), **fields), headers=merchant
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert field in str(body)


def test_a_booking_keeps_the_fallback_promise_and_books_the_origins_lane(api: Api) -> None:
    ready = slot_ready_at()
    _, merchant = api.merchant()
    customs = {"recipient_id": "R-fallback", "items": [T_SHIRT]}
    body = to_busan(ready, stock_hubs=["SHA", "HZB"], customs=customs)
    quoted = api.client.post("/v1/quotes", json=body, headers=merchant).json()
    assert quoted["one_hour"]["available"] and quoted["one_hour"]["fallback_hub"] == "HZB"
    # Booked from the quote id (which carries the stock's hubs) and inline.
    for booking in ({"quote_id": quoted["quote_id"], "customs": customs}, body):
        booked = api.book(merchant, booking)
        assert booked.status_code == 201, booked.text
        shipment = booked.json()
        assert shipment["service"] == "one_hour" and shipment["origin_hub"] == "SHA"
        assert shipment["flight"]["id"].startswith("flt_SHA_")
    # Without the stock elsewhere the same booking is refused: the hour cannot be promised.
    alone = api.book(merchant, to_busan(ready, stock_hubs=["SHA"], customs=customs))
    assert alone.status_code == 409 and alone.json()["detail"]["reason"] == BELOW_CONFIDENCE


def test_the_openapi_schema_documents_the_stock_and_the_fallback(api: Api) -> None:
    components = api.client.get("/openapi.json").json()["components"]["schemas"]
    stock = components["QuoteRequest"]["properties"]["stock_hubs"]
    assert "stock" in str(stock) and "fallback" in str(stock)
    assert "stock_hubs" in components["ShipmentCreate"]["properties"]
    fallback = components["OneHourOption"]["properties"]["fallback_hub"]
    assert "front" in fallback["description"]


def test_a_later_wave_counts_the_fallback_on_its_own_row() -> None:
    """Booking's search for a wave with room: the quoted row shifted by whole waves, as the
    planner shifts its rows, decided with the same fallback rule."""
    from rocketpost.promise.conditions import Conditions, HubWeather
    from rocketpost.promise.decision import kernel_p_on_time
    from rocketpost.promise.fallback_promise import stock_mask
    from rocketpost.promise.recovery import boat_way_extra_s
    from rocketpost.service import schemas
    from rocketpost.service.consignment import Consignment
    from rocketpost.service.models import utcnow
    from rocketpost.service.quote_promise import later_wave
    from rocketpost.service.quotes import Quotes
    from rocketpost.service.quoting import QuoteEngine

    network = default_network("rocket-hour")
    front = Conditions(
        hubs={"SHA": HubWeather("front"), "HZB": HubWeather("clear")},
        known_ids=network.hub_ids,
        onsets=False,
        inspection_p=0.0,
    )
    quotes = Quotes(QuoteEngine(network, fallbacks=True), b"k" * 32, ttl_s=900.0, conditions=front)
    now = utcnow()
    body = schemas.QuoteRequest.model_validate(to_busan(slot_ready_at(), stock_hubs=["SHA", "HZB"]))
    quoted = quotes.quote(
        Consignment.from_request(quotes.engine, body, now),
        merchant_id="m", customs=None, trust=None,  # type: ignore[arg-type]
    )  # fmt: skip
    assert quoted.confidence is not None and quoted.confidence.fallback_hub == "HZB"
    assert quoted.confidence.kept and quotes.promise_on(quoted, quoted.route) == quoted.confidence
    lat, lon = quoted.consignment.place.lat_deg, quoted.consignment.place.lon_deg
    for waves in (1, 3):
        later = quoted.route.shifted(waves)
        kernel = later_wave(quoted.route, later)
        assert kernel is not None and quoted.route.kernel is not None
        step = waves * later.wave_interval_s
        for name in ("wait_s", "total_s", "launch_s"):
            assert getattr(kernel, name)[0] == getattr(quoted.route.kernel, name)[0] + step
        decided = quotes.promise_on(quoted, later)
        planner = kernel_p_on_time(
            network, kernel, front, promise_s=network.promise.one_hour_s,
            stock=stock_mask(network, ["SHA", "HZB"]), cross_border=True,
            grounded_extra_s=boat_way_extra_s(network, kernel, lat, lon),
        )  # fmt: skip
        assert decided.fallback_hub == "HZB"
        assert decided.p_on_time == pytest.approx(float(planner[0]), abs=1e-12)


def test_without_a_spare_airframe_the_fallback_is_not_counted(database_url: str) -> None:
    """The default service keeps no spare airframe (``promise_fallbacks`` off): the stock's
    hubs still choose the origin, but the hour under SHA's front is not promised through HZB."""
    for served in make_api(database_url, preset="rocket-hour"):
        served.declare_front("SHA", 6.0)
        one_hour = quote(served, to_busan(slot_ready_at(), stock_hubs=["HZB", "SHA"]))
        assert one_hour["origin_hub"] == "SHA" and one_hour["fallback_hub"] is None
        assert not one_hour["available"] and one_hour["reason"] == BELOW_CONFIDENCE
