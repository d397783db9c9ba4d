"""``plan run`` and ``plan check`` through Typer's runner."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rocketpost.cli.plan import app
from rocketpost.network import default_network
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
    # Provenance goes to manifest.json (what `plan check` reads), not into the KPIs.
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["orders_file"] == str(orders_file.resolve())
    assert manifest["network_file"] is None
    assert manifest["promise_s"] == default_network().promise.one_hour_s
    assert manifest["options"]["customs"] is True
    assert "orders_file" not in json.loads((out / "kpis.json").read_text())

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
    # The mechanics against the physics ETA: promised by the (zeroed) buffer, as the conftest
    # sets the suite up; the promise at the confidence has its own tests below.
    out = tmp_path / "plan"
    args = ["run", str(orders_file), "--out", str(out), "--stock-at", "HZB,SHA,SZX"]
    result = runner.invoke(
        app,
        [
            *args,
            "--max-cost-per-kg",
            "0",
            "--last-mile",
            "--last-mile-seconds",
            "0.2",
            "--buffer-rule",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["cargo_flights"] > 0 and summary["rocket_orders"] > 0
    assert runner.invoke(app, ["check", str(out)]).exit_code == 0


def test_plan_promises_at_the_confidence_and_records_p(orders_file: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "plan"
    args = ["run", str(orders_file), "--out", str(out), "--stock-at", "HZB,SHA,SZX"]
    result = runner.invoke(app, [*args, "--preset", "rocket-hour", "--max-cost-per-kg", "0"])
    assert result.exit_code == 0, result.output
    outcomes = pq.read_table(out / "outcomes.parquet").to_pandas()
    one_hour = outcomes[outcomes["service"] == "one_hour"]
    assert len(one_hour) > 0
    assert (one_hour["p_on_time"] >= 0.99).all()
    assert outcomes.loc[outcomes["service"] != "one_hour", "p_on_time"].isna().all()
    # A front declared over every stocked hub leaves no rocket hour from them.
    fronts = [f"--weather={h}=front" for h in ("HZB", "SHA", "SZX")]
    out2 = tmp_path / "plan-front"
    args2 = ["run", str(orders_file), "--out", str(out2), "--stock-at", "HZB,SHA,SZX"]
    result = runner.invoke(
        app, [*args2, "--preset", "rocket-hour", "--max-cost-per-kg", "0", *fronts]
    )
    assert result.exit_code == 0, result.output
    modes = pq.read_table(out2 / "outcomes.parquet").column("mode").to_pylist()
    assert "rocket" not in modes


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


BAD_DAY_CSV = """\
order_id,merchant_id,channel,created_at,destination,destination_lat_deg,destination_lon_deg,destination_country,recipient_id,origin_hub,sku,description,hs_code,quantity,unit_value,currency,unit_mass_kg,unit_volume_m3,dangerous_goods_class
A1,M1,b2c,2026-11-25T03:00:00Z,,37.47,126.60,KR,R1,,P1,Cotton T-shirt,610910,1,20.00,USD,0.3,0.004,
A2,M1,b2c,2026-11-25T03:01:00Z,,37.47,126.60,KR,R2,,P1,Cotton T-shirt,610910,1,20.00,USD
A3,M1,b2c,2026-11-25T03:02:00Z,,37.47,126.60,KR,R3,,P1,Cotton T-shirt,610910,1,20.00,USD,-0.3,0.004,
A4,M2,b2b,2026-11-25T03:03:00Z,,37.47,126.60,KR,R4,XXX,P9,Ball bearings,848210,1,500.00,USD,300,1.0,
A5,M2,b2b,2026-11-25T03:04:00Z,,37.47,126.60,KR,R5,,P9,Machine,848210,1,9000.00,USD,12000,20.0,
A6,M1,b2c,2026-11-25T03:05:00Z,,35.10,129.04,KR,R6,,P1,Cotton T-shirt,610910,2,20.00,USD,0.3,0.004,
"""


def test_bad_rows_go_to_the_rejects_and_the_rest_is_planned(tmp_path: Path) -> None:
    # The case: a malformed row, a negative mass, an unknown hub and a 12-tonne item.
    orders_csv = tmp_path / "day.csv"
    orders_csv.write_text(BAD_DAY_CSV)
    out = tmp_path / "plan"
    result = runner.invoke(app, [str(orders_csv), "--out", str(out), "--json"])  # `plan ORDERS`
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["orders"] == 2 and summary["rejected_orders"] == 4
    rejects = (out / "rejects.csv").read_text().splitlines()
    header, rows = rejects[0], rejects[1:]
    assert "line" in header and "field" in header and "reason" in header
    text = "\n".join(rows)
    for line, field in (
        ("3", ""),
        ("4", "unit_mass_kg"),
        ("5", "origin_hub"),
        ("6", "unit_mass_kg"),
    ):
        assert any(r.split(",")[0] == line and field in r for r in rows), (line, field, text)
    checked = runner.invoke(app, ["check", str(out), "--json"])
    assert checked.exit_code == 0, checked.output


def test_run_reads_params_and_options_override_them(orders_file: Path, tmp_path: Path) -> None:
    params = tmp_path / "plan.toml"
    params.write_text(
        "reserve_for_fuller = false\n[consolidation]\nhold_below_fill = 0.3\n"
        "max_cost_per_kg_usd = 1000.0\n",
        encoding="utf-8",
    )
    out = tmp_path / "plan"
    args = ["run", str(orders_file), "--out", str(out), "--params", str(params), "--json"]
    result = runner.invoke(app, [*args, "--max-cost-per-kg", "0"])
    assert result.exit_code == 0, result.output
    options = json.loads((out / "manifest.json").read_text())["options"]
    assert options["hold_below_fill"] == 0.3  # from the file
    assert options["reserve_for_fuller"] is False
    assert options["max_cost_per_kg_usd"] is None  # the option wins: 0 = always fly


def test_run_with_a_bad_params_file_names_file_and_key(orders_file: Path, tmp_path: Path) -> None:
    params = tmp_path / "plan.toml"
    params.write_text("[consolidation]\nhold_below_fill = 'half'\n", encoding="utf-8")
    args = ["run", str(orders_file), "--out", str(tmp_path / "p"), "--params", str(params)]
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    message = str(result.exception)
    assert str(params) in message and "consolidation.hold_below_fill" in message
    assert "'half'" in message
