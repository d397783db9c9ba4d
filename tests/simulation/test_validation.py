"""Calibration as validation: kept shares per hub with Wilson intervals, the reliability
diagram and the verdict."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from rocketpost.network import default_network
from rocketpost.orders.generator import generate_orders
from rocketpost.planning import ConsolidationPolicy, plan_orders
from rocketpost.planning.params import PlanParams
from rocketpost.promise.reliability import clustered_wilson_interval, wilson_interval
from rocketpost.simulation import Disruptions, SimConfig, inputs_from_plan, run_replicate
from rocketpost.simulation.validation import (
    KeptShare,
    ValidationResult,
    validate_inputs,
    validate_promises,
    write_reliability_png,
)


def test_the_verdict_fails_only_beyond_the_interval() -> None:
    assert KeptShare("all", "rocket", 1000, 950, 0.95, 0.93, 0.96, 0.99).fails
    assert not KeptShare("all", "rocket", 50, 49, 0.98, 0.89, 0.996, 0.99).fails
    assert not KeptShare("all", "rocket", 0, 0, math.nan, math.nan, math.nan, 0.99).fails


def test_one_failing_day_fails_the_check() -> None:
    ok = KeptShare("all", "rocket", 50, 49, 0.98, 0.89, 0.996, 0.99)
    bad_day = KeptShare("2026-11-26", "rocket", 1000, 950, 0.95, 0.93, 0.96, 0.99, 0.992)
    result = ValidationResult(0.99, 2, 10, [ok], [], 0, pa.table({}), days=[ok])
    assert result.passed
    result = ValidationResult(0.99, 2, 10, [ok], [], 0, pa.table({}), days=[ok, bad_day])
    assert not result.passed
    assert result.to_dict()["days"][1] | {"fails": True} == result.to_dict()["days"][1]
    assert result.to_dict()["days"][1]["stated_mean"] == 0.992


def test_a_calm_world_keeps_every_promise_and_draws_the_diagram(tmp_path: Path) -> None:
    network = default_network("rocket-hour")
    # 2,000 orders: the plan promises under the climate, which counts lost landings and onsets
    # (docs/promise.md), so enough one-hour promises for an interval above 0.9.
    orders, _ = generate_orders(
        2000, day=date(2026, 11, 25), rng=np.random.default_rng(2), rocket=network.rocket
    )
    allowed = np.zeros((len(orders), len(network.hubs)), dtype=bool)
    allowed[:, [network.hub_index(h) for h in ("HZB", "SHA", "SZX")]] = True
    result = validate_promises(
        network,
        orders,
        allowed=allowed,
        replicates=2,
        config=SimConfig(disruptions=Disruptions.none()),
        params=PlanParams(consolidation=ConsolidationPolicy(max_cost_per_kg_usd=math.inf)),
    )
    overall = {s.kind: s for s in result.shares if s.group == "all"}
    assert overall["one_hour"].promised > 0 and overall["one_hour"].share == 1.0
    assert overall["one_hour"].low > 0.9 and overall["one_hour"].high == pytest.approx(1.0)
    hubs = [s for s in result.shares if s.group != "all" and s.kind == "one_hour"]
    assert sum(s.promised for s in hubs) == overall["one_hour"].promised
    assert result.passed and result.withdrawn == 0
    assert sum(b.n for b in result.reliability) == overall["one_hour"].promised
    doc = result.to_dict()
    assert doc["passed"] is True and doc["kept"][0]["group"] == "all"
    png = write_reliability_png(result, tmp_path / "reliability.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_intervals_count_replicates_not_parcels() -> None:
    """Under the default disruptions some promises break, several at once (a front holds every
    flight of a hub): each interval is the one over replicates as clusters, and no narrower
    than the Wilson interval of independent promises."""
    network = default_network("rocket-hour")
    orders, _ = generate_orders(
        2000, day=date(2026, 11, 25), rng=np.random.default_rng(2), rocket=network.rocket
    )
    allowed = np.zeros((len(orders), len(network.hubs)), dtype=bool)
    allowed[:, [network.hub_index(h) for h in ("HZB", "SHA", "SZX")]] = True
    replicates = 60
    result = validate_promises(
        network,
        orders,
        allowed=allowed,
        replicates=replicates,
        params=PlanParams(consolidation=ConsolidationPolicy(max_cost_per_kg_usd=math.inf)),
    )
    pooled = result.pooled
    replicate = np.asarray(pooled["replicate"].to_numpy())
    assert sorted(set(replicate.tolist())) == list(range(replicates))
    made = np.asarray(pooled["promise_made"].to_numpy(zero_copy_only=False), dtype=bool)
    kept = made & np.asarray(pooled["on_time"].to_numpy(zero_copy_only=False), dtype=bool)
    overall = next(s for s in result.shares if s.group == "all" and s.kind == "one_hour")
    assert 0 < overall.kept < overall.promised  # something broke: the clusters matter
    expected = clustered_wilson_interval(
        np.bincount(replicate[kept], minlength=replicates),
        np.bincount(replicate[made], minlength=replicates),
    )
    assert (overall.low, overall.high) == pytest.approx(expected)
    plain = wilson_interval(overall.kept, overall.promised)
    assert overall.low <= plain[0] + 1e-12 and overall.high >= plain[1] - 1e-12


def test_a_later_first_replicate_is_another_sample_of_the_same_plan() -> None:
    network = default_network("rocket-hour")
    orders, _ = generate_orders(
        600, day=date(2026, 11, 25), rng=np.random.default_rng(3), rocket=network.rocket
    )
    plan = plan_orders(
        network, orders, PlanParams(consolidation=ConsolidationPolicy(max_cost_per_kg_usd=math.inf))
    )
    inputs = inputs_from_plan(plan, network)
    result = validate_inputs(inputs, replicates=2, first_replicate=3, orders=len(orders))
    assert result.orders == len(orders) and result.replicates == 2
    made = 0
    for index in (3, 4):  # the replicates it ran, as run_replicate runs them
        table = run_replicate(inputs, SimConfig(), 0, index, detail=True).orders
        assert table is not None
        made += int(np.sum(table.column("promise_made").to_numpy(zero_copy_only=False)))
    overall = next(s for s in result.shares if s.group == "all" and s.kind == "one_hour")
    assert overall.promised == made
    assert sorted(set(result.pooled["replicate"].to_pylist())) == [0, 1]
