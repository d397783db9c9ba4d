"""Shared data of the orders tests: hand-made orders, a small city table, a generated day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from rocketpost.orders.generator import GeneratorParams, generate_orders
from rocketpost.orders.model import Channel, Order, OrderItem

__all__ = ["BACKHAUL", "CITIES", "DAY", "SAMPLE", "T0", "Cities", "generate", "item", "order"]

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def item(
    sku: str = "SKU-1",
    quantity: int = 1,
    value: str = "10.50",
    currency: str = "EUR",
    mass: float = 1.0,
    volume: float = 0.004,
    dg: str | None = None,
) -> OrderItem:
    return OrderItem(
        sku=sku,
        description="Cotton T-shirt",
        hs_code="610910",
        quantity=quantity,
        unit_value=Decimal(value),
        currency=currency,
        unit_mass_kg=mass,
        unit_volume_m3=volume,
        dangerous_goods_class=dg,
    )


def order(order_id: str, *items: OrderItem, **kwargs: object) -> Order:
    fields: dict[str, object] = {
        "merchant_id": "M1",
        "channel": Channel.B2C,
        "created_at": T0,
        "destination_lat_deg": 48.85,
        "destination_lon_deg": 2.35,
        "destination_country": "FR",
        "recipient_id": "R1",
    }
    fields.update(kwargs)
    return Order(order_id=order_id, items=items or (item(),), **fields)  # type: ignore[arg-type]


SAMPLE = [
    order("A", item(quantity=2, mass=1.5, volume=0.01), item("B", value="0.1", dg="9")),
    order(
        "B",
        item("PAL", quantity=4, value="1200", currency="USD", mass=500.0, volume=1.5, dg="4.1"),
        channel=Channel.B2B,
        origin_hub="ICN",
        destination_label="Seoul, KR",
        destination_country="KR",
        destination_lat_deg=37.56,
        destination_lon_deg=126.97,
    ),
    order("C", item(value="1500", currency="JPY")),
]


DAY = date(2025, 6, 1)


@dataclass(frozen=True)
class Cities:
    """A stand-in for rocketpost.world.cities.CityTable with hand-picked rows."""

    name: NDArray[np.str_]
    country_code: NDArray[np.str_]
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    population: NDArray[np.int64]
    timezone: NDArray[np.str_]


CITIES = Cities(
    name=np.array(["Seoul", "New York", "Lisbon", "Shanghai", "Smalltown"]),
    country_code=np.array(["KR", "US", "PT", "CN", "DE"]),
    lat_deg=np.array([37.5665, 40.7128, 38.7223, 31.2304, 50.0]),
    lon_deg=np.array([126.978, -74.006, -9.1393, 121.4737, 10.0]),
    population=np.array([10_000_000, 8_000_000, 500_000, 20_000_000, 20_000]),
    timezone=np.array(
        ["Asia/Seoul", "America/New_York", "Europe/Lisbon", "Asia/Shanghai", "Europe/Berlin"]
    ),
)


BACKHAUL = {"ICN": "KR", "LIS": "PT", "KEL": "DE"}


_CALL_INPUTS = ("cities", "rocket", "progress")


def generate(n: int, seed: int = 1, **kwargs: object):  # type: ignore[no-untyped-def]
    """:func:`generate_orders` on the test cities, by land or sea; ``kwargs`` are the call's
    inputs (``cities``, ``rocket``, ``progress``) and :class:`GeneratorParams` fields."""
    options: dict[str, object] = {"cities": CITIES, "keep_on_land": False}
    options.update(kwargs)
    inputs = {k: options.pop(k) for k in _CALL_INPUTS if k in options}
    params = GeneratorParams(**options)  # type: ignore[arg-type]
    return generate_orders(n, params, day=DAY, rng=np.random.default_rng(seed), **inputs)  # type: ignore[arg-type]
