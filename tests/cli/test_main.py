"""The ``rocketpost`` command as a user runs it: real process, exit codes, stdout and stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rocketpost.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=120,
    )


def test_flight_json_has_the_promised_fields() -> None:
    done = run("flight", "New York, US", "London, GB", "--json", "--preset", "today")
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)
    for key in (
        "range_km",
        "burnout_altitude_km",
        "burnout_speed_ms",
        "flight_path_angle_deg",
        "apogee_km",
        "coast_s",
        "flight_s",
    ):
        assert isinstance(values[key], float), key
    assert values["range_km"] == pytest.approx(5570, rel=0.01)
    assert 20 * 60 < values["coast_s"] < 26 * 60
    assert values["flight_s"] == pytest.approx(
        values["ascent_s"] + values["coast_s"] + values["descent_s"]
    )
    assert values["rotating"] is True
    fixed = json.loads(
        run(
            "flight", "New York, US", "London, GB", "--json", "--no-rotation", "--preset", "today"
        ).stdout
    )
    assert fixed["rotating"] is False
    assert fixed["coast_s"] != pytest.approx(values["coast_s"], rel=1e-3)


def test_flight_table_for_people() -> None:
    done = run("flight", "USNYC", "51.5,-0.12")
    assert done.returncode == 0, done.stderr
    assert "launch to touchdown" in done.stdout


def test_eta_json_and_table() -> None:
    done = run("eta", "HZB", "Shanghai", "--json")
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)
    assert set(values["legs_s"]) >= {"origin_handling", "wave_wait", "coast", "boat", "last_mile"}
    assert values["total_s"] == pytest.approx(sum(values["legs_s"].values()), abs=1.0)
    assert isinstance(values["promise_possible"], bool)
    table = run("eta", "HZB", "New York, US", "--at", "2026-11-25T09:03:00Z")
    assert table.returncode == 0, table.stderr
    assert "not possible" in table.stdout and "earliest delivery" in table.stdout


def test_reach_json_and_files(tmp_path: Path) -> None:
    done = run(
        "reach",
        "--json",
        "--minutes",
        "90",
        "--map",
        str(tmp_path / "r.png"),
        "--geojson",
        str(tmp_path / "r.geojson"),
    )
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)
    assert {"population_covered", "population_total", "share", "countries"} <= set(values)
    assert values["countries"] and {"code", "population_covered", "share"} <= set(
        values["countries"][0]
    )
    assert (tmp_path / "r.png").stat().st_size > 10_000
    assert json.loads((tmp_path / "r.geojson").read_text())["type"] == "FeatureCollection"


def test_network_check_default_and_json() -> None:
    done = run("network", "check")
    assert done.returncode == 0, done.stderr
    assert "valid" in done.stdout
    values = json.loads(run("network", "check", "--json").stdout)
    assert values["valid"] is True and len(values["hubs"]) >= 16


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("flight", "Atlantisville", "London, GB"), "Atlantisville"),
        (("flight", "91,0", "London, GB"), "91"),
        (("eta", "NOPE", "Paris, FR"), "NOPE"),
        (("reach", "--minutes", "-3"), "minutes"),
        (("reach", "--hubs", "XXX"), "XXX"),
        (("eta", "HZB", "Paris, FR", "--at", "yesterday"), "yesterday"),
        (("flight",), "Missing argument"),
        (("no-such-command",), "No such command"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], fragment: str) -> None:
    done = run(*args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]
    assert "Traceback" not in done.stderr


def test_network_check_bad_files(tmp_path: Path) -> None:
    text = (ROOT / "src/rocketpost/data/network.toml").read_text()
    on_land = tmp_path / "land.toml"
    on_land.write_text(
        text.replace("landing_zone = [30.537, 121.085]", "landing_zone = [30.3, 120.2]")
    )
    negative = tmp_path / "negative.toml"
    negative.write_text(text.replace("speed_kmh = 65.0", "speed_kmh = -65.0"))
    for path, fragment in ((on_land, "on land"), (negative, "boat.speed_kmh")):
        done = run("network", "check", str(path))
        assert done.returncode == 2
        assert fragment in done.stderr and str(path) in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    done = run("network", "check", str(tmp_path / "missing.toml"))
    assert done.returncode == 2 and "no such file" in done.stderr
