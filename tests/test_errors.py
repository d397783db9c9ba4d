"""Errors name the field and value, and survive pickling (Dask workers send them back)."""

from __future__ import annotations

import pickle

import pytest

from rocketpost.errors import InputError, NetworkFileError, PlaceNotFoundError, require_positive
from rocketpost.service.errors import ApiError


@pytest.mark.parametrize(
    "error",
    [
        InputError("hubs[3].fleet", -1, "must be ≥ 0"),
        PlaceNotFoundError("Pariss", "no such place", ["Paris, FR"]),
        NetworkFileError("network.toml", "hubs[0].landing_zone", [48.1, -1.6], "is on land"),
        ApiError(409, "no_capacity", "no launch wave has room", reason="no_capacity"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_survive_pickling_with_their_fields(error: Exception) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert again.__dict__ == error.__dict__


def test_require_positive_names_the_field() -> None:
    with pytest.raises(InputError) as caught:
        require_positive("payload_mass_kg", float("nan"))
    assert caught.value.field == "payload_mass_kg"
    assert str(caught.value).startswith("payload_mass_kg: must be a finite number")
    with pytest.raises(InputError, match="must be positive"):
        require_positive("x", 0)
    assert require_positive("x", 0, allow_zero=True) == 0.0
