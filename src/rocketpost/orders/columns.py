"""Read-only NumPy columns: how the order and item tables freeze, check and select their rows.

A table's columns must not change behind its back (a planner holding a day of orders relies on
it), so each column is a read-only array: a fresh array is frozen in place (no copy), a view of
someone else's array is copied first. Selection accepts a boolean mask or integer rows, checked
once here rather than in every table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.errors import InputError

__all__ = ["first_bad", "freeze_columns", "frozen", "row_selector"]


def frozen(values: ArrayLike, dtype: Any, name: str) -> NDArray[Any]:
    """``values`` as a read-only 1-D array of ``dtype``, copying only views of foreign arrays."""
    array = np.asarray(values)
    if dtype is str:
        if array.size == 0:
            array = np.zeros(array.shape, dtype="<U1")
        elif array.dtype.kind == "O":
            array = array.astype(str)
        elif array.dtype.kind != "U":
            raise InputError(name, array.dtype, "must be an array of text")
    elif array.dtype != np.dtype(dtype):
        try:
            array = array.astype(dtype)
        except (TypeError, ValueError):
            raise InputError(name, array.dtype, f"cannot be converted to {dtype}") from None
    if array.ndim != 1:
        raise InputError(name, array.shape, "must be a 1-D array")
    if array.base is not None and array.flags.writeable:
        # A view: its owner could still write through the base, so take our own copy.
        array = array.copy()
    array.flags.writeable = False
    return array


def freeze_columns(table: object, dtypes: Mapping[str, Any], key: str) -> int:
    """Replace each column of a frozen table by a read-only array of its dtype; return the length.

    Every column must be as long as ``key``, the column that defines a row.
    """
    owner = type(table).__name__
    length = len(np.asarray(getattr(table, key)))
    for name, dtype in dtypes.items():
        array = frozen(getattr(table, name), dtype, f"{owner}.{name}")
        if len(array) != length:
            raise InputError(f"{owner}.{name}", len(array), f"length differs from {key} ({length})")
        object.__setattr__(table, name, array)
    return length


def row_selector(index: ArrayLike, length: int) -> NDArray[Any]:
    """Checked rows: a boolean mask of the right length, or integer rows in range."""
    selector = np.asarray(index)
    if selector.dtype == np.bool_:
        if selector.shape != (length,):
            raise InputError("index", selector.shape, f"boolean mask must have shape ({length},)")
        return selector
    if selector.size == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.issubdtype(selector.dtype, np.integer):
        raise InputError("index", selector.dtype, "must be a boolean mask or integer indices")
    if selector.ndim != 1:
        raise InputError("index", selector.shape, "must be 1-D")
    if selector.size and (selector.min() < -length or selector.max() >= length):
        raise InputError("index", int(selector.max()), f"is out of range for {length} rows")
    return selector


def first_bad(mask: NDArray[np.bool_]) -> int:
    """Position of the first True of ``mask`` (for naming the offending value in an error)."""
    return int(np.flatnonzero(mask)[0])
