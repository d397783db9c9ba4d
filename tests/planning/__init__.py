"""Tests of rocketpost.planning; :func:`make_orders` builds small order tables by hand."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from rocketpost.orders.table import OrderTable

__all__ = ["make_orders", "random_orders"]


def make_orders(
    lat_lon: Sequence[tuple[float, float]],
    created_s: Sequence[float],
    mass_kg: Sequence[float],
    volume_m3: Sequence[float],
    *,
    origin_hub: Sequence[str] | None = None,
    dangerous_goods_bits: Sequence[int] | None = None,
) -> OrderTable:
    """An order table with one order per row (ids ``o0``, ``o1`` ...)."""
    n = len(lat_lon)
    lat = np.array([p[0] for p in lat_lon], dtype=np.float64)
    lon = np.array([p[1] for p in lat_lon], dtype=np.float64)
    return OrderTable(
        order_id=np.array([f"o{i}" for i in range(n)]),
        merchant_id=np.full(n, "m1"),
        channel=np.full(n, "b2c"),
        created_at=np.asarray(created_s, dtype=np.int64).astype("datetime64[s]"),
        destination_lat_deg=lat,
        destination_lon_deg=lon,
        destination_country=np.full(n, "XX"),
        destination_label=np.full(n, ""),
        recipient_id=np.array([f"r{i}" for i in range(n)]),
        origin_hub=np.full(n, "") if origin_hub is None else np.asarray(origin_hub),
        mass_kg=np.asarray(mass_kg, dtype=np.float64),
        volume_m3=np.asarray(volume_m3, dtype=np.float64),
        n_items=np.ones(n, dtype=np.int64),
        n_units=np.ones(n, dtype=np.int64),
        currency=np.full(n, "USD"),
        declared_value_micros=np.full(n, 10_000_000, dtype=np.int64),
        dangerous_goods_bits=np.zeros(n, np.uint32)
        if dangerous_goods_bits is None
        else np.asarray(dangerous_goods_bits, dtype=np.uint32),
    )


def random_orders(
    n: int,
    hubs_lat_lon: NDArray[np.float64],
    rng: np.random.Generator,
    day_s: float = 1_795_651_200.0,
) -> OrderTable:
    """``n`` parcels scattered within ~30 km of the given points over one day."""
    k = rng.integers(0, len(hubs_lat_lon), n)
    lat = np.clip(hubs_lat_lon[k, 0] + rng.normal(0, 0.15, n), -89, 89)
    lon = (hubs_lat_lon[k, 1] + rng.normal(0, 0.15, n) + 180) % 360 - 180
    mass = rng.lognormal(0.3, 0.9, n)
    volume = mass / rng.uniform(60, 250, n)
    heavy = rng.random(n) < 0.01
    mass[heavy] *= 200.0
    volume[heavy] *= 200.0
    mass = np.minimum(mass, 9000.0)
    volume = np.minimum(volume, 100.0)
    created = day_s + np.sort(rng.integers(0, 86_400, n))
    return make_orders(
        list(zip(lat, lon, strict=True)), created.tolist(), mass.tolist(), volume.tolist()
    )
