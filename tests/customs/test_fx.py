"""Dated exchange rates and money rounding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from rocketpost.customs.fx import FxTable, fx_table, load_fx_table, minor_units, round_money
from rocketpost.errors import InputError


def test_round_money_is_half_up_at_the_currency_minor_unit() -> None:
    assert round_money(Decimal("2.345"), "USD") == Decimal("2.35")
    assert round_money(Decimal("2.344"), "EUR") == Decimal("2.34")
    assert round_money(Decimal("1234.5"), "KRW") == Decimal("1235")
    assert round_money(Decimal("99.49"), "JPY") == Decimal("99")
    assert minor_units("KRW") == 0 and minor_units("GBP") == 2


def test_shipped_table_covers_the_markets_currencies() -> None:
    table = fx_table()
    for currency in ("USD", "EUR", "GBP", "JPY", "CNY", "KRW", "HKD"):
        assert currency in table.currencies
    assert table.source  # the header names its source


def test_a_rate_applies_from_its_row_until_the_next() -> None:
    table = fx_table()
    july = table.quote("KRW", date(2025, 7, 31))
    august = table.quote("KRW", date(2025, 8, 1))
    assert july.table_date == date(2025, 7, 1)
    assert august.table_date == date(2025, 8, 1)
    assert july.units_per_usd != august.units_per_usd


def test_dates_after_the_last_row_use_the_last_row_and_say_so() -> None:
    table = fx_table()
    quote = table.quote("EUR", date(2030, 1, 1))
    assert quote.table_date == table.dates[-1]


def test_convert_goes_through_usd_and_usd_needs_no_row() -> None:
    table = fx_table()
    on = date(2025, 8, 30)
    assert table.convert(Decimal(100), "USD", "USD", on) == Decimal(100)
    assert table.quote("USD", date(1990, 1, 1)).table_date is None
    eur = table.quote("EUR", on).units_per_usd
    krw = table.quote("KRW", on).units_per_usd
    assert table.convert(Decimal(100), "EUR", "KRW", on) == Decimal(100) / eur * krw


def test_unknown_currency_names_the_field() -> None:
    with pytest.raises(InputError) as error:
        fx_table().quote("XYZ", date(2025, 1, 1), field="items[2].currency")
    assert error.value.field == "items[2].currency"
    assert "no exchange rate" in str(error.value)


def test_a_date_before_the_table_is_an_import_date_error() -> None:
    with pytest.raises(InputError) as error:
        fx_table().quote("EUR", date(2019, 1, 1))
    assert error.value.field == "import_date"


def test_table_validation() -> None:
    with pytest.raises(InputError):
        FxTable(dates=(date(2025, 2, 1), date(2025, 1, 1)), rates={"EUR": (Decimal(1), Decimal(1))})
    with pytest.raises(InputError):
        FxTable(dates=(date(2025, 1, 1),), rates={"EUR": (Decimal(0),)})


def test_loader_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "fx.csv"
    path.write_text("# test\ndate,EUR\n2025-01-01,0.9\n2025-02-01,abc\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_fx_table(path)
    assert error.value.field == "fx.csv:4: EUR"
    path.write_text("date,EUR\n2025-13-01,0.9\n", encoding="utf-8")
    with pytest.raises(InputError, match="ISO date"):
        load_fx_table(path)
