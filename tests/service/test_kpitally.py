"""The KPI tallies (SQLite, PostgreSQL) agree with the shipments counted one by one, at several
instants and after each kind of change — booking, plan, launch, landing, last mile, cancel,
scrub — so the per-flight cache never serves a stale day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from rocketpost.service.db import Database
from rocketpost.service.kpitally import TallyCache
from rocketpost.service.models import Flight, FlightTally, Shipment

from .conftest import Api, miami, plan, slot_ready_at
from .test_controlroom import kpis
from .test_lastmile_events import flight_event, last_mile

OPEN = ("pre_transit", "in_transit", "out_for_delivery")


def one_by_one(api: Api, day: str, at: datetime) -> dict[str, int]:
    """The definitions of docs/service.md applied to each shipment of the day's flights."""
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    db = Database.connect(api.database_url, pool_size=1)
    try:
        with db.session() as session:
            rows = session.execute(
                select(Shipment, Flight.status, Flight.launch_at)
                .join(Flight, Shipment.flight_id == Flight.id)
                .where(Flight.launch_at >= start, Flight.launch_at < start + timedelta(days=1))
            ).all()
    finally:
        db.dispose()
    minute = int(at.timestamp() // 60)
    out = dict.fromkeys(("shipments", "delivered", "promises_kept", "late", "at_risk"), 0)
    for s, flight_status, launch_at in rows:
        if s.status == "cancelled":
            continue
        out["shipments"] += 1
        promised = s.promised_delivery_at
        past = promised.timestamp() // 60 < minute
        if s.status == "delivered":
            out["delivered"] += 1
            kept = s.delivered_at <= promised
            out["promises_kept"] += kept
            out["late"] += not kept
        elif s.status in OPEN:
            planned_late = s.planned_delivery_at is not None and s.planned_delivery_at > promised
            waiting = flight_status == "scheduled" and launch_at < at
            out["late"] += past
            out["at_risk"] += (not past) and (
                planned_late or (s.status == "pre_transit" and waiting)
            )
    return out


def agree(api: Api, day: str, *instants: datetime) -> None:
    for at in instants:
        served: dict[str, Any] = kpis(api, day, at)
        assert {k: served[k] for k in one_by_one(api, day, at)} == one_by_one(api, day, at), at


def test_the_tallies_follow_every_change(api: Api) -> None:
    _, headers = api.merchant()
    ready = slot_ready_at(300)
    day = ready.date().isoformat()
    booked = [api.book(headers, miami(ready + timedelta(minutes=m))).json() for m in (0, 0, 0, 10)]
    flight = booked[0]["flight"]["id"]
    launch = datetime.fromisoformat(booked[0]["flight"]["launch_at"])
    promise = datetime.fromisoformat(booked[0]["promised_delivery_at"])
    instants = (
        launch - timedelta(minutes=1),
        launch + timedelta(minutes=3),
        promise + timedelta(minutes=2),
    )
    agree(api, day, *instants)
    plan(api, day)
    agree(api, day, *instants)
    api.book(headers, miami(ready))  # after the plan and after the last tally
    agree(api, day, *instants)
    cancel = api.client.post(f"/v1/shipments/{booked[1]['id']}/cancel", headers=headers)
    assert cancel.status_code == 200
    agree(api, day, *instants)
    for kind in ("launched", "landed"):
        assert flight_event(api, flight, kind).status_code == 200
        agree(api, day, *instants)
    for kind in ("out_for_delivery", "delivered"):
        assert last_mile(api, booked[0]["id"], kind).status_code == 200
        agree(api, day, *instants)
    assert flight_event(api, booked[3]["flight"]["id"], "scrubbed").status_code == 200
    agree(api, day, *instants)
    assert kpis(api, day, instants[1])["scrubs"] == 1


def test_the_tallies_are_kept_in_the_database_and_read_back_after_a_restart(api: Api) -> None:
    _, headers = api.merchant()
    ready = slot_ready_at(48)
    day = ready.date().isoformat()
    booked = [api.book(headers, miami(ready + timedelta(minutes=m))).json() for m in (0, 0, 10)]
    at = datetime.fromisoformat(booked[0]["promised_delivery_at"]) + timedelta(minutes=2)
    served = kpis(api, day, at)
    assert flight_event(api, booked[0]["flight"]["id"], "launched").status_code == 200
    served = kpis(api, day, at)
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    db = Database.connect(api.database_url, pool_size=1)
    try:
        with db.session() as session:
            flights = session.execute(
                select(Flight.id, Flight.updated_at, Flight.status, Flight.launch_at).where(
                    Flight.launch_at >= start, Flight.launch_at < start + timedelta(days=1)
                )
            ).all()
            stored = session.execute(select(FlightTally.flight_id, FlightTally.version)).all()
            # Every flight of the day has its tally stored, counting its current version.
            versions = {pk: version for pk, version, _, _ in flights}
            assert {pk for pk, _ in stored} >= set(versions)
            assert all(version == versions[pk] for pk, version in stored if pk in versions)
            # A new process (a fresh cache) reads them back and answers the same.
            restarted = TallyCache(db).day(session, [tuple(f) for f in flights], at)
    finally:
        db.dispose()
    for name in ("shipments", "delivered", "promises_kept", "late", "at_risk", "in_the_air"):
        assert getattr(restarted, name) == served[name], name
    assert restarted.in_the_air == 2
    agree(api, day, at)
