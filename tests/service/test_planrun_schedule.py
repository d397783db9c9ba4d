"""The scheduled plan run inside the service (``plan_every_s``), on SQLite and PostgreSQL: the
current day is planned on a timer and recorded with ``trigger: scheduled``, once per period
however many app instances share the database, one run at a time."""

from __future__ import annotations

import contextlib
import itertools
import math
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from rocketpost.errors import InputError
from rocketpost.network import default_network
from rocketpost.service import Settings
from rocketpost.service.db import Database
from rocketpost.service.planschedule import TRIGGER, PlanScheduler, period_start

from .conftest import BACKENDS, Api, fresh_database, make_api, miami

EVERY_S = 1.5
WAIT_S = 90.0  # for three periods' runs on a loaded machine
serve = contextlib.contextmanager(make_api)


@pytest.fixture(params=BACKENDS)
def own_database(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """A fresh migrated database for one test (its scheduled runs are its own)."""
    return fresh_database(request, request.param, tmp_path)


def scheduled_runs(api: Api, day: str) -> list[dict[str, Any]]:
    """The day's runs the scheduler recorded, as ``GET /v1/ops/plan-runs`` lists them."""
    response = api.client.get(
        "/v1/ops/plan-runs", params={"date": day, "limit": 100}, headers=api.ops
    )
    assert response.status_code == 200, response.text
    return [r for r in response.json()["data"] if r["trigger"] == TRIGGER]


def next_wave(after: datetime) -> datetime:
    """The first 10-minute boundary at or after ``after`` (a launch wave)."""
    floor = after.replace(minute=after.minute - after.minute % 10, second=0, microsecond=0)
    return floor if floor == after else floor + timedelta(minutes=10)


def test_two_app_instances_plan_the_day_once_per_period(own_database: str) -> None:
    settings = {"plan_every_s": EVERY_S, "plan_last_mile_s": 0.2}
    with serve(own_database, **settings) as first, serve(own_database, **settings) as second:
        _, headers = first.merchant()
        ready = next_wave(datetime.now(UTC) + timedelta(minutes=20))
        shipment = first.book(headers, miami(ready)).json()
        today = datetime.now(UTC).date().isoformat()
        deadline = time.monotonic() + WAIT_S
        while len(scheduled_runs(second, today)) < 3:
            assert time.monotonic() < deadline, "fewer than 3 scheduled runs"
            time.sleep(0.2)
    # Both servers stopped: their schedulers with them (a run in progress finished first).
    with serve(own_database) as api:
        runs = scheduled_runs(api, today)
        starts = [datetime.fromisoformat(r["started_at"]).timestamp() for r in runs]
        per_period = Counter(math.floor(s / EVERY_S) for s in starts)
        assert max(per_period.values()) == 1, per_period  # never twice in a period
        ordered = sorted(zip(starts, (r["finished_at"] for r in runs), strict=True))
        for (_, finished), (later, _) in itertools.pairwise(ordered):
            assert datetime.fromisoformat(finished).timestamp() <= later  # one at a time
        assert {r["date"] for r in runs} == {today}
        assert runs[-1]["kind"] == "full"  # the day's first plan; fits after it
        if shipment["flight"]["launch_at"][:10] == today:  # not when booked across midnight
            flight = api.client.get(f"/v1/flights/{shipment['flight']['id']}", headers=api.ops)
            assert flight.json()["plan"]["airframe_id"].startswith("NYC-")
        time.sleep(2 * EVERY_S)  # a server without the setting never plans by itself
        assert len(scheduled_runs(api, today)) == len(runs)


def test_a_period_is_planned_once_and_never_beside_another_run(own_database: str) -> None:
    network = default_network()
    # Two schedulers on two connections to the database, as two servers have; a period of a
    # year, so that both calls below fall in the same one.
    year_s = 365 * 86400.0
    one = PlanScheduler(Database.connect(own_database), network, year_s, last_mile_s=0.2)
    two = PlanScheduler(Database.connect(own_database), network, year_s, last_mile_s=0.2)
    with one.plan_lock() as held:  # one is planning (its lock taken) …
        assert held
        assert two.run_once() is None  # … so two skips, without waiting
    run = two.run_once()
    assert run is not None and run.trigger == TRIGGER and run.kind == "full"
    assert run.started_at.timestamp() >= period_start(time.time(), year_s)
    assert one.run_once() is None  # this period is planned already
    assert two.run_once() is None
    # A shorter period has started since its last scheduled run: planned again (a fit).
    again = PlanScheduler(Database.connect(own_database), network, 1e-3, last_mile_s=0.2)
    time.sleep(0.01)
    rerun = again.run_once()
    assert rerun is not None and rerun.kind == "fit"


def test_the_schedule_is_a_setting_off_by_default(tmp_path: Any) -> None:
    assert Settings.from_env(environ={}).plan_every_s == 0.0
    db = Database.connect(f"sqlite:///{tmp_path / 'off.db'}")
    assert PlanScheduler.from_settings(db, default_network(), Settings.from_env(environ={})) is None
    on = Settings.from_env(environ={"ROCKETPOST_PLAN_EVERY_S": "300"})
    assert on.plan_every_s == 300.0 and on.to_env()["ROCKETPOST_PLAN_EVERY_S"] == "300.0"
    scheduler = PlanScheduler.from_settings(db, default_network(), on)
    assert scheduler is not None and scheduler.every_s == 300.0
    for environ, name in (
        ({"ROCKETPOST_PLAN_EVERY_S": "-1"}, "plan_every_s"),
        ({"ROCKETPOST_PLAN_EVERY_S": "inf"}, "plan_every_s"),
        ({"ROCKETPOST_PLAN_EVERY_S": "soon"}, "ROCKETPOST_PLAN_EVERY_S"),
        ({"ROCKETPOST_PLAN_LAST_MILE_S": "0"}, "plan_last_mile_s"),
        ({"ROCKETPOST_PLAN_LAST_MILE_S": "61"}, "plan_last_mile_s"),
    ):
        with pytest.raises(InputError) as error:
            Settings.from_env(environ=environ)
        assert error.value.field == name


@pytest.fixture(autouse=True)
def _no_leftover_threads() -> Iterator[None]:
    """Every scheduler thread a test started is stopped by the end of it."""
    yield
    import threading

    assert not [t for t in threading.enumerate() if t.name == "plan-scheduler"]
