"""Scenario variants, the per-process generated day, and the same sweep on Dask and in process."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pytest

from rocketpost.errors import InputError
from rocketpost.network import default_network
from rocketpost.simulation import run_sweep
from rocketpost.simulation.montecarlo import dask_client
from rocketpost.simulation.scenarios import (
    RunParams,
    ScenarioResult,
    _generated_day,
    run_scenarios,
    scenario_config,
    scenario_network,
)
from rocketpost.simulation.sweep import results_table
from rocketpost.simulation.sweep_spec import Scenario, parse_sweep_spec

from .test_sweep import TINY


def test_scenario_variants() -> None:
    network = default_network()
    s = Scenario(
        (("fleet_per_hub", 5), ("wave_interval_min", 20.0), ("fleet_reserve", 1), ("buffer_min", 4))
    )
    variant = scenario_network(network, s)
    assert {h.fleet for h in variant.hubs} == {4}
    assert {h.launch_wave_interval_min for h in variant.hubs} == {20.0}
    assert variant.promise.buffer_min == 4.0
    config = scenario_config(
        parse_sweep_spec(TINY).base,
        Scenario((("scrub_share", 0.5), ("landing_zones", 2), ("fleet_reserve", 1))),
    )
    assert config.disruptions.weather.scrub_share == 0.5
    assert config.landing_zones == 2 and config.spare_airframes_per_hub == 1
    with pytest.raises(InputError, match="fleet_reserve"):
        scenario_network(network, Scenario((("fleet_reserve", 99),)))


def test_generated_day_is_made_once_per_process_and_only_the_newest_kept() -> None:
    network = default_network()
    spec = parse_sweep_spec(TINY).orders
    first = _generated_day(spec, network)
    assert _generated_day(spec, network) is first  # cached, not regenerated
    other = _generated_day(dataclasses.replace(spec, seed=spec.seed + 1), network)
    assert not np.array_equal(other[0].destination_lat_deg, first[0].destination_lat_deg)
    again = _generated_day(spec, network)
    assert again is not first  # only the newest day is kept
    fresh_orders, fresh_allowed = spec.load(network)
    assert np.array_equal(again[0].destination_lat_deg, fresh_orders.destination_lat_deg)
    assert again[1] is not None and fresh_allowed is not None
    assert np.array_equal(again[1], fresh_allowed)


def _recorder(steps: list[tuple[int, int]]) -> Callable[[int, int], None]:
    return lambda done, total: steps.append((done, total))


def _same_table(a: pa.Table, b: pa.Table) -> bool:
    """Equal schemas and values, NaN equal to NaN (a KPI with no orders to count is NaN)."""
    if a.schema != b.schema:
        return False
    for name in a.column_names:
        x, y = a[name].to_numpy(), b[name].to_numpy()
        if not np.array_equal(x, y, equal_nan=x.dtype.kind == "f"):
            return False
    return True


def test_sweep_on_dask_equals_the_in_process_sweep() -> None:
    """Workers generate the day themselves (another process, another hash seed) and plan and
    simulate in fused or split tasks: the tables must equal the in-process ones, bit for bit,
    and the progress must reach its total."""
    fused = parse_sweep_spec(TINY)  # 2 plan variants on 2 workers: a task per variant
    split = parse_sweep_spec({**TINY, "grid": {"scrub_share": [0.0, 0.5]}})  # 1 plan variant
    specs = {"fused": fused, "split": split}
    expected = {name: run_sweep(spec) for name, spec in specs.items()}
    network = fused.network()
    orders, allowed = fused.orders.load(network)
    scenarios = fused.scenarios()

    def given_day(client: object) -> list[ScenarioResult]:
        return run_scenarios(
            network,
            orders,
            allowed,
            scenarios,
            base=fused.base,
            runs=RunParams(fused.replicates, fused.seed),
            client=client,
        )

    in_process = given_day(None)
    environ_before = dict(os.environ)
    with dask_client(2) as client:
        # The workers reuse freed memory (see montecarlo._WORKER_ENV); this process is untouched.
        on_workers = client.run(os.environ.get, "MALLOC_MMAP_MAX_")
        assert set(on_workers.values()) == {os.environ.get("MALLOC_MMAP_MAX_", "0")}
        for name, spec in specs.items():
            steps: list[tuple[int, int]] = []
            table = run_sweep(spec, client=client, progress=_recorder(steps))
            assert _same_table(table, expected[name]), name
            plans = len({s.plan_key() for s in spec.scenarios()})
            total = plans + len(spec.scenarios()) * spec.replicates
            assert steps[-1] == (total, total), name
            assert [d for d, _ in steps] == sorted(d for d, _ in steps), name
        # A day given as tables (a file, calibration) is broadcast to the workers instead.
        on_dask = given_day(client)
    assert {k: v for k, v in os.environ.items() if k.startswith(("MALLOC_", "NUMPY_"))} == {
        k: v for k, v in environ_before.items() if k.startswith(("MALLOC_", "NUMPY_"))
    }
    assert _same_table(results_table(on_dask), results_table(in_process))
    assert _same_table(results_table(on_dask), expected["fused"])
