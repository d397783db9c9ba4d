"""Monte Carlo: identical results in a loop, on one Dask worker and on two."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from distributed import Client, LocalCluster

from rocketpost.errors import InputError
from rocketpost.planning import Plan
from rocketpost.simulation import (
    MonteCarloResult,
    SimConfig,
    SimInputs,
    run_monte_carlo,
    write_results,
)
from rocketpost.simulation.montecarlo import dask_client, replicate_seed

REPLICATES = 6


@pytest.fixture(scope="module")
def in_loop(small_plan: tuple[Plan, SimInputs]) -> MonteCarloResult:
    return run_monte_carlo(small_plan[1], SimConfig(), replicates=REPLICATES, seed=42)


@pytest.mark.parametrize("workers", [1, 2])
def test_same_seed_same_results_on_any_number_of_workers(
    small_plan: tuple[Plan, SimInputs],
    in_loop: MonteCarloResult,
    workers: int,
) -> None:
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        on_dask = run_monte_carlo(
            small_plan[1], SimConfig(), replicates=REPLICATES, seed=42, client=client
        )
    assert on_dask.replicates.equals(in_loop.replicates)
    assert on_dask.orders is not None and on_dask.orders.equals(in_loop.orders)
    assert on_dask.events is not None and on_dask.events.equals(in_loop.events)


def test_replicates_differ_and_seeds_are_children(in_loop: MonteCarloResult) -> None:
    kept = in_loop.replicates["wave_scrubs"].to_numpy()
    assert len(set(kept.tolist())) > 1  # independent weather per replicate
    child = np.random.SeedSequence(42).spawn(3)[2]
    assert replicate_seed(42, 2).generate_state(4).tolist() == child.generate_state(4).tolist()


def test_a_replicate_does_not_depend_on_how_many_run(
    small_plan: tuple[Plan, SimInputs],
    in_loop: MonteCarloResult,
) -> None:
    two = run_monte_carlo(small_plan[1], SimConfig(), replicates=2, seed=42)
    assert two.replicates.equals(in_loop.replicates.slice(0, 2))


def test_summary_interval_contains_the_mean(in_loop: MonteCarloResult) -> None:
    i = in_loop.summary["promises_kept_share"]
    assert i.n == REPLICATES and i.low <= i.mean <= i.high
    values = in_loop.replicates["promises_kept_share"].to_numpy()
    assert i.mean == pytest.approx(values.mean())


def test_write_results(in_loop: MonteCarloResult, tmp_path: Path) -> None:
    written = write_results(in_loop, tmp_path)
    assert {p.name for p in written} == {
        "replicates.parquet",
        "summary.json",
        "orders.parquet",
        "events.parquet",
    }
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["seed"] == 42 and "promises_kept_share" in summary["kpis"]
    events = pq.read_table(tmp_path / "events.parquet")
    assert events.column_names == ["time", "kind", "flight_id", "hub", "detail"]


def test_bad_arguments(small_plan: tuple[Plan, SimInputs]) -> None:
    with pytest.raises(InputError, match="replicates"):
        run_monte_carlo(small_plan[1], SimConfig(), replicates=0, seed=1)
    with pytest.raises(InputError, match="seed"):
        run_monte_carlo(small_plan[1], SimConfig(), replicates=1, seed=-1)
    with pytest.raises(InputError, match="workers"), dask_client(-1):
        pass
    with dask_client(0) as client:
        assert client is None
