"""Reach at the network's confidence: every mode, declared weather, averaged over the climate."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rocketpost.core.reach import ReachResult, compute_reach
from rocketpost.core.reach_confidence import ConfidenceRule, reach_at_confidence
from rocketpost.errors import InputError
from rocketpost.network import Network, default_network
from rocketpost.promise.conditions import Conditions, HubWeather

STOCK = ["HZB", "SHA", "SZX"]


@pytest.fixture(scope="module")
def rocket_hour() -> Network:
    return default_network("rocket-hour")


@pytest.fixture(scope="module")
def by_mode(rocket_hour: Network) -> dict[str, ReachResult]:
    return {
        mode: compute_reach(rocket_hour, stock_hubs=STOCK, min_population=300_000, mode=mode)
        for mode in ("any", "rocket", "ground")
    }


FRONTS = Conditions(hubs={h: HubWeather("front") for h in STOCK})


@pytest.mark.parametrize("mode", ["any", "rocket", "ground"])
def test_every_mode_is_decided_at_the_confidence(
    by_mode: dict[str, ReachResult], rocket_hour: Network, mode: str
) -> None:
    base = by_mode[mode]
    result = reach_at_confidence(base, Conditions())
    assert result.mode == mode and result.p_on_time is not None and result.rule is not None
    covered = result.covered
    assert covered.any()
    assert (result.p_on_time[covered] >= rocket_hour.promise.confidence).all()
    assert not (result.p_on_time[~covered] >= rocket_hour.promise.confidence).any()
    # Only routes of the mode count; a promise at 99 % never beats the bare ETA.
    if mode == "rocket":
        assert (result.best_mode == "rocket").all()
    if mode == "ground":
        assert (result.best_mode[covered] == "ground").all()
    assert (result.best_s[covered] <= result.threshold_min * 60.0).all()
    assert result.population_covered == int(result.cities.population[covered].sum())
    assert sum(r.population_covered for r in result.countries) == result.population_covered


def test_fronts_remove_the_rocket_hour_and_leave_the_ground(
    by_mode: dict[str, ReachResult],
) -> None:
    rocket = reach_at_confidence(by_mode["rocket"], Conditions())
    assert rocket.covered.any()
    assert not reach_at_confidence(by_mode["rocket"], FRONTS).covered.any()
    ground = reach_at_confidence(by_mode["ground"], Conditions())
    np.testing.assert_array_equal(
        reach_at_confidence(by_mode["ground"], FRONTS).covered, ground.covered
    )
    # Any route: under fronts at every stock hub only the ground deliveries remain.
    anyway = reach_at_confidence(by_mode["any"], FRONTS)
    assert anyway.covered.any() and (anyway.best_mode[anyway.covered] == "ground").all()


@pytest.mark.parametrize("mode", ["any", "rocket", "ground"])
def test_the_climate_average_is_the_two_weathers_weighted_by_the_front_share(
    by_mode: dict[str, ReachResult], mode: str
) -> None:
    base = by_mode[mode]
    front = Conditions().rates.weather.front_share
    assert 0.1 < front < 0.3
    clear_of_fronts = reach_at_confidence(base, Conditions())
    under_fronts = reach_at_confidence(base, FRONTS)
    averaged = reach_at_confidence(base, Conditions(), climate=True)
    share = averaged.promised_share
    assert share is not None
    np.testing.assert_allclose(
        share,
        (1 - front) * clear_of_fronts.covered + front * under_fronts.covered,
    )
    population = base.cities.population
    expected = (1 - front) * clear_of_fronts.population_covered + front * (
        under_fronts.population_covered
    )
    assert averaged.population_covered == pytest.approx(expected, abs=1)
    assert averaged.population_covered == round(float(population @ share))
    np.testing.assert_array_equal(averaged.covered, share > 0)
    assert (
        under_fronts.population_covered
        <= averaged.population_covered
        <= clear_of_fronts.population_covered
    )
    if mode == "ground":  # the weather changes nothing on the ground
        assert averaged.population_covered == clear_of_fronts.population_covered
    else:
        assert averaged.population_covered < clear_of_fronts.population_covered
    total = sum(r.population_covered for r in averaged.continents)
    assert total == pytest.approx(averaged.population_covered, abs=len(averaged.continents))


def test_a_declared_hub_is_not_averaged(by_mode: dict[str, ReachResult]) -> None:
    base = by_mode["rocket"]
    declared = Conditions(hubs={"SHA": HubWeather("clear")})
    averaged = reach_at_confidence(base, declared, climate=True)
    assert averaged.promised_share is not None
    from_sha = averaged.best_origin == base.network.hub_index("SHA")
    assert from_sha.any()
    assert np.isin(averaged.promised_share[from_sha], (0.0, 1.0)).all()
    others = averaged.promised_share[~from_sha & averaged.covered]
    front = Conditions().rates.weather.front_share
    assert others.size and np.allclose(others, 1 - front)  # a front at the hub: no rocket hour


def test_with_threshold_decides_again_at_the_confidence(by_mode: dict[str, ReachResult]) -> None:
    averaged = reach_at_confidence(by_mode["any"], Conditions(), climate=True)
    derived = averaged.with_threshold(90.0)
    fresh = reach_at_confidence(
        compute_reach(
            by_mode["any"].network,
            threshold_min=90.0,
            stock_hubs=STOCK,
            cities=by_mode["any"].cities,
        ),
        Conditions(),
        climate=True,
    )
    assert derived.summary() == fresh.summary()
    assert derived.population_covered > averaged.population_covered


def test_the_summary_and_geojson_say_how_the_promise_was_decided(
    by_mode: dict[str, ReachResult],
) -> None:
    assert by_mode["any"].summary()["rule"] == "buffer"
    declared = Conditions(hubs={"HZB": HubWeather("front")})
    averaged = reach_at_confidence(by_mode["any"], declared, climate=True)
    summary = averaged.summary()
    assert summary["rule"] == "confidence" and summary["confidence"] == 0.99
    assert summary["climate"] is True and summary["weather"] == {"HZB": "front"}
    assert summary["front_share"] == pytest.approx(Conditions().rates.weather.front_share)
    assert summary["cities_covered"] == round(float(averaged.weight.sum()))
    cities = [f for f in averaged.geojson()["features"] if f["properties"]["kind"] == "city"]
    assert cities and all(
        0 < f["properties"]["promised_share"] <= 1 and f["properties"]["p_on_time"] >= 0
        for f in cities
    )


@pytest.mark.parametrize("mode", ["any", "rocket"])
def test_routing_only_the_cities_that_may_fit_changes_nothing(
    by_mode: dict[str, ReachResult], mode: str
) -> None:
    base = by_mode[mode]
    fast = reach_at_confidence(base, Conditions(), climate=True)
    # A result on a fixed Earth gives no bound on the rotating kernel's times: every city is
    # routed again.
    fixed_earth = dataclasses.replace(base, rotating=False)
    every = reach_at_confidence(fixed_earth, Conditions(), climate=True)
    assert fast.promised_share is not None and every.promised_share is not None
    np.testing.assert_array_equal(fast.promised_share, every.promised_share)
    np.testing.assert_array_equal(np.isnan(fast.p_on_time), np.isnan(every.p_on_time))
    np.testing.assert_array_equal(np.nan_to_num(fast.p_on_time), np.nan_to_num(every.p_on_time))
    covered = fast.covered
    np.testing.assert_array_equal(fast.best_s[covered], every.best_s[covered])
    np.testing.assert_array_equal(fast.best_origin[covered], every.best_origin[covered])


def test_the_rule_is_checked() -> None:
    with pytest.raises(InputError, match="climate"):
        ConfidenceRule(climate="yes")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="conditions"):
        ConfidenceRule(conditions={})  # type: ignore[arg-type]
    with pytest.raises(InputError, match="ready_s"):
        ConfidenceRule(ready_s=float("nan"))
