"""Which regime a parcel is assessed under: China's CBEC limits and the de minimis test.

Both are decided once per declaration, before any line is taxed:

* **CBEC** (China B2C): within ≤ 5,000 CNY per transaction and ≤ 26,000 CNY per year (the year's
  earlier CBEC imports from the :class:`RecipientHistory`), 0 % tariff and VAT and consumption
  tax at 70 %; beyond either limit, general-trade taxes in full.
* **De minimis**: the consignment value (in the threshold's currency, after the JP personal-use
  valuation, summed with same-day parcels where the rule aggregates) against the threshold in
  force, inclusive; a suspended relief (US from 29 Aug 2025) relieves nothing.
"""

from __future__ import annotations

from decimal import Decimal

from rocketpost.customs.declaration import Declaration
from rocketpost.customs.duty_model import DeMinimisOutcome, money_text, rate_text
from rocketpost.customs.fx import fx_table, round_money
from rocketpost.customs.history import RecipientHistory
from rocketpost.customs.hs import longest_prefix
from rocketpost.customs.rule_model import DeMinimisRule, RuleSet

__all__ = ["cbec_regime", "de_minimis_test", "matches_any"]

_ZERO = Decimal(0)


def matches_any(hs_code: str, prefixes: tuple[str, ...]) -> bool:
    """Whether ``hs_code`` starts with any of ``prefixes`` (a rule's list of HS groups)."""
    return longest_prefix(hs_code, dict.fromkeys(prefixes)) is not None


def de_minimis_test(
    declaration: Declaration,
    rule: DeMinimisRule,
    taxable_total: Decimal,
    history: RecipientHistory | None,
) -> DeMinimisOutcome:
    """The low-value test of ``declaration`` under ``rule``, with the reason in words.

    ``taxable_total`` is the consignment's taxable value in the declaration currency (after any
    personal-use valuation); ``history`` supplies the recipient's same-day parcels where the rule
    aggregates (KR, US).
    """
    threshold = rule.threshold
    reduced = rule.reduced_threshold is not None and any(
        matches_any(line.hs_code, rule.reduced_for_hs) for line in declaration.lines
    )
    if reduced and rule.reduced_threshold is not None:
        threshold = rule.reduced_threshold
    table = fx_table()
    on = declaration.import_date
    value = round_money(
        table.convert(taxable_total, declaration.currency, rule.currency, on), rule.currency
    )
    if declaration.currency != rule.currency and taxable_total == declaration.customs_value:
        # Convert each line from its own currency: no double rounding through the market currency.
        value = declaration.value_in(rule.currency)
    others: tuple[str, ...] = ()
    aggregated = value
    if rule.aggregation == "same_recipient_same_day" and history is not None:
        same_day = history.same_day(
            declaration.consignee.recipient_id,
            declaration.market,
            on,
            exclude=declaration.declaration_id,
        )
        others = tuple(r.declaration_id for r in same_day)
        aggregated = value + sum(
            (
                round_money(
                    table.convert(r.customs_value, r.currency, rule.currency, on), rule.currency
                )
                for r in same_day
            ),
            _ZERO,
        )
    threshold_text = money_text(threshold, rule.currency) + (
        " (reduced for food/medicine)" if reduced else ""
    )
    if rule.suspended:
        reason = f"de minimis suspended ({rule.id}): duty due at any value"
        return DeMinimisOutcome(
            rule.id, threshold, rule.currency, value, aggregated, others, False, reason
        )
    relieved = aggregated <= threshold
    tested = (
        f"{money_text(aggregated, rule.currency)} with {len(others)} same-day parcel(s)"
        if others
        else money_text(aggregated, rule.currency)
    )
    reason = f"{tested} {'≤' if relieved else '>'} {threshold_text}"
    return DeMinimisOutcome(
        rule.id, threshold, rule.currency, value, aggregated, others, relieved, reason
    )


def cbec_regime(
    declaration: Declaration,
    rs: RuleSet,
    taxable_total: Decimal,
    history: RecipientHistory | None,
    notes: list[str],
) -> str:
    """``"cbec"`` within China's limits, ``"general_trade"`` beyond, ``"standard"`` elsewhere."""
    cbec = rs.cbec
    if cbec is None or (
        cbec.channels is not None and declaration.channel.value not in cbec.channels
    ):
        return "standard"
    on = declaration.import_date
    ccy = cbec.currency
    value = round_money(fx_table().convert(taxable_total, rs.currency, ccy, on), ccy)
    year_so_far = _ZERO
    if history is not None:
        year_so_far = history.year_total(
            declaration.consignee.recipient_id,
            declaration.market,
            on.year,
            regime="cbec",
            exclude=declaration.declaration_id,
        )
    limit = money_text(cbec.transaction_limit, ccy)
    if value > cbec.transaction_limit:
        notes.append(
            f"{money_text(value, ccy)} > {limit} per-transaction limit ({cbec.id}):"
            " general-trade taxes"
        )
        return "general_trade"
    if year_so_far + value > cbec.annual_limit:
        notes.append(
            f"{money_text(year_so_far, ccy)} already this year + {money_text(value, ccy)} > "
            f"{money_text(cbec.annual_limit, ccy)} annual limit ({cbec.id}): general-trade taxes"
        )
        return "general_trade"
    notes.append(
        f"CBEC retail import within limits ({cbec.id}): tariff {rate_text(cbec.duty_rate)}, "
        f"VAT and consumption tax at {rate_text(cbec.tax_factor)}"
    )
    return "cbec"
