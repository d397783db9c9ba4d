"""The assessment's data: amounts per line, and how rates and money are written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from rocketpost.customs.declaration import declare
from rocketpost.customs.duties import assess_duties
from rocketpost.customs.duty_model import TAX_KINDS, money_text, rate_text
from rocketpost.orders.model import Order


def test_rates_and_money_in_words() -> None:
    assert rate_text(Decimal("0.13")) == "13 %"
    assert rate_text(Decimal("0.085")) == "8.5 %"
    assert rate_text(Decimal("0")) == "0 %"
    assert money_text(Decimal("1234.50"), "KRW") == "1,234.50 KRW"


def test_amounts_by_line_and_in_tax_order(order: Callable[..., Order]) -> None:
    lines = [("cotton T-shirt", "610910", 1, "120", "USD"), ("mug", "691200", 1, "80", "USD")]
    parcel = declare(order("KR", lines), origin_country="CN", import_date=date(2025, 8, 30))
    assessment = assess_duties(parcel)
    for index in (0, 1):
        taxes = [a.tax for a in assessment.for_line(index)]
        assert taxes == sorted(taxes, key=TAX_KINDS.index) and taxes
        assert all(a.line_index == index for a in assessment.for_line(index))
    assert len(assessment.for_line(0)) + len(assessment.for_line(1)) == len(assessment.amounts)
