"""Last-mile events over real HTTP (SQLite, PostgreSQL): out for delivery and delivered, with the
vehicle, through the one state machine — into tracking and the webhook outbox; a repeat records
nothing; a move from the wrong state is a 409. Concurrent events on one shipment and on one
flight: the locked transitions let exactly one of them act."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import create_engine, func, select

from rocketpost.service.db import normalise_database_url
from rocketpost.service.merchants import add_webhook
from rocketpost.service.models import TrackingEvent, WebhookDelivery

from .conftest import Api, miami, slot_ready_at


def _events(api: Api, headers: dict[str, str], shipment_id: str) -> list[tuple[str, str]]:
    data = api.client.get(f"/v1/shipments/{shipment_id}/events", headers=headers).json()["data"]
    return [(e["status"], e["sub_status"]) for e in data]


def flight_event(api: Api, flight_id: str, kind: str) -> Any:
    return api.client.post(f"/v1/flights/{flight_id}/events", json={"type": kind}, headers=api.ops)


def last_mile(api: Api, shipment_id: str, kind: str, **body: Any) -> Any:
    return api.client.post(
        f"/v1/shipments/{shipment_id}/last-mile-events",
        json={"type": kind, **body},
        headers=api.ops,
    )


def landed_shipment(api: Api, count: int = 1) -> tuple[dict[str, str], list[dict[str, Any]]]:
    merchant_id, headers = api.merchant()
    add_webhook(api.database_url, merchant_id, "https://hooks.example.com/rp")
    ready = slot_ready_at()
    shipments = [api.book(headers, miami(ready)).json() for _ in range(count)]
    flight = shipments[0]["flight"]["id"]
    assert flight_event(api, flight, "launched").status_code == 200
    assert flight_event(api, flight, "landed").status_code == 200
    return headers, shipments


def test_out_for_delivery_then_delivered_flow_into_tracking_and_webhooks(api: Api) -> None:
    headers, (s,) = landed_shipment(api)
    out = last_mile(api, s["id"], "out_for_delivery", vehicle="MIA/van-03")
    assert out.status_code == 200, out.text
    assert out.json()["changed"] is True
    assert out.json()["last_mile"]["vehicle"] == "MIA/van-03"
    done = last_mile(api, s["id"], "delivered")
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["sub_status"]) == ("delivered", "delivered")
    assert body["last_mile"]["delivered_at"]
    assert _events(api, headers, s["id"])[-2:] == [
        ("out_for_delivery", "out_for_delivery"),
        ("delivered", "delivered"),
    ]
    messages = api.client.get(f"/v1/shipments/{s['id']}/events", headers=headers).json()["data"]
    assert "MIA/van-03" in messages[-1]["message"]
    shipment = api.client.get(f"/v1/shipments/{s['id']}", headers=headers).json()
    assert shipment["status"] == "delivered"
    engine = create_engine(normalise_database_url(api.database_url))
    try:
        with engine.connect() as connection:
            queued = connection.scalar(
                select(func.count()).where(
                    WebhookDelivery.event_public_id.in_([m["id"] for m in messages[-2:]])
                )
            )
    finally:
        engine.dispose()
    assert queued == 2  # one outbox row per event for the merchant's one endpoint


def test_a_repeat_records_nothing_and_a_wrong_state_is_409(api: Api) -> None:
    headers, (a, b) = landed_shipment(api, 2)
    assert last_mile(api, a["id"], "out_for_delivery").status_code == 200
    again = last_mile(api, a["id"], "out_for_delivery")
    assert again.status_code == 200 and again.json()["changed"] is False
    assert last_mile(api, a["id"], "delivered").json()["changed"] is True
    assert last_mile(api, a["id"], "delivered").json()["changed"] is False
    assert _events(api, headers, a["id"]).count(("delivered", "delivered")) == 1
    skipped = last_mile(api, b["id"], "delivered")
    assert skipped.status_code == 409
    assert skipped.json()["detail"]["code"] == "invalid_transition"
    assert skipped.json()["detail"]["state"] == "in_transit/landed"
    backwards = last_mile(api, a["id"], "out_for_delivery")
    assert backwards.status_code == 409
    # Not landed yet: no last mile.
    _, merchant = api.merchant()
    waiting = api.book(merchant, miami(slot_ready_at())).json()
    assert last_mile(api, waiting["id"], "out_for_delivery").status_code == 409


def test_last_mile_needs_the_ops_key_and_a_known_shipment(api: Api) -> None:
    headers, (s,) = landed_shipment(api)
    refused = api.client.post(
        f"/v1/shipments/{s['id']}/last-mile-events",
        json={"type": "out_for_delivery"},
        headers=headers,
    )
    assert refused.status_code == 403
    assert last_mile(api, "shp_doesnotexist", "delivered").status_code == 404
    assert last_mile(api, "nope", "delivered").status_code == 404
    bad = last_mile(api, s["id"], "teleported")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "type"]
    bad = last_mile(api, s["id"], "delivered", vehicle="van 1; drop")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "vehicle"]


def _count_events(api: Api, shipment_pk_of: str, sub_status: str) -> int:
    engine = create_engine(normalise_database_url(api.database_url))
    try:
        with engine.connect() as connection:
            from rocketpost.service.models import Shipment

            pk = connection.scalar(select(Shipment.id).where(Shipment.public_id == shipment_pk_of))
            return int(
                connection.scalar(
                    select(func.count()).where(
                        TrackingEvent.shipment_id == pk, TrackingEvent.sub_status == sub_status
                    )
                )
                or 0
            )
    finally:
        engine.dispose()


def test_concurrent_deliveries_of_one_shipment_record_one_event(api: Api) -> None:
    """Eight scanners report one delivery at once: one changes the state, seven are repeats.

    Without the row lock (``lock_shipments``' ``FOR UPDATE``) on PostgreSQL, several
    transactions read ``out_for_delivery`` before any commits and each records a delivery.
    """
    _, (s,) = landed_shipment(api)
    assert last_mile(api, s["id"], "out_for_delivery").status_code == 200
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: last_mile(api, s["id"], "delivered"), range(8)))
    assert [a.status_code for a in answers] == [200] * 8
    assert sum(a.json()["changed"] for a in answers) == 1
    assert _count_events(api, s["id"], "delivered") == 1


def test_concurrent_launches_of_one_flight_launch_it_once(api: Api) -> None:
    """Eight launch reports for one flight at once: one 200, seven 409, one event per shipment."""
    _, headers = api.merchant()
    ready = slot_ready_at()
    shipments = [api.book(headers, miami(ready)).json() for _ in range(3)]
    flight = shipments[0]["flight"]["id"]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: flight_event(api, flight, "launched"), range(8)))
    assert sorted(a.status_code for a in answers) == [200] + [409] * 7
    for s in shipments:
        assert _count_events(api, s["id"], "launched") == 1
