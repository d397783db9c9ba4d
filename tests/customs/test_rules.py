"""Rules as versioned data: loading, validation, the rule in force on a date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from rocketpost.customs.rules import (
    RULE_KINDS,
    RulesFileError,
    load_market,
    market_for,
    markets,
    rules_for,
    same_customs_territory,
)
from rocketpost.errors import InputError

MINIMAL = """
[market]
id = "XX"
name = "Test"
currency = "USD"
members = ["XX"]
timezone = "UTC"

[[duty]]
id = "XX-DUTY"
effective_from = 2020-01-01
source = "test"
default_rate = "0.05"

[[inspection]]
id = "XX-INSP"
effective_from = 2020-01-01
source = "test"
minutes = 10
"""


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


def test_duty_rate_uses_the_longest_prefix() -> None:
    duty = rules_for("US", date(2025, 8, 30)).duty
    assert duty.rate_for("640391") == (Decimal("0.085"), "6403")
    assert duty.rate_for("640411") == (Decimal("0.20"), "64")
    assert duty.rate_for("950490")[1] == "default"


def test_a_date_before_the_encoded_rules_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="encoded rules start") as error:
        rules_for("US", date(2010, 1, 1))
    assert error.value.field == "import_date"


def test_time_zones_per_member() -> None:
    eu = market_for("PT")
    assert str(eu.zone("PT")) == "Europe/Lisbon"
    assert str(market_for("US").zone("US")) == "America/New_York"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "xx.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_file_loads(tmp_path: Path) -> None:
    market = load_market(_write(tmp_path, MINIMAL))
    assert market.id == "XX"
    assert market.resolve("duty", "XX", date(2021, 1, 1), None).id == "XX-DUTY"
    assert market.resolve("duty", "XX", date(2019, 1, 1), None) is None


@pytest.mark.parametrize(
    ("extra", "key", "message"),
    [
        ('\n[[duty]]\nid = "XX-DUTY2"\neffective_from = 2021-01-01\nsource = "s"\n'
         'default_rate = "0.1"\n', "duty[1].effective_from", "overlaps rule XX-DUTY"),
        ('\n[[duty]]\nid = "XX-DUTY"\neffective_from = 2019-01-01\neffective_to = 2019-06-30\n'
         'source = "s"\ndefault_rate = "0.1"\n', "duty[1].id", "duplicates"),
        ('\n[[vat]]\nid = "V"\neffective_from = 2020-01-01\nsource = "s"\nstandard_rate = 0.1\n',
         "vat[0].standard_rate", "decimal string"),
        ('\n[[vat]]\nid = "V"\neffective_from = 2020-01-01\nsource = "s"\nstandard_rate = "0.1"\n'
         'typo = 1\n', "vat[0].typo", "not a known key"),
        ('\n[[vat]]\nid = "V"\neffective_from = 2020-01-01\nstandard_rate = "0.1"\n',
         "vat[0].source", "is required"),
        ('\n[[vat]]\nid = "V"\neffective_from = 2020-01-01\neffective_to = 2019-01-01\n'
         'source = "s"\nstandard_rate = "0.1"\n', "vat[0].effective_to", "before effective_from"),
        ('\n[[tariff]]\nid = "T"\n', "tariff", "not a rule kind"),
        ('\n[[vat]]\nid = "V"\neffective_from = 2020-01-01\nsource = "s"\nstandard_rate = "0.1"\n'
         'countries = ["ZZ"]\n', "vat[0].countries", "not all market members"),
    ],
)  # fmt: skip
def test_file_errors_name_file_and_key(tmp_path: Path, extra: str, key: str, message: str) -> None:
    with pytest.raises(RulesFileError, match=message) as error:
        load_market(_write(tmp_path, MINIMAL + extra))
    assert error.value.field == key
    assert str(error.value).startswith("xx.toml: ")


def test_a_market_needs_duty_and_inspection_rules(tmp_path: Path) -> None:
    text = MINIMAL.split("[[inspection]]")[0]
    with pytest.raises(RulesFileError, match="at least one rule") as error:
        load_market(_write(tmp_path, text))
    assert error.value.field == "inspection"


def test_invalid_toml_and_time_zone(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match="not valid TOML"):
        load_market(_write(tmp_path, "[market\n"))
    with pytest.raises(RulesFileError, match="IANA"):
        load_market(_write(tmp_path, MINIMAL.replace('timezone = "UTC"', 'timezone = "Mars/Base"')))
