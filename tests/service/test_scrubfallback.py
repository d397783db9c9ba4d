"""A scrub under a front flies the fallback the promise counted, over real HTTP on both backends.

The rocket-hour network with the shipped fleets and ``promise_fallbacks`` on: a front at SHA, a
one-hour booking to Busan from SHA with its stock at SHA and HZB (promised counting HZB's
fallback). HZB keeps two spares (the re-flight's and the fallback's), so bookings open 6 of its
8 airframes' flights; the scrub of the SHA flight still re-picks the shipment at HZB on the
fallback's airframe, its promise kept; a second such scrub finds no airframe left at HZB and
moves to a later SHA wave, as a scrub always did.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from rocketpost.network import default_network
from rocketpost.service.db import Database
from rocketpost.service.fleetadmission import FALLBACK_SPARES_PER_HUB, RESERVE_PER_HUB
from rocketpost.service.replay import OpsEvent, replay

from .conftest import BACKENDS, T_SHIRT, Api, fresh_database, make_api, no_capacity, plan

NETWORK = default_network("rocket-hour")
BUSAN = {"lat_deg": 35.10, "lon_deg": 129.04, "country": "KR"}
HZB_BOOKABLE = NETWORK.hub("HZB").fleet - RESERVE_PER_HUB - FALLBACK_SPARES_PER_HUB


@pytest.fixture(params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The service on the shipped fleets counting fallbacks, a front declared at SHA."""
    url = fresh_database(request, request.param, tmp_path_factory.mktemp("fallback"))
    for served in make_api(url, network=None, preset="rocket-hour", promise_fallbacks=True):
        served.declare_front("SHA", 6.0)
        yield served


def _busan(ready_at: datetime, n: int, **fields: Any) -> dict[str, Any]:
    return {
        "destination": BUSAN,
        "parcels": [{"mass_kg": 1.0, "volume_m3": 0.005}],
        "ready_at": ready_at.isoformat(),
        "customs": {"recipient_id": f"R-fallback-{n}", "items": [T_SHIRT]},
        **fields,
    }


def test_a_scrub_under_a_front_flies_the_counted_fallback(api: Api) -> None:
    _, headers = api.merchant()
    tomorrow = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    ready = tomorrow + timedelta(days=1, hours=2)

    # Bookings open HZB's flights up to its fleet less both spares.
    assert HZB_BOOKABLE == 6
    for k in range(HZB_BOOKABLE):
        at = ready + timedelta(hours=1, minutes=20 * k)
        booked = api.book(headers, _busan(at, k, origin_hub="HZB"))
        assert booked.status_code == 201, booked.text
        assert booked.json()["flight"]["id"].startswith("flt_HZB_")
    one_more = api.book(headers, _busan(ready + timedelta(hours=4), 99, origin_hub="HZB"))
    assert no_capacity(one_more), one_more.text

    # Under SHA's front the hour is promised counting HZB's fallback, on SHA's lane.
    first = api.book(headers, _busan(ready, 100, stock_hubs=["SHA", "HZB"]))
    assert first.status_code == 201, first.text
    booked = first.json()
    assert booked["service"] == "one_hour" and booked["origin_hub"] == "SHA"
    assert booked["flight"]["id"].startswith("flt_SHA_")

    answer = api.scrub(booked["flight"]["id"], "front")
    assert [r["shipment_id"] for r in answer["rescheduled"]] == [booked["id"]]
    moved = api.shipment(headers, booked["id"])
    assert moved["origin_hub"] == "HZB" and moved["status"] == "pre_transit"
    assert moved["flight"]["id"].startswith(f"flt_HZB_{booked['destination_hub']}_")
    assert moved["promised_delivery_at"] == booked["promised_delivery_at"]  # kept
    launch = datetime.fromisoformat(moved["flight"]["launch_at"].replace("Z", "+00:00"))
    # The fallback's own wave: HZB's first after re-picking at the order's ready time.
    hzb = NETWORK.hub("HZB")
    handling_s = NETWORK.handling_s[NETWORK.hub_index("HZB")]
    assert (
        timedelta(0)
        <= launch - (ready + timedelta(seconds=float(handling_s)))
        < timedelta(minutes=hzb.launch_interval_min)
    )
    legs = {leg["leg"]: leg["duration_s"] for leg in moved["legs"]}
    before = {leg["leg"]: leg["duration_s"] for leg in booked["legs"]}
    assert legs["origin_handling"] == pytest.approx(float(handling_s))
    assert legs["origin_handling"] + legs["wave_wait"] == pytest.approx(
        (launch - ready).total_seconds(), abs=1e-3
    )
    assert {
        k: v for k, v in legs.items() if k not in ("origin_handling", "wave_wait", "coast")
    } == {k: v for k, v in before.items() if k not in ("origin_handling", "wave_wait", "coast")}
    assert moved["eta_s"] - sum(legs.values()) == pytest.approx(
        booked["eta_s"] - sum(before.values()), abs=1e-2
    )
    events = api.client.get(f"/v1/shipments/{booked['id']}/events", headers=headers).json()
    assert "fallback: re-picked at HZB" in events["data"][-1]["message"]

    # HZB's fallback airframe is now flying: a second scrubbed shipment stays on SHA's lane.
    second = api.book(
        headers, _busan(ready + timedelta(minutes=30), 101, stock_hubs=["SHA", "HZB"])
    )
    assert second.status_code == 201, second.text
    again = api.scrub(second.json()["flight"]["id"], "front")
    assert [r["shipment_id"] for r in again["rescheduled"]] == [second.json()["id"]]
    stayed = api.shipment(headers, second.json()["id"])
    assert stayed["origin_hub"] == "SHA" and stayed["flight"]["id"].startswith("flt_SHA_")

    # Ops see HZB's fallback airframe flying: 7 flights, 6 sold by bookings, both spares kept.
    fleet = api.client.get(f"/v1/ops/fleet?date={ready.date().isoformat()}", headers=api.ops)
    hzb = next(h for h in fleet.json()["hubs"] if h["hub_id"] == "HZB")
    assert (hzb["kept"], hzb["bookable"], hzb["loaded_flights"], hzb["flights_left"]) == (
        2,
        6,
        7,
        0,
    )

    # Every flight sold, the fallback's included, has an airframe in the day's plan.
    summary = plan(api, ready.date().isoformat())["summary"]
    assert summary["unassigned_flights"] == []


def test_a_scrub_at_a_clear_hub_stays_on_its_lane(api: Api) -> None:
    """The fallback is the front's: a scrub at a clear hub moves to a later wave of the lane,
    whatever the stock, with a new promise."""
    _, headers = api.merchant()
    ready = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    booked = api.book(headers, _busan(ready, 200, origin_hub="HZB", stock_hubs=["HZB", "SHA"]))
    assert booked.status_code == 201, booked.text
    api.scrub(booked.json()["flight"]["id"], "front")
    moved = api.shipment(headers, booked.json()["id"])
    assert moved["origin_hub"] == "HZB" and moved["flight"]["id"].startswith("flt_HZB_")
    assert moved["promised_delivery_at"] > booked.json()["promised_delivery_at"]  # a new promise


@pytest.mark.parametrize("fallbacks", [True, False])
def test_a_replayed_scrub_moves_shipments_as_the_service_would(api: Api, fallbacks: bool) -> None:
    """``rocketpost ops replay`` scrubs through the same functions with the service's settings:
    with fallbacks counted the shipment is re-picked at HZB, without it stays on SHA's lane."""
    _, headers = api.merchant()
    ready = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    booked = api.book(headers, _busan(ready, 300 + fallbacks, stock_hubs=["SHA", "HZB"]))
    assert booked.status_code == 201, booked.text
    flight = booked.json()["flight"]["id"]
    db = Database.connect(api.database_url, pool_size=1)
    try:
        event = OpsEvent(at=datetime.now(UTC), kind="scrubbed", flight_id=flight)
        result = replay(db, NETWORK, [event], fallbacks=fallbacks)
    finally:
        db.dispose()
    assert result.applied == {"scrubbed": 1} and not result.refused
    moved = api.shipment(headers, booked.json()["id"])
    assert moved["origin_hub"] == ("HZB" if fallbacks else "SHA"), moved
