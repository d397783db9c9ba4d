"""Dangerous goods as bits: "orders with class 9" is one bitwise AND over a day of orders.

Items carry the UN class string (``"9"``, ``"4.1"``); orders carry a bit set over
:data:`DANGEROUS_GOODS_CLASS_ORDER`. The class strings themselves are
:data:`rocketpost.orders.model.DANGEROUS_GOODS_CLASSES`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.errors import InputError
from rocketpost.orders.columns import first_bad
from rocketpost.orders.model import DANGEROUS_GOODS_CLASSES

__all__ = ["DANGEROUS_GOODS_CLASS_ORDER", "class_mask", "dangerous_goods_bits"]

DANGEROUS_GOODS_CLASS_ORDER: tuple[str, ...] = tuple(
    sorted(DANGEROUS_GOODS_CLASSES, key=lambda c: tuple(int(p) for p in c.split(".")))
)
"""UN hazard classes in numeric order; class ``DANGEROUS_GOODS_CLASS_ORDER[k]`` is bit ``k``."""

_DG_BIT = {c: np.uint32(1 << k) for k, c in enumerate(DANGEROUS_GOODS_CLASS_ORDER)}
_DG_SORTED = np.array(sorted(("", *DANGEROUS_GOODS_CLASS_ORDER)))
_DG_SORTED_BITS = np.array([_DG_BIT.get(c, 0) for c in _DG_SORTED], dtype=np.uint32)


def dangerous_goods_bits(classes: ArrayLike) -> NDArray[np.uint32]:
    """Bit of each item's UN class string (``""`` -> 0), see :data:`DANGEROUS_GOODS_CLASS_ORDER`.

    Raises
    ------
    InputError
        If a string is neither empty nor a UN hazard class.
    """
    values = np.asarray(classes)
    if values.size == 0:
        return np.zeros(values.shape, dtype=np.uint32)
    # A binary search in the 26 known strings: no per-row Python, no sort of the column.
    position = np.minimum(np.searchsorted(_DG_SORTED, values), len(_DG_SORTED) - 1)
    found = _DG_SORTED[position] == values
    if not found.all():
        raise InputError(
            "dangerous_goods_class",
            str(values.reshape(-1)[first_bad(~found.reshape(-1))]),
            "must be a UN hazard class such as '3' or '9', or empty",
        )
    return _DG_SORTED_BITS[position]


def class_mask(classes: Sequence[str]) -> np.uint32:
    """Bit set of the classes and their divisions (``"4"`` covers ``"4.1"``, ``"4.2"`` ...)."""
    bits = np.uint32(0)
    for wanted in classes:
        matched = [
            c for c in DANGEROUS_GOODS_CLASS_ORDER if c == wanted or c.startswith(wanted + ".")
        ]
        if not matched:
            raise InputError("dangerous_goods_class", wanted, "is not a UN hazard class")
        for c in matched:
            bits |= _DG_BIT[c]
    return bits
