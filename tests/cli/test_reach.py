"""``rocketpost reach --confidence / --climate``: every mode, declared weather, the climate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rocketpost.cli import app, register_commands

BASE = ["reach", "--preset", "rocket-hour", "--hubs", "HZB,SHA,SZX", "--min-population", "300000"]


def _reach(*args: str) -> dict:  # type: ignore[type-arg]
    register_commands()
    result = CliRunner().invoke(app, [*BASE, *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


@pytest.mark.parametrize("mode", ["any", "rocket", "ground"])
def test_reach_at_the_confidence_in_every_mode(mode: str) -> None:
    buffer = _reach("--mode", mode)
    confident = _reach("--mode", mode, "--confidence")
    averaged = _reach("--mode", mode, "--climate")
    assert buffer["rule"] == "buffer" and confident["rule"] == averaged["rule"] == "confidence"
    assert confident["climate"] is False and averaged["climate"] is True
    assert (
        averaged["population_covered"]
        <= confident["population_covered"]
        <= buffer["population_covered"]
    )
    fronts = _reach("--mode", mode, "--confidence", *_fronts())
    if mode == "rocket":
        assert fronts["population_covered"] == 0 < averaged["population_covered"]
    if mode == "ground":
        assert fronts["population_covered"] == averaged["population_covered"]


def _fronts() -> list[str]:
    return [arg for hub in ("HZB", "SHA", "SZX") for arg in ("--weather", f"{hub}=front")]


def test_the_climate_table_map_and_geojson(tmp_path: Path) -> None:
    register_commands()
    result = CliRunner().invoke(
        app,
        [
            *BASE,
            "--climate",
            "--weather",
            "HZB=front",
            "--map",
            str(tmp_path / "r.png"),
            "--geojson",
            str(tmp_path / "r.geojson"),
        ],
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "expected" in text and "averaged over the climate" in text and "HZB front" in text
    assert (tmp_path / "r.png").stat().st_size > 10_000
    features = json.loads((tmp_path / "r.geojson").read_text())["features"]
    assert any("promised_share" in f["properties"] for f in features)


def test_weather_needs_the_confidence() -> None:
    register_commands()
    result = CliRunner().invoke(app, [*BASE, "--weather", "HZB=front"])
    assert result.exit_code != 0 and "--confidence" in str(result.exception)
