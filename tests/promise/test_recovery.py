"""P(the vessel's drones are grounded at the landing) against the simulator's wind and waves."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from rocketpost.core.vesseldrone import vessel_drones_fly
from rocketpost.network import default_network
from rocketpost.promise.conditions import Conditions, SeaState, SiteSea
from rocketpost.promise.rates import MetoceanModel
from rocketpost.promise.recovery import (
    driver_now,
    grounded_p,
    grounded_threshold,
    reflight_delay_s,
    site_grounded_p,
)
from rocketpost.simulation.disruptions import sample_metocean

MODEL = MetoceanModel()
DRONE = default_network("rocket-hour").drone
Z99 = 2.5758


@pytest.fixture(scope="module")
def paths() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """4,000 sites × 48 hours of the simulator's own wind and waves, their driver and whether
    the one rule grounds the drones."""
    sampled = sample_metocean(MODEL, np.random.default_rng(3), 4000, 0.0, 47 * 3600.0)
    z = np.log(sampled.wave_height_m / MODEL.median_wave_height_m) / MODEL.wave_sigma
    grounded = ~vessel_drones_fly(DRONE, sampled.wind_ms, sampled.wave_height_m)
    return sampled.wind_ms, z, grounded


def test_one_threshold_is_the_one_rule(paths: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    _, z, grounded = paths
    np.testing.assert_array_equal(grounded, z > grounded_threshold(MODEL, DRONE))


def test_the_driver_is_recovered_from_the_wind_or_the_waves(
    paths: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    wind, z, _ = paths
    for k in range(5):
        assert driver_now(MODEL, None, float(MODEL.median_wave_height_m * math.exp(0.5 * k))) == (
            pytest.approx(float(k))
        )
        assert driver_now(MODEL, float(wind[k, 0]), None) == pytest.approx(float(z[k, 0]), abs=1e-6)
    assert math.isnan(driver_now(MODEL, None, None))


@pytest.mark.parametrize("hours", [1, 2, 6])
def test_known_wind_and_waves_forecast_the_simulators_paths(
    paths: tuple[np.ndarray, np.ndarray, np.ndarray], hours: int
) -> None:
    """Sites binned by their driver now: the share grounded ``hours`` later against the mean
    closed form of the bin, within the 99 % interval."""
    _, z, grounded = paths
    now, later = z[:, :-hours].ravel(), grounded[:, hours:].ravel()
    for low, high in ((0.5, 1.0), (1.0, 1.5), (1.5, 2.0), (2.0, 3.0)):
        rows = (now >= low) & (now < high)
        p = float(grounded_p(MODEL, DRONE, now[rows], hours * 3600.0).mean())
        half = Z99 * math.sqrt(max(p * (1 - p), 1e-4) / rows.sum())
        assert abs(float(later[rows].mean()) - p) <= half, (hours, low, p, later[rows].mean())


def test_an_undeclared_site_is_flying_now_and_may_be_grounded_by_the_landing(
    paths: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    _, _, grounded = paths
    flying = ~grounded[:, :-1].ravel()
    later = grounded[:, 1:].ravel()[flying]
    p = float(grounded_p(MODEL, DRONE, math.nan, 3600.0))
    half = Z99 * math.sqrt(p * (1 - p) / later.size)
    assert abs(float(later.mean()) - p) <= half
    # Half an hour ahead: the hour's boundary is crossed half the time.
    assert float(grounded_p(MODEL, DRONE, math.nan, 1800.0)) == pytest.approx(p / 2)
    assert float(grounded_p(MODEL, DRONE, math.nan, 0.0)) == 0.0


def test_declared_conditions_decide_a_site() -> None:
    calm = Conditions().with_site("HZB", SiteSea(wind_ms=3.0, wave_height_m=0.5))
    gale = Conditions().with_site("HZB", SiteSea(wind_ms=18.0))
    closed = Conditions().with_site("HZB", SiteSea(SeaState.CLOSED))
    assert site_grounded_p(calm, DRONE, "HZB", 1500.0) <= 1e-4  # rounded up to the quantum
    assert site_grounded_p(gale, DRONE, "HZB", 1500.0) > 0.95
    assert site_grounded_p(closed, DRONE, "HZB", 1500.0) == 1.0
    calm_world = replace(MODEL, mean_wind_ms=0.0, median_wave_height_m=0.0)
    assert float(grounded_p(calm_world, DRONE, math.nan, 1500.0)) == 0.0


def test_a_reflight_leaves_at_the_first_wave_after_the_loss_and_its_handling() -> None:
    # Flight 15 min + handling 8 min after a launch on a 10-min wave: the 30-min wave.
    assert float(reflight_delay_s(900.0, 480.0, 600.0)) == 1800.0
    assert float(reflight_delay_s(720.0, 480.0, 600.0)) == 1200.0
