"""The reliability diagram and its Wilson intervals: plain, and over clusters that fail
together."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rocketpost.errors import InputError
from rocketpost.promise.reliability import (
    clustered_wilson_interval,
    reliability_table,
    wilson_interval,
)


def test_wilson_stays_in_zero_one_and_matches_a_known_value() -> None:
    low, high = wilson_interval(100, 100)
    assert high == 1.0 and 0.95 < low < 0.97  # all kept: the upper bound is 1, never above
    assert wilson_interval(0, 20)[0] == 0.0
    low, high = wilson_interval(50, 100)
    assert (low, high) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_calibrated_promises_are_kept_at_their_stated_rate() -> None:
    rng = np.random.default_rng(5)
    stated = rng.choice([0.6, 0.85, 0.97, 0.995], size=40_000)
    kept = rng.random(stated.size) < stated
    table = reliability_table(stated, kept)
    assert sum(b.n for b in table) == stated.size
    for b in table:
        if b.n:
            assert b.kept_low <= b.stated_mean <= b.kept_high
    assert table[-1].high == 1.0 and table[-1].n > 0


def test_one_is_in_the_last_bin_and_bad_input_is_refused() -> None:
    table = reliability_table([1.0, 0.0], [True, False], edges=(0.0, 0.5, 1.0))
    assert [b.n for b in table] == [1, 1]
    with pytest.raises(InputError):
        reliability_table([0.5], [True, False])
    with pytest.raises(InputError):
        reliability_table([1.5], [True])
    with pytest.raises(InputError):
        reliability_table([0.5], [True], edges=(0.5, 0.2))


def test_one_promise_per_replicate_is_the_wilson_interval() -> None:
    kept = np.array([1] * 95 + [0] * 5)
    low, high = clustered_wilson_interval(kept, np.ones(100, dtype=int))
    plain = wilson_interval(95, 100)
    # Independent promises: only Student's quantile (99 degrees of freedom) and the cluster
    # variance's R/(R−1) widen it, by about 1 %.
    assert low == pytest.approx(plain[0], abs=0.003) and high == pytest.approx(plain[1], abs=0.002)
    assert low < plain[0] and high > plain[1]


def test_promises_that_fail_together_count_as_one() -> None:
    # 100 replicates of 10 promises each, every replicate all kept or all broken: the evidence
    # is 100 trials, not 1,000.
    kept = np.array([10] * 95 + [0] * 5)
    low, high = clustered_wilson_interval(kept, np.full(100, 10))
    assert (low, high) == pytest.approx(wilson_interval(95, 100), abs=0.003)
    naive = wilson_interval(950, 1000)
    assert high - low > 2.5 * (naive[1] - naive[0])


def test_the_clustered_interval_stays_in_zero_one_and_refuses_bad_counts() -> None:
    low, high = clustered_wilson_interval([10, 10, 10], [10, 10, 10])
    assert (low, high) == wilson_interval(30, 30)  # all kept: no spread, the plain count
    low, high = clustered_wilson_interval([0, 0], [5, 5])
    assert low == 0.0 and 0.0 < high < 0.5
    assert all(math.isnan(v) for v in clustered_wilson_interval([0, 0], [0, 0]))
    with pytest.raises(InputError, match="kept"):
        clustered_wilson_interval([3], [2])
    with pytest.raises(InputError, match="kept"):
        clustered_wilson_interval([1, 2], [2])
    with pytest.raises(InputError, match="not finite"):
        clustered_wilson_interval([1, math.nan], [2, 2])


def test_the_diagram_widens_its_intervals_by_replicate_when_told() -> None:
    stated = np.full(1000, 0.99)
    kept = np.repeat(np.arange(100) >= 5, 10)  # replicates 0-4 break all ten of theirs
    cluster = np.repeat(np.arange(100), 10)
    plain = next(b for b in reliability_table(stated, kept) if b.n)
    clustered = next(b for b in reliability_table(stated, kept, cluster=cluster) if b.n)
    assert clustered.kept_share == plain.kept_share == 0.95
    assert clustered.kept_low < plain.kept_low - 0.02 and clustered.kept_high > plain.kept_high
    with pytest.raises(InputError, match="cluster"):
        reliability_table(stated, kept, cluster=np.zeros(3, dtype=int))
