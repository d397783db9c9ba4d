"""KPIs of a replicate and Student-t confidence intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from rocketpost.planning import Plan
from rocketpost.simulation import (
    KPI_NAMES,
    Disruptions,
    SimConfig,
    SimInputs,
    order_outcomes,
    replicate_kpis,
    simulate_flights,
    summarise,
)


def test_interval_is_the_t_interval() -> None:
    rows = [{"x": v} for v in (1.0, 2.0, 3.0, 4.0)]
    i = summarise(rows)["x"]
    half = stats.t.ppf(0.975, 3) * np.std([1, 2, 3, 4], ddof=1) / 2.0
    assert (
        i.mean == 2.5 and i.low == pytest.approx(2.5 - half) and i.high == pytest.approx(2.5 + half)
    )
    assert i.half_width == pytest.approx(half)


def test_nans_are_ignored_and_single_values_have_no_interval() -> None:
    s = summarise([{"x": math.nan, "y": 1.0}, {"x": 2.0, "y": 1.0}])
    assert s["x"].n == 1 and s["x"].mean == 2.0 and math.isnan(s["x"].low)
    assert s["y"].low == s["y"].high == 1.0
    assert summarise([{"x": math.nan}])["x"].n == 0


def test_calm_replicate_keeps_every_promise(small_plan: tuple[Plan, SimInputs]) -> None:
    plan, inputs = small_plan
    config = SimConfig(disruptions=Disruptions.none())
    record = simulate_flights(inputs, config, np.random.SeedSequence(0))
    out = order_outcomes(inputs, record, config.disruptions, np.random.default_rng(0))
    k = replicate_kpis(inputs, record, out)
    assert list(k) == list(KPI_NAMES)
    assert k["promises_kept_share"] == 1.0 and k["late_orders"] == 0
    assert k["flights_flown"] == k["flights_planned"] == plan.kpis["flights"]
    assert k["wave_scrubs"] == k["flights_lost"] == 0
    assert k["airframe_utilisation"] == pytest.approx(plan.kpis["airframe_utilisation"])
    assert k["cost_per_kg_usd"] == pytest.approx(plan.kpis["cost_per_kg_usd"])
    assert k["lateness_p99_min"] <= 0


def test_disrupted_replicate_counts_add_up(small_plan: tuple[Plan, SimInputs]) -> None:
    _, inputs = small_plan
    config = SimConfig()
    for k_seed in range(4):
        record = simulate_flights(inputs, config, np.random.SeedSequence(k_seed))
        out = order_outcomes(inputs, record, config.disruptions, np.random.default_rng(k_seed))
        k = replicate_kpis(inputs, record, out)
        assert 0 <= k["promises_kept_share"] <= 1
        assert k["late_orders"] == round((1 - k["promises_kept_share"]) * k["one_hour_orders"])
        assert (
            k["flights_flown"] + k["flights_cancelled"]
            <= k["flights_planned"] + k["redispatch_flights"]
        )
        assert k["flights_scrubbed"] <= k["wave_scrubs"]
        assert k["lateness_p50_min"] <= k["lateness_p95_min"] <= k["lateness_p99_min"]


def test_intervals_of_counts_and_shares_stay_inside_their_support() -> None:
    lost = [0.0] * 12 + [1.0]
    kept = [1.0] * 12 + [0.985]
    rows = [
        {"flights_lost": a, "promises_kept_share": b, "lateness_p50_min": -3.0 + b}
        for a, b in zip(lost, kept, strict=True)
    ]
    s = summarise(rows)
    assert 0.0 <= s["flights_lost"].low <= s["flights_lost"].mean <= s["flights_lost"].high
    assert s["flights_lost"].low == 0.0  # the t-interval went below zero here
    share = s["promises_kept_share"]
    assert 0.985 <= share.low <= share.mean <= share.high <= 1.0
    t_half = stats.t.ppf(0.975, 12) * np.std(kept, ddof=1) / math.sqrt(13)
    assert share.mean + t_half > 1.0  # ... and above one
    # Unbounded KPIs keep the t-interval.
    assert s["lateness_p50_min"].half_width == pytest.approx(t_half)
    assert summarise(rows) == s  # deterministic


def test_a_count_never_seen_still_has_an_upper_bound() -> None:
    s = summarise([{"airframes_lost": 0.0} for _ in range(10)])["airframes_lost"]
    assert s.low == 0.0 and s.high == pytest.approx(-math.log(0.025) / 10, rel=1e-6)


def test_what_the_plan_fixes_has_no_interval_around_it() -> None:
    """19 planned flights in every replicate are 19, not a Poisson "18 – 20"."""
    s = summarise([{"flights_planned": 19.0, "flights_lost": 0.0} for _ in range(20)])
    assert s["flights_planned"].low == s["flights_planned"].high == 19.0
    assert s["flights_lost"].high > 0.0  # a count of events keeps its upper bound
