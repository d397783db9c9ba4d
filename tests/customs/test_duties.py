"""Duties and taxes: the worked cases per market and date, both sides of every threshold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from rocketpost.customs.declaration import declare
from rocketpost.customs.duties import assess_duties
from rocketpost.customs.duty_model import TAX_KINDS, DutyAssessment
from rocketpost.customs.fx import fx_table, round_money
from rocketpost.customs.history import RecipientHistory
from rocketpost.orders.model import Channel, Order

OrderFactory = Callable[..., Order]
DAY = date(2025, 8, 30)


def assess(
    order: Order, origin: str, on: date = DAY, history: RecipientHistory | None = None
) -> DutyAssessment:
    return assess_duties(declare(order, origin_country=origin, import_date=on), history=history)


def shirt(value: str, currency: str = "USD", hs: str = "610910") -> tuple:
    return ("cotton T-shirt", hs, 1, value, currency)


# --- Korea: 150 USD, 200 USD for US goods, same-day aggregation ---


@pytest.mark.parametrize(
    ("value", "relieved"), [("149.99", True), ("150.00", True), ("150.01", False)]
)
def test_kr_150_usd(order: OrderFactory, value: str, relieved: bool) -> None:
    a = assess(order("KR", [shirt(value)]), "CN")
    assert a.de_minimis is not None and a.de_minimis.relieved is relieved
    assert a.de_minimis.rule_id == "KR-DM-150USD"
    assert (a.total == 0) is relieved
    if relieved:
        assert a.regime == "de_minimis"
        assert {x.rule_id for x in a.amounts} == {"KR-DM-150USD"}  # duty and VAT both relieved


def test_kr_above_threshold_pays_duty_then_vat_on_value_plus_duty(order: OrderFactory) -> None:
    a = assess(order("KR", [shirt("150.01")]), "CN")
    krw = fx_table().quote("KRW", DAY).units_per_usd
    value = round_money(Decimal("150.01") * krw, "KRW")
    duty = round_money(value * Decimal("0.13"), "KRW")
    vat = round_money((value + duty) * Decimal("0.10"), "KRW")
    assert a.totals["duty"] == duty and a.totals["vat"] == vat
    assert a.total == duty + vat and a.currency == "KRW"
    assert [x.rule_id for x in a.amounts] == ["KR-DUTY-MFN-SIMPLIFIED", "KR-VAT-10"]


@pytest.mark.parametrize(("value", "relieved"), [("200.00", True), ("200.01", False)])
def test_kr_200_usd_for_us_goods(order: OrderFactory, value: str, relieved: bool) -> None:
    a = assess(order("KR", [shirt(value)]), "US")
    assert a.de_minimis is not None and a.de_minimis.rule_id == "KR-DM-US-200USD"
    assert a.de_minimis.relieved is relieved
    # The same parcel from China is above 150 USD either way.
    assert assess(order("KR", [shirt(value)]), "CN").total > 0


def test_kr_food_from_the_us_stays_at_150_usd(order: OrderFactory) -> None:
    a = assess(order("KR", [("vitamin C supplement", "210690", 1, "160", "USD")]), "US")
    assert a.de_minimis is not None and not a.de_minimis.relieved
    assert a.de_minimis.threshold == Decimal(150)
    assert assess(order("KR", [shirt("160")]), "US").total == 0


def test_kr_same_recipient_same_day_parcels_are_summed(order: OrderFactory) -> None:
    first = declare(order("KR", [shirt("100")], order_id="A"), origin_country="CN", import_date=DAY)
    history = RecipientHistory().record(first, assess_duties(first))
    second = order("KR", [shirt("100")], order_id="B")
    summed = assess(second, "CN", history=history)
    assert summed.de_minimis is not None
    assert summed.de_minimis.aggregated_value == Decimal("200.00")
    assert summed.de_minimis.aggregated_with == ("A",)
    assert not summed.de_minimis.relieved and summed.total > 0
    # Re-assessing the first parcel with the updated history: it loses the relief too.
    history = history.record(declare(second, origin_country="CN", import_date=DAY))
    assert assess_duties(first, history=history).total > 0
    # Another day, or another recipient: not summed.
    assert assess(second, "CN", on=date(2025, 8, 31), history=history).total == 0
    other = order("KR", [shirt("100")], order_id="C", recipient="R-2")
    assert assess(other, "CN", history=history).total == 0


def test_kr_aggregate_at_exactly_150_is_still_relieved(order: OrderFactory) -> None:
    first = declare(order("KR", [shirt("50")], order_id="A"), origin_country="CN", import_date=DAY)
    history = RecipientHistory().record(first)
    assert assess(order("KR", [shirt("100")], order_id="B"), "CN", history=history).total == 0


# --- United States: 800 USD until 28 Aug 2025, suspended from 29 Aug 2025 ---


@pytest.mark.parametrize(
    ("on", "relieved"),
    [
        (date(2025, 8, 27), True),
        (date(2025, 8, 28), True),
        (date(2025, 8, 29), False),
        (date(2025, 8, 30), False),
    ],
)
def test_us_suspension_on_29_august_2025(order: OrderFactory, on: date, relieved: bool) -> None:
    a = assess(order("US", [shirt("100")]), "KR", on=on)
    assert (a.total == 0) is relieved
    if not relieved:
        assert a.de_minimis is not None and a.de_minimis.rule_id == "US-DM-SUSPENDED-EO14324"
        assert a.totals["duty"] == Decimal("16.00")  # 16 % MFN on apparel
        assert "suspended" in a.de_minimis.reason


@pytest.mark.parametrize(("value", "relieved"), [("800.00", True), ("800.01", False)])
def test_us_800_usd_before_the_suspension(order: OrderFactory, value: str, relieved: bool) -> None:
    a = assess(order("US", [("laptop", "847130", 1, value, "USD")]), "JP", on=date(2025, 8, 28))
    assert a.de_minimis is not None and a.de_minimis.relieved is relieved


def test_us_china_and_hong_kong_lost_de_minimis_on_2_may_2025(order: OrderFactory) -> None:
    parcel = order("US", [shirt("100")])
    assert assess(parcel, "CN", on=date(2025, 5, 1)).total == 0
    for origin in ("CN", "HK"):
        a = assess(parcel, origin, on=date(2025, 5, 2))
        assert (
            a.total > 0
            and a.de_minimis is not None
            and a.de_minimis.rule_id == "US-DM-CNHK-EO14256"
        )
    assert assess(parcel, "VN", on=date(2025, 5, 2)).total == 0


def test_us_has_no_vat(order: OrderFactory) -> None:
    a = assess(order("US", [shirt("100")]), "KR", on=date(2025, 9, 1))
    assert a.totals["vat"] == 0 and all(x.tax == "duty" for x in a.amounts)


# --- European Union: 150 EUR duty relief, VAT from the first euro, 3 EUR from 1 Jul 2026 ---


def test_eu_before_1_july_2026_no_duty_and_vat_at_the_point_of_sale(order: OrderFactory) -> None:
    a = assess(order("DE", [shirt("100", "EUR")]), "CN", on=date(2026, 6, 30))
    assert a.totals["duty"] == 0 and a.totals["fixed_duty"] == 0
    assert a.totals["vat"] == Decimal("19.00")
    assert a.collected_at_sale == Decimal("19.00") and a.due_at_import == 0


def test_eu_3_eur_per_distinct_subheading_from_1_july_2026(order: OrderFactory) -> None:
    # The Council's example: one silk blouse and two wool blouses = two subheadings = 6 EUR.
    blouses = [("silk blouse", "620610", 1, "40", "EUR"), ("wool blouse", "620620", 2, "30", "EUR")]
    a = assess(order("FR", blouses), "CN", on=date(2026, 7, 1))
    assert a.totals["fixed_duty"] == Decimal("6.00") and a.totals["duty"] == 0
    assert {x.rule_id for x in a.amounts if x.tax == "fixed_duty"} == {"EU-FIXED-3EUR-2026"}
    assert a.totals["vat"] == Decimal("21.20")  # 20 % of (100 + 6 EUR)
    # Two lines of the same subheading: one item category, 3 EUR.
    same = [("blouse", "620610", 1, "40", "EUR"), ("blouse", "620610", 1, "30", "EUR")]
    assert assess(order("FR", same), "CN", on=date(2026, 7, 1)).totals["fixed_duty"] == Decimal(
        "3.00"
    )


@pytest.mark.parametrize(("value", "fixed"), [("150.00", True), ("150.01", False)])
def test_eu_fixed_duty_stops_above_150_eur(order: OrderFactory, value: str, fixed: bool) -> None:
    a = assess(order("PT", [("jacket", "620333", 1, value, "EUR")]), "CN", on=date(2026, 7, 1))
    if fixed:
        assert a.totals["fixed_duty"] == Decimal("3.00") and a.totals["duty"] == 0
    else:
        assert a.totals["fixed_duty"] == 0
        assert a.totals["duty"] == round_money(Decimal(value) * Decimal("0.12"), "EUR")
        assert a.totals["vat"] == round_money(
            (Decimal(value) + a.totals["duty"]) * Decimal("0.23"), "EUR"
        )
        assert a.due_at_import == a.total  # above 150 EUR: VAT at import, not IOSS


def test_eu_fixed_duty_is_b2c_only_and_skips_excluded_goods(order: OrderFactory) -> None:
    b2b = order("DE", [shirt("100", "EUR")], channel=Channel.B2B)
    a = assess(b2b, "CN", on=date(2026, 7, 1))
    assert a.totals["fixed_duty"] == 0 and a.totals["duty"] == 0
    perfume = assess(
        order("DE", [("perfume", "330300", 1, "100", "EUR")]), "CN", on=date(2026, 7, 1)
    )
    assert perfume.totals["fixed_duty"] == 0  # perfume is outside the relief: normal duty (0 %)
    assert "excluded" in perfume.amounts[0].note


def test_eu_reduced_book_rate(order: OrderFactory) -> None:
    a = assess(order("DE", [("novel", "490199", 1, "20", "EUR")]), "CN", on=date(2026, 6, 1))
    assert a.totals["vat"] == Decimal("1.40")


# --- China: CBEC limits ---


@pytest.mark.parametrize(("value", "regime"), [("5000.00", "cbec"), ("5000.01", "general_trade")])
def test_cn_per_transaction_limit(order: OrderFactory, value: str, regime: str) -> None:
    a = assess(order("CN", [("face cream", "330499", 1, value, "CNY")]), "KR")
    assert a.regime == regime
    cream = Decimal(value)
    if regime == "cbec":
        assert a.totals["duty"] == 0
        excise = round_money(cream * Decimal("0.15") / Decimal("0.85") * Decimal("0.7"), "CNY")
        vat = round_money((cream + excise) * Decimal("0.13") * Decimal("0.7"), "CNY")
    else:
        duty = round_money(cream * Decimal("0.01"), "CNY")
        excise = round_money((cream + duty) * Decimal("0.15") / Decimal("0.85"), "CNY")
        vat = round_money((cream + duty + excise) * Decimal("0.13"), "CNY")
        assert a.totals["duty"] == duty
    assert a.totals["excise"] == excise and a.totals["vat"] == vat


def test_cn_cbec_vat_is_70_percent_of_13(order: OrderFactory) -> None:
    a = assess(order("CN", [shirt("1000", "CNY")]), "JP")
    assert a.regime == "cbec" and a.totals["vat"] == Decimal("91.00")


def test_cn_annual_limit_from_history(order: OrderFactory) -> None:
    history = RecipientHistory()
    for i in range(6):  # 6 × 4,000 = 24,000 CNY this year under CBEC
        d = declare(order("CN", [shirt("4000", "CNY")], order_id=f"P{i}"), origin_country="KR",
                    import_date=date(2025, 3, 1 + i))  # fmt: skip
        a = assess_duties(d, history=history)
        assert a.regime == "cbec"
        history = history.record(d, a)
    assert (
        assess(order("CN", [shirt("2000", "CNY")], order_id="N"), "KR", history=history).regime
        == "cbec"
    )
    over = assess(order("CN", [shirt("2000.01", "CNY")], order_id="N"), "KR", history=history)
    assert over.regime == "general_trade" and "annual limit" in over.notes[0]
    next_year = assess(
        order("CN", [shirt("4000", "CNY")], order_id="N"),
        "KR",
        on=date(2026, 1, 2),
        history=history,
    )
    assert next_year.regime == "cbec"


def test_cn_b2b_is_general_trade(order: OrderFactory) -> None:
    a = assess(order("CN", [shirt("100", "CNY")], channel=Channel.B2B), "KR")
    assert a.regime == "standard" and a.totals["duty"] == Decimal("7.00")


# --- Japan and the United Kingdom ---


@pytest.mark.parametrize(("retail", "relieved"), [("16666", True), ("16670", False)])
def test_jp_10000_jpy_on_taxable_value_at_60_percent_of_retail(
    order: OrderFactory, retail: str, relieved: bool
) -> None:
    a = assess(order("JP", [("silk scarf", "621410", 1, retail, "JPY")]), "CN")
    assert a.de_minimis is not None and a.de_minimis.relieved is relieved
    assert a.de_minimis.consignment_value == round_money(Decimal(retail) * Decimal("0.6"), "JPY")


def test_jp_b2b_is_valued_at_full_price_and_knitwear_is_never_relieved(order: OrderFactory) -> None:
    b2b = assess(
        order("JP", [("silk scarf", "621410", 1, "12000", "JPY")], channel=Channel.B2B), "CN"
    )
    assert b2b.de_minimis is not None and not b2b.de_minimis.relieved
    knit = assess(order("JP", [("cotton T-shirt", "610910", 1, "2000", "JPY")]), "CN")
    assert knit.de_minimis is not None and knit.de_minimis.relieved
    assert knit.totals["duty"] > 0 and knit.totals["vat"] > 0


@pytest.mark.parametrize(("value", "relieved"), [("135.00", True), ("135.01", False)])
def test_gb_135_gbp(order: OrderFactory, value: str, relieved: bool) -> None:
    a = assess(order("GB", [("jacket", "620333", 1, value, "GBP")]), "CN")
    vat = a.totals["vat"]
    if relieved:
        assert a.totals["duty"] == 0 and vat == Decimal("27.00") and a.collected_at_sale == vat
    else:
        assert a.totals["duty"] == Decimal("16.20") and a.due_at_import == a.total


def test_default_market_is_conservative(order: OrderFactory) -> None:
    a = assess(order("BR", [shirt("10")]), "CN")
    assert a.market == "DEFAULT" and a.de_minimis is None
    assert a.totals["duty"] == Decimal("0.50") and a.totals["vat"] == Decimal("1.58")


# --- Every amount is Decimal and traced to a rule ---


def test_every_amount_is_decimal_with_a_rule_and_totals_add_up(order: OrderFactory) -> None:
    lines = [
        shirt("30"),
        ("earbuds", "851830", 2, "25", "USD"),
        ("novel", "490199", 1, "12", "USD"),
    ]
    for destination, origin in (
        ("KR", "CN"),
        ("US", "CN"),
        ("DE", "CN"),
        ("CN", "KR"),
        ("JP", "CN"),
        ("GB", "CN"),
    ):
        a = assess(order(destination, lines), origin, on=date(2026, 7, 15))
        assert a.amounts
        for amount in a.amounts:
            assert isinstance(amount.amount, Decimal) and amount.rule_id and amount.tax in TAX_KINDS
        assert a.total == sum(a.totals.values())
        assert a.total == sum(x.amount for x in a.amounts)
        assert a.due_at_import + a.collected_at_sale == a.total
        assert len(a.for_line(1)) >= 1


def test_point_of_sale_vat_is_for_consumer_sales_only(order: OrderFactory) -> None:
    b2c = assess(order("GB", [("jacket", "620333", 1, "100", "GBP")]), "CN")
    b2b = assess(order("GB", [("jacket", "620333", 1, "100", "GBP")], channel=Channel.B2B), "CN")
    assert b2c.collected_at_sale == b2c.totals["vat"] == Decimal("20.00")
    assert b2b.collected_at_sale == 0 and b2b.due_at_import == Decimal("20.00")
