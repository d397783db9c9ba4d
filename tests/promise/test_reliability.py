"""The reliability diagram and its Wilson intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rocketpost.errors import InputError
from rocketpost.promise.reliability import reliability_table, wilson_interval


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
