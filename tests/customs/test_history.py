"""Recipient history: same-day lookups, annual totals, serialisation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from rocketpost.customs.declaration import declare
from rocketpost.customs.duties import assess_duties
from rocketpost.customs.history import ImportRecord, RecipientHistory
from rocketpost.errors import InputError
from rocketpost.orders.model import Order


def test_record_replaces_the_same_declaration(order: Callable[..., Order]) -> None:
    d = declare(order("KR", [("shirt", "610910", 1, "100", "USD")], order_id="A"),
                origin_country="CN", import_date=date(2025, 8, 30))  # fmt: skip
    history = RecipientHistory().record(d).record(d)
    assert len(history.records) == 1
    assert history.same_day("R-1", "KR", date(2025, 8, 30)) == history.records
    assert history.same_day("R-1", "KR", date(2025, 8, 30), exclude="A") == ()
    assert history.same_day("R-2", "KR", date(2025, 8, 30)) == ()


def test_year_total_filters_by_regime(order: Callable[..., Order]) -> None:
    history = RecipientHistory()
    for i, value in enumerate(("1000", "6000")):
        d = declare(order("CN", [("shirt", "610910", 1, value, "CNY")], order_id=f"P{i}"),
                    origin_country="KR", import_date=date(2025, 1, 10 + i))  # fmt: skip
        history = history.record(d, assess_duties(d, history=history))
    assert history.year_total("R-1", "CN", 2025) == Decimal("7000.00")
    assert history.year_total("R-1", "CN", 2025, regime="cbec") == Decimal("1000.00")
    assert history.year_total("R-1", "CN", 2024) == 0
    assert history.year_total("R-1", "CN", 2025, exclude="P0") == Decimal("6000.00")


def test_round_trip_through_a_dict(order: Callable[..., Order]) -> None:
    d = declare(order("KR", [("shirt", "610910", 1, "100", "USD")]), origin_country="CN")
    history = RecipientHistory().record(d)
    again = RecipientHistory.from_dict(history.to_dict())
    assert again.records == history.records


def test_bad_records_name_the_field() -> None:
    with pytest.raises(InputError) as error:
        RecipientHistory.from_dict({"records": [{"declaration_id": "A", "recipient_id": "R",
                                                 "market": "KR", "import_date": "2025-08-30",
                                                 "customs_value": "-1", "currency": "KRW",
                                                 "value_usd": "1"}]})  # fmt: skip
    assert error.value.field == "records[0].customs_value"
    with pytest.raises(InputError, match="decimal"):
        ImportRecord("A", "R", "KR", date(2025, 1, 1), "x", "KRW", Decimal(1))  # type: ignore[arg-type]


def test_growing_history_answers_like_the_immutable_one(order: Callable[..., Order]) -> None:
    declarations = [
        declare(
            order("KR", [("shirt", "610910", 1, value, "USD")], order_id=f"G{i}"),
            origin_country="CN",
            import_date=date(2025, 8, 30),
        )
        for i, value in enumerate(("60", "70", "80"))
    ]
    base = RecipientHistory().record(declarations[0])
    immutable, growing = base, base.growing()
    for d in (*declarations, declarations[1]):  # G0 and G1 are recorded twice: replaced
        immutable = immutable.record(d)
        growing.add(d)
        day = date(2025, 8, 30)
        assert growing.same_day("R-1", "KR", day) == immutable.same_day("R-1", "KR", day)
    assert growing.freeze().records == immutable.records
    assert [r.declaration_id for r in growing.freeze().records] == ["G0", "G2", "G1"]
