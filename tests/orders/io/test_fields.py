"""Field parsing: each rule rejects its row, lenient forms pass."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from rocketpost.orders.io import read_orders
from tests.orders.io import (
    DATA,
    GOOD,
    assert_counts_add_up,
    rejects_by_line,
    with_field,
    write_csv,
)


def _field_rules() -> list[tuple[str, str, str]]:
    """One bad value per rule and the reason it must give (``tests/data/orders``)."""
    with (DATA / "field_rules.csv").open(newline="", encoding="utf-8") as handle:
        return [(r["column"], r["value"], r["reason"]) for r in csv.DictReader(handle)]


FIELD_RULES = _field_rules()


@pytest.mark.parametrize(("column", "value", "reason"), FIELD_RULES)
def test_each_rule_rejects_its_row(tmp_path: Path, column: str, value: str, reason: str) -> None:
    path = write_csv(tmp_path / "one.csv", GOOD.replace("A1", "A0"), with_field(column, value))
    result = read_orders(path)
    assert_counts_add_up(result)
    assert result.orders.order_id.tolist() == ["A0"]
    rejects = rejects_by_line(result)
    assert list(rejects) == [3]
    field, text = rejects[3]
    assert column in field.split(";")
    assert reason in text
    if value.strip() and "missing" not in reason:
        assert repr(value) in text  # the offending value is quoted as given


def test_lenient_forms_are_accepted(tmp_path: Path) -> None:
    row = with_field("hs_code", "6109.10", GOOD)
    row = with_field("channel", " B2C ", row)
    row = with_field("currency", "eur", row)
    row = with_field("destination_country", "fr", row)
    row = with_field("created_at", "2025-06-01 12:00:00.75+02:00", row)
    row = with_field("dangerous_goods_class", "9.0", row)
    row = with_field("unit_value", "+12.500000000", row)
    result = read_orders(write_csv(tmp_path / "o.csv", row))
    assert result.rows_rejected == 0, list(result.rejects.reason)
    assert result.items.hs_code[0] == "610910" and result.items.currency[0] == "EUR"
    assert result.orders.channel[0] == "b2c" and result.orders.destination_country[0] == "FR"
    assert result.orders.created_at[0] == np.datetime64("2025-06-01T10:00:00")
    assert result.items.dangerous_goods_class[0] == "9"
    assert result.items.unit_value_micros[0] == 12_500_000
