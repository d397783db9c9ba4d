"""``simulate``, ``sweep`` and ``calibrate`` through a local Typer app (in-process, no Dask)."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from rocketpost.cli.simulate import calibrate, simulate, sweep
from rocketpost.errors import InputError
from rocketpost.network import default_network
from rocketpost.orders.generator import generate_orders
from rocketpost.planning import ConsolidationPolicy, plan_orders, write_plan
from rocketpost.planning.params import PlanParams

app = typer.Typer()
app.command("simulate")(simulate)
app.command("sweep")(sweep)
app.command("calibrate")(calibrate)
runner = CliRunner()


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    network = default_network()
    orders, _ = generate_orders(1500, day=date(2026, 11, 25), rng=np.random.default_rng(4))
    allowed = np.zeros((len(orders), len(network.hubs)), dtype=bool)
    allowed[:, [network.hub_index(h) for h in ("HZB", "SHA", "SZX")]] = True
    plan = plan_orders(
        network,
        orders,
        PlanParams(consolidation=ConsolidationPolicy(max_cost_per_kg_usd=math.inf)),
        allowed_origins=allowed,
        promise_rule="buffer",
    )
    return write_plan(plan, tmp_path_factory.mktemp("plan"))


def test_simulate_json(plan_dir: Path, tmp_path: Path) -> None:
    args = ["simulate", str(plan_dir), "--replicates", "3", "--seed", "5", "--workers", "0"]
    result = runner.invoke(app, [*args, "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    kept = doc["kpis"]["promises_kept_share"]
    assert kept["n"] == 3 and kept["ci_low"] <= kept["mean"] <= kept["ci_high"]
    assert (tmp_path / "orders.parquet").is_file() and (tmp_path / "events.parquet").is_file()
    again = runner.invoke(app, [*args, "--out", str(tmp_path / "b"), "--json"])
    assert json.loads(again.stdout)["kpis"] == doc["kpis"]  # same seed, same KPIs


def test_simulate_table(plan_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["simulate", str(plan_dir), "--replicates", "2", "--workers", "0", "--out", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert "promises_kept_share" in result.stdout and "95 % CI" in result.stdout


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--replicates", "-1"], "--replicates"),
        (["--workers", "-2"], "--workers"),
        (["--policy", "pray"], "policy"),
    ],
)
def test_simulate_bad_input(plan_dir: Path, args: list[str], field: str) -> None:
    result = runner.invoke(app, ["simulate", str(plan_dir), "--workers", "0", *args])
    assert isinstance(result.exception, InputError) and result.exception.field == field


def test_simulate_missing_plan(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", str(tmp_path / "none"), "--workers", "0"])
    assert isinstance(result.exception, InputError) and result.exception.field == "plan_dir"


def test_sweep_writes_table_and_plots(tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'replicates = 2\n[orders]\ngenerate = 800\nstock_at = ["HZB", "SZX"]\n'
        "[grid]\nscrub_share = [0.0, 0.3]\n"
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(spec), "--workers", "0", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [r["scrub_share"] for r in doc["scenarios"]] == [0.0, 0.3]
    assert (out / "results.csv").is_file() and (out / "promises_kept_share.png").is_file()
    human = runner.invoke(app, ["sweep", str(spec), "--workers", "0", "--out", str(out)])
    assert human.exit_code == 0 and "promises kept" in human.stdout


def test_sweep_bad_key(tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text("[grid]\nfleet = [1]\n")
    result = runner.invoke(app, ["sweep", str(spec), "--workers", "0"])
    assert isinstance(result.exception, InputError) and "grid.fleet" in result.exception.field


def test_calibrate_json() -> None:
    result = runner.invoke(
        app,
        [
            "calibrate",
            "--orders",
            "800",
            "--buffers",
            "0,20",
            "--reserves",
            "0",
            "--replicates",
            "2",
            "--workers",
            "0",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [row["buffer_min"] for row in doc["grid"]] == [0.0, 20.0]
    assert doc["target"] == 0.99


def test_calibrate_validates_the_promises_at_the_confidence(tmp_path: Path) -> None:
    png = tmp_path / "reliability.png"
    result = runner.invoke(
        app,
        [
            "calibrate",
            "--orders",
            "600",
            "--preset",
            "rocket-hour",
            "--replicates",
            "2",
            "--workers",
            "0",
            "--png",
            str(png),
            "--json",
        ],
    )
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    assert doc["target"] == 0.99 and doc["replicates"] == 2
    assert (result.exit_code == 0) == doc["passed"]
    assert {row["kind"] for row in doc["kept"]} == {"rocket", "one_hour"}
    assert png.exists() and doc["png"] == str(png)


def test_calibrate_checks_every_day_of_a_multi_day_file() -> None:
    result = runner.invoke(
        app,
        [
            *("calibrate", "--orders", "600", "--days", "2", "--preset", "rocket-hour"),
            *("--replicates", "2", "--workers", "0", "--json"),
        ],
    )
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    assert (result.exit_code == 0) == doc["passed"]
    days = doc["days"]
    assert days and {row["kind"] for row in days} == {"rocket", "one_hour"}
    assert [row["group"] for row in days] == sorted(row["group"] for row in days)
    overall = next(r for r in doc["kept"] if r["group"] == "all" and r["kind"] == "one_hour")
    per_day = [r for r in days if r["kind"] == "one_hour"]
    assert len(per_day) >= 2
    assert sum(r["promised"] for r in per_day) == overall["promised"]
    assert sum(r["kept"] for r in per_day) == overall["kept"]
    assert all(0.5 < r["stated_mean"] <= 1.0 for r in per_day if r["promised"])


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--days", "0"], "1 to 366"), (["--days", "2", "--buffers", "0,20"], "--buffers")],
)
def test_calibrate_refuses_bad_days(extra: list[str], message: str) -> None:
    result = runner.invoke(app, ["calibrate", "--orders", "100", "--workers", "0", *extra])
    assert isinstance(result.exception, InputError), result.output
    assert result.exception.field == "--days" and message in str(result.exception)
