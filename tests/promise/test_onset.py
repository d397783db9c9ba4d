"""Fronts and sea closures that start after the promise: the climate's onset hazards."""

from __future__ import annotations

import numpy as np
import pytest

from rocketpost.network import default_network
from rocketpost.promise.conditions import Conditions, HubWeather, SeaState, SiteSea
from rocketpost.promise.onset import onset_rates, onset_survival
from rocketpost.promise.rates import WeatherModel


def test_rates_follow_the_two_state_processes() -> None:
    network = default_network()
    conditions = Conditions(hubs={"NYC": HubWeather("clear"), "LON": HubWeather("front")})
    hubs, sites = onset_rates(network, conditions)
    weather = WeatherModel()
    share = weather.front_share
    expected = share / ((1 - share) * weather.mean_front_h * 3600.0)
    assert hubs[network.hub_index("SHA")] == pytest.approx(expected)
    assert hubs[network.hub_index("NYC")] == 0.0  # a "go" forecast: no front expected
    assert hubs[network.hub_index("LON")] == 0.0  # already under one: the distribution's
    closed = conditions.with_site("SHA", SiteSea(SeaState.CLOSED))
    assert onset_rates(network, closed)[1][network.hub_index("SHA")] == 0.0
    assert (sites > 0).all()


def test_survival_falls_with_the_wait() -> None:
    network = default_network()
    sha = network.hub_index("SHA")
    origin = np.array([sha, sha])
    survival = onset_survival(
        network, Conditions(), origin, origin, np.array([600.0, 1800.0]), np.array([1200.0] * 2)
    )
    assert 0.97 < survival[1] < survival[0] < 1.0


def test_one_routes_onset_is_one_minus_the_kernels_survival() -> None:
    from rocketpost.promise.onset import onset_p, site_closed_share

    network = default_network()
    conditions = Conditions()
    o, d = network.hub_index("HZB"), network.hub_index("SHA")
    survival = onset_survival(
        network, conditions, np.array([o]), np.array([d]), np.array([900.0]), np.array([2000.0])
    )
    share = site_closed_share(network, conditions, "SHA")
    assert onset_p(conditions, "HZB", "SHA", share, 900.0, 2000.0) == pytest.approx(
        1.0 - float(survival[0])
    )
    clear = conditions.with_hub("HZB", HubWeather("clear"))
    assert onset_p(clear, "HZB", "SHA", share, 900.0, 0.0) == 0.0
