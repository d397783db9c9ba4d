"""Rule types: validity, scope, specificity, rates by HS prefix, market time zones."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rocketpost.customs.rule_model import InspectionRule, is_country_code
from rocketpost.customs.rules import market_for, rules_for


def test_validity_is_inclusive_and_scope_narrows() -> None:
    rule = InspectionRule(
        id="X", effective_from=date(2025, 1, 1), effective_to=date(2025, 12, 31), source="s",
        minutes=10, countries=frozenset({"DE"}), origins=frozenset({"CN"}),
    )  # fmt: skip
    assert rule.in_force(date(2025, 1, 1)) and rule.in_force(date(2025, 12, 31))
    assert not rule.in_force(date(2026, 1, 1))
    assert rule.covers("DE", "CN") and not rule.covers("FR", "CN")
    assert not rule.covers("DE", None)  # an origin-specific rule never covers an unknown origin
    assert rule.specificity == (True, True)


def test_country_codes_are_two_upper_case_letters() -> None:
    assert is_country_code("KR")
    assert not any(is_country_code(v) for v in ("kr", "KOR", "K1", 82, None))


def test_duty_rate_uses_the_longest_prefix() -> None:
    duty = rules_for("US", date(2025, 8, 30)).duty
    assert duty.rate_for("640391") == (Decimal("0.085"), "6403")
    assert duty.rate_for("640411") == (Decimal("0.20"), "64")
    assert duty.rate_for("950490")[1] == "default"


def test_time_zones_per_member() -> None:
    eu = market_for("PT")
    assert str(eu.zone("PT")) == "Europe/Lisbon"
    assert str(market_for("US").zone("US")) == "America/New_York"
