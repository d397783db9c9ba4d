"""A recipient's imports at booking: Korea's same-day sum across bookings, China's annual limit.

Worked case (Korea, goods from China, threshold 150 USD, parcels summed per recipient per day):
a 90 USD parcel alone is relieved; a second 90 USD parcel to the same person on the same day
makes 180 USD > 150 USD, so the second pays duty *and* the first loses its relief (re-assessed,
with a ``customs_reassessed`` event); cancelling the second gives the first its relief back.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from .conftest import T_SHIRT, Api, busan, slot_ready_at


def _recipient() -> str:
    return f"R-{uuid.uuid4().hex[:10]}"


def _to(recipient: str, body: dict[str, Any]) -> dict[str, Any]:
    body["customs"]["recipient_id"] = recipient
    return body


def _booked(api: Api, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = api.book(headers, {**body, "fallback_to_standard": True})
    assert response.status_code == 201, response.text
    return response.json()


def _get(api: Api, headers: dict[str, str], shipment_id: str) -> dict[str, Any]:
    response = api.client.get(f"/v1/shipments/{shipment_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _due(shipment: dict[str, Any]) -> Decimal:
    return Decimal(shipment["customs"]["duties"]["due_at_import"])


def test_korean_same_day_parcels_are_summed_across_bookings_and_merchants(api: Api) -> None:
    _, alice = api.merchant()
    _, bob = api.merchant()
    who, ready = _recipient(), slot_ready_at()
    first = _booked(api, alice, _to(who, busan(ready)))  # 2 x 45 USD
    assert _due(first) == 0
    assert first["customs"]["duties"]["de_minimis"]["relieved"] is True
    second = _booked(api, bob, _to(who, busan(ready)))
    dm = second["customs"]["duties"]["de_minimis"]
    assert (dm["aggregated_value"], dm["aggregated_with"], dm["relieved"]) == (
        "180.00",
        [first["id"]],
        False,
    )
    assert _due(second) > 0
    # The first parcel lost its relief too, and its merchant is told.
    again = _get(api, alice, first["id"])
    assert _due(again) == _due(second)  # identical parcels, identical duties
    assert again["customs"]["duties"]["de_minimis"]["aggregated_with"] == [second["id"]]
    events = api.client.get(f"/v1/shipments/{first['id']}/events", headers=alice).json()["data"]
    assert events[-1]["sub_status"] == "customs_reassessed"
    assert "0 → " in events[-1]["message"]
    # Cancelling the second parcel gives the first its relief back.
    assert api.client.post(f"/v1/shipments/{second['id']}/cancel", headers=bob).status_code == 200
    restored = _get(api, alice, first["id"])
    assert _due(restored) == 0 and restored["customs"]["duties"]["de_minimis"]["relieved"]
    events = api.client.get(f"/v1/shipments/{first['id']}/events", headers=alice).json()["data"]
    assert [e["sub_status"] for e in events[-2:]] == ["customs_reassessed", "customs_reassessed"]


def test_other_days_and_other_recipients_are_not_summed(api: Api) -> None:
    _, headers = api.merchant()
    who, ready = _recipient(), slot_ready_at()
    assert _due(_booked(api, headers, _to(who, busan(ready)))) == 0
    next_day = _booked(api, headers, _to(who, busan(ready + timedelta(days=1))))
    assert _due(next_day) == 0
    assert next_day["customs"]["duties"]["de_minimis"]["aggregated_with"] == []
    someone_else = _booked(api, headers, _to(_recipient(), busan(ready)))
    assert _due(someone_else) == 0


def _shanghai(ready: Any, recipient: str, unit_value_usd: str) -> dict[str, Any]:
    vase = dict(
        T_SHIRT,
        sku="TEASET",
        description="ceramic tea set",
        hs_code="691200",
        quantity=1,
        unit_value=unit_value_usd,
        unit_mass_kg=1.5,
        unit_volume_m3=0.004,
    )
    return {
        "destination": {"place": "Shanghai, CN"},
        "parcels": [{"mass_kg": 1.6, "volume_m3": 0.005}],
        "origin_hub": "PUS",
        "ready_at": ready.isoformat(),
        "customs": {"recipient_id": recipient, "items": [vase]},
    }


def test_chinese_annual_limit_counts_the_recipients_earlier_bookings(api: Api) -> None:
    # 650 USD is about 4,700 CNY: within the 5,000 CNY per-transaction limit. Five such parcels
    # (on different days) stay within 26,000 CNY a year; the sixth goes over and is taxed as
    # general trade. Earlier parcels keep their regime (first come, first served).
    _, headers = api.merchant()
    who, ready = _recipient(), slot_ready_at()
    regimes = [
        _booked(api, headers, _shanghai(ready + timedelta(days=day), who, "650.00"))["customs"][
            "duties"
        ]["regime"]
        for day in range(6)
    ]
    assert regimes == ["cbec"] * 5 + ["general_trade"]
