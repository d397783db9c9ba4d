"""Read-only columns: fresh arrays frozen in place, views copied, selections checked."""

from __future__ import annotations

import numpy as np
import pytest

from rocketpost.errors import InputError
from rocketpost.orders.columns import frozen, row_selector


def test_fresh_arrays_are_frozen_in_place_and_views_copied() -> None:
    fresh = np.array([1.0, 2.0])
    assert frozen(fresh, np.float64, "x") is fresh and not fresh.flags.writeable
    source = np.array([1.0, 2.0, 3.0])
    kept = frozen(source[:2], np.float64, "x")
    source[0] = 9.0
    assert kept.tolist() == [1.0, 2.0]
    with pytest.raises(InputError, match="text"):
        frozen(np.array([1, 2]), str, "name")
    with pytest.raises(InputError, match="1-D"):
        frozen(np.zeros((2, 2)), np.float64, "x")


def test_selectors_are_masks_or_rows_in_range() -> None:
    assert row_selector(np.array([True, False]), 2).dtype == np.bool_
    assert row_selector(np.array([], dtype=float), 2).dtype == np.int64
    assert row_selector(np.array([-2, 1]), 2).tolist() == [-2, 1]
    with pytest.raises(InputError, match="out of range"):
        row_selector(np.array([2]), 2)
    with pytest.raises(InputError, match="shape"):
        row_selector(np.array([True]), 2)
    with pytest.raises(InputError, match="integer"):
        row_selector(np.array([0.5]), 2)
