"""Declarations from orders: HS validation, conversion, import date, JSON export."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from rocketpost.customs.declaration import Declaration, declare, import_date_of
from rocketpost.customs.fx import fx_table
from rocketpost.errors import InputError
from rocketpost.orders.model import Order

OrderFactory = Callable[..., Order]


def test_declaration_converts_each_line_into_the_market_currency(order: OrderFactory) -> None:
    o = order(
        "KR",
        [("cotton T-shirt", "610910", 2, "45.00", "USD", 0.25), ("tea", "090210", 1, "10", "EUR")],
    )
    d = declare(o, origin_country="CN", import_date=date(2025, 8, 30))
    krw = fx_table().quote("KRW", date(2025, 8, 30)).units_per_usd
    assert d.market == "KR" and d.currency == "KRW"
    assert d.lines[0].value == Decimal("90.00")
    assert d.lines[0].customs_value == (Decimal("90.00") * krw).quantize(Decimal(1))
    assert d.lines[0].value_usd == Decimal("90.00")
    assert d.customs_value == sum(line.customs_value for line in d.lines)
    assert d.declared_mass_kg == pytest.approx(1.0)
    assert d.fx_date == date(2025, 8, 1)
    assert d.seller_id == "M-1" and d.consignee.recipient_id == "R-1"
    assert d.lines[1].hs_description.startswith("Green tea")
    assert d.advance_data_system == "KCS express manifest"


def test_value_in_converts_line_by_line_without_double_rounding(order: OrderFactory) -> None:
    o = order("KR", [("shirt", "610910", 1, "150.00", "USD")])
    d = declare(o, origin_country="CN", import_date=date(2025, 8, 30))
    assert d.value_in("USD") == Decimal("150.00")


def test_import_date_is_the_local_date_in_the_market(order: OrderFactory) -> None:
    # 23:30 UTC on 28 Aug is already 29 Aug in Seoul, still 28 Aug in New York.
    late = datetime(2025, 8, 28, 23, 30, tzinfo=UTC)
    assert import_date_of(
        order("KR", [("shirt", "610910", 1, "10", "USD")], created_at=late)
    ) == date(2025, 8, 29)
    # 03:30 UTC on 29 Aug is 23:30 EDT on 28 Aug: before the US suspension took effect.
    early = datetime(2025, 8, 29, 3, 30, tzinfo=UTC)
    us = order("US", [("shirt", "610910", 1, "10", "USD")], created_at=early)
    assert import_date_of(us) == date(2025, 8, 28)
    assert declare(us, origin_country="KR").import_date == date(2025, 8, 28)


def test_domestic_and_intra_eu_moves_need_no_declaration(order: OrderFactory) -> None:
    with pytest.raises(InputError, match="same customs territory") as error:
        declare(order("KR", [("shirt", "610910", 1, "10", "USD")]), origin_country="KR")
    assert error.value.field == "origin_country"
    with pytest.raises(InputError, match="same customs territory"):
        declare(order("FR", [("shirt", "610910", 1, "10", "EUR")]), origin_country="DE")


def test_unknown_hs_code_names_the_item(order: OrderFactory) -> None:
    o = order("US", [("shirt", "610910", 1, "10", "USD"), ("mystery", "847210", 1, "10", "USD")])
    with pytest.raises(InputError) as error:
        declare(o, origin_country="CN")
    assert error.value.field == "items[1].hs_code"
    assert error.value.value == "847210"
    with pytest.raises(InputError) as first:
        declare(order("US", [("x", "990000", 1, "1", "USD")]), origin_country="CN")
    assert first.value.field == "items[0].hs_code"


def test_unknown_currency_names_the_item(order: OrderFactory) -> None:
    with pytest.raises(InputError, match="no exchange rate") as error:
        declare(order("KR", [("shirt", "610910", 1, "10", "XYZ")]), origin_country="CN")
    assert error.value.field == "items[0].currency"
    assert error.value.value == "XYZ"


def test_a_zero_value_is_a_missing_value(order: OrderFactory) -> None:
    with pytest.raises(InputError, match="needs a value") as error:
        declare(order("KR", [("sample", "610910", 1, "0", "USD")]), origin_country="CN")
    assert error.value.field == "items[0].unit_value"


def test_bad_origin(order: OrderFactory) -> None:
    with pytest.raises(InputError) as error:
        declare(order("KR", [("shirt", "610910", 1, "10", "USD")]), origin_country="china")
    assert error.value.field == "origin_country"


def test_json_export_is_plain_json(order: OrderFactory) -> None:
    d = declare(order("DE", [("shirt", "610910", 1, "19.99", "EUR")]), origin_country="CN")
    data = json.loads(d.to_json())
    assert data["market"] == "EU" and data["destination_country"] == "DE"
    assert data["lines"][0]["unit_value"] == "19.99"
    assert data["lines"][0]["hs_code"] == "610910"
    assert data["import_date"] == "2025-08-30"
    assert data["channel"] == "b2c"
    assert data["consignee"]["recipient_id"] == "R-1"


def test_from_dict_reads_back_the_json_export(order: OrderFactory) -> None:
    d = declare(
        order(
            "KR", [("shirt", "610910", 2, "45.00", "USD", 0.25), ("tea", "090210", 1, "10", "EUR")]
        ),
        origin_country="CN",
    )
    again = Declaration.from_dict(json.loads(d.to_json()))
    assert again == d


def test_from_dict_names_what_is_missing(order: OrderFactory) -> None:
    data = declare(
        order("KR", [("shirt", "610910", 1, "10", "USD")]), origin_country="CN"
    ).to_dict()
    del data["lines"][0]["unit_value"]
    with pytest.raises(InputError) as error:
        Declaration.from_dict(data)
    assert error.value.field == "declaration.lines[0]"
