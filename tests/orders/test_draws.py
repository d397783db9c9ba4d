"""Vectorised draws: inverse-CDF picks and zero-padded labels."""

from __future__ import annotations

import numpy as np

from rocketpost.orders.draws import numbered, pick


def test_pick_follows_the_weights() -> None:
    weights = np.array([0.0, 1.0, 3.0])
    chosen = pick(weights, np.random.default_rng(0).random(40_000))
    assert not (chosen == 0).any()
    assert abs((chosen == 2).mean() - 0.75) < 0.01
    assert pick(weights, np.array([0.0, 0.999999])).tolist() == [1, 2]


def test_numbered_pads_with_zeros() -> None:
    assert numbered("R", np.array([7, 123]), 4).tolist() == ["R0007", "R0123"]
    assert numbered("", np.array([5]), 2).tolist() == ["05"]
