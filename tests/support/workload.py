"""A realistic booking workload over the lanes of the shipped network.

Bookings spread over many lanes and launch waves, plus one deliberately hot flight that fills up
under load: what the durability drill, the fuzz-free load tests and the service benchmark send.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import numpy as np

from rocketpost.errors import InputError
from rocketpost.network import default_network
from tests.support.server import ServerError

__all__ = ["Route", "Workload", "candidate_routes", "usable_routes"]

# A low-risk consumer good (printed books, HS 4901.99) so that customs pre-clearance releases
# cross-border parcels in most markets: the workload measures booking, not customs holds.
_BOOKS = {
    "recipient_id": "R-1",
    "items": [
        {
            "sku": "BOOK-1",
            "description": "printed paperback novels",
            "hs_code": "490199",
            "quantity": 2,
            "unit_value": "12.00",
            "currency": "USD",
            "unit_mass_kg": 0.4,
            "unit_volume_m3": 0.001,
        }
    ],
}


@dataclass(frozen=True)
class Route:
    """A lane a merchant books on: origin hub, destination place, customs items if cross-border."""

    origin_hub: str
    place: str
    customs: Mapping[str, Any] | None = None

    def body(
        self,
        *,
        mass_kg: float,
        volume_m3: float,
        ready_at: datetime | None = None,
        recipient_id: str | None = None,
    ) -> dict[str, Any]:
        """A quote or inline-booking request body for one parcel on this lane.

        ``recipient_id`` replaces the lane's recipient: bookings for one person on one day are
        summed by customs (and re-assess each other), which a workload of many consumers is not.
        """
        body: dict[str, Any] = {
            "destination": {"place": self.place},
            "parcels": [{"mass_kg": round(mass_kg, 3), "volume_m3": round(volume_m3, 5)}],
            "origin_hub": self.origin_hub,
        }
        if ready_at is not None:
            body["ready_at"] = ready_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.customs is not None:
            body["customs"] = dict(self.customs)
            if recipient_id is not None:
                body["customs"]["recipient_id"] = recipient_id
        return body


def candidate_routes() -> list[Route]:
    """Every ordered pair of hubs of the shipped network, to the destination hub's port.

    Interleaved by origin (first lane of every hub, then the second, ...) so that taking the
    first few usable ones spreads the load over many hubs. The destination is the port's
    UN/LOCODE: a customer next to the quay, so the lane's feasibility depends on the flight
    rather than on one city's last mile.
    """
    hubs = default_network().hubs
    per_origin = [
        [
            Route(o.hub_id, d.port, None if o.country == d.country else _BOOKS)
            for d in hubs
            if d.hub_id != o.hub_id
        ]
        for o in hubs
    ]
    return [route for group in itertools.zip_longest(*per_origin) for route in group if route]


def usable_routes(
    client: httpx.Client, candidates: Sequence[Route] | None = None, *, limit: int = 24
) -> list[Route]:
    """Up to ``limit`` lanes on which the service promises one hour at *any* launch wave.

    A quote made now includes the wait for the next wave (0 to one interval); a booking ready
    later may wait the full interval. A lane is kept only if its promise would hold even then, so
    that the workload's 409s come from full flights, not from unlucky timing. The hour and the
    wave intervals are the network's (the one the server runs on: ``$ROCKETPOST_NETWORK``).
    """
    network = default_network()
    usable = []
    for route in candidate_routes() if candidates is None else candidates:
        response = client.post("/v1/quotes", json=route.body(mass_kg=1.0, volume_m3=0.005))
        if response.status_code != 200:
            continue
        one_hour = response.json().get("one_hour") or {}
        if not (one_hour.get("available") and one_hour.get("mode") == "rocket"):
            continue
        legs = {leg["leg"]: float(leg["duration_s"]) for leg in one_hour.get("legs", [])}
        wave_interval_s = network.hub(one_hour["origin_hub"]).launch_wave_interval_min * 60.0
        worst_eta_s = float(one_hour["eta_s"]) - legs.get("wave_wait", 0.0) + wave_interval_s
        if worst_eta_s <= network.promise.one_hour_s:
            usable.append(route)
            if len(usable) >= limit:
                break
    if not usable:
        raise ServerError("no candidate route quotes a one-hour rocket flight")
    return usable


@dataclass(frozen=True)
class Workload:
    """Booking requests spread over lanes and launch waves, plus one deliberately hot flight.

    Most bookings are B2C parcels (0.2–25 kg at 80–300 kg/m³) ready at a random minute of the
    next ``horizon_h`` hours, so they land on many flights of many waves. A fraction
    ``hot_share`` are 150 kg / 1.2 m³ B2B cartons all ready at the same instant on one lane:
    they contend for one flight, which fills up after 66 of them (kg bind first) and so proves
    the capacity check under concurrency.
    """

    routes: tuple[Route, ...]
    start: datetime
    horizon_h: float = 6.0
    hot_share: float = 0.1
    hot_mass_kg: float = 150.0
    hot_volume_m3: float = 1.2

    def __post_init__(self) -> None:
        if not self.routes:
            raise InputError("routes", self.routes, "needs at least one route")
        if not 0.0 <= self.hot_share <= 1.0:
            raise InputError("hot_share", self.hot_share, "must be within [0, 1]")
        if self.horizon_h <= 0.0:
            raise InputError("horizon_h", self.horizon_h, "must be positive")

    @property
    def hot_ready_at(self) -> datetime:
        # Far enough ahead that a long run never pushes it into the past (60 s tolerance).
        return self.start + timedelta(minutes=30)

    def booking(self, rng: np.random.Generator) -> dict[str, Any]:
        """One booking request body, for a consumer of its own."""
        recipient_id = f"R-{int(rng.integers(10**12)):012d}"
        if rng.random() < self.hot_share:
            return self.routes[0].body(
                mass_kg=self.hot_mass_kg,
                volume_m3=self.hot_volume_m3,
                ready_at=self.hot_ready_at,
                recipient_id=recipient_id,
            )
        route = self.routes[int(rng.integers(len(self.routes)))]
        mass_kg = float(rng.uniform(0.2, 25.0))
        density_kg_m3 = float(rng.uniform(80.0, 300.0))
        minutes = int(rng.integers(2, int(self.horizon_h * 60) + 2))
        return route.body(
            mass_kg=mass_kg,
            volume_m3=mass_kg / density_kg_m3,
            ready_at=self.start + timedelta(minutes=minutes),
            recipient_id=recipient_id,
        )

    def quote(self, rng: np.random.Generator) -> dict[str, Any]:
        """One quote request body (no ``ready_at``: checkout asks about *now*)."""
        route = self.routes[int(rng.integers(len(self.routes)))]
        mass_kg = float(rng.uniform(0.2, 25.0))
        return route.body(mass_kg=mass_kg, volume_m3=mass_kg / float(rng.uniform(80.0, 300.0)))
