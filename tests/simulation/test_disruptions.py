"""Disruption models: Markov fronts cluster, shares match their targets, seeds reproduce."""

from __future__ import annotations

import numpy as np
import pytest

from rocketpost.errors import InputError
from rocketpost.simulation import CustomsModel, WeatherModel
from rocketpost.simulation.disruptions import child_seed, sample_two_state

YEAR_S = 365 * 86400.0


def test_two_state_share_and_spell_length() -> None:
    path = sample_two_state(np.random.default_rng(1), 0.2, 6 * 3600.0, 0.0, 20 * YEAR_S)
    t = np.arange(0.0, 20 * YEAR_S, 600.0)
    bad = path.bad(t)
    assert bad.mean() == pytest.approx(0.2, abs=0.02)
    # Fronts cluster: P(bad | bad 10 min earlier) ≈ exp(-10/360) ≫ the 20 % base rate.
    assert bad[1:][bad[:-1]].mean() == pytest.approx(np.exp(-10 / 360), abs=0.01)


def test_two_state_edges_and_reproducibility() -> None:
    rng = np.random.default_rng
    assert not sample_two_state(rng(0), 0.0, 3600.0, 0.0, 1e6).bad(5.0)
    assert sample_two_state(rng(0), 1.0, 3600.0, 0.0, 1e6).bad(5.0)
    a = sample_two_state(rng(3), 0.3, 3600.0, 0.0, 1e7)
    b = sample_two_state(rng(3), 0.3, 3600.0, 0.0, 1e7)
    assert np.array_equal(a.switch_s, b.switch_s) and a.bad_at_start == b.bad_at_start


def test_weather_defaults_match_the_eastern_range() -> None:
    w = WeatherModel()
    assert w.front_share == pytest.approx(0.18)
    # Long-run share of waves scrubbed: fronts + isolated holds in clear weather = 29 %.
    assert w.front_share + (1 - w.front_share) * w.isolated_scrub_p == pytest.approx(0.29)
    with pytest.raises(InputError, match="scrub_share"):
        WeatherModel(scrub_share=1.5)
    with pytest.raises(InputError, match="mean_front_h"):
        WeatherModel(mean_front_h=0)


def test_customs_picks_each_parcel_at_its_own_odds() -> None:
    model = CustomsModel(inspection_p=0.5)
    cross = np.arange(30_000) % 3 != 0
    odds = np.where(cross, np.where(np.arange(30_000) % 3 == 1, 0.5, 0.05), 0.0)
    delays = model.delays_s(np.random.default_rng(0), odds)
    assert np.all(delays[~cross] == 0)
    for p in (0.5, 0.05):
        assert (delays[odds == p] > 0).mean() == pytest.approx(p, abs=0.015)
    assert np.median(delays[delays > 0]) == pytest.approx(1800.0, rel=0.1)


def test_child_seed_is_spawn_without_state() -> None:
    parent = np.random.SeedSequence(9)
    expected = np.random.SeedSequence(9).spawn(4)[3].generate_state(2)
    assert child_seed(parent, 3).generate_state(2).tolist() == expected.tolist()
    assert child_seed(parent, 3).generate_state(2).tolist() == expected.tolist()
