"""What a duty assessment says: each amount with its rule, the de minimis test, the totals.

Every amount is ``Decimal`` in the market currency and carries the id of the rule that produced
it, including zero amounts ("relieved by KR-DM-150USD"), so that an assessment can be audited
line by line. The assessment itself is :func:`rocketpost.customs.duties.assess_duties`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

__all__ = [
    "TAX_KINDS",
    "DeMinimisOutcome",
    "DutyAssessment",
    "TaxAmount",
    "money_text",
    "rate_text",
]

TAX_KINDS = ("duty", "fixed_duty", "excise", "vat")
"""Kinds of amount, in the order they are computed (each one's base includes the earlier ones)."""


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


def rate_text(rate: Decimal) -> str:
    """A rate as people write it: ``Decimal("0.13")`` → ``"13 %"``."""
    return f"{(rate * 100).normalize():f} %"


def money_text(amount: Decimal, currency: str) -> str:
    """An amount with its currency: ``"1,234.50 KRW"``."""
    return f"{amount:,} {currency}"
