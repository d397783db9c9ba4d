"""Quotes offer the hour on a wave a booking can take (the flight board), over real HTTP.

The shipped fleets, clear skies declared, the board read for every quote: ICN opens 5 flights a
day (6 airframes less the re-flight spare). With the day's flights sold, a quote for Busan moves
to the next wave whose loaded flight has room, promised by the decision on that wave, and the
booking from it lands on that very flight with that promise; where no wave that keeps the
promise has a seat, the quote says ``no_capacity`` and so does the booking.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from rocketpost.network import default_network
from rocketpost.planning.fleet import next_wave_s
from rocketpost.service.capacity import FlightKey, Hold, Load
from rocketpost.service.db import Database
from rocketpost.service.fleetadmission import BookableFleet
from rocketpost.service.fleetcarry import HubFlights
from rocketpost.service.flightboard import DayFlights, FlightBoard
from rocketpost.service.sameday import one_hour_reserve
from tests.support.conditions import declare_clear_skies

from .conftest import BACKENDS, T_SHIRT, Api, fresh_database, make_api, race_bookings

NETWORK = default_network("today")
ICN_FLIGHTS = BookableFleet(NETWORK).bookable("ICN")


@pytest.fixture(params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The service on the shipped fleets, on a fresh database, the board read every quote."""
    url = fresh_database(request, request.param, tmp_path_factory.mktemp("board"))
    declare_clear_skies(url)
    yield from make_api(url, network=None, flight_board_ttl_s=0)


def _busan(ready_at: datetime, n: int) -> dict[str, Any]:
    return {
        "destination": {"place": "Busan, KR"},
        "parcels": [{"mass_kg": 1.0, "volume_m3": 0.005}],
        "origin_hub": "ICN",
        "ready_at": ready_at.isoformat(),
        "customs": {"recipient_id": f"R-board-{n}", "items": [T_SHIRT]},
    }


def _quote(api: Api, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = api.client.post("/v1/quotes", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_quote_offers_the_wave_a_booking_takes(api: Api) -> None:
    _, headers = api.merchant()
    ready = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    ready += timedelta(days=2, hours=2)
    fresh = _quote(api, headers, _busan(ready, 0))["one_hour"]
    assert fresh["available"], fresh
    interval = timedelta(minutes=NETWORK.hub("ICN").launch_interval_min)

    # The next wave is loaded, then the rest of ICN's day is sold on waves hours later.
    next_wave = api.book(headers, _busan(ready + interval, 1))
    assert next_wave.status_code == 201, next_wave.text
    flight = next_wave.json()["flight"]
    assert flight["launch_at"] == _iso(_at(fresh["launch_at"]) + interval)
    sold = []
    for k in range(ICN_FLIGHTS - 1):
        later = api.book(headers, _busan(ready + timedelta(hours=2, minutes=20 * k), 2 + k))
        assert later.status_code == 201, later.text
        sold.append(later.json()["flight"]["id"])

    # Ops see the day's airframes as bookings count them (only with the ops key).
    day = ready.date().isoformat()
    fleet = api.client.get(f"/v1/ops/fleet?date={day}", headers=api.ops)
    assert fleet.status_code == 200, fleet.text
    assert fleet.json()["rule"] == "one_flight_a_day"
    by_hub = {h["hub_id"]: h for h in fleet.json()["hubs"]}
    assert by_hub["ICN"] == {
        "hub_id": "ICN",
        "fleet": 6,
        "kept": 1,
        "bookable": ICN_FLIGHTS,
        "held_from_earlier_days": 0,
        "next_back_at": None,
        "loaded_flights": ICN_FLIGHTS,
        "flights_left": 0,
    }
    assert by_hub["NYC"]["flights_left"] == by_hub["NYC"]["bookable"] == 5
    assert api.client.get(f"/v1/ops/fleet?date={day}", headers=headers).status_code == 403
    assert api.client.get("/v1/ops/fleet?date=9999-01-01", headers=api.ops).status_code == 422

    # The quoted wave can no longer open a flight: the quote moves to the loaded next wave.
    moved = _quote(api, headers, _busan(ready, 10))
    one_hour = moved["one_hour"]
    assert one_hour["available"], one_hour
    assert one_hour["flight_id"] == flight["id"] and one_hour["launch_at"] == flight["launch_at"]
    assert one_hour["promised_delivery_at"] > fresh["promised_delivery_at"]
    assert one_hour["p_on_time"] >= NETWORK.promise.confidence
    booked = api.book(
        headers, {"quote_id": moved["quote_id"], "customs": _busan(ready, 10)["customs"]}
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["flight"]["id"] == flight["id"]
    assert booked.json()["promised_delivery_at"] == one_hour["promised_delivery_at"]

    # Hours later no loaded flight is in reach and no airframe is left: quote and booking agree.
    late = _busan(ready + timedelta(hours=5), 11)
    refused = _quote(api, headers, late)["one_hour"]
    assert not refused["available"] and refused["reason"] == "no_capacity", refused
    assert refused["promised_delivery_at"] is None and refused["price"] is None
    assert "airframe" in refused["message"]
    no_seat = api.book(headers, late)
    assert no_seat.status_code == 409, no_seat.text
    assert no_seat.json()["detail"]["code"] == "no_capacity"
    # Same-day freight rides a loaded flight of its lane within its 12 h (beyond the one-hour
    # share) or finds no seat: quote and booking agree on both.
    no_ride = _quote(api, headers, late)["same_day"]
    assert not no_ride["available"] and no_ride["reason"] == "no_capacity", no_ride
    refused_same_day = api.book(headers, {**late, "service": "same_day"})
    assert refused_same_day.status_code == 409, refused_same_day.text
    assert refused_same_day.json()["detail"]["code"] == "no_capacity"
    early = _busan(ready + timedelta(hours=1), 13)
    ride = _quote(api, headers, early)["same_day"]
    assert ride["available"], ride
    rides = api.book(headers, {**early, "service": "same_day"})
    assert rides.status_code == 201, rides.text
    assert rides.json()["flight"]["id"] == sold[0]  # the first loaded flight after it
    # The airframes landed at Busan: each is flown home after its 66 h cycle and turned
    # around again there (fleetcarry), so the next days have none to sell, and quotes say so.
    tomorrow = _quote(api, headers, _busan(ready + timedelta(days=1), 12))["one_hour"]
    assert not tomorrow["available"] and tomorrow["reason"] == "no_capacity", tomorrow
    later = (ready + timedelta(days=1)).date().isoformat()
    held = api.client.get(f"/v1/ops/fleet?date={later}", headers=api.ops).json()
    icn = {h["hub_id"]: h for h in held["hubs"]}["ICN"]
    assert icn["held_from_earlier_days"] == ICN_FLIGHTS and icn["flights_left"] == 0, icn
    # The first back is the day's first flight's airframe (the next wave's, launched first).
    first = HubFlights.of(
        NETWORK,
        NETWORK.hub_index("ICN"),
        np.array([NETWORK.site_index(next_wave.json()["destination_hub"])]),
        np.array([_at(flight["launch_at"]).timestamp()]),
    )
    assert _at(icn["next_back_at"]) == datetime.fromtimestamp(math.ceil(first.ready_s[0]), UTC)
    # The sold-out quote names the lane's first wave with a seat again: the first one after
    # that airframe is back.
    back = next_wave_s(NETWORK, np.array([NETWORK.hub_index("ICN")]), first.ready_s)
    assert _at(tomorrow["next_seat_at"]) == datetime.fromtimestamp(float(back[0]), UTC)
    assert fresh["next_seat_at"] is None
    # Ten days on (each flight, and the ferry home, waits out the weather margin) they are home
    # and ready: the hour is offered again.
    home = _quote(api, headers, _busan(ready + timedelta(days=10), 12))["one_hour"]
    assert home["available"], home


def _shanghai_port(ready_at: datetime) -> dict[str, Any]:
    """Domestic HZB → Shanghai's port (the city centre's last mile is too long for the hour)."""
    return {
        "destination": {"place": "31.37,121.48", "name": "Shanghai port"},
        "parcels": [{"mass_kg": 1.0, "volume_m3": 0.005}],
        "origin_hub": "HZB",
        "ready_at": ready_at.isoformat(),
    }


def test_a_flight_opens_only_where_its_hubs_pad_is_free(api: Api) -> None:
    """The shipped network has one pad per hub, turned round in one 10-minute wave. With a
    flight to Shanghai's port loaded on HZB's first wave, a Busan quote ready for that wave
    is offered the next one (its promise still kept there), and its booking lands there; a
    booking to the port for the loaded wave still joins its flight (no pad needed). Without
    the pad rule both flights would launch from the one pad at once."""
    _, headers = api.merchant()
    ready = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    ready += timedelta(days=2, hours=2)
    assert NETWORK.hub("HZB").pads == 1
    shanghai_body = _shanghai_port(ready)
    busan_body = {**_busan(ready, 0), "origin_hub": "HZB"}
    alone = _quote(api, headers, busan_body)["one_hour"]
    assert alone["available"], alone
    shanghai = api.book(headers, shanghai_body)
    assert shanghai.status_code == 201, shanghai.text
    wave = _at(shanghai.json()["flight"]["launch_at"])
    assert wave == _at(alone["launch_at"])  # both lanes' first wave
    interval = timedelta(minutes=NETWORK.hub("HZB").launch_interval_min)
    quoted = _quote(api, headers, busan_body)["one_hour"]
    assert quoted["available"], quoted
    assert _at(quoted["launch_at"]) == wave + interval
    busan = api.book(headers, busan_body)
    assert busan.status_code == 201, busan.text
    assert _at(busan.json()["flight"]["launch_at"]) == wave + interval
    again = api.book(headers, {**shanghai_body, "parcels": [{"mass_kg": 2.0, "volume_m3": 0.01}]})
    assert again.status_code == 201, again.text
    assert again.json()["flight"]["id"] == shanghai.json()["flight"]["id"]


def test_a_quote_whose_only_wave_has_no_free_pad_names_the_wave_after(api: Api) -> None:
    """NYC → Los Angeles' port keeps the hour from one wave only. With a Miami flight on it,
    the quote is ``no_capacity``, and its next seat is the next wave, when the pad has turned
    round (not the next day, as a board that asked only when airframes come back would say)."""
    _, headers = api.merchant()
    ready = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    ready += timedelta(days=2, hours=4)
    miami = {**_busan(ready, 200), "destination": {"place": "Miami, US"}, "origin_hub": "NYC"}
    miami.pop("customs")
    booked = api.book(headers, miami)
    assert booked.status_code == 201, booked.text
    wave = _at(booked.json()["flight"]["launch_at"])
    los_angeles = {**miami, "destination": {"lat_deg": 33.74, "lon_deg": -118.27, "country": "US"}}
    quoted = _quote(api, headers, los_angeles)["one_hour"]
    assert not quoted["available"] and quoted["reason"] == "no_capacity", quoted
    interval = timedelta(minutes=NETWORK.hub("NYC").launch_interval_min)
    assert _at(quoted["next_seat_at"]) == wave + interval


def test_concurrent_openings_at_one_hub_never_share_its_pad(api: Api) -> None:
    """12 clients book at once from HZB, half to Busan and half to Shanghai's port, all ready
    for the same wave: whichever lane opens first takes HZB's one pad, the other lane's
    flight opens on the next wave, and every client is seated. (The openings queue on the
    hub's lock: without it, two could each find the pad free.)"""
    ready = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    ready += timedelta(days=2, hours=3)
    bodies = [
        {**_busan(ready, 100 + i), "origin_hub": "HZB"} if i % 2 else _shanghai_port(ready)
        for i in range(12)
    ]
    answers = race_bookings(api, bodies)
    assert all(r.status_code == 201 for r in answers), [r.text for r in answers]
    flights = {r.json()["flight"]["id"]: r.json()["flight"]["launch_at"] for r in answers}
    launches = sorted(_at(t) for t in flights.values())
    assert len(launches) == 2
    turnaround = timedelta(minutes=NETWORK.hub("HZB").pad_turnaround_min)
    assert launches[1] - launches[0] >= turnaround


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_loaded_flight_seats_what_its_free_hold_fits() -> None:
    """The board's answer on a loaded flight is its free hold, whatever the fleet: a full or a
    launched flight seats nothing, a same-day load only beyond the one-hour share; a new flight
    opens while the hub has airframes left, counting those that earlier days' flights still
    hold."""
    fleet = BookableFleet(NETWORK)
    launch = datetime(2026, 12, 6, 2, 20, tzinfo=UTC)
    roomy, full, gone = (
        FlightKey("ICN", "PUS", launch + timedelta(minutes=m)) for m in (0, 10, 20)
    )
    keys = [(f.origin_hub, f.destination_hub, f.launch_at) for f in (roomy, full, gone)]
    day = DayFlights(
        fleet=fleet,
        hold=Hold.of(NETWORK),
        day_start_s=launch.replace(hour=0, minute=0).timestamp(),
        room={
            keys[0]: Hold(5_000_000, 100_000_000),
            keys[1]: Hold(500, 100_000_000),
            keys[2]: None,
        },
        per_hub=Counter({"ICN": 3}),
        origin=np.zeros(0, dtype=np.intp),
        site=np.zeros(0, dtype=np.intp),
        launch_s=np.zeros(0),
        around=[_row(k) for k in keys],
    )
    parcel = Load(1_000, 5_000)
    assert day.seats(roomy, parcel) and not day.seats(full, parcel) and not day.seats(gone, parcel)
    # 2,500 kg of the hold stay free of same-day loads: 5,000 kg free seats 2,500 kg more.
    share = one_hour_reserve(Hold.of(NETWORK))
    assert day.seats(roomy, Load(2_500_000, 5_000), share)
    assert not day.seats(roomy, Load(2_500_001, 5_000), share)
    opening = FlightKey("ICN", "PUS", launch + timedelta(hours=3))
    assert day.seats(opening, parcel)  # 3 of ICN's 5
    more = [("ICN", "PUS", launch + timedelta(hours=1, minutes=m)) for m in (0, 10)]
    sold = replace(day, around=[_row(k) for k in keys + more], _hubs={}, _opens={})
    assert not sold.seats(opening, parcel) and sold.seats(roomy, parcel)
    # A flight the day before holds its airframe into this one (sold: 5 of ICN's 5).
    before = [("ICN", "PUS", launch - timedelta(days=1) + timedelta(hours=m)) for m in (0, 1)]
    held = replace(day, around=[_row(k) for k in keys + before], _hubs={}, _opens={})
    assert not held.seats(opening, parcel) and held.seats(roomy, parcel)


def _row(key: tuple[str, str, datetime]) -> tuple[Any, ...]:
    """A loaded flight as ``fleetcarry.window_rows`` reads it (origin, where it lands,
    destination, launch, airframe, status, free grams and cm³)."""
    return (key[0], key[1], key[1], key[2], None, "scheduled", 5_000_000, 100_000_000)


def test_the_board_reads_a_day_again_only_once_its_read_is_ttl_old(api: Api) -> None:
    """Per process the board keeps a day's read ``ttl_s`` seconds (its clock injected here):
    a flight loaded meanwhile is seen only after that, and each day is read on its own."""
    _, headers = api.merchant()
    ready = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    ready += timedelta(days=3, hours=2)
    now = [0.0]
    db = Database.connect(api.database_url, pool_size=1)
    try:
        board = FlightBoard(db, BookableFleet(NETWORK), ttl_s=5.0, clock=lambda: now[0])
        assert board.day(ready.date()).per_hub["ICN"] == 0
        booked = api.book(headers, _busan(ready, 20))
        assert booked.status_code == 201, booked.text
        assert board.day(ready.date()).per_hub["ICN"] == 0  # the read is 0 s old
        now[0] = 4.9
        assert board.day(ready.date()).per_hub["ICN"] == 0
        assert board.day(ready.date() + timedelta(days=1)).per_hub["ICN"] == 0  # its own read
        now[0] = 5.0
        assert board.day(ready.date()).per_hub["ICN"] == 1  # ttl old: read again
        launch = _at(booked.json()["flight"]["launch_at"])
        flight = FlightKey("ICN", booked.json()["destination_hub"], launch)
        assert board.seats(flight, Load(1_000, 5_000))  # joins the loaded flight
    finally:
        db.dispose()
