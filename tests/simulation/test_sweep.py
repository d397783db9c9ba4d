"""A tiny sweep and its outputs."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pyarrow.parquet as pq

from rocketpost.simulation import run_sweep, write_sweep
from rocketpost.simulation.sweep_spec import parse_sweep_spec

EXAMPLE = Path(__file__).parents[2] / "examples" / "sweep.toml"
TINY = {
    "replicates": 2,
    "seed": 3,
    "orders": {"generate": 1500, "seed": 2, "stock_at": ["HZB", "SHA", "SZX"]},
    "grid": {"wave_interval_min": [10, 20], "scrub_share": [0.0, 0.5]},
}


def test_tiny_sweep_runs_and_writes(tmp_path: Path) -> None:
    spec = parse_sweep_spec(TINY)
    steps: list[tuple[int, int]] = []
    table = run_sweep(spec, progress=lambda done, total: steps.append((done, total)))
    assert table.num_rows == 4
    assert steps[-1] == (2 + 4 * 2, 2 + 4 * 2)  # 2 plans + 4 scenarios × 2 replicates
    rows = {(r["wave_interval_min"], r["scrub_share"]): r for r in table.to_pylist()}
    for wave in (10, 20):
        assert rows[wave, 0.0]["wave_scrubs"] == 0
        assert rows[wave, 0.5]["wave_scrubs"] > 0
    written = write_sweep(table, tmp_path)
    assert {p.name for p in written} >= {
        "results.parquet",
        "results.csv",
        "promises_kept_share.png",
    }
    assert pq.read_table(tmp_path / "results.parquet").num_rows == 4
    assert (tmp_path / "promises_kept_share.png").read_bytes()[:4] == b"\x89PNG"
    assert tomllib.loads(EXAMPLE.read_text())["grid"]
