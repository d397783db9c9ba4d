"""Fixtures of the page tests: a real ``rocketpost serve``, a replay day, headless Chromium."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from playwright.sync_api import Browser

from rocketpost.service.merchants import create_merchant
from tests.support.server import ServerHandle, running_server
from tests.web.browser import chromium

REPLAY_ORDERS = 600


@pytest.fixture(scope="module")
def replay_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small day planned and written as ``rocketpost plan run`` does (stock in China).

    On the suite's network (``ROCKETPOST_NETWORK``), which the server reads the plan with too.
    """
    from rocketpost.network import default_network
    from rocketpost.orders.generator import generate_orders
    from rocketpost.planning import ConsolidationPolicy, plan_day, write_plan
    from rocketpost.planning.params import PlanParams

    net = default_network()
    orders, items = generate_orders(
        REPLAY_ORDERS, day=date(2026, 11, 25), rng=np.random.default_rng(4)
    )
    china = np.flatnonzero([h.country == "CN" for h in net.hubs])
    allowed = np.zeros((len(orders), len(net.hubs)), dtype=bool)
    allowed[:, china] = True
    plan = plan_day(
        net,
        orders,
        items,
        PlanParams(consolidation=ConsolidationPolicy(max_cost_per_kg_usd=math.inf)),
        allowed_origins=allowed,
    )
    directory = tmp_path_factory.mktemp("replay-plan")
    write_plan(plan, directory)
    return directory


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, replay_plan: Path) -> Iterator[ServerHandle]:
    """``rocketpost serve`` as a subprocess on a fresh SQLite database, replaying ``replay_plan``.

    The network is the test suite's (the shipped one with the promise buffer at zero, through
    ``ROCKETPOST_NETWORK`` set by ``tests/conftest.py``), so NYC → Miami flies a rocket.
    """
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
    env = {
        "ROCKETPOST_RATE_LIMIT_PER_MIN": "0",
        "ROCKETPOST_WEBHOOKS": "0",
        "ROCKETPOST_REPLAY_DIR": str(replay_plan),
    }
    with running_server(url, env=env) as handle:
        yield handle


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium (``make browser`` installs it)."""
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def http(server: ServerHandle) -> Iterator[httpx.Client]:
    """An HTTP client of the server."""
    with httpx.Client(base_url=server.base_url, timeout=60.0) as client:
        yield client


def merchant_headers(server: ServerHandle) -> tuple[str, dict[str, str]]:
    """A new merchant: ``(merchant_id, auth headers)``."""
    merchant_id, key = create_merchant(server.database_url, f"web-{uuid.uuid4().hex[:6]}")
    return merchant_id, {"Authorization": f"Bearer {key}"}


def book_miami(
    http: httpx.Client,
    headers: dict[str, str],
    ready_at: datetime | None = None,
    reference: str | None = None,
) -> dict[str, Any]:
    """Book NYC → Miami by rocket on the first wave after ``ready_at`` (default now).

    Domestic, so no customs; bookings with the same ``ready_at`` share a flight.
    """
    body: dict[str, Any] = {
        "destination": {"place": "Miami, US"},
        "parcels": [{"mass_kg": 1.5, "volume_m3": 0.006}],
        "origin_hub": "NYC",
        "ready_at": (ready_at or datetime.now(UTC)).isoformat(),
    }
    if reference is not None:
        body["reference"] = reference
    response = http.post(
        "/v1/shipments", json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert response.status_code == 201, response.text
    shipment: dict[str, Any] = response.json()
    assert shipment["mode"] == "rocket", shipment
    return shipment
