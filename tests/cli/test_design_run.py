"""``rocketpost design`` without a subcommand: the whole design in one command."""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rocketpost.cli import app, register_commands
from rocketpost.core.reach import compute_reach
from rocketpost.errors import InputError
from rocketpost.network import load_network

register_commands()
runner = CliRunner()
SHIPPED = str(resources.files("rocketpost") / "data" / "network.toml")
SMALL = ["--min-population", "1000000", "--network", SHIPPED, "--orders-per-day", "1000"]
FEW_CONCEPTS = [
    "--drone-range-km",
    "30",
    "--drone-speed-kmh",
    "",
    "--vessel-speed-kmh",
    "",
    "--burnout-speed-ms",
    "",
    "--offshore-km",
    "",
]


def _covered(network_file: Path, stock: list[str]) -> float:
    """The designed file's one-hour rocket reach, recomputed from the file by ``reach``'s
    function (independent of the designer)."""
    network = load_network(network_file)  # with every world check
    reach = compute_reach(network, stock_hubs=stock, min_population=1_000_000, mode="rocket")
    return float(reach.population_covered)


def test_design_runs_every_stage_and_writes_every_file(tmp_path: Path) -> None:
    out = tmp_path / "design"
    arguments = ["design", "--stock-at", "HZB,SHA,SZX", "--sites", "4", *SMALL]
    arguments += ["--frontier-sites", "2,4", *FEW_CONCEPTS, "--target", "0.05"]
    result = runner.invoke(app, [*arguments, "--workers", "0", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)  # the JSON document alone: no progress bar on stdout
    assert summary["solution"]["chosen"] <= 4 and summary["solution"]["gap"] <= 1e-4
    assert [p["sites"] for p in summary["frontier"]] == [2, 4]
    assert summary["frontier"][-1]["covered"] == summary["solution"]["objective"]
    assert [r["key"] for r in summary["sensitivity"]["rows"]] == ["drone.range_km"]
    assert summary["economics"]["flights_per_day"] > 0
    assert summary["target"]["share"] == 0.05 and summary["binding_legs"]
    names = {"network.toml", "design.json", "design.geojson", "map.png", "frontier.json"}
    names |= {"frontier.png", "sensitivity.json", "table.txt"}
    assert {Path(p).name for p in summary["outputs"]} == names
    assert all((out / name).stat().st_size > 0 for name in names)
    text = (out / "network.toml").read_text(encoding="utf-8")
    assert f"# Command: rocketpost design --network {SHIPPED} --stock-at HZB,SHA,SZX" in text
    assert len(tomllib.loads(text)["landing_sites"]) == summary["solution"]["chosen"]
    assert "reach against budget" in (out / "table.txt").read_text(encoding="utf-8")
    # The reach recomputed from the file it wrote is the objective.
    objective = summary["solution"]["objective"]
    assert _covered(out / "network.toml", ["HZB", "SHA", "SZX"]) == pytest.approx(objective)


def test_design_on_dask_gives_the_in_process_answer() -> None:
    arguments = ["design", "--sites", "3", *SMALL, "--frontier-sites", "1,3", *FEW_CONCEPTS]
    local = runner.invoke(app, [*arguments, "--workers", "0", "--json"])
    remote = runner.invoke(app, [*arguments, "--workers", "2", "--json"])
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    first, second = json.loads(local.stdout), json.loads(remote.stdout)
    for summary in (first, second):
        for point in summary["frontier"]:
            point.pop("seconds")  # the solver's wall-clock time, the only difference
    assert first["frontier"] == second["frontier"]
    assert first["sensitivity"] == second["sensitivity"]


def test_design_chooses_the_stock_hubs(tmp_path: Path) -> None:
    out = tmp_path / "hubs"
    arguments = ["design", "--stock-at", "HZB,SHA,SZX,ICN", "--choose-hubs", "2", "--sites", "3"]
    arguments += [*SMALL, "--frontier-sites", "", *FEW_CONCEPTS]
    result = runner.invoke(app, [*arguments, "--workers", "0", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    choice = summary["hub_choice"]
    hubs = choice["solution"]["hubs"]
    assert 1 <= len(hubs) <= 2 and set(hubs) <= {"HZB", "SHA", "SZX", "ICN"}
    assert choice["solution"]["gap"] <= 1e-4
    assert choice["greedy"]["objective"] <= choice["solution"]["bound"] + 1e-6
    assert summary["stock_hubs"] == hubs
    # The design on the chosen hubs counts at least what the joint model counted.
    assert summary["solution"]["objective"] >= choice["solution"]["objective"] - 1e-6
    text = (out / "network.toml").read_text(encoding="utf-8")
    assert "# Stock hubs chosen by the model: " + ", ".join(hubs) in text
    objective = summary["solution"]["objective"]
    assert _covered(out / "network.toml", hubs) == pytest.approx(objective)
    hub_ids = {h["id"] for h in tomllib.loads(text)["hubs"]}
    assert set(hubs) <= hub_ids and not ({"HZB", "SHA", "SZX", "ICN"} - set(hubs)) & hub_ids


def test_design_bad_input_and_help() -> None:
    both = runner.invoke(app, ["design", "--sites", "3", "--budget", "1e9", *SMALL])
    assert isinstance(both.exception, InputError) and both.exception.field == "budget"
    solver = runner.invoke(app, ["design", "--solver", "magic", *SMALL])
    assert isinstance(solver.exception, InputError) and solver.exception.field == "solver"
    bare = runner.invoke(app, ["design"])
    assert "solve" in bare.output and "--choose-hubs" in bare.output  # help, not a design
