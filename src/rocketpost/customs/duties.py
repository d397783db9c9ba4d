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
The result types are in :mod:`.duty_model`; steps 1 and 2, decided once per declaration, in
:mod:`.duty_regime`; this module taxes the lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from rocketpost.customs.declaration import Declaration
from rocketpost.customs.duty_model import (
    TAX_KINDS,
    DeMinimisOutcome,
    DutyAssessment,
    TaxAmount,
    money_text,
    rate_text,
)
from rocketpost.customs.duty_regime import cbec_regime, de_minimis_test, matches_any
from rocketpost.customs.fx import fx_table, round_money
from rocketpost.customs.history import RecipientHistory
from rocketpost.customs.rule_model import DeMinimisRule, FixedDutyRule, RuleSet
from rocketpost.customs.rules import rules_for
from rocketpost.orders.model import Channel

__all__ = ["assess_duties"]

_ZERO = Decimal(0)


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
        return self.relief is not None and matches_any(hs_code, self.relief.lines_excluded_hs)


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
        note = f"CBEC tariff {rate_text(rate)}"
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
        note = (
            f"HS {prefix}: {rate_text(rate)}"
            if prefix != "default"
            else f"default rate {rate_text(rate)}"
        )
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
        limit = money_text(fixed.max_consignment_value, fixed.currency)
        note = (
            f"{money_text(fixed.amount, fixed.currency)} per distinct subheading (HS {hs}) in a"
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
        note = f"HS {prefix}: {rate_text(t)} on the tax-inclusive price"
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
    note = rate_text(rate) + (f" (reduced, HS {prefix})" if prefix != "standard" else "")
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

    regime = cbec_regime(declaration, rs, taxable_total, history, notes)
    relief = rs.de_minimis if regime != "cbec" else None
    outcome = de_minimis_test(declaration, relief, taxable_total, history) if relief else None

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
            limit = money_text(fixed.max_consignment_value, fixed.currency)
            notes.append(
                f"{money_text(value, fixed.currency)} > {limit}: no fixed duty ({fixed.id}),"
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
