"""What synthetic orders contain: parcel sizes, pallets, rocket loads sized to the rocket."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from rocketpost.network import default_network
from rocketpost.orders.model import DANGEROUS_GOODS_CLASSES
from tests.orders import generate


def test_b2c_parcels_have_the_documented_sizes() -> None:
    orders, items = generate(30_000, b2b_share=0.0)
    assert 0.7 < np.median(orders.mass_kg) < 1.2
    assert 3.0 < np.median(orders.volume_m3) * 1000 < 8.0
    assert orders.mass_kg.max() < 400
    light = orders.mass_kg < 1.0
    # Light parcels are less dense than the rest: they fill volume first.
    light_density = orders.mass_kg[light].sum() / orders.volume_m3[light].sum()
    heavy_density = orders.mass_kg[~light].sum() / orders.volume_m3[~light].sum()
    assert light_density < heavy_density
    share_dg = orders.carries_dangerous_goods("9").mean()
    assert 0.004 < share_dg < 0.02
    assert set(np.unique(items.dangerous_goods_class).tolist()) <= {"", *DANGEROUS_GOODS_CLASSES}


def test_b2b_freight_pallets_and_rocket_loads() -> None:
    orders, items = generate(20_000, b2b_share=0.5, full_load_share=0.3)
    b2b = orders.is_b2b
    assert b2b.mean() == pytest.approx(0.5, abs=0.02)
    lines = b2b[items.order_index]
    assert items.unit_mass_kg[lines].max() <= 1000.0
    assert np.median(items.unit_mass_kg[lines]) > 100.0
    assert items.unit_volume_m3[lines].max() <= 2.0
    assert np.all(np.char.endswith(items.sku[lines], "-PAL"))
    single = b2b & (orders.n_items == 1)
    big = single & (orders.mass_kg > 3000)
    assert big.sum() > 0.1 * b2b.sum()
    # Rocket loads never exceed one rocket.
    full = orders.mass_kg[b2b & (orders.n_items == 1)]
    assert full.max() <= default_network().rocket.payload_mass_kg


def test_rocket_loads_are_sized_to_the_rocket_class() -> None:
    small = replace(default_network().rocket, payload_mass_kg=4_000.0, payload_volume_m3=30.0)
    orders, _ = generate(2_000, b2b_share=1.0, full_load_share=1.0, rocket=small)
    assert np.all(orders.n_items == 1)  # every order is one product's rocket load
    pallet_max_kg = 1_000.0  # one pallet always flies, even when it alone is the target
    assert np.all(orders.mass_kg <= np.maximum(small.payload_mass_kg, pallet_max_kg))
    assert np.all(orders.volume_m3 <= small.payload_volume_m3)
    # Targets are uniform between 30 % of the payload and all of it.
    assert np.median(orders.mass_kg) > 0.3 * small.payload_mass_kg
    default_orders, _ = generate(2_000, b2b_share=1.0, full_load_share=1.0)
    assert np.median(default_orders.mass_kg) > np.median(orders.mass_kg)
