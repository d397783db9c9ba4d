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


def test_stock_at_another_hub_counts_its_fallback() -> None:
    register_commands()
    base = ["eta", "SHA", "35.10,129.04", "--preset", "rocket-hour", *AT]
    base += ["--weather", "SHA=front", "--weather", "HZB=clear"]
    runs = {}
    for name, extra in (("alone", []), ("counted", ["--stock-at", "HZB"])):
        result = CliRunner().invoke(app, [*base, *extra])
        assert result.exit_code == 0, result.output
        runs[name] = json.loads(result.output)
    alone, counted = runs["alone"], runs["counted"]
    assert alone["fallback_hub"] is None and alone["p_on_time"] < 0.2
    assert counted["fallback_hub"] == "HZB" and counted["total_s"] == alone["total_s"]
    # HZB flies the parcels a wave later when the front holds SHA's: P(on time) is then what
    # a clear HZB can keep (the climate's customs odds keep it just under 99 % here).
    assert counted["p_on_time"] > 0.95 and counted["p99_min"] < alone["p99_min"]
    text = [arg for arg in base if arg != "--json"]
    table = CliRunner().invoke(app, [*text, "--stock-at", "HZB"])
    assert table.exit_code == 0 and "counting the fallback: HZB" in table.output
    bad = CliRunner().invoke(app, [*base, "--stock-at", "HZB,XXX"])
    assert isinstance(bad.exception, InputError) and bad.exception.field == "stock_at"
