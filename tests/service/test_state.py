"""The service's network: the shipped default (the designed ``rocket-hour`` network) unless a
preset is named (``Settings.preset`` / ``ROCKETPOST_PRESET``), over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from .conftest import Api, make_api, miami, slot_ready_at


@pytest.fixture(scope="module")
def default_api(database_url: str) -> Iterator[Api]:
    """The service as ``rocketpost serve`` runs it with no preset named."""
    yield from make_api(database_url, preset=None, promise_onsets=True)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_the_service_books_rockets_on_the_default_network(default_api: Api) -> None:
    api = default_api
    sites = api.client.get("/v1/ops/sites", headers=api.ops).json()
    assert sites["preset"] == "rocket-hour"
    _, headers = api.merchant()
    ready = slot_ready_at()
    booked = api.book(headers, miami(ready))
    assert booked.status_code == 201, booked.text
    shipment = booked.json()
    assert (shipment["service"], shipment["mode"]) == ("one_hour", "rocket")
    legs = {leg["leg"]: leg["duration_s"] for leg in shipment["legs"]}
    # Launch on demand from a pre-staged pod (3 min), a parcel handed to the vessel's drone.
    assert legs["origin_handling"] == 180.0 and legs["vessel_transfer"] > 0.0
    assert _at(shipment["flight"]["launch_at"]) - ready < timedelta(minutes=15)
    assert shipment["eta_s"] < 3600.0
    same_day = api.book(
        headers, {**miami(ready, mass_kg=500.0, volume_m3=1.0), "service": "same_day"}
    )
    assert same_day.status_code == 201, same_day.text
    assert same_day.json()["flight"]["id"] == shipment["flight"]["id"]


def test_a_booking_to_an_extra_landing_site_is_stored_on_both_backends(default_api: Api) -> None:
    """The designed network's sites have 9-character ids (``US-BDV78F``): the flight and the
    shipment keep them whole (PostgreSQL refused them in an 8-character column)."""
    api = default_api
    _, headers = api.merchant()
    body = {**miami(slot_ready_at()), "destination": {"place": "Anchorage, US"}}
    booked = api.book(headers, body)
    assert booked.status_code == 201, booked.text
    shipment = booked.json()
    site = shipment["destination_hub"]
    assert "-" in site and len(site) > 8 and site in shipment["flight"]["id"], shipment
    stored = api.client.get(f"/v1/shipments/{shipment['id']}", headers=headers).json()
    assert stored["destination_hub"] == site
    flight = api.client.get(f"/v1/flights/{shipment['flight']['id']}", headers=api.ops).json()
    assert flight["destination_hub"] == site, flight
