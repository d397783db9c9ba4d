"""Ops: launched / landed / scrubbed, manifests, and what a scrub does to shipments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from .conftest import Api, busan, make_api, miami, slot_ready_at


def _events(api: Api, headers: dict[str, str], shipment_id: str) -> list[tuple[str, str]]:
    data = api.client.get(f"/v1/shipments/{shipment_id}/events", headers=headers).json()["data"]
    return [(e["status"], e["sub_status"]) for e in data]


def test_scrub_moves_shipments_to_next_wave_with_room(api: Api) -> None:
    _, headers = api.merchant()
    ready = slot_ready_at()
    a = api.book(headers, busan(ready, mass_kg=5_000.0)).json()
    b = api.book(headers, busan(ready, mass_kg=1.0)).json()
    # The next wave already carries 6,000 kg: A (5,000 kg) cannot follow there, B can.
    c = api.book(headers, busan(ready + timedelta(minutes=10), mass_kg=6_000.0)).json()
    scrubbed = a["flight"]["id"]
    assert b["flight"]["id"] == scrubbed != c["flight"]["id"]

    response = api.client.post(
        f"/v1/flights/{scrubbed}/events",
        json={"type": "scrubbed", "reason": "wind"},
        headers=api.ops,
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["flight"]["status"] == "scrubbed"
    assert result["shipments_affected"] == 2
    moved = {r["shipment_id"]: r["flight_id"] for r in result["rescheduled"]}
    assert moved[b["id"]] == c["flight"]["id"]
    assert moved[a["id"]] not in (scrubbed, c["flight"]["id"])
    a_now = api.client.get(f"/v1/shipments/{a['id']}", headers=headers).json()
    assert a_now["flight"]["id"] == moved[a["id"]]
    assert a_now["promised_delivery_at"] > a["promised_delivery_at"]
    assert _events(api, headers, a["id"])[-1] == ("pre_transit", "rescheduled")
    flights = {f["id"]: f for f in api.client.get("/v1/flights", headers=api.ops).json()["data"]}
    assert flights[scrubbed]["booked_kg"] == 0.0
    assert flights[c["flight"]["id"]]["booked_kg"] == pytest.approx(6_001.0)
    assert all(f["booked_kg"] <= 10_000.0 for f in flights.values())
    again = api.client.post(
        f"/v1/flights/{scrubbed}/events", json={"type": "launched"}, headers=api.ops
    )
    assert again.status_code == 409
    assert again.json()["detail"]["code"] == "invalid_transition"


@pytest.fixture()
def no_window_api(database_url: str) -> Iterator[Api]:
    yield from make_api(database_url, reschedule_window_min=0)


def test_scrub_without_room_downgrades_to_standard(no_window_api: Api) -> None:
    api = no_window_api
    _, headers = api.merchant()
    s = api.book(headers, miami(slot_ready_at())).json()
    result = api.client.post(
        f"/v1/flights/{s['flight']['id']}/events", json={"type": "scrubbed"}, headers=api.ops
    ).json()
    assert result["downgraded"] == [s["id"]]
    now = api.client.get(f"/v1/shipments/{s['id']}", headers=headers).json()
    assert (now["service"], now["flight"], now["downgrade_reason"]) == (
        "standard",
        None,
        "scrubbed",
    )
    assert _events(api, headers, s["id"])[-1] == ("pre_transit", "downgraded_to_standard")


def test_launch_land_manifest_and_no_cancel_after_launch(api: Api) -> None:
    _, headers = api.merchant()
    s = api.book(headers, miami(slot_ready_at(), mass_kg=3.0)).json()
    flight_id = s["flight"]["id"]
    manifest = api.client.get(f"/v1/flights/{flight_id}/manifest", headers=api.ops).json()
    assert [m["id"] for m in manifest["shipments"]] == [s["id"]]
    assert manifest["total_kg"] == pytest.approx(3.0)
    landed_early = api.client.post(
        f"/v1/flights/{flight_id}/events", json={"type": "landed"}, headers=api.ops
    )
    assert landed_early.status_code == 409
    launched = api.client.post(
        f"/v1/flights/{flight_id}/events", json={"type": "launched"}, headers=api.ops
    )
    assert launched.status_code == 200
    assert launched.json()["flight"]["status"] == "launched"
    cancel = api.client.post(f"/v1/shipments/{s['id']}/cancel", headers=headers)
    assert cancel.status_code == 409
    assert cancel.json()["detail"]["code"] == "not_cancellable"
    landed = api.client.post(
        f"/v1/flights/{flight_id}/events", json={"type": "landed"}, headers=api.ops
    )
    assert landed.status_code == 200
    assert _events(api, headers, s["id"]) == [
        ("pre_transit", "booked"),
        ("in_transit", "launched"),
        ("in_transit", "landed"),
    ]


def test_a_parcel_seized_in_flight_stays_seized_when_it_lands(api: Api) -> None:
    # Landing moves in_transit/launched shipments only (transitions.Move.LAND): a parcel
    # customs seized after launch keeps failure/seized, and the flight's load stays as flown.
    _, headers = api.merchant()
    s = api.book(headers, busan(slot_ready_at(), mass_kg=2.0)).json()
    flight_id = s["flight"]["id"]
    events = f"/v1/flights/{flight_id}/events"
    assert api.client.post(events, json={"type": "launched"}, headers=api.ops).status_code == 200
    seized = api.client.post(
        f"/v1/shipments/{s['id']}/customs-outcome", json={"seized": True}, headers=api.ops
    )
    assert seized.status_code == 200, seized.text
    assert (seized.json()["status"], seized.json()["sub_status"]) == ("failure", "seized")
    landed = api.client.post(events, json={"type": "landed"}, headers=api.ops)
    assert landed.status_code == 200
    assert landed.json()["shipments_affected"] == 0
    after = api.client.get(f"/v1/shipments/{s['id']}", headers=headers).json()
    assert (after["status"], after["sub_status"]) == ("failure", "seized")
    manifest = api.client.get(f"/v1/flights/{flight_id}/manifest", headers=api.ops).json()
    assert manifest["flight"]["booked_kg"] == pytest.approx(manifest["total_kg"])


def test_flights_need_the_ops_key(api: Api) -> None:
    _, headers = api.merchant()
    assert api.client.get("/v1/flights", headers=headers).status_code == 403
    assert api.client.get("/v1/flights").status_code == 401
    missing = api.client.get("/v1/flights/flt_NOPE_NOPE_20260101T0000Z", headers=api.ops)
    assert missing.status_code == 404
    assert missing.json()["detail"]["code"] == "not_found"
