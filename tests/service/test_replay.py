"""Replaying a day into the service (SQLite, PostgreSQL): the planned timeline, a timeline file
with a scrub in it, and ``rocketpost ops replay`` — all through the functions the ops endpoints
use, so tracking, webhooks and KPIs follow."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rocketpost.cli.ops import app as ops_app
from rocketpost.errors import InputError
from rocketpost.network import default_network
from rocketpost.service.db import Database
from rocketpost.service.replay import (
    OpsEvent,
    planned_timeline,
    read_timeline,
    replay,
    write_timeline,
)

from .conftest import Api, miami, plan, slot_ready_at
from .test_controlroom import kpis


def _planned_day(api: Api, hours: int) -> tuple[datetime, list[dict[str, object]]]:
    _, headers = api.merchant()
    ready = slot_ready_at(hours)
    shipments = [api.book(headers, miami(ready + timedelta(minutes=m))).json() for m in (0, 0, 30)]
    plan(api, ready.date().isoformat())
    return ready, shipments


def test_the_planned_timeline_replays_the_day_to_the_doors(api: Api) -> None:
    ready, shipments = _planned_day(api, 200)
    db = Database.connect(api.database_url, pool_size=2)
    try:
        events = planned_timeline(db, default_network(), ready.date())
        kinds = [e.kind for e in events]
        assert kinds.count("launched") == kinds.count("landed") == 2
        assert kinds.count("out_for_delivery") == kinds.count("delivered") == 3
        assert [e.key() for e in events] == sorted(e.key() for e in events)
        result = replay(db, default_network(), events)
        assert result.applied == {
            "launched": 2,
            "landed": 2,
            "out_for_delivery": 3,
            "delivered": 3,
        }
        assert result.refused == {}
        # Again: a delivery repeats harmlessly; every earlier move is refused (409), not fatal.
        again = replay(db, default_network(), events)
        assert again.applied == {"delivered": 3}
        assert again.refused == {"launched": 2, "landed": 2, "out_for_delivery": 3}
    finally:
        db.dispose()
    assert result.last_at is not None
    day = kpis(api, ready.date().isoformat(), result.last_at)
    assert day["delivered"] == 3 and day["promises_kept"] == 3 and day["late"] == 0
    tracked = api.client.get(f"/v1/tracking/{shipments[0]['tracking_number']}").json()
    assert tracked["status"] == "delivered" and tracked["delivered_at"]
    assert tracked["last_mile_vehicle"].startswith("MIA/")


def test_a_timeline_file_with_a_scrub(api: Api, tmp_path: Path) -> None:
    ready, shipments = _planned_day(api, 230)
    first = str(shipments[0]["flight"]["id"])  # type: ignore[index]
    db = Database.connect(api.database_url, pool_size=2)
    try:
        planned = planned_timeline(db, default_network(), ready.date())
        scrub_at = min(e.at for e in planned if e.flight_id == first) - timedelta(minutes=1)
        edited = [OpsEvent(scrub_at, "scrubbed", flight_id=first), *planned]
        path = write_timeline(edited, tmp_path / "day.csv")
        events = read_timeline(path)
        assert events[0] == OpsEvent(scrub_at, "scrubbed", flight_id=first)
        result = replay(db, default_network(), events)
    finally:
        db.dispose()
    assert result.applied["scrubbed"] == 1
    # The scrubbed flight's events and its (moved) shipments' last mile are refused, not fatal.
    assert result.refused["launched"] == 1 and result.refused["landed"] == 1
    moved = api.client.get(f"/v1/tracking/{shipments[0]['tracking_number']}").json()
    assert moved["flight"]["id"] != first
    assert kpis(api, ready.date().isoformat(), ready)["scrubs"] == 1


def test_bad_timelines_name_the_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "at,kind,flight_id,shipment_id,vehicle\n2030-01-01T00:00:00Z,exploded,flt_X,,\n"
    )
    with pytest.raises(InputError) as error:
        read_timeline(path)
    assert error.value.field == f"{path}:row 2.kind"
    path.write_text("at,kind\n2030-01-01T00:00:00Z,launched\n")
    with pytest.raises(InputError, match="missing columns"):
        read_timeline(path)


def test_the_replay_command(api: Api, tmp_path: Path) -> None:
    ready, _ = _planned_day(api, 260)
    runner = CliRunner()
    out = tmp_path / "timeline.parquet"
    made = runner.invoke(
        ops_app,
        [
            "timeline",
            "--database-url",
            api.database_url,
            "--date",
            str(ready.date()),
            "--out",
            str(out),
        ],
    )
    assert made.exit_code == 0, made.output
    result = runner.invoke(
        ops_app, ["replay", str(tmp_path), "--database-url", api.database_url, "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["applied"]["delivered"] == 3
    both = runner.invoke(
        ops_app, ["replay", str(out), "--date", "2030-01-01", "--database-url", api.database_url]
    )
    assert both.exit_code == 2
