"""What synthetic orders contain: B2C parcels by product popularity, B2B pallets and rocket loads.

The distributions are documented in :mod:`rocketpost.orders.generator` and ``docs/orders.md``.
Rocket loads are sized to the rocket class that flies them (its payload mass and volume), so a
network with another rocket gets loads that fit it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rocketpost.network import RocketClass
from rocketpost.orders.catalogue import Catalogue
from rocketpost.orders.draws import numbered, pick
from rocketpost.orders.table import MICROS_PER_UNIT, ItemTable

__all__ = ["FULL_LOAD_MIN_PAYLOAD_SHARE", "OrderKinds", "draw_items"]

FULL_LOAD_MIN_PAYLOAD_SHARE = 0.3
"""A B2B rocket load targets a mass uniform between this share of the payload and all of it."""


# Indicative units per USD (2025 order of magnitude): the generator needs plausible prices in
# each currency, not a rate to settle with; customs converts with its own rates.
_FX: dict[str, tuple[float, int]] = {
    "USD": (1.0, 2),
    "CNY": (7.2, 2),
    "EUR": (0.92, 2),
    "KRW": (1380.0, 0),
    "JPY": (150.0, 0),
    "GBP": (0.79, 2),
}

_SKU_VARIANTS = 20


def _to_micros(amount: NDArray[np.float64], currency: NDArray[np.str_]) -> NDArray[np.int64]:
    """Amounts rounded to each currency's minor unit, as exact micros (at least one minor unit)."""
    decimals = np.zeros(len(currency), dtype=np.int64)
    for code, (_, places) in _FX.items():
        decimals[currency == code] = places
    scale = 10.0**decimals
    minor = np.maximum(np.round(amount * scale), 1).astype(np.int64)
    return minor * (MICROS_PER_UNIT // (10**decimals))


def _fx_rate(currency: NDArray[np.str_]) -> NDArray[np.float64]:
    """Indicative units of each currency per USD (1 for a currency without a rate)."""
    rate = np.ones(len(currency))
    for code, (per_usd, _) in _FX.items():
        rate[currency == code] = per_usd
    return rate


@dataclass(frozen=True, eq=False)
class OrderKinds:
    """What kind each order of a day is, as the generator drew it (one entry per order).

    ``full_load`` and ``backhaul`` are B2B orders that are rocket loads and export backhaul;
    ``origin_country`` is a backhaul order's exporting country ("" otherwise); ``currency`` is
    the merchant's.
    """

    is_b2b: NDArray[np.bool_]
    full_load: NDArray[np.bool_]
    backhaul: NDArray[np.bool_]
    origin_country: NDArray[np.str_]
    currency: NDArray[np.str_]


def draw_items(
    catalogue: Catalogue,
    rng: np.random.Generator,
    kinds: OrderKinds,
    *,
    dangerous_goods_share: float,
    rocket: RocketClass,
) -> ItemTable:
    """Lines of each order: products, quantities, packed sizes, prices (see the module doc).

    ``rocket`` sizes the rocket loads (``kinds.full_load``): a target mass between
    :data:`FULL_LOAD_MIN_PAYLOAD_SHARE` of its payload and all of it, never more pallets than its
    payload mass or volume takes.
    """
    is_b2b, full_load, backhaul = kinds.is_b2b, kinds.full_load, kinds.backhaul
    origin_country, currency = kinds.origin_country, kinds.currency
    n = len(is_b2b)
    lines = np.where(
        is_b2b,
        np.where(full_load, 1, 1 + np.minimum(rng.poisson(0.5, n), 2)),
        1 + np.minimum(rng.poisson(0.5, n), 4),
    )
    order_index = np.repeat(np.arange(n, dtype=np.int64), lines)
    m = len(order_index)
    line_b2b = is_b2b[order_index]
    line_full = full_load[order_index]
    line_backhaul = backhaul[order_index]

    # Products: B2C by popularity (dangerous goods at their own share), B2B by freight weight,
    # backhaul by what the hub's country exports.
    dg = catalogue.dangerous_goods_class != ""
    regular_b2c = np.where(dg, 0.0, catalogue.b2c_weight)
    dg_b2c = np.where(dg, catalogue.b2c_weight, 0.0)
    u = rng.random(m)
    wants_dg = rng.random(m) < dangerous_goods_share
    product = pick(regular_b2c, u)
    if dg.any():
        product = np.where(wants_dg, pick(dg_b2c, u), product)
    product = np.where(line_b2b, pick(catalogue.b2b_weight, u), product)
    if line_backhaul.any():
        line_country = origin_country[order_index]
        for country in np.unique(line_country[line_backhaul]).tolist():
            exports = np.array([country in e for e in catalogue.export_countries])
            weights = np.where(exports, catalogue.b2b_weight, 0.0)
            if not weights.any():
                weights = catalogue.b2b_weight
            mine = line_backhaul & (line_country == country)
            product[mine] = pick(weights, u[mine])

    # B2C units: typical packed size × shared size factor × small independent noise.
    size = rng.lognormal(0.0, 0.25, m)
    mass = catalogue.unit_mass_kg[product] * size * rng.lognormal(0.0, 0.1, m)
    volume = catalogue.unit_volume_m3[product] * size * rng.lognormal(0.0, 0.1, m)
    quantity = 1 + np.minimum(rng.poisson(0.25, m), 8)
    value_usd = catalogue.unit_value_usd[product] * rng.lognormal(0.0, 0.35, m)

    # B2B pallets: 1-2 m³ of goods at the product's density, stacked lower when dense.
    density = catalogue.unit_mass_kg[product] / catalogue.unit_volume_m3[product]
    pallet_m3 = rng.uniform(1.0, 2.0, m)
    goods_kg = 0.85 * density * pallet_m3
    heavy = goods_kg + 25.0 > 1000.0
    pallet_m3 = np.where(heavy, (1000.0 - 25.0) / (0.85 * density), pallet_m3)
    goods_kg = np.where(heavy, 975.0, goods_kg)
    pallet_kg = goods_kg + 25.0
    pallets = 1 + np.minimum(rng.poisson(2.0, m), 15)
    payload_kg, payload_m3 = rocket.payload_mass_kg, rocket.payload_volume_m3
    target_kg = rng.uniform(FULL_LOAD_MIN_PAYLOAD_SHARE * payload_kg, payload_kg, m)
    fit = np.minimum(np.floor(payload_kg / pallet_kg), np.floor(payload_m3 / pallet_m3))
    full_pallets = np.clip(np.floor(target_kg / pallet_kg), 1, np.maximum(fit, 1))
    pallets = np.where(line_full, full_pallets, pallets).astype(np.int64)
    value_per_kg = catalogue.unit_value_usd[product] / catalogue.unit_mass_kg[product]
    pallet_value_usd = value_per_kg * goods_kg * 0.6 * rng.lognormal(0.0, 0.2, m)

    mass = np.where(line_b2b, np.round(pallet_kg, 1), np.maximum(np.round(mass, 3), 0.001))
    volume = np.where(line_b2b, np.round(pallet_m3, 3), np.maximum(np.round(volume, 6), 1e-5))
    quantity = np.where(line_b2b, pallets, quantity)
    line_currency = currency[order_index]
    value = np.where(line_b2b, pallet_value_usd, value_usd) * _fx_rate(line_currency)

    variant = rng.integers(0, _SKU_VARIANTS, size=m)
    sku_table = np.strings.add(
        np.repeat(catalogue.sku, _SKU_VARIANTS),
        np.tile(numbered("-", np.arange(_SKU_VARIANTS, dtype=np.int64), 2), len(catalogue)),
    )
    pallet_sku = np.strings.add(catalogue.sku, "-PAL")
    sku = np.where(line_b2b, pallet_sku[product], sku_table[product * _SKU_VARIANTS + variant])
    return ItemTable(
        order_index=order_index,
        sku=sku,
        description=catalogue.description[product],
        hs_code=catalogue.hs_code[product],
        quantity=quantity,
        unit_value_micros=_to_micros(value, line_currency),
        currency=line_currency,
        unit_mass_kg=mass,
        unit_volume_m3=volume,
        dangerous_goods_class=catalogue.dangerous_goods_class[product],
    )
