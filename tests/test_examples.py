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

import pyarrow.parquet as pq
import pytest

from rocketpost.cli import main
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


RUNNERS: dict[str, Callable[[Path, Path, pytest.CaptureFixture[str]], None]] = {
    ".toml": _run_sweep_spec,
}
"""How each kind of example (by file suffix) is run."""

EXAMPLES = sorted(path for path in EXAMPLES_DIR.rglob("*") if path.is_file())


def test_every_example_has_a_runner() -> None:
    assert EXAMPLES, f"no examples found in {EXAMPLES_DIR}"
    unknown = [str(path) for path in EXAMPLES if path.suffix not in RUNNERS]
    assert not unknown, f"add a runner for these examples: {unknown}"


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=[str(path.relative_to(EXAMPLES_DIR)) for path in EXAMPLES]
)
def test_example_runs(example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    RUNNERS[example.suffix](example, tmp_path / "out", capsys)
