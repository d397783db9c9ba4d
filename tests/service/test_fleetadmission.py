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

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from rocketpost.cli.ops import app as ops_app
from rocketpost.network import default_network, load_network
from rocketpost.planning.check import AirframeFlights, airframe_chain_problems
from rocketpost.planning.fleet import weather_margin_s
from rocketpost.service.db import Database
from rocketpost.service.fleetadmission import (
    FALLBACK_SPARES_PER_HUB,
    RESERVE_PER_HUB,
    BookableFleet,
    admits,
    flies_one_more,
    one_flight_a_day,
)
from rocketpost.service.fleetcarry import HubFlights, carried_fleet
from tests.support.fleet import short_cycle_network

from .conftest import (
    BACKENDS,
    Api,
    fresh_database,
    make_api,
    miami,
    no_capacity,
    plan,
    race_bookings,
)

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
    assert no_capacity(one_more), one_more.text
    # Joining a flight that already flies needs no airframe.
    joined = api.book(headers, miami(start))
    assert joined.status_code == 201, joined.text
    assert joined.json()["flight"]["id"] == booked[0]["flight"]["id"]
    # Same-day freight ready two hours earlier cannot open the waves before the fleet's, and
    # rides the first of the flights that fly.
    same_day = api.book(headers, {**miami(start - timedelta(hours=2)), "service": "same_day"})
    assert same_day.status_code == 201, same_day.text
    assert same_day.json()["flight"]["id"] == booked[0]["flight"]["id"]
    # The fleet is carried across days: the airframes are in Miami, then flying home.
    tomorrow = api.book(headers, miami(start + timedelta(days=1) + NYC_FLIGHTS * GAP))
    assert no_capacity(tomorrow), tomorrow.text

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
    assert no_capacity(api.book(headers, miami(start + NYC_FLIGHTS * GAP)))

    # A flight whose every shipment cancelled carries nothing: its airframe is free again...
    cancel = api.client.post(f"/v1/shipments/{booked[1]['id']}/cancel", headers=headers)
    assert cancel.status_code == 200, cancel.text
    reopened = api.book(headers, miami(start + NYC_FLIGHTS * GAP))
    assert reopened.status_code == 201, reopened.text
    # ... and loading the emptied flight again is an opening like any other: the fleet is full.
    assert no_capacity(api.book(headers, miami(start + GAP)))

    summary = plan(api, start.date().isoformat())["summary"]
    assert summary["flights_with_airframe"] == NYC_FLIGHTS
    assert summary["unassigned_flights"] == []


CLIENTS = 24


def _busan(ready_at: datetime) -> dict[str, Any]:
    """Domestic Incheon → Busan (its waves keep the hour at the confidence)."""
    return {**miami(ready_at), "destination": {"place": "Busan, KR"}, "origin_hub": "ICN"}


def test_concurrent_openings_never_exceed_the_fleet(shipped_api: Api) -> None:
    """24 clients each open a different wave of one day at once, half from NYC and half from
    Incheon: each hub opens exactly its bookable flights. (Without the hub's lock, PostgreSQL
    openings each count the day without the others' new flights and sell more.)"""
    api = shipped_api
    start = _day_start()
    lanes = (miami, _busan)
    answers = race_bookings(api, [lanes[i % 2](start + (i // 2) * GAP) for i in range(CLIENTS)])
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


def test_concurrent_openings_on_two_days_share_the_hubs_airframes(shipped_api: Api) -> None:
    """10 clients open NYC → Miami flights at once, 5 on one day and 5 on the next: a flight
    holds its airframe for days, so the two days share NYC's 5 bookable airframes and exactly
    5 open, in any mix. (Under a lock of the hub's day, openings of the two days each count
    without the other's and sell more.)"""
    start = _day_start()
    bodies = [miami(start + timedelta(days=i % 2) + (i // 2) * GAP) for i in range(10)]
    answers = race_bookings(shipped_api, bodies)
    opened = {r.json()["flight"]["id"] for r in answers if r.status_code == 201}
    assert len(opened) == sum(r.status_code == 201 for r in answers) == NYC_FLIGHTS


def test_the_one_flight_a_day_count_is_the_schedules_answer() -> None:
    """The closed form of :func:`rocketpost.service.fleetadmission.admits` (an airframe flies
    at most once a day: sorted launches against the hub's airframes' ready times, here all
    ready at the day's start) against the schedule (:func:`flies_one_more`) on random days of
    the shipped network, from empty hubs to hubs over their fleet, and random new flights,
    keeping the re-flight spare alone or the fallback's too: the same answer every time, both
    answers seen."""
    network = default_network()
    assert one_flight_a_day(network)
    rng = np.random.default_rng(14)
    hubs, sites = len(network.hubs), len(network.landing_sites)
    day_start_s = _day_start().replace(hour=0).timestamp()
    answers = []
    for k in range(300):
        kept = RESERVE_PER_HUB + FALLBACK_SPARES_PER_HUB * (k % 2)
        fleet = BookableFleet(network, kept)
        bookable = np.array([fleet.bookable(h.hub_id) for h in network.hubs])
        per_hub = rng.integers(0, bookable + 3)
        origin = np.repeat(np.arange(hubs), per_hub)
        site = rng.integers(0, sites, len(origin))
        launch_s = day_start_s + rng.integers(0, 144, len(origin)) * 600.0
        # A flight is one (origin, site, launch): no two alike, as in the database.
        _, first = np.unique(np.stack([origin, site, launch_s]), axis=1, return_index=True)
        order = first[np.argsort(launch_s[first], kind="stable")]
        origin, site, launch_s = origin[order], site[order], launch_s[order]
        hub = int(rng.integers(0, hubs))
        new = (hub, int(rng.integers(0, sites)), day_start_s + float(rng.integers(0, 144)) * 600.0)
        mine = origin == hub
        flights = HubFlights.of(network, hub, site[mine], launch_s[mine])
        by_count = fleet.opens(flights, new[1], new[2])
        assert (
            flies_one_more(
                network, origin, site, launch_s, new, day_start_s=day_start_s, kept_per_hub=kept
            )
            == by_count
        ), (per_hub.tolist(), new, kept)
        answers.append(by_count)
    assert any(answers) and not all(answers)


def _flown_one_by_one(
    fleet: int, kept: int, launch_s: np.ndarray, ready_s: np.ndarray, days: range
) -> bool:
    """An independent reading of the rule across days: airframes as ready times, each day's
    ``kept`` readiest held at its start, each flight in launch order on the earliest-ready
    other airframe ready by its launch, which is then ready at the flight's ``ready_s``."""
    airframes = [-np.inf] * fleet
    order = np.argsort(launch_s, kind="stable")
    for day in days:
        start = day * 86_400.0
        by_ready = sorted(range(fleet), key=lambda a: (max(airframes[a], start), a))
        free = by_ready[kept:]
        for f in order[(launch_s[order] >= start) & (launch_s[order] < start + 86_400.0)]:
            ready = [a for a in free if airframes[a] <= launch_s[f] + 1e-6]
            if not ready:
                return False
            pick = min(ready, key=lambda a: airframes[a])
            free.remove(pick)
            airframes[pick] = float(ready_s[f])
    return True


def test_the_hubs_airframes_across_days_match_flying_them_one_by_one() -> None:
    """:class:`HubFlights` (sorted launches against ready times, each day from the flights that
    hold airframes at its start) against flying a hub's flights one by one with airframes
    carried across days, on random weeks of NYC flights to random sites (a ferry home and a
    second cycle when one lands at another hub): the same verdict for every week, both seen."""
    network = default_network("today")
    hub = network.hub_index("NYC")
    fleet = network.hub("NYC").fleet
    rng = np.random.default_rng(2026)
    first_day = int(_day_start().timestamp() // 86_400)
    days = range(first_day, first_day + 8)
    verdicts = []
    for k in range(200):
        n = int(rng.integers(1, 3 * fleet))
        slots = rng.choice(8 * 144, size=n, replace=False)
        launch_s = first_day * 86_400.0 + np.sort(slots) * 600.0
        sites = rng.choice([hub, network.site_index("MIA"), network.site_index("LAX")], n)
        flights = HubFlights.of(network, hub, sites, launch_s)
        kept = RESERVE_PER_HUB + (k % 2)
        closed = all(flights.day_flyable(d * 86_400.0, fleet, kept) for d in days)
        assert closed == _flown_one_by_one(fleet, kept, flights.launch_s, flights.ready_s, days), (
            k,
            launch_s.tolist(),
            sites.tolist(),
        )
        verdicts.append(closed)
    assert any(verdicts) and not all(verdicts)


def test_flights_left_is_what_opening_one_after_the_other_admits() -> None:
    """``GET /v1/ops/fleet``'s ``flights_left`` (:meth:`HubFlights.flights_left`, a bisection)
    against opening NYC flights to its own zone one after the other, from the day's last wave
    back, by :meth:`HubFlights.opens`, on random weeks: the same count, from 0 to the fleet."""
    network = default_network("today")
    hub = network.hub_index("NYC")
    fleet = network.hub("NYC").fleet
    interval_s = float(network.launch_wave_interval_s[hub])
    rng = np.random.default_rng(7)
    first_day = int(_day_start().timestamp() // 86_400)
    counts = set()
    for k in range(60):
        n = int(rng.integers(0, 2 * fleet))
        slots = rng.choice(8 * 144, size=n, replace=False)
        launch_s = first_day * 86_400.0 + np.sort(slots) * 600.0
        sites = rng.choice([hub, network.site_index("MIA")], n)
        flights = HubFlights.of(network, hub, sites, launch_s)
        kept = RESERVE_PER_HUB + (k % 2)
        day_s = (first_day + int(rng.integers(0, 8))) * 86_400.0
        one_by_one, wave_s = 0, day_s + 86_400.0 - interval_s
        while wave_s >= day_s and one_by_one < fleet:
            if not np.any((flights.site == hub) & (flights.launch_s == wave_s)):
                if not flights.opens(hub, wave_s, fleet, kept):
                    break
                flights, one_by_one = flights.with_flight(hub, wave_s), one_by_one + 1
            wave_s -= interval_s
        left = HubFlights.of(network, hub, sites, launch_s).flights_left(day_s, fleet, kept)
        assert left == one_by_one, (k, launch_s.tolist(), sites.tolist(), day_s)
        counts.add(left)
    assert 0 in counts and max(counts) == fleet - RESERVE_PER_HUB


def test_a_flight_holds_its_airframe_until_it_is_home_and_ready() -> None:
    """NYC → Miami lands at another hub: 66 h of recovery and turnaround there, the ferry home
    on Miami's next wave, each flight with its weather margin (about 52 h), 66 h again: about
    9.8 days. A landing in NYC's own zone: 66 h and the margin, about 4.9 days."""
    network = default_network("today")
    nyc, mia = network.hub_index("NYC"), network.site_index("MIA")
    away, home = HubFlights.of(network, nyc, np.array([mia, nyc]), np.zeros(2)).ready_s
    cycle = network.rocket.reuse_cycle_s
    margin = float(weather_margin_s(network)[network.hub_index("MIA")])
    assert 51 * 3600.0 < margin < 53 * 3600.0  # the climate's at 99 %, in Miami's waves
    assert 2 * cycle + 2 * margin < away < 2 * cycle + 2 * margin + 2 * 3600.0
    assert cycle + margin < home < cycle + margin + 3600.0


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


def test_the_schedule_opens_a_flight_only_where_its_hubs_pad_is_free(
    short_cycle_api: Api,
) -> None:
    """Under the schedule too, a new flight needs a free pad (one per hub, turned round in one
    wave): with Miami's flight on NYC's wave, Los Angeles' port, whose hour a later wave would
    break, is refused, though the fleet has airframes to spare; on another wave it opens."""
    api = short_cycle_api
    _, headers = api.merchant()
    start = _day_start()
    los_angeles = {
        **miami(start),
        "destination": {"lat_deg": 33.74, "lon_deg": -118.27, "country": "US"},
    }
    first = api.book(headers, miami(start))
    assert first.status_code == 201, first.text
    refused = api.book(headers, los_angeles)
    assert no_capacity(refused), refused.text
    later = api.book(headers, {**los_angeles, "ready_at": (start + GAP).isoformat()})
    assert later.status_code == 201, later.text
    assert later.json()["flight"]["launch_at"] != first.json()["flight"]["launch_at"]


def test_airframes_fly_again_once_home_and_the_plan_run_flies_those(shipped_api: Api) -> None:
    """The day after NYC flew its 5 airframes to Miami none is home: bookings are refused until
    the first is back (about 9.8 days: 66 h at Miami, the ferry, 66 h at NYC, each flight with its
    weather margin), and the plan run of that day, starting from the fleet the earlier days'
    runs left, flies one of those with no conflict against their chains (service/fleetchain.py).
    """
    api = shipped_api
    _, headers = api.merchant()
    start = _day_start()
    booked = _fill_the_fleet(api, headers, start)
    first = plan(api, start.date().isoformat())["summary"]
    assert first["airframe_conflicts"] == [] and first["airframe_conflicts_count"] == 0
    flown = {_airframe(api, b["flight"]["id"]) for b in booked}
    assert len(flown) == NYC_FLIGHTS

    for days in range(1, 9):
        refused = api.book(headers, miami(start + timedelta(days=days)))
        assert no_capacity(refused), (days, refused.text)
    launch = datetime.fromisoformat(booked[0]["flight"]["launch_at"].replace("Z", "+00:00"))
    nyc, mia = NETWORK.hub_index("NYC"), NETWORK.site_index("MIA")
    home_s = HubFlights.of(NETWORK, nyc, np.array([mia]), np.array([launch.timestamp()])).ready_s
    back = datetime.fromtimestamp(float(home_s[0]), UTC)
    assert timedelta(days=9, hours=19) < back - launch < timedelta(days=9, hours=21)
    assert no_capacity(api.book(headers, miami(back - timedelta(hours=2))))
    again = api.book(headers, miami(back))
    assert again.status_code == 201, again.text
    second = plan(api, back.date().isoformat())["summary"]
    assert second["flights_with_airframe"] == 1 and second["unassigned_flights"] == []
    assert second["airframe_conflicts"] == [] and second["airframe_conflicts_count"] == 0
    assert _airframe(api, again.json()["flight"]["id"]) in flown  # one back, not the spare


def _airframe(api: Api, flight_id: str) -> str:
    """The airframe the last plan run gave a flight."""
    flight = api.client.get(f"/v1/flights/{flight_id}", headers=api.ops).json()
    return str(flight["plan"]["airframe_id"])


def test_the_plan_runs_fleet_is_carried_from_the_flights_sold(shipped_api: Api) -> None:
    """``fleetcarry.carried_fleet``, the plan run's starting fleet: the day after NYC flew 5
    flights to Miami its airframes are home, 5 of them ready when those flights release them
    and one at once, whether or not a run assigned the flights; the run's recorded airframes
    are the ones held."""
    api = shipped_api
    _, headers = api.merchant()
    start = _day_start()
    booked = _fill_the_fleet(api, headers, start)
    launches = [
        datetime.fromisoformat(b["flight"]["launch_at"].replace("Z", "+00:00")).timestamp()
        for b in booked
    ]
    nyc, mia = NETWORK.hub_index("NYC"), NETWORK.site_index("MIA")
    released = HubFlights.of(NETWORK, nyc, np.full(5, mia), np.array(launches)).ready_s
    next_day = (start + timedelta(days=1)).date()
    next_start_s = datetime(next_day.year, next_day.month, next_day.day, tzinfo=UTC).timestamp()

    def nyc_fleet() -> dict[str, float]:
        db = Database.connect(api.database_url, pool_size=1)
        try:
            with db.session() as session:
                fleet = carried_fleet(session, NETWORK, next_day)
        finally:
            db.dispose()
        assert all(a.location == a.home for a in fleet)
        return {a.airframe_id: a.ready_s for a in fleet if a.home == nyc}

    unplanned = nyc_fleet()
    expected = sorted([next_start_s, *released.tolist()])
    assert sorted(unplanned.values()) == pytest.approx(expected)
    plan(api, start.date().isoformat())
    planned = nyc_fleet()
    assert sorted(planned.values()) == pytest.approx(expected)
    for b in booked:
        airframe = _airframe(api, b["flight"]["id"])
        assert planned[airframe] > next_start_s  # the one the run gave the flight is held


def test_the_fleet_command_reads_what_bookings_count(shipped_api: Api) -> None:
    """``rocketpost ops fleet``: the day after NYC's 5 flights to Miami, the answer of ``GET
    /v1/ops/fleet`` (5 airframes away, the first back when the first flight's is, none left),
    as JSON and as a table; a date out of the service's years is refused with exit 2."""
    api = shipped_api
    _, headers = api.merchant()
    start = _day_start()
    _fill_the_fleet(api, headers, start)
    next_day = (start + timedelta(days=1)).date().isoformat()
    runner = CliRunner()
    base = ["fleet", "--database-url", api.database_url, "--preset", "today", "--date", next_day]
    result = runner.invoke(ops_app, [*base, "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    served = api.client.get(f"/v1/ops/fleet?date={next_day}", headers=api.ops).json()
    assert answer == served
    nyc = next(h for h in answer["hubs"] if h["hub_id"] == "NYC")
    assert (nyc["held_from_earlier_days"], nyc["flights_left"]) == (NYC_FLIGHTS, 0)
    table = runner.invoke(ops_app, base)
    assert table.exit_code == 0, table.output
    row = next(line.split() for line in table.output.splitlines() if line.split()[:1] == ["NYC"])
    assert row[:5] == ["NYC", "6", "1", "5", "5"] and row[-2:] == ["0", "0"], row
    far = runner.invoke(
        ops_app, ["fleet", "--database-url", api.database_url, "--date", "9999-01-01"]
    )
    assert far.exit_code == 2 and "2000 to 2100" in far.output, far.output


def test_an_airframes_chain_across_days_counts_the_ferry_home() -> None:
    """The plan check's rule across days (``home_between_days``): an NYC airframe that landed
    in Miami may fly from NYC again only once flown home and turned around; without the ferry
    (the plan check within a day) it is at MIA."""
    network = default_network("today")
    nyc, mia = network.hub_index("NYC"), network.site_index("MIA")
    day = _day_start().timestamp()
    ready = float(HubFlights.of(network, nyc, np.array([mia]), np.array([day])).ready_s[0])

    def chain(second_launch_s: float, *, home: bool) -> list[str]:
        launch = np.array([day, second_launch_s])
        return airframe_chain_problems(
            network,
            "NYC-01",
            nyc,
            AirframeFlights(
                ["a", "b"],
                np.array([nyc, nyc]),
                np.array([mia, mia]),
                launch,
                launch + 1800.0,
            ),
            home_between_days=home,
        )

    assert chain(ready + 600.0, home=True) == []
    assert chain(ready - 600.0, home=True) == [
        "airframes: NYC-01 launches flight b during recovery/turnaround"
    ]
    assert chain(ready + 600.0, home=False) == [
        "airframes: NYC-01 launches flight b from NYC but is at MIA"
    ]
