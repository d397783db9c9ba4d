"""Conditions: validated, climate by default, one place for the numbers."""

from __future__ import annotations

import pytest

from rocketpost.errors import InputError
from rocketpost.promise.conditions import (
    Conditions,
    HubWeather,
    SeaState,
    SiteSea,
    Weather,
    parse_weather,
)
from rocketpost.promise.rates import Disruptions, WeatherModel
from rocketpost.simulation import disruptions


def test_rates_are_the_simulators() -> None:
    assert disruptions.Disruptions is Disruptions and disruptions.WeatherModel is WeatherModel


def test_undeclared_hubs_and_sites_are_the_climate() -> None:
    c = Conditions()
    climate = Disruptions()
    assert c.weather("HZB").state is Weather.HOLD_RISK and not c.declared("HZB")
    assert c.scrub_p("HZB") == climate.weather.isolated_scrub_p
    assert c.front_mean_s("HZB") is None and c.sea_closed_mean_s("ICN") is None
    assert c.customs_p == climate.customs.inspection_p
    assert c.last_mile_spread == climate.noise.last_mile_sigma
    assert c.boat_spread == climate.noise.boat_sigma


def test_declared_states() -> None:
    c = (
        Conditions()
        .with_hub("HZB", HubWeather("front", front_remaining_h=2.0))
        .with_hub("SHA", HubWeather(Weather.CLEAR))
        .with_site("ICN", SiteSea(SeaState.CLOSED))
        .with_site("NRT", SiteSea("closed", alternate=True))
    )
    assert c.declared("HZB") and c.front_mean_s("HZB") == 7200.0
    assert c.scrub_p("SHA") == 0.0 and c.front_mean_s("SHA") is None
    assert c.sea_closed_mean_s("ICN") == Disruptions().sea_state.mean_closed_h * 3600.0
    assert c.sea_closed_mean_s("NRT") is None
    assert c.detour_km("NRT") == Disruptions().sea_state.alternate_extra_km
    assert HubWeather("front").state is Weather.FRONT
    assert Conditions().with_hub("X", HubWeather("front")).front_mean_s("X") == 6 * 3600.0


@pytest.mark.parametrize(
    "build",
    [
        lambda: HubWeather("fog"),
        lambda: HubWeather(scrub_p=1.5),
        lambda: HubWeather("front", front_remaining_h=0.0),
        lambda: SiteSea("choppy"),
        lambda: SiteSea(closed_remaining_h=-1.0),
        lambda: Conditions(inspection_p=2.0),
        lambda: Conditions(last_mile_sigma=-0.1),
        lambda: Conditions(hubs={"XXX": HubWeather()}, known_ids=("HZB",)),
        lambda: Conditions(hubs={"HZB": "front"}),  # type: ignore[dict-item]
    ],
)
def test_bad_conditions_are_refused(build) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        build()


def test_conditions_are_frozen() -> None:
    c = Conditions(hubs={"HZB": HubWeather()})
    with pytest.raises(TypeError):
        c.hubs["SHA"] = HubWeather()  # type: ignore[index]


def test_weather_options_parse() -> None:
    assert parse_weather("HZB=front") == ("HZB", HubWeather(Weather.FRONT))
    assert parse_weather("HZB=front:2.5") == ("HZB", HubWeather("front", front_remaining_h=2.5))
    assert parse_weather("SHA=clear")[1].state is Weather.CLEAR
    for bad in ("HZB", "=front", "HZB=fog", "HZB=front:x", "HZB=clear:2", "HZB=front:-1"):
        with pytest.raises(InputError):
            parse_weather(bad)
