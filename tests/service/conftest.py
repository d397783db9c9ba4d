"""Fixtures for the booking service, parametrised over SQLite and a real PostgreSQL.

The PostgreSQL run uses the session-scoped ``postgres_instance`` fixture of ``tests/conftest.py``
(a throwaway server on loopback that ``make test`` starts itself) and creates one database per
test module. It is requested lazily, so SQLite-only runs never start a server; it never skips:
if PostgreSQL cannot start, the PostgreSQL variants fail with its message.
"""

from __future__ import annotations

import itertools
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from rocketpost.service import Settings, create_app
from rocketpost.service.consignment import READY_AT_MAX_AHEAD
from rocketpost.service.db import upgrade
from rocketpost.service.merchants import create_merchant
from tests.support.conditions import declare_clear_skies
from tests.support.fleet import roomy_fleet_network
from tests.support.server import serving

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

_slots = itertools.count(1)
# The slots cycle: a worker process runs many modules, and an ever-growing offset would leave
# the service's 30-day booking window (``READY_AT_MAX_AHEAD``) once a worker had made ~130 calls.
# 64 slots of 3 h (8 days) keep a call 300 h ahead plus a week of test days inside the window;
# a module makes far fewer than 64 calls, so its flights still never meet.
_SLOT_CYCLE = 64


def fresh_database(request: pytest.FixtureRequest, backend: str, tmp_dir: Any) -> str:
    """An empty, migrated database of ``backend``."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_dir / f'rp-{uuid.uuid4().hex[:8]}.db'}"
    else:
        instance = request.getfixturevalue("postgres_instance")
        module = re.sub(r"\W", "_", request.module.__name__.rsplit(".", 1)[-1])[:30]
        url = instance.create_database(f"svc_{module}_{uuid.uuid4().hex[:8]}")
    upgrade(url)
    declare_clear_skies(url)
    return url


@pytest.fixture(scope="module", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database for this module, once per backend."""
    return fresh_database(request, request.param, tmp_path_factory.mktemp("service"))


def slot_ready_at(hours_ahead: int = 0) -> datetime:
    """A ``ready_at`` on a 10-minute boundary a day or more ahead, unique per call.

    Tests that share a module database pin different waves so that their flights never meet.
    """
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    latest = base + timedelta(hours=hours_ahead + 3 * _SLOT_CYCLE, days=7)
    assert latest < datetime.now(UTC) + READY_AT_MAX_AHEAD, "a test slot past the booking window"
    return base + timedelta(hours=hours_ahead + 3 * (next(_slots) % _SLOT_CYCLE))


@dataclass
class Api:
    """An HTTP client of the running service, with helpers for keys and bookings."""

    client: httpx.Client
    database_url: str
    ops_key: str
    app: FastAPI  # served in this process: tests may set its dependency overrides
    keys: dict[str, str] = field(default_factory=dict)

    def merchant(self, name: str | None = None) -> tuple[str, dict[str, str]]:
        """A new merchant: ``(merchant_id, auth headers)``."""
        merchant_id, key = create_merchant(self.database_url, name or f"m-{uuid.uuid4().hex[:6]}")
        return merchant_id, {"Authorization": f"Bearer {key}"}

    @property
    def ops(self) -> dict[str, str]:
        """Ops auth headers."""
        return {"Authorization": f"Bearer {self.ops_key}"}

    def book(self, headers: dict[str, str], body: dict[str, Any], key: str | None = None) -> Any:
        """POST /v1/shipments with a fresh (or given) idempotency key."""
        return self.client.post(
            "/v1/shipments",
            json=body,
            headers={**headers, "Idempotency-Key": key or uuid.uuid4().hex},
        )

    def shipment(self, headers: dict[str, str], shipment_id: str) -> dict[str, Any]:
        """GET /v1/shipments/{id} (200 checked)."""
        response = self.client.get(f"/v1/shipments/{shipment_id}", headers=headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def scrub(self, flight_id: str, reason: str = "upper-level winds") -> dict[str, Any]:
        """Ops scrub a flight (POST /v1/flights/{id}/events, 200 checked): the answer."""
        response = self.client.post(
            f"/v1/flights/{flight_id}/events",
            json={"type": "scrubbed", "reason": reason},
            headers=self.ops,
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def declare_front(self, hub_id: str, hours: float) -> None:
        """Ops declare a front over ``hub_id`` lasting ``hours`` more (200 checked)."""
        response = self.client.put(
            f"/v1/conditions/hubs/{hub_id}",
            json={"weather": "front", "front_remaining_h": hours},
            headers=self.ops,
        )
        assert response.status_code == 200, response.text


def make_api(database_url: str, **overrides: Any) -> Iterator[Api]:
    """An app on ``database_url``, served over loopback HTTP in a uvicorn thread.

    A real server rather than Starlette's in-process ``TestClient``: the service is tested
    through the HTTP stack it runs on, by the one harness the subprocess tests use
    (``tests.support.server``), and the tests need no second HTTP client library.
    """
    _, ops_key = create_merchant(database_url, "ops", ops=True)
    settings = Settings.from_env(
        environ={},
        database_url=database_url,
        # The helpers below (miami, busan) are worked by hand on the `today` preset's waves,
        # promised as if the declared clear sky lasted: NYC → Miami keeps 6.5 min of slack, too
        # little for the fronts that may start after the order (the default counts them:
        # tests/service/test_state.py serves the default settings). The shipped network but for
        # the fleet (tests/support/fleet.py): the tests of a module database share its days.
        **{
            "webhooks": False,
            "rate_limit_per_min": 0,
            "network": str(roomy_fleet_network()),
            "preset": "today",
            "promise_onsets": False,
            **overrides,
        },
    )
    app = create_app(settings)
    with serving(app) as base_url, httpx.Client(base_url=base_url, timeout=60.0) as client:
        yield Api(client=client, database_url=database_url, ops_key=ops_key, app=app)


def plan(api: Api, day: str, **body: Any) -> dict[str, Any]:
    """POST /v1/ops/plan-runs for ``day`` (last mile routed 0.2 s a landing); the run's answer."""
    response = api.client.post(
        "/v1/ops/plan-runs", json={"date": day, "last_mile_seconds": 0.2, **body}, headers=api.ops
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture(scope="module")
def api(database_url: str) -> Iterator[Api]:
    """The service on this module's database (no webhook sender, no rate limit)."""
    yield from make_api(database_url)


def miami(ready_at: datetime, mass_kg: float = 1.0, volume_m3: float = 0.005) -> dict[str, Any]:
    """Domestic NYC → Miami (rocket, 53.5 min from a 10-minute boundary: one wave only)."""
    return {
        "destination": {"place": "Miami, US"},
        "parcels": [{"mass_kg": mass_kg, "volume_m3": volume_m3}],
        "origin_hub": "NYC",
        "ready_at": ready_at.isoformat(),
    }


T_SHIRT = {
    "sku": "TS-1",
    "description": "cotton T-shirt",
    "hs_code": "610910",
    "quantity": 2,
    "unit_value": "45.00",
    "currency": "USD",
    "unit_mass_kg": 0.25,
    "unit_volume_m3": 0.001,
}


def busan(ready_at: datetime, mass_kg: float = 1.2, **customs: Any) -> dict[str, Any]:
    """Cross-border HZB → Busan (rocket, ~46 min: two waves keep the promise), with customs."""
    return {
        "destination": {"place": "Busan, KR"},
        "parcels": [{"mass_kg": mass_kg, "volume_m3": 0.006}],
        "origin_hub": "HZB",
        "ready_at": ready_at.isoformat(),
        "customs": {"recipient_id": "R-77", "items": [dict(T_SHIRT, **customs)]},
    }


def no_capacity(response: httpx.Response) -> bool:
    return response.status_code == 409 and response.json()["detail"]["code"] == "no_capacity"


def race_bookings(api: Api, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    """Book every body at once, each from a client of its own (4 merchants' keys), after each
    has opened its connection; every booking's answer, each a 201 or a 409 ``no_capacity``."""
    keys = [api.merchant()[1] for _ in range(4)]
    base = str(api.client.base_url)
    barrier = threading.Barrier(len(bodies))
    results: list[httpx.Response | None] = [None] * len(bodies)

    def book(i: int) -> None:
        headers = {**keys[i % len(keys)], "Idempotency-Key": uuid.uuid4().hex}
        with httpx.Client(base_url=base, timeout=60) as client:
            client.get("/health")  # open the connection before the race
            barrier.wait()
            results[i] = client.post("/v1/shipments", json=bodies[i], headers=headers)

    threads = [threading.Thread(target=book, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    answers = [r for r in results if r is not None]
    assert len(answers) == len(bodies)
    assert all(r.status_code == 201 or no_capacity(r) for r in answers), [
        r.text for r in answers if r.status_code != 201 and not no_capacity(r)
    ]
    return answers
