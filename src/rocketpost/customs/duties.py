"""Duties and taxes of a declaration, per line and in total, each amount with its rule.

The assessment follows the order customs applies:

1. **Regime.** China B2C parcels within the CBEC limits (≤ 5,000 CNY per transaction and ≤ 26,000
   CNY per year, the year's earlier CBEC imports taken from the :class:`RecipientHistory`) are
   assessed under CBEC: 0 % tariff, VAT and consumption tax at 70 %. Beyond either limit:
   general trade, full taxes.
2. **De minimis.** The consignment value (in the threshold's currency, after the JP personal-use
   valuation, summed with same-day parcels where the rule aggregates) is compared with the
   threshold in force — inclusive. Relief covers duty or duty and VAT, except on lines the rule
   excludes; a suspended relief (US from 29 Aug 2025) relieves nothing.
3. **Duty** per line: taxable value × the rate of the longest matching HS prefix.
4. **Fixed duty** (EU from 1 Jul 2026): 3 EUR per distinct 6-digit subheading in a B2C
   consignment ≤ 150 EUR, on the first line of each subheading.
5. **Excise** (CN consumption tax) on a tax-inclusive base: (value + duty) × t / (1 − t).
6. **VAT** on value + duties + excise; collected at the point of sale (EU IOSS, UK) for
   consignments at or below the rule's point-of-sale limit, otherwise at import.

Every amount is ``Decimal``, rounded half-up per line to the market currency's minor unit, and
carries the id of the rule that produced it — including zero amounts ("relieved by KR-DM-150USD").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from rocketpost.customs.declaration import Declaration
from rocketpost.customs.fx import fx_table, round_money
from rocketpost.customs.history import RecipientHistory
from rocketpost.customs.hs import longest_prefix
from rocketpost.customs.rule_model import DeMinimisRule, FixedDutyRule, RuleSet
from rocketpost.customs.rules import rules_for
from rocketpost.orders.model import Channel

__all__ = [
    "TAX_KINDS",
    "DeMinimisOutcome",
    "DutyAssessment",
    "TaxAmount",
    "assess_duties",
]

TAX_KINDS = ("duty", "fixed_duty", "excise", "vat")
"""Kinds of amount, in the order they are computed (each one's base includes the earlier ones)."""

_ZERO = Decimal(0)


@dataclass(frozen=True)
class TaxAmount:
    """One computed amount.

    Parameters
    ----------
    line_index
        Declaration line (``items[line_index]``) the amount belongs to.
    tax
        One of :data:`TAX_KINDS`.
    name
        Display name ("customs duty", "VAT", "consumption tax"...).
    base
        Amount the rate applies to (market currency); for a fixed duty, the consignment value.
    rate
        Rate applied (after any CBEC factor), or ``None`` for a fixed amount.
    amount
        Amount due, rounded to the currency's minor unit (0 when relieved).
    currency
        Market currency.
    rule_id
        The rule that produced this amount (the relief rule when relieved).
    note
        Why, in words ("relieved: 120.00 USD ≤ 150 USD", "HS 61: 13 %").
    collected_at
        ``"import"``, ``"point_of_sale"`` (EU IOSS / UK low-value VAT) or ``"relieved"``.
    """

    line_index: int
    tax: str
    name: str
    base: Decimal
    rate: Decimal | None
    amount: Decimal
    currency: str
    rule_id: str
    note: str
    collected_at: str = "import"


@dataclass(frozen=True)
class DeMinimisOutcome:
    """How the low-value test came out.

    Parameters
    ----------
    rule_id
        The de minimis rule in force.
    threshold, currency
        The threshold applied (the reduced one where it applied).
    consignment_value
        This parcel's value in ``currency``.
    aggregated_value
        Value tested: this parcel plus same-day parcels of the recipient where the rule aggregates.
    aggregated_with
        Declaration ids of the same-day parcels summed in. When relief is lost because of them,
        they lose it too — re-assess them with the updated history.
    relieved
        Whether the relief applies (``False`` when suspended or above the threshold).
    reason
        The test in words.
    """

    rule_id: str
    threshold: Decimal
    currency: str
    consignment_value: Decimal
    aggregated_value: Decimal
    aggregated_with: tuple[str, ...]
    relieved: bool
    reason: str


@dataclass(frozen=True)
class DutyAssessment:
    """Duties and taxes of one declaration.

    Parameters
    ----------
    declaration_id, market, country, import_date, currency
        What was assessed, under which market's rules, in which currency.
    regime
        ``"de_minimis"`` (fully relieved), ``"standard"``, ``"cbec"`` or ``"general_trade"``
        (CN outside the CBEC limits).
    amounts
        Every :class:`TaxAmount`, by line then tax kind.
    totals
        Tax kind → total.
    total
        Everything due, wherever collected.
    due_at_import, collected_at_sale
        ``total`` split by where it is collected.
    de_minimis
        :class:`DeMinimisOutcome`, or ``None`` when the market has no relief (CN) or CBEC applied.
    rule_ids
        Every rule consulted, for the audit trail.
    notes
        Regime decisions in words (CBEC limit exceeded, ...).
    """

    declaration_id: str
    market: str
    country: str
    import_date: date
    currency: str
    regime: str
    amounts: tuple[TaxAmount, ...]
    totals: Mapping[str, Decimal]
    total: Decimal
    due_at_import: Decimal
    collected_at_sale: Decimal
    de_minimis: DeMinimisOutcome | None
    rule_ids: tuple[str, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def for_line(self, index: int) -> tuple[TaxAmount, ...]:
        """Amounts of declaration line ``index``."""
        return tuple(a for a in self.amounts if a.line_index == index)


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f} %"


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,} {currency}"


def _matches(hs_code: str, prefixes: tuple[str, ...]) -> bool:
    return longest_prefix(hs_code, dict.fromkeys(prefixes)) is not None


def _de_minimis(
    declaration: Declaration,
    rule: DeMinimisRule,
    taxable_total: Decimal,
    history: RecipientHistory | None,
) -> DeMinimisOutcome:
    threshold = rule.threshold
    reduced = rule.reduced_threshold is not None and any(
        _matches(line.hs_code, rule.reduced_for_hs) for line in declaration.lines
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
    threshold_text = _money(threshold, rule.currency) + (
        " (reduced for food/medicine)" if reduced else ""
    )
    if rule.suspended:
        reason = f"de minimis suspended ({rule.id}): duty due at any value"
        return DeMinimisOutcome(
            rule.id, threshold, rule.currency, value, aggregated, others, False, reason
        )
    relieved = aggregated <= threshold
    tested = (
        f"{_money(aggregated, rule.currency)} with {len(others)} same-day parcel(s)"
        if others
        else _money(aggregated, rule.currency)
    )
    reason = f"{tested} {'≤' if relieved else '>'} {threshold_text}"
    return DeMinimisOutcome(
        rule.id, threshold, rule.currency, value, aggregated, others, relieved, reason
    )


@dataclass(frozen=True)
class _Plan:
    """Decisions taken once per declaration, applied to every line."""

    currency: str
    regime: str
    tax_factor: Decimal
    outcome: DeMinimisOutcome | None
    relief: DeMinimisRule | None
    fixed: FixedDutyRule | None
    fixed_amount: Decimal
    consignment_value: Decimal
    point_of_sale: bool

    def relieved(self, tax: str, hs_code: str) -> bool:
        """Whether the de minimis relief covers ``tax`` on a line of ``hs_code``."""
        return (
            self.outcome is not None
            and self.relief is not None
            and self.outcome.relieved
            and tax in self.relief.relieves
            and not self.excluded(hs_code)
        )

    def excluded(self, hs_code: str) -> bool:
        """Whether the relief rule excludes lines of ``hs_code`` (EU perfume, JP knitwear...)."""
        return self.relief is not None and _matches(hs_code, self.relief.lines_excluded_hs)


def _cbec_regime(
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
    limit = _money(cbec.transaction_limit, ccy)
    if value > cbec.transaction_limit:
        notes.append(
            f"{_money(value, ccy)} > {limit} per-transaction limit ({cbec.id}): general-trade taxes"
        )
        return "general_trade"
    if year_so_far + value > cbec.annual_limit:
        notes.append(
            f"{_money(year_so_far, ccy)} already this year + {_money(value, ccy)} > "
            f"{_money(cbec.annual_limit, ccy)} annual limit ({cbec.id}): general-trade taxes"
        )
        return "general_trade"
    notes.append(
        f"CBEC retail import within limits ({cbec.id}): tariff {_pct(cbec.duty_rate)}, "
        f"VAT and consumption tax at {_pct(cbec.tax_factor)}"
    )
    return "cbec"


def _line_taxes(
    rs: RuleSet, plan: _Plan, line_index: int, hs: str, value: Decimal, first_of_subheading: bool
) -> list[TaxAmount]:
    """Duty, fixed duty, excise and VAT of one line, in that order (each base includes the last)."""
    ccy = plan.currency
    out: list[TaxAmount] = []
    # Duty.
    fixed_line = plan.fixed is not None and not plan.excluded(hs)
    if plan.regime == "cbec" and rs.cbec is not None:
        rate = rs.cbec.duty_rate
        duty = round_money(value * rate, ccy)
        note = f"CBEC tariff {_pct(rate)}"
        out.append(
            TaxAmount(line_index, "duty", "customs duty", value, rate, duty, ccy, rs.cbec.id, note)
        )
    elif plan.relieved("duty", hs) and plan.outcome is not None and plan.relief is not None:
        duty = _ZERO
        note = f"relieved: {plan.outcome.reason}"
        if fixed_line:
            note += "; the fixed duty applies instead"
        out.append(
            TaxAmount(line_index, "duty", "customs duty", value, None, duty, ccy, plan.relief.id,
                      note, "relieved")
        )  # fmt: skip
    else:
        rate, prefix = rs.duty.rate_for(hs)
        duty = round_money(value * rate, ccy)
        note = f"HS {prefix}: {_pct(rate)}" if prefix != "default" else f"default rate {_pct(rate)}"
        if plan.outcome is not None and not plan.outcome.relieved:
            note += f"; not relieved: {plan.outcome.reason}"
        elif plan.outcome is not None and plan.excluded(hs):
            note += f"; HS {hs} excluded from the relief ({plan.outcome.rule_id})"
        out.append(
            TaxAmount(line_index, "duty", "customs duty", value, rate, duty, ccy, rs.duty.id, note)
        )
    # Fixed duty, once per distinct subheading.
    fixed_due = _ZERO
    if fixed_line and first_of_subheading and plan.fixed is not None:
        fixed = plan.fixed
        fixed_due = plan.fixed_amount
        limit = _money(fixed.max_consignment_value, fixed.currency)
        note = (
            f"{_money(fixed.amount, fixed.currency)} per distinct subheading (HS {hs}) in a"
            f" consignment ≤ {limit}"
        )
        out.append(
            TaxAmount(line_index, "fixed_duty", "fixed customs duty", plan.consignment_value, None,
                      fixed_due, ccy, fixed.id, note)
        )  # fmt: skip
    # Excise on a tax-inclusive base.
    excise_due = _ZERO
    found = rs.excise.rate_for(hs) if rs.excise is not None else None
    if found is not None and rs.excise is not None:
        t, prefix = found
        excise_due = round_money((value + duty) * t / (1 - t) * plan.tax_factor, ccy)
        note = f"HS {prefix}: {_pct(t)} on the tax-inclusive price"
        if plan.tax_factor != 1:
            note += f", × {plan.tax_factor} (CBEC)"
        out.append(
            TaxAmount(line_index, "excise", rs.excise.name, value + duty, t * plan.tax_factor,
                      excise_due, ccy, rs.excise.id, note)
        )  # fmt: skip
    # VAT on value + duties + excise.
    vat = rs.vat
    if vat is None:
        return out
    base = value + duty + fixed_due + excise_due
    if plan.relieved("vat", hs) and plan.outcome is not None and plan.relief is not None:
        note = f"relieved: {plan.outcome.reason}"
        out.append(
            TaxAmount(line_index, "vat", vat.name, base, None, _ZERO, ccy, plan.relief.id, note,
                      "relieved")
        )  # fmt: skip
        return out
    rate, prefix = vat.rate_for(hs)
    applied = rate * plan.tax_factor
    note = _pct(rate) + (f" (reduced, HS {prefix})" if prefix != "standard" else "")
    if plan.tax_factor != 1:
        note += f" × {plan.tax_factor} (CBEC)"
    where = "import"
    if plan.point_of_sale:
        where = "point_of_sale"
        note += "; collected at the point of sale (IOSS / low-value rule)"
    due = round_money(base * applied, ccy)
    out.append(TaxAmount(line_index, "vat", vat.name, base, applied, due, ccy, vat.id, note, where))
    return out


def assess_duties(
    declaration: Declaration,
    *,
    history: RecipientHistory | None = None,
    rules: RuleSet | None = None,
) -> DutyAssessment:
    """Duties and taxes of ``declaration`` under the rules in force on its import date.

    Parameters
    ----------
    declaration
        From :func:`rocketpost.customs.declaration.declare`.
    history
        The recipient's earlier imports: same-day parcels are summed where the market aggregates
        (KR, US), and China's annual CBEC total is read from it. ``None`` = no earlier imports.
    rules
        Override the rules (what-if studies); default: :func:`rules_for` the declaration.
    """
    rs = rules or rules_for(
        declaration.destination_country, declaration.import_date, origin=declaration.origin_country
    )
    ccy = rs.currency
    on = declaration.import_date
    table = fx_table()
    b2c = declaration.channel == Channel.B2C
    factor = rs.duty.personal_use_value_factor if b2c else Decimal(1)
    taxable = [
        round_money(line.customs_value * factor, ccy) if factor != 1 else line.customs_value
        for line in declaration.lines
    ]
    taxable_total = sum(taxable, _ZERO)
    notes: list[str] = []
    if factor != 1:
        notes.append(
            f"B2C personal-use valuation: taxable value = {factor} × retail ({rs.duty.id})"
        )

    regime = _cbec_regime(declaration, rs, taxable_total, history, notes)
    relief = rs.de_minimis if regime != "cbec" else None
    outcome = _de_minimis(declaration, relief, taxable_total, history) if relief else None

    fixed = rs.fixed_duty
    if (
        fixed is not None
        and fixed.channels is not None
        and declaration.channel.value not in fixed.channels
    ):
        fixed = None
    if fixed is not None:
        value = round_money(table.convert(taxable_total, ccy, fixed.currency, on), fixed.currency)
        if value > fixed.max_consignment_value:
            limit = _money(fixed.max_consignment_value, fixed.currency)
            notes.append(
                f"{_money(value, fixed.currency)} > {limit}: no fixed duty ({fixed.id}),"
                " ad valorem duty applies"
            )
            fixed = None
    point_of_sale = False
    if rs.vat is not None and rs.vat.point_of_sale_max is not None:
        pos_currency = rs.vat.point_of_sale_currency or ccy
        value = round_money(table.convert(taxable_total, ccy, pos_currency, on), pos_currency)
        point_of_sale = b2c and value <= rs.vat.point_of_sale_max  # IOSS and UK: B2C sales
    plan = _Plan(
        currency=ccy,
        regime=regime,
        tax_factor=rs.cbec.tax_factor if regime == "cbec" and rs.cbec is not None else Decimal(1),
        outcome=outcome,
        relief=relief,
        fixed=fixed,
        fixed_amount=(
            round_money(table.convert(fixed.amount, fixed.currency, ccy, on), ccy)
            if fixed
            else _ZERO
        ),
        consignment_value=taxable_total,
        point_of_sale=point_of_sale,
    )

    amounts: list[TaxAmount] = []
    seen: set[str] = set()
    for line, value in zip(declaration.lines, taxable, strict=True):
        first = line.hs_code not in seen
        seen.add(line.hs_code)
        amounts.extend(_line_taxes(rs, plan, line.index, line.hs_code, value, first))

    totals = {kind: sum((a.amount for a in amounts if a.tax == kind), _ZERO) for kind in TAX_KINDS}
    total = sum(totals.values(), _ZERO)
    at_sale = sum((a.amount for a in amounts if a.collected_at == "point_of_sale"), _ZERO)
    if regime == "standard" and outcome is not None and outcome.relieved and total == 0:
        regime = "de_minimis"
    consulted = (rs.duty, rs.cbec, relief, rs.fixed_duty, rs.excise, rs.vat)
    return DutyAssessment(
        declaration_id=declaration.declaration_id,
        market=rs.market.id,
        country=declaration.destination_country,
        import_date=on,
        currency=ccy,
        regime=regime,
        amounts=tuple(amounts),
        totals=MappingProxyType(totals),
        total=total,
        due_at_import=total - at_sale,
        collected_at_sale=at_sale,
        de_minimis=outcome,
        rule_ids=tuple(r.id for r in consulted if r is not None),
        notes=tuple(notes),
    )
