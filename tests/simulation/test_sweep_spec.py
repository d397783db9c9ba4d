"""Sweep specs: the example parses, and a bad spec names its file, key path and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from rocketpost.errors import ConfigFileError
from rocketpost.simulation import load_sweep_spec
from rocketpost.simulation.sweep_spec import parse_sweep_spec

EXAMPLE = Path(__file__).parents[2] / "examples" / "sweep.toml"


def test_example_spec_parses() -> None:
    spec = load_sweep_spec(EXAMPLE)
    assert len(spec.scenarios()) == 16
    assert spec.orders.stock_at == ("HZB", "SHA", "SZX")
    assert spec.max_cost_per_kg == float("inf")


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ({"grid": {"fleet": [1]}}, "grid.fleet"),
        ({"grid": {"landing_zones": [3]}}, "grid.landing_zones"),
        ({"grid": {"scrub_share": [1.2]}}, "grid.scrub_share"),
        ({"grid": {"policy": ["pray"]}}, "grid.policy"),
        ({"grid": {"scrub_share": []}}, "grid.scrub_share"),
        ({"grid": {}}, "grid"),
        ({"replicates": -1, "grid": {"scrub_share": [0.1]}}, "replicates"),
        ({"colour": "red", "grid": {"scrub_share": [0.1]}}, "colour"),
        ({"orders": {"n": 5}, "grid": {"scrub_share": [0.1]}}, "orders.n"),
        ({"simulation": {"boats_per_hub": 0}, "grid": {"scrub_share": [0.1]}}, "boats_per_hub"),
    ],
)
def test_bad_specs_name_the_key(doc: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigFileError) as error:
        parse_sweep_spec(doc, "spec.toml")
    assert field in error.value.field and error.value.file == "spec.toml"
    assert str(error.value).startswith(f"spec.toml: {error.value.field}: ")


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="no such file"):
        load_sweep_spec(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("grid = [")
    with pytest.raises(ConfigFileError, match="not valid TOML") as error:
        load_sweep_spec(broken)
    assert error.value.file == str(broken)


def test_a_bad_value_in_a_spec_file_names_file_key_path_and_value(tmp_path: Path) -> None:
    spec = tmp_path / "bad.toml"
    spec.write_text("replicates = 2\n[grid]\nscrub_share = [0.1, 1.5]\n")
    with pytest.raises(ConfigFileError) as error:
        load_sweep_spec(spec)
    assert str(error.value) == (
        f"{spec}: grid.scrub_share: must be a probability in [0, 1] (got 1.5)"
    )
