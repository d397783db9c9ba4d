"""Induction: the scale reading re-screens the stored declaration; an empty box never flies."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api, busan, miami, slot_ready_at


def _induct(api: Api, shipment_id: str, mass_kg: Any, headers: dict[str, str] | None = None) -> Any:
    return api.client.post(
        f"/v1/shipments/{shipment_id}/induction",
        json={"scanned_gross_mass_kg": mass_kg},
        headers=headers or api.ops,
    )


def _events(api: Api, shipment_id: str) -> list[dict[str, Any]]:
    response = api.client.get(f"/v1/shipments/{shipment_id}/events", headers=api.ops)
    return list(response.json()["data"])


def _booked_kg(api: Api, flight_id: str) -> float:
    return float(api.client.get(f"/v1/flights/{flight_id}", headers=api.ops).json()["booked_kg"])


def test_a_parcel_that_weighs_what_it_declares_keeps_its_flight(api: Api) -> None:
    _, headers = api.merchant()
    s = api.book(headers, busan(slot_ready_at())).json()  # 2 T-shirts, 0.5 kg declared
    inducted = _induct(api, s["id"], 0.62)
    assert inducted.status_code == 200, inducted.text
    after = inducted.json()
    assert (after["sub_status"], after["flight"], after["customs"]["decision"]) == (
        s["sub_status"],
        s["flight"],
        "release",
    )
    assert _events(api, s["id"])[-1]["sub_status"] == "inducted"


def test_an_empty_box_is_held_at_induction_and_its_seat_released(api: Api) -> None:
    _, headers = api.merchant()
    s = api.book(headers, busan(slot_ready_at(), mass_kg=1.2)).json()
    flight_id = s["flight"]["id"]
    before = _booked_kg(api, flight_id)
    held = _induct(api, s["id"], 0.06)  # 0.5 kg of shirts declared, 60 g on the scale
    assert held.status_code == 200, held.text
    h = held.json()
    assert (h["status"], h["sub_status"], h["flight"]) == ("pre_transit", "customs_hold", None)
    assert h["customs"]["decision"] == "hold" and not h["customs"]["may_fly"]
    assert h["customs"]["reasons"][0]["signal"] == "weight"
    assert _booked_kg(api, flight_id) == pytest.approx(before - 1.2)
    assert [e["sub_status"] for e in _events(api, s["id"])[-2:]] == ["inducted", "customs_hold"]
    manifest = api.client.get(f"/v1/flights/{flight_id}/manifest", headers=api.ops).json()
    assert s["id"] not in {m["id"] for m in manifest["shipments"]}


def test_a_domestic_parcel_is_just_recorded(api: Api) -> None:
    _, headers = api.merchant()
    s = api.book(headers, miami(slot_ready_at())).json()
    inducted = _induct(api, s["id"], 1.05).json()
    assert inducted["customs"] is None and inducted["flight"] == s["flight"]
    assert "scale 1.05 kg" in _events(api, s["id"])[-1]["message"]


def test_induction_needs_the_ops_key_a_real_reading_and_a_parcel_still_at_the_hub(
    api: Api,
) -> None:
    _, headers = api.merchant()
    s = api.book(headers, miami(slot_ready_at())).json()
    assert _induct(api, s["id"], 1.0, headers).status_code == 403
    for bad in (0, -1, "heavy", None):
        response = _induct(api, s["id"], bad)
        assert response.status_code == 422, bad
        assert response.json()["detail"][0]["loc"] == ["body", "scanned_gross_mass_kg"]
    assert _induct(api, "shp_nosuchparcel", 1.0).status_code == 404
    assert api.client.post(f"/v1/shipments/{s['id']}/cancel", headers=headers).status_code == 200
    gone = _induct(api, s["id"], 1.0)
    assert gone.status_code == 409 and gone.json()["detail"]["code"] == "not_inducible"
