"""``rocketpost design solve | frontier | sensitivity`` through Typer's runner."""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path

from typer.testing import CliRunner

from rocketpost.cli import app, register_commands
from rocketpost.errors import InputError

register_commands()
runner = CliRunner()
# The packaged network file (the suite's default network is a copy without its sites file).
SHIPPED = str(resources.files("rocketpost") / "data" / "network.toml")
SMALL = ["--stock-at", "HZB,SHA,SZX", "--min-population", "1000000", "--network", SHIPPED]


def test_solve_writes_a_network_and_prices_the_fleet(tmp_path: Path) -> None:
    out = tmp_path / "design"
    arguments = ["design", "solve", *SMALL, "--sites", "5", "--out", str(out)]
    result = runner.invoke(app, [*arguments, "--orders-per-day", "1000", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["solution"]["chosen"] <= 5 and summary["solution"]["status"] == "optimal"
    assert summary["economics"]["flights_per_day"] > 0
    text = (out / "network.toml").read_text(encoding="utf-8")
    assert f"# Command: rocketpost design solve --network {SHIPPED} --stock-at HZB,SHA,SZX" in text
    assert len(tomllib.loads(text)["landing_sites"]) == summary["solution"]["chosen"]
    for name in ("design.json", "design.geojson", "map.png"):
        assert (out / name).stat().st_size > 0
    # The designed file (no presets) is a base for the next design, its sites kept fixed.
    again = ["design", "solve", *SMALL[:-1], str(out / "network.toml"), "--keep-sites"]
    result = runner.invoke(app, [*again, "--sites", "2", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["base_share"] == summary["solution"]["share"]


def test_sites_out_is_a_landing_sites_file(tmp_path: Path) -> None:
    sites_file = tmp_path / "sites.toml"
    arguments = ["design", "solve", *SMALL, "--sites", "4", "--sites-out", str(sites_file)]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    text = sites_file.read_text(encoding="utf-8")
    assert f"# Command: rocketpost design solve --network {SHIPPED}" in text
    assert "--sites-out" in text.splitlines()[1]
    assert len(tomllib.loads(text)["landing_sites"]) == 4
    assert "one-hour" in result.output


def test_solve_by_budget_and_bad_solver() -> None:
    result = runner.invoke(app, ["design", "solve", *SMALL, "--budget", "700e6", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["annual_usd"] <= 700e6
    bad = runner.invoke(app, ["design", "solve", *SMALL, "--solver", "simplex"])
    assert bad.exit_code != 0 and isinstance(bad.exception, InputError)


def test_frontier_writes_plot(tmp_path: Path) -> None:
    arguments = ["design", "frontier", *SMALL, "--sites", "1,3,6", "--out", str(tmp_path)]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "frontier.png").exists() and "reach against budget" in result.output
    points = json.loads((tmp_path / "frontier.json").read_text(encoding="utf-8"))
    assert [p["share"] for p in points] == sorted(p["share"] for p in points)


def test_sensitivity_answers_the_target() -> None:
    arguments = ["design", "sensitivity", *SMALL, "--sites", "5", "--target", "0.2"]
    arguments += ["--drone-range-km", "40", "--drone-speed-kmh", "", "--vessel-speed-kmh", ""]
    arguments += ["--burnout-speed-ms", "", "--offshore-km", "", "--json"]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [r["lever"] for r in document["rows"]] == ["drone_range_km"]
    assert "sites_needed_for_target" in document
