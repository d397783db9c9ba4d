"""Shared helpers for the customs tests: a compact order factory, one-parcel declarations and
parcel-batch columns (session-scoped factories, so Hypothesis tests may use them too)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from rocketpost.customs.declaration import Declaration, declare
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


def declare_one_line(
    destination: str,
    line: Line,
    *,
    origin: str = "CN",
    seller: str = "M-1",
    order_id: str = "O-1",
) -> Declaration:
    """A one-line parcel into ``destination``, declared for import on 1 Sep 2025."""
    return declare(
        make_order(destination, [line], seller=seller, order_id=order_id),
        origin_country=origin,
        import_date=date(2025, 9, 1),
    )


@pytest.fixture(scope="session")
def declare_one() -> Callable[..., Declaration]:
    """The :func:`declare_one_line` factory."""
    return declare_one_line


def parcel_columns(**overrides: object) -> dict[str, object]:
    """Columns of a valid one-parcel, one-line :class:`ParcelBatch`, with ``overrides``."""
    columns: dict[str, object] = dict(
        parcel_id=["A"],
        destination=["KR"],
        origin=["CN"],
        seller=["S"],
        import_date=[date(2025, 9, 1)],
        line_parcel=[0],
        hs_code=[610910],
        description=["shirt"],
        unit_value_usd=[10.0],
        quantity=[1],
        unit_mass_kg=[0.2],
    )
    columns.update(overrides)
    return columns


@pytest.fixture(scope="session")
def batch_columns() -> Callable[..., dict[str, object]]:
    """The :func:`parcel_columns` factory."""
    return parcel_columns
