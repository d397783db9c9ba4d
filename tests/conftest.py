"""Shared fixtures: the shipped network and a tiny hand-checkable one."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from rocketpost.network import (
    DEFAULT_NETWORK_FILE,
    NETWORK_ENV,
    Boat,
    Drone,
    Hub,
    Network,
    RocketClass,
    Van,
    default_network,
)

# The mechanics tests (planning, booking, simulation scenarios) are worked by hand against the
# physics ETA, so they run on the shipped network with the promise buffer at zero: the
# calibrated buffer (a product setting that the simulator's calibration may move) would
# otherwise decide whether a hand-made scenario gets a one-hour promise. Everything else in the
# file is the shipped network; tests/test_network.py checks the shipped file itself, buffer
# included, and the buffer's effect has its own tests (ETA, reach, service choice, quotes).
# Servers that tests start as subprocesses inherit the variable.
_SHIPPED = (resources.files("rocketpost") / "data" / DEFAULT_NETWORK_FILE).read_text()
_BUFFER = re.compile(r"^buffer_min = [0-9.]+", re.MULTILINE)
assert len(_BUFFER.findall(_SHIPPED)) == 1, "the shipped network must set [promise] buffer_min"
_UNBUFFERED = Path(tempfile.mkdtemp(prefix="rocketpost-tests-")) / "network-unbuffered.toml"
_UNBUFFERED.write_text(_BUFFER.sub("buffer_min = 0.0", _SHIPPED))
# The rocket-hour preset names its landing-sites file relative to the network file.
_SITES = resources.files("rocketpost") / "data" / "landing_sites.toml"
(_UNBUFFERED.parent / "landing_sites.toml").write_text(_SITES.read_text())
os.environ[NETWORK_ENV] = str(_UNBUFFERED)

if TYPE_CHECKING:
    from tests.support.postgres import PostgresInstance


@pytest.fixture(scope="session")
def network() -> Network:
    """The shipped worldwide network, promise buffer at zero (see the note at the top)."""
    return default_network()


@pytest.fixture()
def tiny_network() -> Network:
    """Two hubs 1,000 km apart on the equator, round numbers everywhere, no world checks.

    Hand-checkable: waves every 10 min, 5 min handling, a 10 km boat run at 60 km/h (10 min),
    vans at 30 km/h with road factor 1 and no stop time, drones at 60 km/h within 10 km.
    """
    rocket = RocketClass(
        name="TEST-1",
        payload_mass_kg=10_000.0,
        payload_volume_m3=120.0,
        burnout_altitude_km=100.0,
        ascent_s=120.0,
        descent_s=300.0,
        flights_per_airframe=20,
        recovery_h=18.0,
        turnaround_h=48.0,
        cost_per_flight_usd=1_000_000.0,
    )
    hubs = tuple(
        Hub(
            hub_id=hub_id,
            name=f"Hub {hub_id}",
            country="XX" if hub_id == "A" else "YY",
            pad=(0.0, lon),
            landing_zone=(0.0, lon + 0.1),
            port=f"XX{hub_id}AA",
            port_position=(0.0, lon),
            boat_route_km=10.0,
            fleet=2,
            launch_wave_interval_min=10.0,
            handling_min=5.0,
            vans=2,
            drones=2,
        )
        for hub_id, lon in (("A", 0.0), ("B", 8.993216))  # 8.993216° of equator ≈ 1,000 km
    )
    return Network(
        rocket=rocket,
        boat=Boat(speed_kmh=60.0, transfer_min=5.0, port_handling_min=0.0),
        van=Van(
            speed_kmh=30.0, road_factor=1.0, capacity_kg=1000.0, capacity_m3=10.0, stop_min=0.0
        ),
        drone=Drone(
            speed_kmh=60.0, range_km=10.0, max_parcel_kg=2.0, max_parcel_m3=0.01, handover_min=0.0
        ),
        hubs=hubs,
    )


# --- throwaway PostgreSQL (tests.support.postgres) -------------------------------------------


@pytest.fixture(scope="session")
def postgres_instance() -> Iterator[PostgresInstance]:
    """One private PostgreSQL server on 127.0.0.1 per test process (per xdist worker).

    Started only when a test asks for it, stopped and deleted at the end of the session (a
    watchdog deletes it even if the worker is killed). It never skips: if PostgreSQL cannot
    start, every test that needs it errors with PostgreSQL's own message, because a silently
    skipped database test is a test that proves nothing. The data directory lives in the system
    temp dir, not ``tmp_path``: pytest's temp root is private to root, and on root the server
    runs as an unprivileged user that must reach it.
    """
    from tests.support.postgres import throwaway_postgres

    with throwaway_postgres() as instance:
        yield instance


@pytest.fixture(scope="session")
def postgres_url(postgres_instance: PostgresInstance) -> str:
    """SQLAlchemy URL (``postgresql+psycopg://...``) of a fresh database for this session.

    The role is a superuser, so a test module may ``CREATE DATABASE`` its own (or call
    ``postgres_instance.create_database(name)``) for isolation.
    """
    return postgres_instance.create_database("session_tests")
