"""``rocketpost design candidates``: table, JSON and the TOML file (through CliRunner)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from rocketpost.cli import app, register_commands

register_commands()
runner = CliRunner()


def test_candidates_table_and_toml_file(tmp_path: Path) -> None:
    out = tmp_path / "sites.toml"
    result = runner.invoke(
        app,
        ["design", "candidates", "--min-population", "1000000", "--top", "5", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "5 of" in result.output and "serves" in result.output
    text = out.read_text(encoding="utf-8")
    assert "# Command: rocketpost design candidates --min-population 1000000 --top 5" in text
    assert "GeoNames (CC BY 4.0)" in text and "Apache-2.0" in text
    assert len(tomllib.loads(text)["landing_sites"]) == 5


def test_candidates_json() -> None:
    arguments = ["design", "candidates", "--min-population", "1000000", "--top", "3", "--json"]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["candidates"] > 50 and len(document["selected"]) == 3
    first = document["selected"][0]
    assert {"site_id", "port", "boat_route_km", "drone_catchment"} <= set(first)
    assert document["drone_covered_population"] <= document["drone_catchment_sum"]
