"""Every file under ``examples/`` runs, exactly as its own comments tell a user to run it.

An example that no longer runs teaches the wrong thing, and nobody notices until a user tries
it; so each one is run here through the real ``rocketpost`` entry point (in-process, with
``--workers 0`` rather than a local Dask cluster: the sweep results are the same bit for bit).
A new kind of example needs a runner in :data:`RUNNERS`, or
:func:`test_every_example_has_a_runner` fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from rocketpost.cli import main
from rocketpost.network import default_network
from rocketpost.orders.generator import GeneratorParams
from rocketpost.orders.io import read_orders
from rocketpost.planning.params import PlanParams
from rocketpost.simulation import load_sweep_spec

EXAMPLES_DIR = Path(__file__).parents[1] / "examples"


def _rocketpost(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``rocketpost ARGS`` as the installed script would; its stdout."""
    with pytest.raises(SystemExit) as exit_status:
        main(args)
    captured = capsys.readouterr()
    assert exit_status.value.code == 0, captured.err
    return captured.out


def _run_sweep_spec(example: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``rocketpost sweep SPEC``: one result row per scenario of the grid, tables and plots."""
    spec = load_sweep_spec(example)
    doc = json.loads(
        _rocketpost(
            ["sweep", str(example), "--workers", "0", "--out", str(out), "--json"],
            capsys,
        )
    )
    scenarios = doc["scenarios"]
    assert len(scenarios) == len(spec.scenarios())
    assert pq.read_table(out / "results.parquet").num_rows == len(scenarios)
    assert (out / "promises_kept_share.png").read_bytes()[:4] == b"\x89PNG"
    assert all(0.0 <= row["promises_kept_share"] <= 1.0 for row in scenarios)
    # The example sets max_cost_per_kg = 0 "so that the rocket lanes are exercised": they are.
    assert any(row["flights_flown"] > 0 for row in scenarios)


def _generate_day(out: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    """``rocketpost orders generate`` of a small day into ``out``; its JSON summary."""
    args = ["orders", "generate", "--n", "2000", "--date", "2026-11-25", "--seed", "1"]
    return dict(json.loads(_rocketpost([*args, "--out", str(out), *extra, "--json"], capsys)))


def _run_plan_params(example: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``rocketpost plan ORDERS --out DIR --params FILE``: the plan records the file's options."""
    out.mkdir(parents=True)
    orders = out / "day.parquet"
    _generate_day(orders, capsys)
    plan_dir = out / "plan"
    _rocketpost(["plan", str(orders), "--out", str(plan_dir), "--params", str(example)], capsys)
    params = PlanParams.from_file(example)
    options = json.loads((plan_dir / "manifest.json").read_text())["options"]
    assert options["hold_below_fill"] == params.consolidation.hold_below_fill
    assert options["last_mile"] == params.last_mile


def _run_orders_params(example: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``rocketpost orders generate ... --params FILE``: the day has the file's mix."""
    out.mkdir(parents=True)
    summary = _generate_day(out / "day.parquet", capsys, "--params", str(example))
    assert summary["orders"] == 2000 and summary["backhaul_orders"] > 0
    read = read_orders(out / "day.parquet", known_hubs=default_network().hub_ids)
    assert read.rows_rejected == 0
    origins = set(GeneratorParams.from_file(example).backhaul_origins)
    assert set(read.orders.origin_hub[read.orders.origin_hub != ""].tolist()) <= origins


RUNNERS: dict[str, Callable[[Path, Path, pytest.CaptureFixture[str]], None]] = {
    ".toml": _run_sweep_spec,
    "params/plan.toml": _run_plan_params,
    "params/orders.toml": _run_orders_params,
}
"""How each example is run: by its path under ``examples/``, else by its file suffix."""


def _runner(example: Path) -> Callable[[Path, Path, pytest.CaptureFixture[str]], None] | None:
    return RUNNERS.get(example.relative_to(EXAMPLES_DIR).as_posix(), RUNNERS.get(example.suffix))


EXAMPLES = sorted(path for path in EXAMPLES_DIR.rglob("*") if path.is_file())


def test_every_example_has_a_runner() -> None:
    assert EXAMPLES, f"no examples found in {EXAMPLES_DIR}"
    unknown = [str(path) for path in EXAMPLES if _runner(path) is None]
    assert not unknown, f"add a runner for these examples: {unknown}"


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=[str(path.relative_to(EXAMPLES_DIR)) for path in EXAMPLES]
)
def test_example_runs(example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runner = _runner(example)
    assert runner is not None
    runner(example, tmp_path / "out", capsys)
