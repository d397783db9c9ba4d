"""SIGKILL the booking server mid-load: every 201 survives, nothing is booked twice or overbooked.

Runs the real ``rocketpost serve`` subprocess on SQLite and on the throwaway PostgreSQL. Half of
the bookings are 1.5 t / 10 m³ freight on one hot flight, so that flight fills up while four
threads book concurrently and the capacity check is exercised across the kills too.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from tests.support.audit import audit_flights, rocket_capacity
from tests.support.conditions import declare_clear_skies
from tests.support.durability import durability_trial
from tests.support.postgres import PostgresInstance
from tests.support.server import running_server
from tests.support.workload import Workload, usable_routes

SERVER_ENV = {"ROCKETPOST_RATE_LIMIT_PER_MIN": "0", "ROCKETPOST_WEBHOOKS": "0"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'durability.db'}"
    instance: PostgresInstance = request.getfixturevalue("postgres_instance")
    return instance.create_database(f"durability_{uuid.uuid4().hex[:12]}")


def test_every_201_survives_sigkill_and_no_flight_is_overbooked(
    database_url: str, tmp_path: Path
) -> None:
    with running_server(database_url, env=SERVER_ENV, log_dir=tmp_path) as handle:
        declare_clear_skies(database_url)  # lanes that keep 99 % (tests/support/conditions.py)
        with handle.client() as client:
            routes = usable_routes(client, limit=12)
        workload = Workload(
            routes=tuple(routes),
            start=datetime.now(UTC),
            horizon_h=2.0,
            hot_share=0.5,
            hot_mass_kg=1_500.0,
            hot_volume_m3=10.0,
        )
        report = durability_trial(
            handle, workload, np.random.default_rng(20261125), threads=4, kills=2, kill_after=25
        )
        summary = "\n".join(report.lines()) + "\n--- server log:\n" + handle.log_tail()
        assert report.kills == 2
        assert handle.starts == 3, summary
        assert report.answered_201 >= 50, summary
        assert report.ok, summary
        # The hot flight really was contended: it is full to within one freight carton.
        fullest = max(audit_flights(handle), key=lambda audit: audit.manifest_kg)
        capacity_kg, _ = rocket_capacity()
        assert fullest.manifest_kg > capacity_kg - 1_500.0, summary
