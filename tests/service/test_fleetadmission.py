"""Bookings count airframes: a day never sells more flights than its fleet flies.

On the shipped fleets (NYC has 6 airframes, each flies once a day with the 66 h reuse cycle, and
one stays on the ground as the spare every promise counts for a re-flight: 5 flights a day),
over real HTTP on SQLite and PostgreSQL, each test on a database of its own: joining a loaded
flight needs no airframe, opening one does; a scrubbed or emptied flight gives its airframe
back; concurrent openings of one day never exceed the fleet; and the plan run of the day then
finds an airframe for every flight. With a reuse cycle short enough to fly an airframe twice a
day, the schedule admits more (repositioning airframes to the hub). Plus the closed form
:func:`admits` takes for a one-flight-a-day rocket, checked against the schedule on random days.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import numpy as np
import pytest

from rocketpost.network import default_network, load_network
from rocketpost.service.db import Database
from rocketpost.service.fleetadmission import (
    FALLBACK_SPARES_PER_HUB,
    RESERVE_PER_HUB,
    BookableFleet,
    admits,
    flies_one_more,
    one_flight_a_day,
)
from tests.support.fleet import short_cycle_network

from .conftest import BACKENDS, Api, fresh_database, make_api, miami, plan

NETWORK = default_network("today")
FLEET = BookableFleet(NETWORK)
NYC_FLIGHTS = FLEET.bookable("NYC")
GAP = timedelta(minutes=20)  # two Miami bookings this far apart are on different waves


@pytest.fixture(params=BACKENDS)
def shipped_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """The service on the shipped network and fleets, on a fresh database."""
    url = fresh_database(request, request.param, tmp_path_factory.mktemp("fleet"))
    yield from make_api(url, network=None)


def _day_start(days_ahead: int = 2) -> datetime:
    """02:00 UTC ``days_ahead`` days from now: a morning of waves well inside one UTC day."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days_ahead, hours=2)


def _no_capacity(response: httpx.Response) -> bool:
    return response.status_code == 409 and response.json()["detail"]["code"] == "no_capacity"


def _fill_the_fleet(api: Api, headers: dict[str, str], start: datetime) -> list[dict[str, Any]]:
    """One Miami booking on each of NYC's first ``NYC_FLIGHTS`` waves from ``start``."""
    assert NYC_FLIGHTS == NETWORK.hub("NYC").fleet - RESERVE_PER_HUB == 5
    booked = []
    for k in range(NYC_FLIGHTS):
        response = api.book(headers, miami(start + k * GAP))
        assert response.status_code == 201, response.text
        booked.append(response.json())
    assert len({b["flight"]["id"] for b in booked}) == NYC_FLIGHTS
    return booked


def test_a_day_sells_no_more_flights_than_its_airframes(shipped_api: Api) -> None:
    api = shipped_api
    _, headers = api.merchant()
    start = _day_start()
    booked = _fill_the_fleet(api, headers, start)

    one_more = api.book(headers, miami(start + NYC_FLIGHTS * GAP))
    assert _no_capacity(one_more), one_more.text
    # Joining a flight that already flies needs no airframe.
    joined = api.book(headers, miami(start))
    assert joined.status_code == 201, joined.text
    assert joined.json()["flight"]["id"] == booked[0]["flight"]["id"]
    # Same-day freight ready two hours earlier cannot open the waves before the fleet's, and
    # rides the first of the flights that fly.
    same_day = api.book(headers, {**miami(start - timedelta(hours=2)), "service": "same_day"})
    assert same_day.status_code == 201, same_day.text
    assert same_day.json()["flight"]["id"] == booked[0]["flight"]["id"]
    # The fleet is counted per day: tomorrow's flights take tomorrow's airframes.
    tomorrow = api.book(headers, miami(start + timedelta(days=1) + NYC_FLIGHTS * GAP))
    assert tomorrow.status_code == 201, tomorrow.text

    summary = plan(api, start.date().isoformat())["summary"]
    assert summary["flights_with_airframe"] == NYC_FLIGHTS
    assert summary["unassigned_flights"] == []


def test_a_flight_loaded_while_its_opener_waited_is_counted_once(shipped_api: Api) -> None:
    """What an opening that waited for the lock finds: another booking has loaded the very
    flight it wanted. At the hub's limit, joining that flight is still admitted (it is counted
    once, as the new one), and any other new flight is not."""
    api = shipped_api
    _, headers = api.merchant()
    start = _day_start()
    booked = _fill_the_fleet(api, headers, start)
    flight = api.client.get(f"/v1/flights/{booked[0]['flight']['id']}", headers=api.ops).json()
    launch_at = datetime.fromisoformat(flight["launch_at"].replace("Z", "+00:00"))
    site = flight["destination_hub"]
    db = Database.connect(api.database_url, pool_size=1)
    try:
        with db.write() as session:
            assert admits(session, FLEET, "NYC", site, launch_at)
            assert not admits(session, FLEET, "NYC", site, launch_at + timedelta(minutes=10))
            session.rollback()
    finally:
        db.dispose()


def test_scrubbed_and_emptied_flights_give_their_airframes_back(shipped_api: Api) -> None:
    api = shipped_api
    _, headers = api.merchant()
    start = _day_start()
    booked = _fill_the_fleet(api, headers, start)

    # A scrub re-seats its shipment on a later wave: the scrubbed flight's airframe flies it.
    scrubbed = api.client.post(
        f"/v1/flights/{booked[0]['flight']['id']}/events",
        json={"type": "scrubbed", "reason": "upper-level winds"},
        headers=api.ops,
    )
    assert scrubbed.status_code == 200, scrubbed.text
    assert [r["shipment_id"] for r in scrubbed.json()["rescheduled"]] == [booked[0]["id"]]
    assert _no_capacity(api.book(headers, miami(start + NYC_FLIGHTS * GAP)))

    # A flight whose every shipment cancelled carries nothing: its airframe is free again...
    cancel = api.client.post(f"/v1/shipments/{booked[1]['id']}/cancel", headers=headers)
    assert cancel.status_code == 200, cancel.text
    reopened = api.book(headers, miami(start + NYC_FLIGHTS * GAP))
    assert reopened.status_code == 201, reopened.text
    # ... and loading the emptied flight again is an opening like any other: the fleet is full.
    assert _no_capacity(api.book(headers, miami(start + GAP)))

    summary = plan(api, start.date().isoformat())["summary"]
    assert summary["flights_with_airframe"] == NYC_FLIGHTS
    assert summary["unassigned_flights"] == []


CLIENTS = 24


def _busan(ready_at: datetime) -> dict[str, Any]:
    """Domestic Incheon → Busan (its waves keep the hour at the confidence)."""
    return {**miami(ready_at), "destination": {"place": "Busan, KR"}, "origin_hub": "ICN"}


def test_concurrent_openings_never_exceed_the_fleet(shipped_api: Api) -> None:
    """24 clients each open a different wave of one day at once, half from NYC and half from
    Incheon: each hub opens exactly its bookable flights. (Without the hub's day lock, PostgreSQL
    openings each count the day without the others' new flights and sell more.)"""
    api = shipped_api
    keys = [api.merchant()[1] for _ in range(4)]
    start = _day_start()
    base = str(api.client.base_url)
    barrier = threading.Barrier(CLIENTS)
    results: list[httpx.Response | None] = [None] * CLIENTS

    def book(i: int) -> None:
        headers = {**keys[i % len(keys)], "Idempotency-Key": uuid.uuid4().hex}
        lane = miami if i % 2 == 0 else _busan
        with httpx.Client(base_url=base, timeout=60) as client:
            client.get("/health")  # open the connection before the race
            barrier.wait()
            results[i] = client.post(
                "/v1/shipments", json=lane(start + (i // 2) * GAP), headers=headers
            )

    threads = [threading.Thread(target=book, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    answers = [r for r in results if r is not None]
    assert len(answers) == CLIENTS
    assert all(r.status_code == 201 or _no_capacity(r) for r in answers), [
        r.text for r in answers if r.status_code != 201 and not _no_capacity(r)
    ]
    flights = [r.json()["flight"]["id"] for r in answers if r.status_code == 201]
    # NYC → Miami has one wave in the hour: each accepted client opened its own.
    from_nyc = [f for f in flights if f.startswith("flt_NYC_")]
    assert len(from_nyc) == len(set(from_nyc)) == NYC_FLIGHTS
    # Incheon → Busan has later waves too: a refused client may join another's flight.
    from_icn = {f for f in flights if f.startswith("flt_ICN_")}
    assert len(from_icn) == FLEET.bookable("ICN") == 5
    summary = plan(api, start.date().isoformat())["summary"]
    assert summary["flights_with_airframe"] == NYC_FLIGHTS + 5
    assert summary["unassigned_flights"] == []


def test_the_one_flight_a_day_count_is_the_schedules_answer() -> None:
    """The closed form of :func:`rocketpost.service.fleetadmission.admits` (an airframe flies
    at most once a day: the hub's loaded flights below its bookable ones) against the schedule
    (:func:`flies_one_more`) on random days of the shipped network, from empty hubs to hubs
    over their fleet, and random new flights, keeping the re-flight spare alone or the
    fallback's too: the same answer every time, both answers seen."""
    network = default_network()
    assert one_flight_a_day(network)
    rng = np.random.default_rng(14)
    hubs, sites = len(network.hubs), len(network.landing_sites)
    day_start_s = _day_start().timestamp()
    answers = []
    for k in range(300):
        kept = RESERVE_PER_HUB + FALLBACK_SPARES_PER_HUB * (k % 2)
        fleet = BookableFleet(network, kept)
        bookable = np.array([fleet.bookable(h.hub_id) for h in network.hubs])
        per_hub = rng.integers(0, bookable + 3)
        origin = np.repeat(np.arange(hubs), per_hub)
        site = rng.integers(0, sites, len(origin))
        launch_s = day_start_s + rng.integers(0, 144, len(origin)) * 600.0
        order = np.argsort(launch_s, kind="stable")
        origin, site, launch_s = origin[order], site[order], launch_s[order]
        hub = int(rng.integers(0, hubs))
        new = (hub, int(rng.integers(0, sites)), day_start_s + float(rng.integers(0, 144)) * 600.0)
        by_count = bool(per_hub[hub] < bookable[hub])
        assert (
            flies_one_more(
                network, origin, site, launch_s, new, day_start_s=day_start_s, kept_per_hub=kept
            )
            == by_count
        ), (per_hub.tolist(), new, kept)
        answers.append(by_count)
    assert any(answers) and not all(answers)


@pytest.fixture(params=BACKENDS)
def short_cycle_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """The service on the shipped network with a 30 min reuse cycle, on a fresh database."""
    url = fresh_database(request, request.param, tmp_path_factory.mktemp("short-cycle"))
    yield from make_api(url, network=str(short_cycle_network()))


def test_a_short_reuse_cycle_lets_the_schedule_fly_more_than_the_hubs_own_airframes(
    short_cycle_api: Api,
) -> None:
    """With a 30 min reuse cycle an airframe flies several times a day and the spare airframes
    of other hubs can be repositioned: admission runs the schedule (under the whole day's
    lock), NYC sells more flights than it has airframes, and the plan run flies every one."""
    api = short_cycle_api
    network = load_network(short_cycle_network(), preset="today")
    assert not one_flight_a_day(network)
    _, headers = api.merchant()
    start = _day_start()
    hourly = [api.book(headers, miami(start + timedelta(hours=k))) for k in range(10)]
    assert all(r.status_code == 201 for r in hourly), [r.text for r in hourly]
    assert len(hourly) > network.hub("NYC").fleet
    summary = plan(api, start.date().isoformat())["summary"]
    assert summary["flights_with_airframe"] == len(hourly)
    assert summary["unassigned_flights"] == []


def test_a_days_plan_reports_airframes_the_day_before_left_in_their_cycle(
    shipped_api: Api,
) -> None:
    """The day model's limit, measured: the day after NYC flew its 5 airframes to Miami, the
    plan run assigns one of them again (every day starts with the fleet home and ready) and
    its summary names the conflicts: the airframe is at MIA, in its 66 h reuse cycle."""
    api = shipped_api
    _, headers = api.merchant()
    start = _day_start()
    _fill_the_fleet(api, headers, start)
    first = plan(api, start.date().isoformat())["summary"]
    assert first["airframe_conflicts"] == [] and first["airframe_conflicts_count"] == 0

    next_day = start + timedelta(days=1)
    booked = api.book(headers, miami(next_day))
    assert booked.status_code == 201, booked.text
    flight = booked.json()["flight"]["id"]
    second = plan(api, next_day.date().isoformat())["summary"]
    assert second["flights_with_airframe"] == 1 and second["unassigned_flights"] == []
    conflicts = second["airframe_conflicts"]
    assert second["airframe_conflicts_count"] == len(conflicts) == 2, conflicts
    assert any(f"flight {flight} from NYC but is at MIA" in c for c in conflicts), conflicts
    assert any(f"flight {flight} during recovery/turnaround" in c for c in conflicts), conflicts
