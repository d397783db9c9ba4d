"""The control room's reads over real HTTP (SQLite, PostgreSQL): a day's flights page by page in
launch order, KPIs aggregated as the day moves (launch, landing, deliveries, scrub), positions
on the map, the network's sites, and public tracking that shows one shipment only."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from rocketpost.core.networklegs import network_legs

from .conftest import Api, busan, miami, plan, slot_ready_at
from .test_lastmile_events import flight_event, last_mile


def kpis(api: Api, day: str, at: datetime) -> dict[str, Any]:
    response = api.client.get(
        "/v1/ops/kpis", params={"date": day, "at": at.isoformat()}, headers=api.ops
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_days_flights_page_in_launch_order(api: Api) -> None:
    _, headers = api.merchant()
    ready = slot_ready_at(96)
    # Booked out of launch order, so creation order and launch order differ.
    for minutes in (40, 0, 20, 10, 30):
        api.book(headers, miami(ready + timedelta(minutes=minutes)))
    api.book(headers, busan(ready + timedelta(minutes=5)))
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"date": ready.date().isoformat(), "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.client.get("/v1/flights", params=params, headers=api.ops).json()
        seen += page["data"]
        assert len(page["data"]) <= 2
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    ours = [f for f in seen if f["launch_at"] >= ready.isoformat().replace("+00:00", "Z")]
    assert len(ours) == 6
    launches = [f["launch_at"] for f in seen]
    assert launches == sorted(launches)
    assert len({f["id"] for f in seen}) == len(seen)
    bad = api.client.get("/v1/flights", params={"date": "31-12-2030"}, headers=api.ops)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "date"]


def test_kpis_and_positions_follow_the_day(api: Api) -> None:
    _, headers = api.merchant()
    ready = slot_ready_at(120)
    day = ready.date().isoformat()
    a, b = (api.book(headers, miami(ready, mass_kg=100.0)).json() for _ in range(2))
    flight = a["flight"]["id"]
    launch_at = datetime.fromisoformat(a["flight"]["launch_at"])
    before = kpis(api, day, launch_at - timedelta(minutes=5))
    assert before["shipments"] >= 2 and before["flights"]["scheduled"] >= 1
    assert before["promises_kept"] == 0 and before["in_the_air"] == 0
    # Launch time passed and the flight still on the ground: at risk.
    assert kpis(api, day, launch_at + timedelta(minutes=2))["at_risk"] >= 2

    plan(api, day)
    assert flight_event(api, flight, "launched").status_code == 200
    flying = kpis(api, day, launch_at + timedelta(minutes=5))
    assert flying["in_the_air"] == 2 and flying["flights"]["launched"] == 1
    assert flying["carried_kg"] == 200.0 and flying["cost_per_kg_usd"] > 0

    landing_at = api.client.get(f"/v1/flights/{flight}", headers=api.ops).json()["plan"][
        "landing_at"
    ]
    middle = launch_at + (datetime.fromisoformat(landing_at) - launch_at) / 2
    positions = api.client.get(
        "/v1/ops/flights/positions", params={"at": middle.isoformat()}, headers=api.ops
    ).json()
    assert positions["columns"] == [
        "id",
        "origin",
        "site",
        "status",
        "progress",
        "launch_at",
        "booked_kg",
    ]
    row = next(r for r in positions["rows"] if r[0] == flight)
    assert row[1:4] == ["NYC", "MIA", "launched"] and abs(row[4] - 0.5) < 0.01

    assert flight_event(api, flight, "landed").status_code == 200
    for kind in ("out_for_delivery", "delivered"):
        assert last_mile(api, a["id"], kind).status_code == 200
    done = kpis(api, day, launch_at + timedelta(minutes=30))
    assert done["delivered"] == 1 and done["promises_kept"] == 1
    assert done["late"] == 0 and done["flights"]["landed"] == 1
    promised = datetime.fromisoformat(b["promised_delivery_at"])
    late = kpis(api, day, promised + timedelta(minutes=1))
    assert late["late"] == 1 and late["promises_kept"] == 1
    landed = api.client.get(
        "/v1/ops/flights/positions",
        params={"at": middle.isoformat(), "date": day},
        headers=api.ops,
    ).json()
    assert next(r for r in landed["rows"] if r[0] == flight)[3:5] == ["landed", 1.0]


def test_scrubs_count_and_merchants_are_refused(api: Api) -> None:
    _, headers = api.merchant()
    ready = slot_ready_at(144)
    s = api.book(headers, miami(ready)).json()
    assert flight_event(api, s["flight"]["id"], "scrubbed").status_code == 200
    day = ready.date().isoformat()
    assert kpis(api, day, ready)["scrubs"] == 1
    for path in ("/v1/ops/kpis", "/v1/ops/flights/positions", "/v1/ops/sites", "/v1/ops/overview"):
        assert api.client.get(path, headers=headers).status_code == 403
        assert api.client.get(path).status_code == 401


def test_the_overview_is_the_separate_reads_in_one_answer(api: Api) -> None:
    _, headers = api.merchant()
    ready = slot_ready_at(168)
    shipment = api.book(headers, miami(ready, mass_kg=3.0)).json()
    assert flight_event(api, shipment["flight"]["id"], "launched").status_code == 200
    day = ready.date().isoformat()
    at = datetime.fromisoformat(shipment["flight"]["launch_at"]) + timedelta(minutes=10)
    params = {"date": day, "at": at.isoformat()}
    overview = api.client.get("/v1/ops/overview", params=params, headers=api.ops)
    assert overview.status_code == 200, overview.text
    body = overview.json()
    assert set(body) == {"sites", "positions", "kpis", "conditions"}
    for part, path, query in (
        ("sites", "/v1/ops/sites", {}),
        ("positions", "/v1/ops/flights/positions", params),
        ("kpis", "/v1/ops/kpis", params),
        ("conditions", "/v1/conditions", {}),
    ):
        alone = api.client.get(path, params=query, headers=api.ops)
        assert alone.status_code == 200
        assert body[part] == alone.json(), part
    row = next(r for r in body["positions"]["rows"] if r[0] == shipment["flight"]["id"])
    assert row[3] == "launched" and 0.0 < row[4] < 1.0
    assert body["kpis"]["in_the_air"] >= 1
    bad = api.client.get("/v1/ops/overview", params={"date": "2-12-2026"}, headers=api.ops)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "date"]


def test_sites_list_hubs_landing_sites_and_touchdown_times(api: Api) -> None:
    sites = api.client.get("/v1/ops/sites", headers=api.ops).json()
    network = api.app.state.rp.network
    assert [h["id"] for h in sites["hubs"]] == list(network.hub_ids)
    assert [s["id"] for s in sites["sites"]] == list(network.site_ids)
    assert any(h["id"] == "NYC" for h in sites["hubs"])
    legs = network_legs(network)
    touchdown = sites["touchdown_s"]
    assert len(touchdown) == len(network.hubs)
    assert all(len(row) == len(network.landing_sites) for row in touchdown)
    for o in range(len(network.hubs)):
        for s in range(len(network.landing_sites)):
            expected = float(legs.touchdown_s[o, s])
            got = touchdown[o][s]
            assert (got is None) == (not math.isfinite(expected))
            if got is not None:
                assert abs(got - expected) <= 0.05
    assert touchdown[0][0] is None  # a hub never flies to its own zone


def test_public_tracking_shows_one_shipment_and_nothing_of_its_merchant(api: Api) -> None:
    mine, headers = api.merchant()
    other_id, other = api.merchant()
    ready = slot_ready_at()
    s = api.book(headers, busan(ready)).json()
    t = api.book(other, busan(ready)).json()
    assert s["flight"]["id"] == t["flight"]["id"]
    assert flight_event(api, s["flight"]["id"], "launched").status_code == 200
    response = api.client.get(f"/v1/tracking/{s['tracking_number']}")  # no key
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["tracking_number"] == s["tracking_number"]
    assert (body["status"], body["flight"]["status"]) == ("in_transit", "launched")
    assert [e["sub_status"] for e in body["events"]][-1] == "launched"
    assert body["legs"] and body["destination"]["name"]
    text = response.text
    for secret in (mine, other_id, t["id"], t["tracking_number"], s["id"], "mer_", "duties"):
        assert secret not in text
    assert not {"merchant_id", "reference", "price", "customs", "quote_id"} & set(body)
    # The other merchant's parcel to the same recipient re-assessed this one's duties: the
    # event shows, its message (which names amounts and parcels) does not.
    reassessed = [e for e in body["events"] if e["sub_status"] == "customs_reassessed"]
    assert all(e["message"] == "" for e in reassessed)
    assert api.client.get("/v1/tracking/RPNOSUCHNUMBER").status_code == 404
    assert api.client.get("/v1/tracking/not-a-number").status_code == 404
    assert set(body["destination"]) == {"name", "country"}  # not the door's coordinates
