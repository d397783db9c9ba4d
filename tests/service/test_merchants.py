"""Inspection outcomes count on the merchant, and its later parcels are screened with them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .conftest import T_SHIRT, Api, busan, miami, slot_ready_at

SEIZURES = 8  # 8 of 8 opened parcels seized: posterior seizure rate 9/28 = 32 % > 30 % (signal 1)


def _handbag(ready: Any) -> dict[str, Any]:
    bag = dict(
        T_SHIRT,
        sku="BAG",
        description="leather handbag",
        hs_code="420221",
        quantity=1,
        unit_value="120.00",
        unit_mass_kg=0.8,
        unit_volume_m3=0.004,
    )
    # A recipient of its own each time: the merchant's record must matter, not the recipient's
    # day (which also makes booking clear again).
    recipient = f"R-{uuid.uuid4().hex[:10]}"
    return busan(ready, mass_kg=1.0) | {"customs": {"recipient_id": recipient, "items": [bag]}}


def _report(api: Api, shipment_id: str, seized: bool, headers: dict[str, str] | None = None) -> Any:
    return api.client.post(
        f"/v1/shipments/{shipment_id}/customs-outcome",
        json={"seized": seized, "note": "counterfeit trademark" if seized else None},
        headers=headers or api.ops,
    )


def test_a_seller_with_seizures_gets_its_next_parcels_inspected(api: Api) -> None:
    _, repeat_offender = api.merchant()
    _, honest = api.merchant()
    ready = slot_ready_at()
    booked = [api.book(repeat_offender, _handbag(ready)).json() for _ in range(SEIZURES)]
    assert {b["customs"]["decision"] for b in booked} == {"release"}
    for b in booked:
        assert _report(api, b["id"], seized=True).status_code == 200
    refused = api.book(repeat_offender, _handbag(ready))
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"]["reason"] == "customs_inspection"
    fallback = api.book(repeat_offender, {**_handbag(ready), "fallback_to_standard": True}).json()
    assert fallback["customs"]["decision"] == "inspect"
    assert fallback["customs"]["reasons"][0]["signal"] == "seller"
    # The same handbag from a merchant with a clean record is released.
    assert api.book(honest, _handbag(ready)).json()["customs"]["decision"] == "release"


def test_a_seized_parcel_fails_and_frees_its_seat(api: Api) -> None:
    _, headers = api.merchant()
    s = api.book(headers, _handbag(slot_ready_at())).json()
    flight = s["flight"]["id"]
    before = api.client.get(f"/v1/flights/{flight}", headers=api.ops).json()["booked_kg"]
    seized = _report(api, s["id"], seized=True).json()
    assert (seized["status"], seized["sub_status"], seized["flight"]) == ("failure", "seized", None)
    after = api.client.get(f"/v1/flights/{flight}", headers=api.ops).json()["booked_kg"]
    assert after == pytest.approx(before - 1.0)
    events = api.client.get(f"/v1/shipments/{s['id']}/events", headers=headers).json()["data"]
    assert events[-1]["message"].startswith("seized by customs: counterfeit trademark")


def test_cleared_outcome_is_recorded_once_and_only_for_cross_border_parcels(api: Api) -> None:
    _, headers = api.merchant()
    s = api.book(headers, _handbag(slot_ready_at())).json()
    assert _report(api, s["id"], seized=False, headers=headers).status_code == 403
    cleared = _report(api, s["id"], seized=False)
    assert cleared.status_code == 200 and cleared.json()["flight"] == s["flight"]
    again = _report(api, s["id"], seized=True)
    assert again.status_code == 409 and again.json()["detail"]["code"] == "outcome_recorded"
    domestic = api.book(headers, miami(slot_ready_at())).json()
    refused = _report(api, domestic["id"], seized=False)
    assert refused.status_code == 409 and refused.json()["detail"]["code"] == "not_cross_border"
    bad = api.client.post(
        f"/v1/shipments/{s['id']}/customs-outcome", json={"seized": "maybe"}, headers=api.ops
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "seized"]
