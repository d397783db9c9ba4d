"""``rocketpost eta --weather``: the promise at the network's confidence under given conditions."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from rocketpost.cli import app, register_commands
from rocketpost.errors import InputError

AT = ["--at", "2026-12-03T10:00:00Z", "--json"]


def _eta(*args: str) -> dict:  # type: ignore[type-arg]
    register_commands()
    # Hand-worked on the `today` preset's 10-minute waves.
    result = CliRunner().invoke(app, ["eta", "NYC", "Miami, US", "--preset", "today", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_clear_skies_keep_the_hour_a_front_does_not() -> None:
    climate = _eta(*AT)
    clear = _eta(*AT, "--weather", "NYC=clear")
    front = _eta(*AT, "--weather", "NYC=front:3")
    assert clear["weather"] == {"NYC": "clear"} and climate["weather"] == {}
    assert clear["promise_possible"] and clear["p_on_time"] >= clear["confidence"] == 0.99
    # Under the climate (13 % of waves held), 6.5 min of slack is one wave short of 99 %.
    assert not climate["promise_possible"] and 0.8 < climate["p_on_time"] < 0.99
    assert not front["promise_possible"] and front["p_on_time"] < 0.1
    assert front["limiting_leg"] == "wave_wait"
    assert front["earliest_at_confidence_min"] > climate["earliest_at_confidence_min"] > 60
    assert clear["p50_min"] <= clear["p90_min"] <= clear["p99_min"] <= 60


def test_a_bad_weather_option_is_refused() -> None:
    register_commands()
    result = CliRunner().invoke(app, ["eta", "NYC", "Miami, US", "--weather", "NYC=fog"])
    assert isinstance(result.exception, InputError) and result.exception.field == "weather"
