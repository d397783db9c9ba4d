"""CLI of the one-hour-rocket concept: presets, fastest flights, site ids, reach modes."""

from __future__ import annotations

import json
from importlib import resources

import pytest
import typer
from typer.testing import CliRunner

from rocketpost.cli.flight import flight
from rocketpost.cli.network import app as network_app
from rocketpost.cli.reach import reach
from rocketpost.core.fastest import fastest_trajectory
from rocketpost.network import DEFAULT_NETWORK_FILE, load_network

app = typer.Typer()
app.command("flight")(flight)
app.command("reach")(reach)
app.add_typer(network_app, name="network")

_FIELDS = (
    "range_km",
    "range_angle_deg",
    "burnout_altitude_km",
    "burnout_speed_ms",
    "flight_path_angle_deg",
    "apogee_km",
    "coast_s",
    "flight_s",
)


# The shipped file itself: the test suite's default network is a copy without its
# landing_sites.toml next to it (tests/conftest.py).
_SHIPPED = str(resources.files("rocketpost") / "data" / DEFAULT_NETWORK_FILE)


def _json(*args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, [*args, "--network", _SHIPPED, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("rotation", [(), ("--no-rotation",)])
def test_flight_fastest_to_a_landing_site(rotation: tuple[str, ...]) -> None:
    net = load_network(None, preset="rocket-hour")
    site = net.landing_sites[net.site_index("JP-XN76R0")]
    values = _json(
        "flight", "HZB", "JP-XN76R0", "--trajectory", "fastest", "--preset", "rocket-hour",
        "--max-burnout-speed-ms", "7600", *rotation,
    )  # fmt: skip
    hub = net.hub("HZB")
    expected = fastest_trajectory(
        hub.pad[0], hub.pad[1], site.position[0], site.position[1],
        max_burnout_speed_ms=7600.0, rotating=not rotation,
    ).to_dict()  # fmt: skip
    for field in _FIELDS:
        assert values[field] == pytest.approx(expected[field]), field
    assert values["to"]["lat_deg"] == site.position[0]
    assert values["trajectory"] == "fastest" and values["rotating"] is (not rotation)


def test_reach_json_carries_mode_and_preset() -> None:
    rocket = _json("reach", "--hubs", "HZB,SHA,SZX", "--mode", "rocket", "--preset", "rocket-hour")
    ground = _json("reach", "--hubs", "HZB,SHA,SZX", "--mode", "ground", "--preset", "rocket-hour")
    assert rocket["mode"] == "rocket" and rocket["preset"] == "rocket-hour"
    assert rocket["share"] > ground["share"] > 0.0


def test_unknown_preset_is_an_error() -> None:
    result = CliRunner().invoke(app, ["network", "check", _SHIPPED, "--preset", "moonshot"])
    assert result.exit_code != 0
    assert "rocket-hour, today" in str(result.exception)
