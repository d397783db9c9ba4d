"""Reading orders as JSON or JSON Lines, with file:line errors."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from rocketpost.customs.parcels import ParcelFileError, read_parcels

ORDER = {
    "order_id": "KR-1",
    "merchant_id": "M-1",
    "created_at": "2025-08-30T10:00:00+09:00",
    "destination_country": "KR",
    "recipient_id": "R-1",
    "items": [
        {"sku": "A", "description": "cotton T-shirt", "hs_code": "610910", "quantity": 2,
         "unit_value": "45.00", "currency": "USD", "unit_mass_kg": 0.25}
    ],
    "origin_country": "CN",
    "scanned_gross_mass_kg": 0.6,
    "import_date": "2025-08-30",
}  # fmt: skip


def _with_item(**changes: object) -> dict:
    order = json.loads(json.dumps(ORDER))
    order["items"][0].update(changes)
    return order


def test_one_object_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "order.json"
    path.write_text(json.dumps(ORDER), encoding="utf-8")
    (parcel,) = read_parcels(path)
    assert parcel.order.items[0].unit_value == Decimal("45.00")
    assert parcel.order.channel.value == "b2c"
    assert parcel.order.items[0].unit_volume_m3 == pytest.approx(0.001)
    assert parcel.origin_country == "CN" and parcel.scanned_gross_mass_kg == 0.6
    assert parcel.import_date == date(2025, 8, 30)
    assert parcel.where == "order.json"


def test_array_and_json_lines(tmp_path: Path) -> None:
    array = tmp_path / "orders.json"
    array.write_text(json.dumps([ORDER, ORDER]), encoding="utf-8")
    assert [p.where for p in read_parcels(array)] == ["orders.json[0]", "orders.json[1]"]
    lines = tmp_path / "orders.jsonl"
    lines.write_text(
        json.dumps(ORDER) + "\n\n" + json.dumps({**ORDER, "order_id": "KR-2"}) + "\n",
        encoding="utf-8",
    )
    parcels = read_parcels(lines)
    assert [p.where for p in parcels] == ["orders.jsonl:1", "orders.jsonl:3"]
    assert parcels[1].order.order_id == "KR-2"


@pytest.mark.parametrize(
    ("order", "message"),
    [
        (
            _with_item(unit_value=None),
            "orders.jsonl:2: items[0].unit_value: is required (got None)",
        ),
        (
            _with_item(hs_code=610910),
            "orders.jsonl:2: items[0].hs_code: must be a string of 6 digits",
        ),
        (
            _with_item(hs_code="6109"),
            "orders.jsonl:2: items[0].hs_code: must be a 6-digit HS subheading",
        ),
        (
            _with_item(unit_value="abc"),
            "orders.jsonl:2: items[0].unit_value: must be a decimal amount",
        ),
        (_with_item(quantity=0), "orders.jsonl:2: items[0].quantity: must be positive"),
        (_with_item(currency="usd"), "orders.jsonl:2: items[0].currency: must be an ISO 4217 code"),
        ({**ORDER, "created_at": "yesterday"}, "orders.jsonl:2: created_at: must be an ISO 8601"),
        ({**ORDER, "channel": "c2c"}, "orders.jsonl:2: channel: must be 'b2c' or 'b2b'"),
        (
            {**ORDER, "origin_country": "China"},
            "orders.jsonl:2: origin_country: must be an ISO alpha-2",
        ),
        (
            {**ORDER, "import_date": "30/08/2025"},
            "orders.jsonl:2: import_date: must be an ISO date",
        ),
        ({k: v for k, v in ORDER.items() if k != "items"}, "orders.jsonl:2: items: is required"),
    ],
)
def test_errors_carry_file_line_and_field(tmp_path: Path, order: dict, message: str) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_text(json.dumps(ORDER) + "\n" + json.dumps(order) + "\n", encoding="utf-8")
    with pytest.raises(ParcelFileError) as error:
        read_parcels(path)
    assert str(error.value).startswith(message)


def test_malformed_line_and_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_text(json.dumps(ORDER) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(ParcelFileError, match="not valid JSON") as error:
        read_parcels(path)
    assert error.value.where == "orders.jsonl:2"
    path.write_text("  \n", encoding="utf-8")
    with pytest.raises(ParcelFileError, match="empty"):
        read_parcels(path)
