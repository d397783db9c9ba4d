"""Shared helpers for the customs tests: a compact order factory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from rocketpost.orders.model import Channel, Order, OrderItem

# (description, hs_code, quantity, unit_value, currency[, unit_mass_kg])
Line = tuple


def make_order(
    destination: str,
    lines: Sequence[Line],
    *,
    order_id: str = "O-1",
    recipient: str = "R-1",
    seller: str = "M-1",
    channel: Channel = Channel.B2C,
    created_at: datetime = datetime(2025, 8, 30, 3, 0, tzinfo=UTC),
) -> Order:
    """An order with one item per ``lines`` entry (coordinates are irrelevant to customs)."""
    items = []
    for i, line in enumerate(lines):
        description, hs_code, quantity, unit_value, currency = line[:5]
        mass = line[5] if len(line) > 5 else 0.5
        items.append(
            OrderItem(
                sku=f"SKU-{i}",
                description=description,
                hs_code=hs_code,
                quantity=quantity,
                unit_value=Decimal(unit_value),
                currency=currency,
                unit_mass_kg=mass,
                unit_volume_m3=0.001,
            )
        )
    return Order(
        order_id=order_id,
        merchant_id=seller,
        channel=channel,
        created_at=created_at,
        destination_lat_deg=0.0,
        destination_lon_deg=0.0,
        destination_country=destination,
        recipient_id=recipient,
        items=tuple(items),
    )


@pytest.fixture()
def order() -> Callable[..., Order]:
    """The :func:`make_order` factory."""
    return make_order
