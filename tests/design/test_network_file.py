"""The designed network file: the loader takes it with every world check, reach recomputed from
the file is the design's objective, and ``network check``, ``reach`` and ``plan`` accept it."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rocketpost.cli import app, register_commands
from rocketpost.core.reach import compute_reach
from rocketpost.design.analysis import design
from rocketpost.design.costs import CostModel
from rocketpost.design.coverage import CoverageMatrix
from rocketpost.design.network_file import network_toml
from rocketpost.network import load_network
from rocketpost.orders.generator import generate_orders
from rocketpost.orders.io import write_orders

from .conftest import MIN_POPULATION, STOCK

register_commands()
runner = CliRunner()


@pytest.fixture(scope="module")
def designed_file(coverage: CoverageMatrix, tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = design(coverage, costs=CostModel(), sites=12)
    path = tmp_path_factory.mktemp("designed") / "network.toml"
    text = network_toml(
        coverage.network,
        coverage.candidates.subset(result.chosen),
        header=f"Command: rocketpost design solve --sites 12\nobjective {result.solution.objective}",  # noqa: E501
    )
    path.write_text(text, encoding="utf-8")
    return path


def test_file_loads_and_reach_is_the_objective(
    designed_file: Path, coverage: CoverageMatrix
) -> None:
    text = designed_file.read_text(encoding="utf-8")
    assert text.startswith("# Command: rocketpost design solve --sites 12")
    objective = float(text.splitlines()[1].split()[-1])
    network = load_network(designed_file)  # with every world check
    assert len(network.extra_sites) == 12 and len(network.hubs) == len(coverage.network.hubs)
    assert network.rocket == coverage.network.rocket and network.drone == coverage.network.drone
    reach = compute_reach(
        network, stock_hubs=list(STOCK), min_population=MIN_POPULATION, mode="rocket"
    )
    assert reach.population_covered == pytest.approx(objective)


def test_network_check_and_reach_accept_it(designed_file: Path) -> None:
    checked = runner.invoke(app, ["network", "check", str(designed_file)])
    assert checked.exit_code == 0, checked.output
    result = runner.invoke(
        app,
        ["reach", "--network", str(designed_file), "--mode", "rocket", "--hubs", "HZB,SHA,SZX"],
    )
    assert result.exit_code == 0, result.output


def test_plan_accepts_it(designed_file: Path, tmp_path: Path) -> None:
    orders, items = generate_orders(300, day=date(2026, 11, 25), rng=np.random.default_rng(11))
    orders_file = tmp_path / "day.parquet"
    write_orders(orders_file, orders, items)
    out = tmp_path / "plan"
    arguments = ["plan", "run", str(orders_file), "--out", str(out), "--json"]
    arguments += ["--network", str(designed_file), "--stock-at", "HZB,SHA,SZX"]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rocket_orders"] >= 0 and summary["cargo_flights"] >= 0
    checked = runner.invoke(app, ["plan", "check", str(out)])
    assert checked.exit_code == 0, checked.output


def test_an_unset_setting_is_left_out_and_a_set_one_kept(
    designed_file: Path, coverage: CoverageMatrix
) -> None:
    """TOML has no null: the unset ``promise.weather_margin_h`` (derived from the climate) is
    not written, and a network that sets it keeps it through the file."""
    assert "weather_margin_h" not in designed_file.read_text(encoding="utf-8")
    base = coverage.network
    declared = dataclasses.replace(
        base, promise=dataclasses.replace(base.promise, weather_margin_h=6.5)
    )
    path = designed_file.parent / "declared.toml"
    path.write_text(
        network_toml(declared, coverage.candidates.subset(np.array([], dtype=np.intp)), header=""),
        encoding="utf-8",
    )
    assert load_network(path).promise.weather_margin_h == 6.5
