"""``rocketpost orders generate`` and ``rocketpost orders validate``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rocketpost.cli.orders import app
from rocketpost.errors import ConfigFileError, InputError

runner = CliRunner()

HEADER = (
    "order_id,merchant_id,channel,created_at,destination_lat_deg,destination_lon_deg,"
    "destination_country,recipient_id,origin_hub,sku,description,hs_code,quantity,unit_value,"
    "currency,unit_mass_kg,unit_volume_m3,dangerous_goods_class"
)
BAD_DAY = "\n".join(
    (
        HEADER,
        "A1,M1,b2c,2025-06-01T10:00:00Z,48.85,2.35,FR,R1,,S1,T-shirt,610910,1,12.50,EUR,0.2,0.002,",
        "A2,M1,b2c,2025-06-01T10:00:00Z,48.85,2.35,FR,R1,,S1,T-shirt,610910,1,12.50,EUR",
        "A3,M1,b2c,2025-06-01T10:00:00Z,48.85,2.35,FR,R1,,S1,T-shirt,610910,1,12.50,EUR,-2,0.01,",
        "A4,M2,b2b,2025-06-01T11:00:00Z,37.5,127.0,KR,R2,NOPE,P1,Pallet,847989,1,900,USD,400,1.5,",
        "A5,M2,b2b,2025-06-01T11:00:00Z,37.5,127.0,KR,R2,ICN,P2,Press,847989,1,9e4,USD,12000,20,",
        "A6,M3,b2b,2025-06-01T12:00:00Z,37.5,127.0,KR,R3,ICN,P3,Parts,870899,3,50,USD,250,1.2,",
    )
)


def generate(tmp_path: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    result = runner.invoke(
        app,
        [
            "generate",
            "--n",
            "500",
            "--date",
            "2025-06-01",
            "--seed",
            "9",
            "--out",
            str(out),
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_generate_is_reproducible(tmp_path: Path) -> None:
    first = generate(tmp_path, "a.csv")
    second = generate(tmp_path, "b.csv")
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text().count("\n") > 500


def test_generate_prints_a_summary_and_json(tmp_path: Path) -> None:
    out = tmp_path / "day.parquet"
    result = runner.invoke(
        app,
        [
            "generate",
            "--n",
            "300",
            "--date",
            "2025-06-01",
            "--seed",
            "1",
            "--out",
            str(out),
            "--b2b-share",
            "0.5",
            "--backhaul",
            "ICN",
            "--backhaul",
            "FRA=de",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["orders"] == 300 and summary["out"] == str(out)
    assert 100 < summary["b2b_orders"] < 200
    assert summary["backhaul_orders"] > 0
    human = runner.invoke(
        app,
        [
            "generate",
            "--n",
            "50",
            "--date",
            "2025-06-01",
            "--seed",
            "1",
            "--out",
            str(tmp_path / "x.jsonl"),
        ],
    )
    assert "wrote 50 orders" in human.output


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--date", "June 1st"], "--date"),
        (["--out", "day.xlsx"], "path"),
        (["--backhaul", "NOWHERE"], "--backhaul"),
        (["--backhaul", "ICN=Korea"], "--backhaul"),
    ],
)
def test_generate_bad_input_is_an_input_error(tmp_path: Path, args: list[str], field: str) -> None:
    base = {"--n": "10", "--date": "2025-06-01", "--seed": "1", "--out": str(tmp_path / "o.csv")}
    flags = [a for a in args if a.startswith("--")]
    options = [item for key, value in base.items() if key not in flags for item in (key, value)]
    result = runner.invoke(app, ["generate", *options, *args])
    assert isinstance(result.exception, InputError)
    assert result.exception.field == field


def test_validate_counts_and_rejects(tmp_path: Path) -> None:
    path = tmp_path / "day.csv"
    path.write_text(BAD_DAY + "\n")
    rejects = tmp_path / "rejects.csv"
    result = runner.invoke(app, ["validate", str(path), "--rejects", str(rejects), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["rows_read"], summary["rows_accepted"], summary["rows_rejected"]) == (6, 2, 4)
    assert summary["orders_read"] == summary["orders_accepted"] + summary["orders_rejected"]
    assert [r["line"] for r in summary["first_rejects"]] == [3, 4, 5, 6]
    assert "unknown hub" in summary["first_rejects"][2]["reason"]
    assert rejects.read_text().splitlines()[0].startswith('"line","field","reason"')

    human = runner.invoke(app, ["validate", str(path)])
    assert human.exit_code == 0
    assert "rejected" in human.output and "exceeds rocket payload" in human.output
    strict = runner.invoke(app, ["validate", str(path), "--strict"])
    assert strict.exit_code == 1
    anyhub = runner.invoke(app, ["validate", str(path), "--any-hub", "--json"])
    assert json.loads(anyhub.output)["rows_rejected"] == 3


def test_validate_a_generated_file(tmp_path: Path) -> None:
    out = generate(tmp_path, "day.jsonl", "--backhaul", "ICN")
    result = runner.invoke(app, ["validate", str(out), "--json"])
    assert json.loads(result.output)["rows_rejected"] == 0


def test_validate_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "none.csv")])
    assert isinstance(result.exception, InputError)


def test_validate_takes_unit_limits_from_the_network_rocket(tmp_path: Path) -> None:
    from importlib import resources

    from rocketpost.network import DEFAULT_NETWORK_FILE

    shipped = (resources.files("rocketpost") / "data" / DEFAULT_NETWORK_FILE).read_text()
    small = re.sub(r"(?m)^payload_volume_m3 = [0-9.]+", "payload_volume_m3 = 1.0", shipped)
    assert small != shipped
    network_file = tmp_path / "small-rocket.toml"
    network_file.write_text(small)
    path = tmp_path / "day.csv"
    path.write_text(BAD_DAY + "\n")
    result = runner.invoke(
        app,
        ["validate", str(path), "--network", str(network_file), "--json"],
        env={"ROCKETPOST_PRESET": "today"},  # the copy has no landing-sites file beside it
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    # A6's 1.2 m³ pallet fits the shipped rocket but not a 1 m³ hold.
    assert summary["rows_rejected"] == 5
    assert "exceeds rocket hold (1 m³ per unit)" in summary["first_rejects"][-1]["reason"]


def test_generate_reads_params_and_options_override_them(tmp_path: Path) -> None:
    params = tmp_path / "day.toml"
    params.write_text("b2b_share = 0.5\n", encoding="utf-8")
    from_file = generate(tmp_path, "file.csv", "--params", str(params))
    by_option = generate(tmp_path, "option.csv", "--b2b-share", "0.5")
    assert from_file.read_bytes() == by_option.read_bytes()
    overridden = generate(tmp_path, "over.csv", "--params", str(params), "--b2b-share", "0.02")
    assert overridden.read_bytes() == generate(tmp_path, "default.csv").read_bytes()


def test_generate_with_a_bad_params_file_names_file_and_key(tmp_path: Path) -> None:
    params = tmp_path / "day.toml"
    params.write_text("b2b_share = 2.0\n", encoding="utf-8")
    args = ["generate", "--n", "5", "--date", "2025-06-01", "--seed", "1"]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "x.csv"), "--params", str(params)])
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigFileError)
    assert (result.exception.file, result.exception.field) == (str(params), "b2b_share")


BASE_9 = ("generate", "--n", "500", "--date", "2025-06-01", "--seed", "9")
"""The options of :func:`generate` (500 orders of 2025-06-01, seed 9), without ``--out``."""


def test_generate_several_days(tmp_path: Path) -> None:
    """``--days 3``: three consecutive days of N orders in one file, the first the one-day file
    of the same seed, every order id once, every row valid; ``--days 0`` is refused."""
    from rocketpost.orders.io import read_orders

    one = read_orders(generate(tmp_path, "one.parquet")).orders
    result = runner.invoke(
        app,
        [*BASE_9, "--out", str(tmp_path / "three.parquet"), "--days", "3", "--json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["orders"], summary["days"]) == (1500, 3)
    read = read_orders(tmp_path / "three.parquet")
    assert read.rows_rejected == 0
    three = read.orders
    assert len(set(three.order_id.tolist())) == 1500
    days = sorted({order_id[1:9] for order_id in three.order_id.tolist()})
    assert days == ["20250601", "20250602", "20250603"]
    first = np.flatnonzero(np.char.startswith(three.order_id.astype(str), "O20250601-"))
    for name, column in one.columns().items():
        np.testing.assert_array_equal(getattr(three, name)[first], column, err_msg=name)
    # Each day is drawn from its own stream, not the first day's again.
    second = np.char.startswith(three.order_id.astype(str), "O20250602-")
    assert not np.array_equal(three.destination_lat_deg[second], one.destination_lat_deg)
    refused = runner.invoke(
        app,
        [*BASE_9, "--out", str(tmp_path / "x.csv"), "--days", "0"],
    )
    assert refused.exit_code == 2 and "--days" in refused.output
