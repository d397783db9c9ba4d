"""The replay of a planned day, and of its simulation when ``simulate`` has run."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rocketpost.planning import read_plan
from rocketpost.service.web.replay import replay_view
from rocketpost.simulation.eventlog import EVENT_SCHEMA
from tests.web.conftest import write_replay_plan


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("plan")
    write_replay_plan(directory)
    return directory


def test_without_a_replay_dir_the_replay_is_unavailable() -> None:
    view = replay_view(None)
    assert view["available"] is False and view["flights"] == []


def test_planned_day_replays_the_plan_flights(plan_dir: Path) -> None:
    plan = read_plan(plan_dir)
    view = replay_view(plan_dir)
    assert view["available"] and not view["simulated"]
    flights = view["flights"]
    assert [f["id"] for f in flights] == plan.flights.flight_id.tolist()
    for f, launch, landing in zip(
        flights, plan.flights.launch_s, plan.flights.landing_s, strict=True
    ):
        assert f["launch_s"] == pytest.approx(launch, abs=1e-3)
        assert f["landing_s"] == pytest.approx(landing, abs=1e-3)
        assert f["outcome"] == "flown"
        assert f["origin"] in plan.hub_ids and f["destination"] in plan.hub_ids
    assert view["start_s"] == pytest.approx(min(plan.flights.launch_s), abs=1e-3)


def test_simulated_events_replace_the_plan(plan_dir: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "plan"
    shutil.copytree(plan_dir, copy)
    plan = read_plan(copy)
    first, second = (int(i) for i in plan.flights.flight_id[:2])
    launch = float(plan.flights.launch_s[1]) + 600.0

    def at(epoch: float) -> datetime:
        return datetime.fromtimestamp(epoch, UTC)

    events = pa.table(
        {
            "time": [at(plan.flights.launch_s[0]), at(launch), at(launch + 1500.0)],
            "kind": ["scrub", "launch", "landing"],
            "flight_id": [first, second, second],
            "hub": ["HZB", "HZB", "HZB"],
            "detail": ["", "", ""],
        },
        schema=EVENT_SCHEMA,
    )
    (copy / "simulation").mkdir()
    pq.write_table(events, copy / "simulation" / "events.parquet")
    view = replay_view(copy)
    assert view["simulated"]
    by_id = {f["id"]: f for f in view["flights"]}
    assert by_id[first]["outcome"] == "scrubbed"
    assert by_id[second]["outcome"] == "flown"
    assert by_id[second]["launch_s"] == pytest.approx(launch, abs=1e-3)
    assert by_id[second]["landing_s"] == pytest.approx(launch + 1500.0, abs=1e-3)
    assert by_id[second]["planned_launch_s"] == pytest.approx(plan.flights.launch_s[1], abs=1e-3)
