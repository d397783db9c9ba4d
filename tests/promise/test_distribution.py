"""The grid distribution against Monte Carlo of the same model (the simulator's samplers)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from rocketpost.errors import InputError
from rocketpost.promise.distribution import (
    DeliveryModel,
    delivery_distribution,
)
from rocketpost.promise.rates import Disruptions
from rocketpost.promise.sampling import sample_delivery_s
from rocketpost.promise.waves import waves_lost_pmf

CLIMATE = Disruptions()

ROCKET = DeliveryModel(
    fixed_s=1500.0,
    wave_interval_s=600.0,
    launch_offset_s=700.0,
    landing_offset_s=1500.0,
    scrub_p=CLIMATE.weather.isolated_scrub_p,
    front_mean_s=None,
    sea_closed_mean_s=None,
    boat_s=600.0,
    detour_s=0.0,
    boat_sigma=CLIMATE.noise.boat_sigma,
    inspection_p=CLIMATE.customs.inspection_p,
    inspection_median_s=CLIMATE.customs.median_delay_min * 60.0,
    inspection_sigma=CLIMATE.customs.sigma,
    last_mile_s=900.0,
    last_mile_sigma=CLIMATE.noise.last_mile_sigma,
)
GROUND = replace(ROCKET, launch_offset_s=None, landing_offset_s=None, boat_s=0.0, inspection_p=0.0)

CASES = {
    "rocket, hold risk": ROCKET,
    "rocket, front 2 h": replace(ROCKET, front_mean_s=7200.0),
    "rocket, front 6 h, 5-min waves": replace(
        ROCKET, front_mean_s=6 * 3600.0, wave_interval_s=300.0
    ),
    "rocket, sea closed 12 h": replace(ROCKET, sea_closed_mean_s=12 * 3600.0),
    "rocket, clear, alternate zone": replace(ROCKET, scrub_p=0.0, detour_s=1200.0),
    "long rocket, heavy customs": replace(
        ROCKET, fixed_s=2400.0, inspection_p=0.3, last_mile_s=300.0
    ),
    "ground": GROUND,
    # The shifts: grounded vessel drones (the boat way), a lost landing (the re-flight), onsets.
    "rocket, drones grounded 30 %, boat way 12 min later": replace(
        ROCKET, grounded_p=0.3, grounded_extra_s=720.0
    ),
    "rocket, drones grounded 5 %, boat way never on time": replace(ROCKET, grounded_p=0.05),
    "rocket, landing lost 5 %, re-flight 30 min later": replace(
        ROCKET, landing_loss_p=0.05, reflight_s=1800.0
    ),
    "rocket, onset 3 %": replace(ROCKET, onset_p=0.03),
    "rocket, front 2 h, every shift": replace(
        ROCKET,
        front_mean_s=7200.0,
        grounded_p=0.2,
        grounded_extra_s=900.0,
        landing_loss_p=0.1,
        reflight_s=1200.0,
        onset_p=0.02,
    ),
}
N = 100_000
Z99 = 2.5758


@pytest.mark.parametrize("name", list(CASES))
def test_closed_form_within_the_monte_carlo_99_percent_interval(name: str) -> None:
    model = CASES[name]
    dist = delivery_distribution(model)
    draws = sample_delivery_s(model, np.random.default_rng(7), N)
    for t_s in (2700.0, 3300.0, 3600.0, 4200.0, 6000.0):
        p_mc = float((draws <= t_s).mean())
        p = dist.p_within(t_s)
        half = Z99 * math.sqrt(max(p * (1 - p), 1.0 / N) / N)
        assert abs(p - p_mc) <= half, (name, t_s, p, p_mc, half)


def test_quantiles_match_the_samples() -> None:
    dist = delivery_distribution(ROCKET)
    draws = sample_delivery_s(ROCKET, np.random.default_rng(3), N)
    for q in (0.5, 0.9):
        assert dist.quantile_s(q) == pytest.approx(float(np.quantile(draws, q)), abs=15.0)


def test_the_shifts_cap_p_on_time_and_move_the_quantiles() -> None:
    """A late-whatever-happens share (a lost pod with no re-flight in time, an onset) caps
    P(on time) at one minus it, and a level above the cap is never reached."""
    calm = replace(ROCKET, scrub_p=0.0, inspection_p=0.0)
    capped = replace(calm, landing_loss_p=0.004, onset_p=0.01)
    dist = delivery_distribution(capped)
    assert dist.p_within(6 * 3600.0) == pytest.approx((1 - 0.004) * (1 - 0.01), abs=1e-8)
    assert math.isinf(dist.quantile_s(0.995))
    late = delivery_distribution(replace(calm, grounded_p=0.5, grounded_extra_s=1200.0))
    assert late.quantile_s(0.9) == pytest.approx(
        delivery_distribution(calm).quantile_s(0.8) + 1200.0, abs=15.0
    )
    draws = sample_delivery_s(capped, np.random.default_rng(5), N)
    assert float(np.isinf(draws).mean()) == pytest.approx(1 - 0.996 * 0.99, abs=0.002)


def test_a_shift_is_a_cause_its_removal_restores() -> None:
    for cause, changed in (
        ("vessel_drones", {"grounded_p": 0.1}),
        ("landing", {"landing_loss_p": 0.1}),
        ("onset", {"onset_p": 0.1}),
    ):
        model = replace(ROCKET, **changed)  # type: ignore[arg-type]
        assert model.without(cause) == ROCKET


def test_waves_lost_are_a_distribution_and_a_front_holds_its_duration() -> None:
    front = replace(ROCKET, front_mean_s=7200.0)
    pmf = waves_lost_pmf(front, 2000)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-9) and (pmf >= 0).all()
    # The first wave goes only if the front cleared before it: exp(-700/7200) stays held.
    assert pmf[0] == pytest.approx((1 - math.exp(-700 / 7200)) * (1 - ROCKET.scrub_p))
    mean_waves = float((np.arange(pmf.size) * pmf).sum())
    assert mean_waves > 7200 / 600 * 0.85


def test_clear_skies_with_no_noise_are_the_physics() -> None:
    calm = replace(ROCKET, scrub_p=0.0, boat_sigma=0.0, inspection_p=0.0, last_mile_sigma=0.0)
    dist = delivery_distribution(calm)
    assert dist.p_within(1500 + 600 + 900 + 10) == pytest.approx(1.0)
    assert dist.p_within(1500 + 600 + 900 - 10) == pytest.approx(0.0)


def test_model_is_validated() -> None:
    with pytest.raises(InputError):
        replace(ROCKET, scrub_p=1.5)
    with pytest.raises(InputError):
        replace(ROCKET, boat_s=-1.0)
    with pytest.raises(InputError):
        replace(ROCKET, wave_interval_s=0.0)
    with pytest.raises(InputError):
        replace(ROCKET, grounded_p=1.5)
    with pytest.raises(InputError):
        replace(ROCKET, reflight_s=math.nan)
    with pytest.raises(InputError):
        replace(ROCKET, grounded_extra_s=-1.0)


def test_waves_lost_under_a_front_match_the_simulators_weather_paths() -> None:
    """The simulator's own weather (a two-state path seen from a time it is in a front, plus a
    Bernoulli hold per wave, as ``simulation.conditions`` draws them) against the closed form."""
    from rocketpost.simulation.disruptions import sample_two_state

    weather = CLIMATE.weather
    rng = np.random.default_rng(11)
    horizon_s = 72 * 3600.0
    waves_s = 700.0 + np.arange(int((horizon_s - 700.0) / 600.0)) * 600.0
    counts: list[int] = []
    while len(counts) < 4000:
        path = sample_two_state(
            rng, weather.front_share, weather.mean_front_h * 3600.0, 0.0, horizon_s
        )
        if not path.bad_at_start:
            continue
        scrub = path.bad(waves_s) | (rng.random(len(waves_s)) < weather.isolated_scrub_p)
        counts.append(len(scrub) if scrub.all() else int(np.argmin(scrub)))
    lost = np.array(counts)
    model = replace(ROCKET, front_mean_s=weather.mean_front_h * 3600.0)
    cdf = np.cumsum(waves_lost_pmf(model, 600))
    for m in (0, 3, 6, 12, 18, 36, 72, 144):
        half = Z99 * math.sqrt(cdf[m] * (1 - cdf[m]) / lost.size)
        assert abs(float((lost <= m).mean()) - cdf[m]) <= half, m
