"""``plan run`` and ``plan check`` through Typer's runner."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rocketpost.cli.plan import app
from rocketpost.orders.generator import generate_orders
from rocketpost.orders.io import write_orders

runner = CliRunner()


@pytest.fixture(scope="module")
def orders_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("orders") / "day.parquet"
    orders, items = generate_orders(800, day=date(2026, 11, 25), rng=np.random.default_rng(5))
    write_orders(path, orders, items)
    return path


def test_run_writes_the_plan_and_check_passes(orders_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = runner.invoke(app, ["run", str(orders_file), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["orders"] == 800
    assert summary["one_hour_orders"] + summary["standard_orders"] == 800
    assert (out / "outcomes.parquet").is_file() and (out / "kpis.json").is_file()

    checked = runner.invoke(app, ["check", str(out), "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout) == {"directory": str(out), "ok": True, "violations": []}

    human = runner.invoke(app, ["check", str(out)])
    assert human.exit_code == 0 and "plan OK" in human.stdout


def test_human_output_is_a_kpi_table(orders_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(orders_file), "--out", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "one_hour_share" in result.stdout and "flights_vs_lower_bound" in result.stdout


def test_check_reports_violations_with_exit_1(orders_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    assert runner.invoke(app, ["run", str(orders_file), "--out", str(out), "--json"]).exit_code == 0
    import pyarrow.parquet as pq

    outcomes = pq.read_table(out / "outcomes.parquet")
    pq.write_table(outcomes.slice(1), out / "outcomes.parquet")
    result = runner.invoke(app, ["check", str(out), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert not report["ok"] and "missing from the outcomes" in report["violations"][0]


def test_not_a_plan_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a plan directory" in result.output


def test_stock_at_chinese_hubs_flies_rockets_with_last_mile(
    orders_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan"
    args = ["run", str(orders_file), "--out", str(out), "--stock-at", "HZB,SHA,SZX"]
    result = runner.invoke(
        app,
        [*args, "--max-cost-per-kg", "0", "--last-mile", "--last-mile-seconds", "0.2", "--json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["cargo_flights"] > 0 and summary["rocket_orders"] > 0
    assert runner.invoke(app, ["check", str(out)]).exit_code == 0


def test_unknown_stock_hub_is_a_clear_error(orders_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["run", str(orders_file), "--out", str(tmp_path), "--stock-at", "XXX"]
    )
    assert result.exit_code != 0
    assert "XXX" in str(result.exception) or "XXX" in result.output


def test_inventory_decides_where_orders_ship_from(orders_file: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from rocketpost.orders.io import read_orders

    imported = read_orders(orders_file)
    skus = sorted(set(imported.items.sku.tolist()))
    stock = tmp_path / "stock.csv"
    # Everything is stocked at Shanghai only, plus one row with an unknown hub (a reject).
    stock.write_text(
        "hub,sku,quantity\n" + "".join(f"SHA,{s},1000000\n" for s in skus) + "ZZZ,x,1\n"
    )
    out = tmp_path / "plan"
    result = runner.invoke(
        app, ["run", str(orders_file), "--out", str(out), "--inventory", str(stock), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rejected_inventory_rows"] == 1
    assert (out / "inventory_rejects.csv").is_file()
    outcomes = pq.read_table(out / "outcomes.parquet")
    origins = set(outcomes["origin"].to_pylist()) - {""}
    assert origins <= {"SHA"}
    assert runner.invoke(app, ["check", str(out)]).exit_code == 0
