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
