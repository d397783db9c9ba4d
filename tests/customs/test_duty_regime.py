"""The regime decisions taken once per declaration: the de minimis test and China's CBEC limits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from rocketpost.customs.declaration import declare
from rocketpost.customs.duty_regime import cbec_regime, de_minimis_test, matches_any
from rocketpost.customs.rules import rules_for
from rocketpost.orders.model import Channel, Order

OrderFactory = Callable[..., Order]
DAY = date(2025, 8, 30)


def test_the_de_minimis_threshold_is_inclusive_and_says_why(order: OrderFactory) -> None:
    rule = rules_for("KR", DAY, origin="CN").de_minimis
    assert rule is not None
    at = declare(
        order("KR", [("mug", "691200", 1, "150", "USD")]), origin_country="CN", import_date=DAY
    )
    outcome = de_minimis_test(at, rule, at.customs_value, None)
    assert outcome.relieved and outcome.reason == "150.00 USD ≤ 150 USD"
    above = declare(
        order("KR", [("mug", "691200", 1, "150.01", "USD")]), origin_country="CN", import_date=DAY
    )
    outcome = de_minimis_test(above, rule, above.customs_value, None)
    assert not outcome.relieved and outcome.aggregated_with == ()


def test_a_suspended_relief_relieves_nothing(order: OrderFactory) -> None:
    on = date(2025, 8, 30)
    rule = rules_for("US", on, origin="KR").de_minimis
    assert rule is not None and rule.suspended
    parcel = declare(
        order("US", [("mug", "691200", 1, "5", "USD")]), origin_country="KR", import_date=on
    )
    outcome = de_minimis_test(parcel, rule, parcel.customs_value, None)
    assert not outcome.relieved and "suspended" in outcome.reason


def test_cbec_only_for_consumer_parcels_into_china(order: OrderFactory) -> None:
    rules = rules_for("CN", DAY, origin="KR")
    b2c = declare(
        order("CN", [("face cream", "330499", 1, "100", "CNY")]),
        origin_country="KR",
        import_date=DAY,
    )
    notes: list[str] = []
    assert cbec_regime(b2c, rules, Decimal(100), None, notes) == "cbec"
    assert "within limits" in notes[0]
    b2b_order = order("CN", [("face cream", "330499", 1, "100", "CNY")], channel=Channel.B2B)
    b2b = declare(b2b_order, origin_country="KR", import_date=DAY)
    assert cbec_regime(b2b, rules, Decimal(100), None, []) == "standard"
    kr = rules_for("KR", DAY, origin="CN")
    assert cbec_regime(b2c, kr, Decimal(100), None, []) == "standard"


def test_hs_prefix_lists() -> None:
    assert matches_any("610910", ("61", "62"))
    assert not matches_any("640411", ("61", "6403"))
    assert not matches_any("610910", ())
