"""Same-day by rocket at the API, over real HTTP on SQLite and PostgreSQL.

The quote offers it between one hour and standard; a booking takes a seat on a flight of the
lane with room beyond the one-hour share; a one-hour booking is never refused because same-day
loads took the room (also under 48 concurrent clients, each with its own connection).
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from rocketpost.core.eligibility import SAME_DAY_WINDOW_S
from rocketpost.service.sameday import ONE_HOUR_RESERVED_SHARE

from .conftest import Api, miami, slot_ready_at

CAPACITY_KG = 10_000.0  # the XZY-1's payload (network.rocket.payload_mass_kg)
SAME_DAY_ROOM_KG = CAPACITY_KG * (1.0 - ONE_HOUR_RESERVED_SHARE)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _same_day(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "service": "same_day"}


def test_the_quote_offers_same_day_between_one_hour_and_standard(api: Api) -> None:
    _, headers = api.merchant()
    ready = slot_ready_at()
    quote = api.client.post("/v1/quotes", json=miami(ready), headers=headers)
    assert quote.status_code == 200, quote.text
    body = quote.json()
    same_day, one_hour, standard = body["same_day"], body["one_hour"], body["standard"]
    assert same_day["available"] and same_day["reason"] is None
    assert _at(same_day["promised_delivery_at"]) == ready + timedelta(seconds=SAME_DAY_WINDOW_S)
    # Between the two, in price and in promise.
    prices = [Decimal(o["price"]["amount"]) for o in (standard, same_day, one_hour)]
    assert prices[0] < prices[1] < prices[2], prices
    assert (
        _at(one_hour["promised_delivery_at"])
        < _at(same_day["promised_delivery_at"])
        < _at(standard["promised_delivery_at"])
    )


def test_dangerous_goods_never_go_same_day(api: Api) -> None:
    _, headers = api.merchant()
    body = miami(slot_ready_at())
    body["parcels"][0]["dangerous_goods_class"] = "3"
    quote = api.client.post("/v1/quotes", json=body, headers=headers).json()
    assert quote["same_day"]["available"] is False
    assert quote["same_day"]["reason"] == "dangerous_goods"
    assert quote["same_day"]["price"] is None
    booked = api.book(headers, _same_day(body))
    assert booked.status_code == 409, booked.text
    assert booked.json()["detail"]["code"] == "same_day_unavailable"
    fallback = api.book(headers, {**_same_day(body), "fallback_to_standard": True})
    assert fallback.status_code == 201, fallback.text
    assert fallback.json()["service"] == "standard"
    assert fallback.json()["downgrade_reason"] == "dangerous_goods"


def test_a_same_day_booking_flies_within_twelve_hours(api: Api) -> None:
    _, headers = api.merchant()
    ready = slot_ready_at()
    quote = api.client.post("/v1/quotes", json=miami(ready), headers=headers).json()
    booked = api.book(headers, {"quote_id": quote["quote_id"], "service": "same_day"})
    assert booked.status_code == 201, booked.text
    shipment = booked.json()
    assert (shipment["service"], shipment["mode"]) == ("same_day", "rocket")
    assert shipment["flight"] is not None
    assert _at(shipment["promised_delivery_at"]) == ready + timedelta(seconds=SAME_DAY_WINDOW_S)
    assert Decimal(shipment["price"]["amount"]) == Decimal(quote["same_day"]["price"]["amount"])
    # The quoted flight had room: it is the one the one-hour option names.
    assert shipment["flight"]["id"] == quote["one_hour"]["flight_id"]


def test_same_day_leaves_the_one_hour_share_and_waits_for_the_next_wave(api: Api) -> None:
    _, headers = api.merchant()
    ready = slot_ready_at()
    big = api.book(headers, _same_day(miami(ready, mass_kg=SAME_DAY_ROOM_KG - 500.0, volume_m3=5)))
    assert big.status_code == 201, big.text
    first = big.json()["flight"]["id"]
    # 600 kg more would eat into the one-hour share: it takes the next wave instead.
    more = api.book(headers, _same_day(miami(ready, mass_kg=600.0, volume_m3=1.0)))
    assert more.status_code == 201, more.text
    later = more.json()["flight"]
    assert later["id"] != first
    assert _at(later["launch_at"]) > _at(big.json()["flight"]["launch_at"])
    # The one-hour share is still there for a one-hour booking on the first wave.
    share_kg = CAPACITY_KG * ONE_HOUR_RESERVED_SHARE
    one_hour = api.book(headers, miami(ready, mass_kg=share_kg + 400.0, volume_m3=2.0))
    assert one_hour.status_code == 201, one_hour.text
    assert one_hour.json()["flight"]["id"] == first
    flight = api.client.get(f"/v1/flights/{first}", headers=api.ops).json()
    assert flight["booked_kg"] == pytest.approx(SAME_DAY_ROOM_KG - 500.0 + share_kg + 400.0)
    assert flight["booked_kg"] <= CAPACITY_KG


CLIENTS = 48


def test_parallel_same_day_never_refuses_one_hour(api: Api) -> None:
    """24 one-hour bookings of 100 kg (2.4 t, inside the 2.5 t share) race 24 same-day ones of
    500 kg on one wave: every one-hour booking gets that wave, same-day never takes more than
    the rest of the hold there (the others wait for later waves), the flight never overflows."""
    keys = [api.merchant()[1] for _ in range(4)]
    ready = slot_ready_at()
    barrier = threading.Barrier(CLIENTS)
    results: list[tuple[str, int, Any]] = [("", 0, None)] * CLIENTS
    base = str(api.client.base_url)

    def book(i: int) -> None:
        service = "one_hour" if i % 2 else "same_day"
        mass = 100.0 if service == "one_hour" else 500.0
        body = {**miami(ready, mass_kg=mass, volume_m3=0.5), "service": service}
        headers = {**keys[i % len(keys)], "Idempotency-Key": uuid.uuid4().hex}
        with httpx.Client(base_url=base, timeout=120) as client:
            client.get("/health")  # open the connection before the race
            barrier.wait()
            response = client.post("/v1/shipments", json=body, headers=headers)
            results[i] = (service, response.status_code, response.json())

    threads = [threading.Thread(target=book, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)

    assert all(code == 201 for _, code, _ in results), [(s, c, b) for s, c, b in results]
    one_hour_flights = {
        body["flight"]["id"] for service, _, body in results if service == "one_hour"
    }
    assert len(one_hour_flights) == 1  # the one wave that keeps the hour
    (wave,) = one_hour_flights
    flight = api.client.get(f"/v1/flights/{wave}", headers=api.ops).json()
    manifest = api.client.get(f"/v1/flights/{wave}/manifest", headers=api.ops).json()
    service_of = {body["id"]: service for service, _, body in results}
    on_board = [(service_of[line["id"]], line["mass_kg"]) for line in manifest["shipments"]]
    same_day_kg = sum(kg for service, kg in on_board if service == "same_day")
    one_hour_kg = sum(kg for service, kg in on_board if service == "one_hour")
    assert one_hour_kg == pytest.approx(24 * 100.0)
    assert same_day_kg <= SAME_DAY_ROOM_KG + 1e-6
    assert same_day_kg > 0  # same-day did fill the wave's spare room
    assert flight["booked_kg"] == pytest.approx(same_day_kg + one_hour_kg)
    assert flight["booked_kg"] <= CAPACITY_KG
    # Every same-day booking flew: on this wave or a later one, within its promise.
    for service, _, body in results:
        if service == "same_day":
            assert _at(body["flight"]["launch_at"]) < _at(body["promised_delivery_at"])
