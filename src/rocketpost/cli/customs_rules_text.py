"""How ``rocketpost customs rules`` shows a customs rule: one line of text per rule and its JSON
form. Kept apart from the commands so that the text of every rule kind is in one place.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rocketpost.cli.output import to_jsonable
from rocketpost.customs.duty_model import rate_text
from rocketpost.customs.rule_model import (
    AdvanceDataRule,
    CbecRule,
    DeMinimisRule,
    DutyRule,
    ExciseRule,
    FixedDutyRule,
    InspectionRule,
    RestrictionRule,
    Rule,
    VatRule,
)

__all__ = ["pct", "rule_json", "rule_scope", "rule_summary"]


def pct(rate: Decimal | None) -> str:
    return "" if rate is None else rate_text(rate)


def _rates(table: Any, limit: int = 6) -> str:
    items = [f"{k}: {pct(v)}" for k, v in table.items()]
    more = f", … (+{len(items) - limit})" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def rule_summary(rule: Rule) -> str:
    """The rule's figures in one line (for the ``rules`` table)."""
    if isinstance(rule, DeMinimisRule):
        return _de_minimis_summary(rule)
    if isinstance(rule, DutyRule):
        return _duty_summary(rule)
    if isinstance(rule, VatRule):
        return _vat_summary(rule)
    if isinstance(rule, FixedDutyRule):
        channels = f" ({', '.join(sorted(rule.channels))})" if rule.channels else ""
        per = rule.per.replace("_", " ")
        limit = f"{rule.max_consignment_value} {rule.currency}"
        return (
            f"{rule.amount} {rule.currency} per distinct {per} if consignment ≤ {limit}{channels}"
        )
    if isinstance(rule, CbecRule):
        ccy = rule.currency
        return (
            f"≤ {rule.transaction_limit:,} {ccy} per transaction, ≤ {rule.annual_limit:,} {ccy} per"
            f" year: duty {pct(rule.duty_rate)}, VAT and excise × {rule.tax_factor}"
        )
    if isinstance(rule, ExciseRule):
        return f"{rule.name}: {_rates(rule.rates)}"
    if isinstance(rule, RestrictionRule):
        prohibited = ", ".join(rule.prohibited) or "-"
        restricted = ", ".join(rule.restricted) or "-"
        return f"prohibited: {prohibited}; restricted: {restricted}"
    if isinstance(rule, InspectionRule):
        return f"inspection adds {rule.minutes:g} min"
    if isinstance(rule, AdvanceDataRule):
        return f"{rule.system}, {rule.deadline} ({rule.lead_time_min:g} min lead)"
    return ""  # pragma: no cover


def _de_minimis_summary(rule: DeMinimisRule) -> str:
    """Threshold, what it relieves (or that it is suspended), aggregation and exceptions."""
    if rule.suspended:
        taxes = " + ".join(sorted(rule.relieves))
        text = f"SUSPENDED (was ≤ {rule.threshold} {rule.currency}): {taxes} due"
    else:
        text = f"≤ {rule.threshold} {rule.currency} relieves {' + '.join(sorted(rule.relieves))}"
    if rule.aggregation != "none":
        text += "; same recipient, same day summed"
    if rule.reduced_threshold is not None:
        codes = ", ".join(rule.reduced_for_hs[:3])
        text += f"; {rule.reduced_threshold} {rule.currency} if any HS {codes}…"
    if rule.lines_excluded_hs:
        text += f"; never for HS {', '.join(rule.lines_excluded_hs)}"
    return text


def _duty_summary(rule: DutyRule) -> str:
    """Default and first rates, and the B2C valuation factor when it is not 1."""
    text = f"default {pct(rule.default_rate)}; {_rates(rule.rates)}"
    if rule.personal_use_value_factor != 1:
        text += f"; B2C valued at {rule.personal_use_value_factor} × retail"
    return text


def _vat_summary(rule: VatRule) -> str:
    """Standard and reduced rates, and the point-of-sale collection ceiling."""
    text = f"{rule.name} {pct(rule.standard_rate)}"
    if rule.reduced:
        text += f"; reduced {_rates(rule.reduced, 3)}"
    if rule.point_of_sale_max is not None:
        currency = rule.point_of_sale_currency or ""
        text += f"; collected at sale if ≤ {rule.point_of_sale_max} {currency}"
    return text


def rule_json(rule: Rule) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": rule.kind, **to_jsonable(rule), "summary": rule_summary(rule)}
    for key in ("countries", "origins", "relieves", "channels"):
        if isinstance(data.get(key), list):
            data[key] = sorted(data[key])
    return data


def rule_scope(rule: Rule) -> str:
    parts = []
    if rule.countries is not None:
        parts.append(",".join(sorted(rule.countries)))
    if rule.origins is not None:
        parts.append("from " + ",".join(sorted(rule.origins)))
    return " ".join(parts) or "all"
