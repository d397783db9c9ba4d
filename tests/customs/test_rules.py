"""The rules in force: market of a country, the rule of each kind on a date and origin."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rocketpost.customs.rule_model import RULE_KINDS
from rocketpost.customs.rules import market_for, markets, rules_for, same_customs_territory
from rocketpost.errors import InputError


def test_every_required_market_ships_and_every_rule_has_a_source() -> None:
    shipped = markets()
    assert {"KR", "US", "CN", "JP", "GB", "EU", "DEFAULT"} <= set(shipped)
    for market in shipped.values():
        for kind in RULE_KINDS:
            for rule in market.rules.get(kind, ()):
                assert rule.source.strip(), rule.id
                assert rule.effective_to is None or rule.effective_to >= rule.effective_from


def test_eu_members_map_to_the_eu_file_and_unknown_countries_to_the_default() -> None:
    for country in ("DE", "FR", "PT", "IT", "PL"):
        assert market_for(country).id == "EU"
    assert market_for("EU").id == "EU"
    assert market_for("BR").id == "DEFAULT"
    assert market_for("HK").id == "DEFAULT"
    with pytest.raises(InputError) as error:
        market_for("korea")
    assert error.value.field == "destination_country"


def test_same_customs_territory() -> None:
    assert same_customs_territory("KR", "KR")
    assert same_customs_territory("DE", "FR")  # the EU customs union
    assert not same_customs_territory("DE", "GB")
    assert not same_customs_territory("CN", "HK")
    assert not same_customs_territory("BR", "AR")  # two default-market countries


def test_us_de_minimis_changes_on_29_august_2025() -> None:
    before = rules_for("US", date(2025, 8, 28), origin="KR").de_minimis
    after = rules_for("US", date(2025, 8, 29), origin="KR").de_minimis
    assert before is not None and not before.suspended and before.threshold == Decimal(800)
    assert after is not None and after.suspended and after.id == "US-DM-SUSPENDED-EO14324"


def test_us_de_minimis_for_china_and_hong_kong_ended_on_2_may_2025() -> None:
    assert not rules_for("US", date(2025, 5, 1), origin="CN").de_minimis.suspended
    for origin in ("CN", "HK"):
        rule = rules_for("US", date(2025, 5, 2), origin=origin).de_minimis
        assert rule is not None and rule.suspended and rule.id == "US-DM-CNHK-EO14256"
    assert not rules_for("US", date(2025, 5, 2), origin="VN").de_minimis.suspended


def test_origin_specific_rule_wins_and_others_are_listed() -> None:
    us_goods = rules_for("KR", date(2025, 8, 30), origin="US")
    assert us_goods.de_minimis is not None and us_goods.de_minimis.threshold == Decimal(200)
    other = rules_for("KR", date(2025, 8, 30), origin="CN")
    assert other.de_minimis is not None and other.de_minimis.threshold == Decimal(150)
    assert [r.id for r in other.other_origin_rules] == ["KR-DM-US-200USD"]
    unknown = rules_for("KR", date(2025, 8, 30))
    assert unknown.de_minimis is not None and unknown.de_minimis.id == "KR-DM-150USD"


def test_eu_fixed_duty_from_1_july_2026_and_member_vat() -> None:
    assert rules_for("DE", date(2026, 6, 30)).fixed_duty is None
    fixed = rules_for("DE", date(2026, 7, 1)).fixed_duty
    assert fixed is not None and fixed.amount == Decimal(3) and fixed.currency == "EUR"
    assert rules_for("FR", date(2026, 7, 1)).vat.standard_rate == Decimal("0.20")
    assert rules_for("PT", date(2026, 7, 1)).vat.standard_rate == Decimal("0.23")
    assert rules_for("DE", date(2026, 7, 1)).vat.rate_for("490199") == (Decimal("0.07"), "4901")
    assert rules_for("RO", date(2025, 7, 31)).vat.standard_rate == Decimal("0.19")
    assert rules_for("RO", date(2025, 8, 1)).vat.standard_rate == Decimal("0.21")


def test_china_has_cbec_and_no_de_minimis() -> None:
    rules = rules_for("CN", date(2025, 8, 30))
    assert rules.de_minimis is None
    assert rules.cbec is not None
    assert rules.cbec.transaction_limit == Decimal(5000) and rules.cbec.annual_limit == Decimal(
        26000
    )
    assert rules.cbec.tax_factor == Decimal("0.7")


def test_a_date_before_the_encoded_rules_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="encoded rules start") as error:
        rules_for("US", date(2010, 1, 1))
    assert error.value.field == "import_date"
