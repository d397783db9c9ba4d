"""Dangerous goods as bits: class queries cover their divisions."""

from __future__ import annotations

import numpy as np
import pytest

from rocketpost.errors import InputError
from rocketpost.orders.convert import from_orders
from rocketpost.orders.dangerous_goods import DANGEROUS_GOODS_CLASS_ORDER, dangerous_goods_bits
from tests.orders import SAMPLE


def test_dangerous_goods_bits_and_class_queries() -> None:
    orders, _ = from_orders(SAMPLE)
    assert orders.has_dangerous_goods.tolist() == [True, True, False]
    assert orders.carries_dangerous_goods("9").tolist() == [True, False, False]
    # A class covers its divisions: "4" matches 4.1.
    assert orders.carries_dangerous_goods("4").tolist() == [False, True, False]
    assert orders.carries_dangerous_goods("3", "9").tolist() == [True, False, False]
    with pytest.raises(InputError, match="dangerous_goods_class"):
        orders.carries_dangerous_goods("10")
    bits = dangerous_goods_bits(np.array(["", "9", "1.4"]))
    assert bits[0] == 0
    assert bits[1] == 1 << DANGEROUS_GOODS_CLASS_ORDER.index("9")
    with pytest.raises(InputError, match="dangerous_goods_class"):
        dangerous_goods_bits(np.array(["9", "X"]))
