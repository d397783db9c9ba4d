"""Planner options as parameter objects: defaults, variants and TOML files."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from rocketpost.errors import ConfigFileError, InputError
from rocketpost.planning.consolidation import ConsolidationPolicy
from rocketpost.planning.params import LastMileParams, PlanParams


def test_defaults_and_variants() -> None:
    params = PlanParams()
    assert params.promise_s is None
    assert params.consolidation == ConsolidationPolicy()
    assert params.last_mile_options == LastMileParams()
    variant = dataclasses.replace(params, last_mile=True)
    assert variant.last_mile and not params.last_mile
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.last_mile = True  # type: ignore[misc]
    # The reserve that re-flies a lost landing: kept where the promise counts the re-flight.
    assert params.reserve_per_hub("confidence") == 1 and params.reserve_per_hub("buffer") == 0
    assert PlanParams(reserve_airframes_per_hub=2).reserve_per_hub("buffer") == 2


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: PlanParams(promise_s=0.0), "promise_s"),
        (lambda: PlanParams(promise_s=math.nan), "promise_s"),
        (lambda: PlanParams(reserve_airframes_per_hub=-1), "reserve_airframes_per_hub"),
        (lambda: PlanParams(reserve_airframes_per_hub=True), "reserve_airframes_per_hub"),
        (lambda: LastMileParams(time_limit_s=0.0), "time_limit_s"),
        (lambda: LastMileParams(seed=-1), "seed"),
        (lambda: LastMileParams(max_stops_per_problem=0), "max_stops_per_problem"),
    ],
)
def test_bad_values_name_the_field(make: object, field: str) -> None:
    with pytest.raises(InputError, match=field):
        make()  # type: ignore[operator]


def test_from_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(
        "promise_s = 3000\n"
        "last_mile = true\n"
        "[consolidation]\n"
        "hold_below_fill = 0.25\n"
        "max_cost_per_kg_usd = inf\n"
        "[last_mile_options]\n"
        "time_limit_s = 0.5\n"
        "seed = 3\n",
        encoding="utf-8",
    )
    params = PlanParams.from_file(path)
    assert params == PlanParams(
        promise_s=3000.0,
        last_mile=True,
        consolidation=ConsolidationPolicy(hold_below_fill=0.25, max_cost_per_kg_usd=math.inf),
        last_mile_options=LastMileParams(time_limit_s=0.5, seed=3),
    )
    assert params.reserve_for_fuller  # absent keys keep their defaults


@pytest.mark.parametrize(
    ("text", "key_path", "value"),
    [
        ("last_miles = true\n", "last_miles", True),
        ("last_mile = 1\n", "last_mile", 1),
        ("promise_s = -5\n", "promise_s", -5.0),
        ("[consolidation]\nhold_below_fill = 2\n", "consolidation.hold_below_fill", 2.0),
        ("[consolidation]\nhold = 0.2\n", "consolidation.hold", 0.2),
        ("consolidation = 3\n", "consolidation", 3),
        ("[last_mile_options]\nseed = 'x'\n", "last_mile_options.seed", "x"),
    ],
)
def test_bad_file_names_file_key_path_and_value(
    tmp_path: Path, text: str, key_path: str, value: object
) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigFileError) as caught:
        PlanParams.from_file(path)
    error = caught.value
    assert error.file == str(path)
    assert error.field == key_path
    assert error.value == value
    assert str(path) in str(error)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="no such file"):
        PlanParams.from_file(tmp_path / "absent.toml")
