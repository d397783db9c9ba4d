"""The capacity module's value objects (the atomic reservation is exercised by the booking and
concurrency tests)."""

from __future__ import annotations

import pytest

from rocketpost.errors import InputError
from rocketpost.service.capacity import Load


def test_a_load_is_whole_units_rounded_up() -> None:
    assert Load.of(1.0, 0.001) == Load(mass_g=1000, volume_cm3=1000)
    assert Load.of(0.0012345, 1e-7) == Load(mass_g=2, volume_cm3=1)


@pytest.mark.parametrize(("field", "values"), [("mass_g", (-1, 0)), ("volume_cm3", (0, -1))])
def test_a_load_is_never_negative(field: str, values: tuple[int, int]) -> None:
    with pytest.raises(InputError, match=field):
        Load(*values)
