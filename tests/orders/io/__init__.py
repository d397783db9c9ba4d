"""Shared rows, resolvers and checks of the orders-file tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np

from rocketpost.errors import PlaceNotFoundError
from rocketpost.orders.io import ImportResult
from rocketpost.orders.model import Channel, Order, OrderItem
from rocketpost.orders.table import ItemTable, OrderTable

__all__ = [
    "DATA",
    "FIELD_INDEX",
    "FORMATS",
    "GOOD",
    "HEADER",
    "PLACE_HEADER",
    "TRICKY",
    "FakePlace",
    "FakeResolver",
    "assert_counts_add_up",
    "good_record",
    "place_row",
    "rejects_by_line",
    "tables_equal",
    "with_field",
    "write_csv",
]

DATA = Path(__file__).parents[2] / "data" / "orders"
"""Named scenarios kept as data files (``tests/data/orders``)."""

FORMATS = ("csv", "parquet", "jsonl")


HEADER = (
    "order_id,merchant_id,channel,created_at,destination_lat_deg,destination_lon_deg,"
    "destination_country,recipient_id,origin_hub,sku,description,hs_code,quantity,unit_value,"
    "currency,unit_mass_kg,unit_volume_m3,dangerous_goods_class"
)


GOOD = "A1,M1,b2c,2025-06-01T10:00:00Z,48.85,2.35,FR,R1,,S1,T-shirt,610910,1,12.50,EUR,0.2,0.0015,"


@dataclass(frozen=True)
class FakePlace:
    lat_deg: float
    lon_deg: float
    country_code: str | None


class FakeResolver:
    """Counts calls, so that "each distinct text once" can be checked."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.places = {
            "Paris, FR": FakePlace(48.8566, 2.3522, "FR"),
            "Seoul": FakePlace(37.5665, 126.978, "KR"),
            "0.0,0.0": FakePlace(0.0, 0.0, None),
        }

    def __call__(self, query: str) -> FakePlace:
        self.calls.append(query)
        if query not in self.places:
            raise PlaceNotFoundError(query, "no such place", ("Paris, FR",))
        return self.places[query]


def write_csv(path: Path, *rows: str, header: str = HEADER, newline: str = "\n") -> Path:
    path.write_text(newline.join((header, *rows)) + newline, encoding="utf-8")
    return path


def tables_equal(a: OrderTable | ItemTable, b: OrderTable | ItemTable) -> None:
    for name, column in a.columns().items():
        np.testing.assert_array_equal(column, getattr(b, name), err_msg=name)
        assert column.dtype.kind == getattr(b, name).dtype.kind, name


def rejects_by_line(result: ImportResult) -> dict[int, tuple[str, str]]:
    rejects = result.rejects
    return {
        int(line): (str(field), str(reason))
        for line, field, reason in zip(rejects.line, rejects.field, rejects.reason, strict=True)
    }


def assert_counts_add_up(result: ImportResult) -> None:
    assert result.rows_read == result.rows_accepted + result.rows_rejected
    assert result.orders_read == result.orders_accepted + result.orders_rejected
    assert result.rows_accepted == len(result.items)
    assert result.orders_accepted == len(result.orders)
    assert result.rows_rejected == len(result.rejects)


FIELD_INDEX = {name: k for k, name in enumerate(HEADER.split(","))}


def with_field(column: str, value: str, row: str = GOOD) -> str:
    fields = row.split(",")
    fields[FIELD_INDEX[column]] = value
    return ",".join(fields)


PLACE_HEADER = HEADER.replace(
    "destination_lat_deg,destination_lon_deg,destination_country", "destination"
)


def place_row(order_id: str, place: str) -> str:
    fields = GOOD.split(",")
    return ",".join([order_id, *fields[1:4], place, *fields[7:]])


def good_record(**changes: object) -> dict[str, object]:
    record: dict[str, object] = dict(zip(HEADER.split(","), GOOD.split(","), strict=True))
    record.update(destination_lat_deg=48.85, destination_lon_deg=2.35, quantity=1)
    record.update(unit_mass_kg=0.2, unit_volume_m3=0.0015)
    record.update(changes)
    return record


TRICKY = [
    Order(
        order_id="T1",
        merchant_id="M,1",
        channel=Channel.B2C,
        created_at=datetime(2025, 6, 1, 23, 59, 59, tzinfo=UTC),
        destination_lat_deg=-33.868820000000001,
        destination_lon_deg=151.209295,
        destination_country="AU",
        recipient_id='R "quoted"',
        items=(
            OrderItem(
                sku="S\t1",
                description="Line one\nline two, with comma; é ü 漢字 \\ backslash",
                hs_code="010121",
                quantity=3,
                unit_value=Decimal("1234567.891234"),
                currency="KRW",
                unit_mass_kg=1e-6,
                unit_volume_m3=119.99999999999,
                dangerous_goods_class="1.4",
            ),
            OrderItem(
                sku="S2",
                description='5" screen',
                hs_code="851762",
                quantity=1,
                unit_value=Decimal("0"),
                currency="KRW",
                unit_mass_kg=10_000.0,
                unit_volume_m3=0.1 + 0.2,
                dangerous_goods_class=None,
            ),
        ),
        origin_hub="ICN",
        destination_label="Sydney, AU",
    ),
    Order(
        order_id="T2",
        merchant_id="M2",
        channel=Channel.B2B,
        created_at=datetime(1999, 12, 31, 0, 0, tzinfo=UTC),
        destination_lat_deg=90.0,
        destination_lon_deg=-180.0,
        destination_country="XK",
        recipient_id="R2",
        items=(OrderItem("X", "Ctrl\x01char", "999999", 1, Decimal("0.000001"), "EUR", 0.5, 0.5),),
    ),
]
