"""Fixtures of the page tests: a real ``rocketpost serve``, a replay day, headless Chromium."""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from playwright.sync_api import Browser

from rocketpost.service.db import upgrade
from rocketpost.service.merchants import create_merchant
from tests.support.conditions import declare_clear_skies
from tests.support.server import ServerHandle, free_port
from tests.web.browser import chromium

REPLAY_ORDERS = 600


def write_replay_plan(directory: Path) -> None:
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
        promise_rule="buffer",
    )
    write_plan(plan, directory)


def fresh_server(
    directory: Path, env: dict[str, str], extra_args: tuple[str, ...] = ()
) -> ServerHandle:
    """A ``rocketpost serve`` (not started) on a fresh SQLite database in ``directory``, with
    a merchant and the ops key, ``env`` added to its environment and ``extra_args`` to its
    command line."""
    url = f"sqlite:///{directory / 'web.db'}"
    # Migrated and keyed in this process (the harness's start_server runs three CLI processes
    # for that, which cost more than the server itself on a loaded machine).
    upgrade(url)
    declare_clear_skies(url)  # the lanes booked here keep 99 % only under a clear forecast
    _, merchant_key = create_merchant(url, "web-merchant")
    _, ops_key = create_merchant(url, "web-ops", ops=True)
    return ServerHandle(
        database_url=url,
        port=free_port(),
        api_keys=(merchant_key, ops_key),
        workers=1,
        env={
            "ROCKETPOST_DATABASE_URL": url,
            "ROCKETPOST_RATE_LIMIT_PER_MIN": "0",
            "ROCKETPOST_WEBHOOKS": "0",
            **env,
        },
        log_path=directory / "serve.log",
        startup_timeout_s=120.0,
        extra_args=extra_args,
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerHandle, Path]]:
    """``rocketpost serve --replay PLAN_DIR`` as a subprocess on a fresh SQLite database.

    The network is the test suite's (the shipped one with the promise buffer at zero, through
    ``ROCKETPOST_NETWORK`` set by ``tests/conftest.py``), so NYC → Miami flies a rocket. The
    replay day is planned in a thread while the server starts (it reads the directory only
    when the page asks for the replay).
    """
    plan_dir = tmp_path_factory.mktemp("replay-plan")
    failures: list[BaseException] = []

    def plan() -> None:
        try:
            write_replay_plan(plan_dir)
        except BaseException as exc:  # handed to the test thread below
            failures.append(exc)

    planner = threading.Thread(target=plan, name="replay-plan")
    planner.start()
    handle = fresh_server(tmp_path_factory.mktemp("web"), {}, ("--replay", str(plan_dir)))
    try:
        handle.start()
        planner.join()
        if failures:
            raise failures[0]
        yield handle, plan_dir
    finally:
        if handle.running:
            handle.stop()
        planner.join()


@pytest.fixture(scope="module")
def server(served: tuple[ServerHandle, Path]) -> ServerHandle:
    """The running server."""
    return served[0]


@pytest.fixture(scope="module")
def replay_plan(served: tuple[ServerHandle, Path]) -> Path:
    """The plan directory the server replays."""
    return served[1]


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


def next_boundary(at: datetime) -> datetime:
    """``at`` rounded up to a whole 10 minutes (a launch wave of the shipped network)."""
    floor = at.replace(minute=at.minute - at.minute % 10, second=0, microsecond=0)
    return floor if floor == at else floor + timedelta(minutes=10)


def book_miami(
    http: httpx.Client,
    headers: dict[str, str],
    ready_at: datetime | None = None,
    reference: str | None = None,
) -> dict[str, Any]:
    """Book NYC → Miami by rocket on the first wave after ``ready_at`` (default now).

    Domestic, so no customs; bookings with the same ``ready_at`` share a flight. ``ready_at``
    is moved up to the next 10-minute boundary: the route's 53.5 min keep the hour only
    without a wait for the wave (``tests/service/conftest.py``'s ``miami``).
    """
    ready_at = next_boundary(ready_at or datetime.now(UTC))
    body: dict[str, Any] = {
        "destination": {"place": "Miami, US"},
        "parcels": [{"mass_kg": 1.5, "volume_m3": 0.006}],
        "origin_hub": "NYC",
        "ready_at": ready_at.isoformat(),
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
