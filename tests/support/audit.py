"""An independent capacity audit: every flight against the rocket's hold and its own manifest.

The audit reads only what the ops API publishes and compares it with the network's rocket (the
network the server runs on, ``$ROCKETPOST_NETWORK`` or the shipped one), never with the
service's own capacity columns alone: a service that wrote a wrong capacity would pass them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from rocketpost.network import default_network
from tests.support.server import ServerHandle

__all__ = ["FlightAudit", "audit_flights", "list_all", "over_capacity", "rocket_capacity"]

# Float sums of many parcels: a booking exactly filling the hold must not read as overbooked.
_CAPACITY_SLACK = 1e-6


def rocket_capacity() -> tuple[float, float]:
    """The rocket's payload ``(kg, m³)`` on the network the server runs on."""
    rocket = default_network().rocket
    return float(rocket.payload_mass_kg), float(rocket.payload_volume_m3)


def over_capacity(mass_kg: float, volume_m3: float) -> bool:
    """Whether a load exceeds one rocket's hold, by mass or by volume (float sums tolerated)."""
    capacity_kg, capacity_m3 = rocket_capacity()
    return mass_kg > capacity_kg + _CAPACITY_SLACK or volume_m3 > capacity_m3 + _CAPACITY_SLACK


@dataclass(frozen=True)
class FlightAudit:
    """One flight as the ops API reports it, checked against its own manifest."""

    flight_id: str
    status: str
    capacity_kg: float
    capacity_m3: float
    booked_kg: float
    booked_m3: float
    manifest_kg: float
    manifest_m3: float
    shipment_ids: frozenset[str]

    @property
    def overbooked(self) -> bool:
        """More cargo than the rocket carries, by the counter or by the manifest."""
        return over_capacity(
            max(self.booked_kg, self.manifest_kg), max(self.booked_m3, self.manifest_m3)
        )

    @property
    def consistent(self) -> bool:
        """The booked counter equals the sum of the manifest (no lost capacity update)."""
        return (
            abs(self.booked_kg - self.manifest_kg) <= 1e-3
            and abs(self.booked_m3 - self.manifest_m3) <= 1e-6 + 1e-9 * self.manifest_m3
        )


def list_all(client: httpx.Client, path: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """Every item of a cursor-paginated list endpoint (``data``/``has_more``/``next_cursor``)."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit}
    while True:
        response = client.get(path, params=params)
        response.raise_for_status()
        page = response.json()
        items.extend(page["data"])
        if not page.get("has_more"):
            return items
        params = {"limit": limit, "cursor": page["next_cursor"]}


def audit_flights(
    handle: ServerHandle, flight_ids: Sequence[str] | None = None
) -> list[FlightAudit]:
    """Read flights (all, or ``flight_ids``) and their manifests through the ops API."""
    audits = []
    with handle.client(handle.ops_key) as ops:
        ids = (
            list(flight_ids)
            if flight_ids is not None
            else [f["id"] for f in list_all(ops, "/v1/flights")]
        )
        for flight_id in ids:
            response = ops.get(f"/v1/flights/{flight_id}/manifest")
            response.raise_for_status()
            manifest = response.json()
            flight = manifest["flight"]
            shipments = manifest["shipments"]
            audits.append(
                FlightAudit(
                    flight_id=flight_id,
                    status=str(flight["status"]),
                    capacity_kg=float(flight["capacity_kg"]),
                    capacity_m3=float(flight["capacity_m3"]),
                    booked_kg=float(flight["booked_kg"]),
                    booked_m3=float(flight["booked_m3"]),
                    manifest_kg=math.fsum(float(s["mass_kg"]) for s in shipments),
                    manifest_m3=math.fsum(float(s["volume_m3"]) for s in shipments),
                    shipment_ids=frozenset(str(s["id"]) for s in shipments),
                )
            )
    return audits
