"""The re-planning policy validates itself."""

from __future__ import annotations

import pytest

from rocketpost.errors import InputError
from rocketpost.simulation import ReplanAction, ReplanPolicy


def test_policy_accepts_names_and_converts() -> None:
    policy = ReplanPolicy(action="other_hub", max_hold_min=30)  # type: ignore[arg-type]
    assert policy.action is ReplanAction.OTHER_HUB and policy.max_hold_s == 1800.0


@pytest.mark.parametrize("bad", [-1, float("nan"), True])
def test_bad_hold(bad: float) -> None:
    with pytest.raises(InputError, match="max_hold_min"):
        ReplanPolicy(max_hold_min=bad)
