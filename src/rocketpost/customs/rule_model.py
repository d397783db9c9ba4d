"""Customs rules as data types: each rule kind, a market's rules file, the rules for one import.

Every rule carries ``id``, ``effective_from``, optional ``effective_to`` (both inclusive: the last
day in force, as legal texts state it), ``source`` and optional ``note``; it may be narrowed to
some member ``countries`` (EU VAT rates) or some ``origins`` (US: no de minimis for CN/HK goods
from 2 May 2025; KR: 200 USD for US goods). :meth:`Market.resolve` picks, among the rules of one
kind in force, the most specific one (origin-specific over general, country-specific over
market-wide); the loader (:mod:`.rules_file`) rejects overlapping rules of the same scope, so the
answer is never ambiguous.

Money and rates are ``Decimal`` in memory (strings in the files): TOML floats are binary and
would make a 150 USD threshold inexact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from rocketpost.customs.hs import longest_prefix

__all__ = [
    "REQUIRED_KINDS",
    "RULE_KINDS",
    "AdvanceDataRule",
    "CbecRule",
    "DeMinimisRule",
    "DutyRule",
    "ExciseRule",
    "FixedDutyRule",
    "InspectionRule",
    "Market",
    "RestrictionRule",
    "Rule",
    "RuleSet",
    "VatRule",
    "is_country_code",
]


def is_country_code(value: Any) -> bool:
    """Whether ``value`` looks like an ISO 3166 alpha-2 code (``"KR"``): two upper-case letters.

    The one shape check behind market members, rule scopes, origins and destinations; whether
    the country exists is not checked (customs treats any well-formed code as a country).
    """
    return isinstance(value, str) and len(value) == 2 and value.isalpha() and value.isupper()


@dataclass(frozen=True, kw_only=True)
class Rule:
    """What every rule has: identity, validity, provenance and scope.

    Parameters
    ----------
    id
        Unique id within the market, quoted next to every amount the rule produces.
    effective_from, effective_to
        First and last day in force (inclusive); ``effective_to=None`` means open-ended.
    source
        The legal text or publication the figures come from.
    note
        Simplifications and assumptions, in plain words.
    countries
        Member countries the rule is limited to, or ``None`` for the whole market.
    origins
        Origin countries the rule is limited to, or ``None`` for every origin.
    """

    id: str
    effective_from: date
    effective_to: date | None = None
    source: str
    note: str = ""
    countries: frozenset[str] | None = None
    origins: frozenset[str] | None = None

    kind = "rule"

    def in_force(self, on: date) -> bool:
        """Whether the rule applies on ``on`` (both ends inclusive)."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def covers(self, country: str, origin: str | None) -> bool:
        """Whether the rule's scope includes ``country`` and ``origin``.

        An origin-specific rule never covers an unknown origin (``origin=None``).
        """
        if self.countries is not None and country not in self.countries:
            return False
        return self.origins is None or (origin is not None and origin in self.origins)

    @property
    def specificity(self) -> tuple[bool, bool]:
        """(origin-specific, country-specific): higher wins when several rules are in force."""
        return (self.origins is not None, self.countries is not None)


@dataclass(frozen=True, kw_only=True)
class DeMinimisRule(Rule):
    """Low-value relief: consignments at or below ``threshold`` are relieved of some taxes.

    Parameters
    ----------
    threshold, currency
        The consignment value at or below which relief applies (inclusive, as in KR "150 USD 이하",
        US "800 USD or less", EU "not exceeding 150 EUR").
    relieves
        Which taxes are relieved: ``{"duty"}`` (EU, US, GB) or ``{"duty", "vat"}`` (KR, JP).
    suspended
        The relief exists in law but is suspended (US from 29 Aug 2025): nothing is relieved.
    aggregation
        ``"same_recipient_same_day"``: parcels to the same recipient imported the same day are
        summed for the test (KR 합산과세, US 19 CFR 10.151); ``"none"``: per parcel.
    reduced_threshold, reduced_for_hs
        A lower threshold for parcels containing any of these HS prefixes (KR: food and supplements
        from the US stay at 150 USD).
    lines_excluded_hs
        Lines with these HS prefixes are never relieved (EU: alcohol, perfume, tobacco; JP:
        knitwear, footwear, leather bags).
    """

    threshold: Decimal
    currency: str
    relieves: frozenset[str]
    suspended: bool = False
    aggregation: str = "none"
    reduced_threshold: Decimal | None = None
    reduced_for_hs: tuple[str, ...] = ()
    lines_excluded_hs: tuple[str, ...] = ()

    kind = "de_minimis"


@dataclass(frozen=True, kw_only=True)
class DutyRule(Rule):
    """Ad valorem customs duty by HS prefix (simplified: a few representative rates per group).

    Parameters
    ----------
    default_rate
        Rate for codes matching no prefix.
    rates
        HS prefix (2–6 digits) → rate; the longest matching prefix wins.
    personal_use_value_factor
        Multiplier from retail price to taxable value for B2C parcels (JP: 0.6 for personal use).
    """

    default_rate: Decimal
    rates: Mapping[str, Decimal] = field(default_factory=dict)
    personal_use_value_factor: Decimal = Decimal(1)

    kind = "duty"

    def rate_for(self, hs_code: str) -> tuple[Decimal, str]:
        """(rate, matched prefix or ``"default"``) for a 6-digit code."""
        prefix = longest_prefix(hs_code, self.rates)
        return (self.default_rate, "default") if prefix is None else (self.rates[prefix], prefix)


@dataclass(frozen=True, kw_only=True)
class VatRule(Rule):
    """Import VAT / GST / consumption tax.

    Parameters
    ----------
    name
        What the tax is called in the market (shown next to amounts).
    standard_rate
        Rate on the customs value plus duties.
    reduced
        HS prefix → reduced rate (books, food).
    point_of_sale_max, point_of_sale_currency
        Consignments at or below this value have their VAT collected at the point of sale (EU
        IOSS, UK low-value rule) instead of at import.
    """

    name: str = "VAT"
    standard_rate: Decimal
    reduced: Mapping[str, Decimal] = field(default_factory=dict)
    point_of_sale_max: Decimal | None = None
    point_of_sale_currency: str | None = None

    kind = "vat"

    def rate_for(self, hs_code: str) -> tuple[Decimal, str]:
        """(rate, matched prefix or ``"standard"``) for a 6-digit code."""
        prefix = longest_prefix(hs_code, self.reduced)
        return (
            (self.standard_rate, "standard") if prefix is None else (self.reduced[prefix], prefix)
        )


@dataclass(frozen=True, kw_only=True)
class FixedDutyRule(Rule):
    """A fixed duty per distinct tariff subheading in a low-value consignment (EU, 1 Jul 2026)."""

    amount: Decimal
    currency: str
    per: str = "tariff_subheading"
    max_consignment_value: Decimal
    channels: frozenset[str] | None = None

    kind = "fixed_duty"


@dataclass(frozen=True, kw_only=True)
class CbecRule(Rule):
    """China's cross-border e-commerce retail import regime.

    Within ``transaction_limit`` per transaction and ``annual_limit`` per person and year, the
    tariff is ``duty_rate`` and VAT and consumption tax are charged at ``tax_factor`` of the
    statutory amount; beyond either limit, general-trade taxes apply in full.
    """

    transaction_limit: Decimal
    annual_limit: Decimal
    currency: str
    duty_rate: Decimal
    tax_factor: Decimal
    channels: frozenset[str] | None = None

    kind = "cbec"


@dataclass(frozen=True, kw_only=True)
class ExciseRule(Rule):
    """Ad valorem excise / consumption tax by HS prefix, on a tax-inclusive base."""

    name: str = "excise"
    rates: Mapping[str, Decimal] = field(default_factory=dict)

    kind = "excise"

    def rate_for(self, hs_code: str) -> tuple[Decimal, str] | None:
        """(rate, matched prefix) or ``None`` when the code is not excisable."""
        prefix = longest_prefix(hs_code, self.rates)
        return None if prefix is None else (self.rates[prefix], prefix)


@dataclass(frozen=True, kw_only=True)
class RestrictionRule(Rule):
    """Prohibited (hold) and restricted (documents to check: inspect) goods by HS prefix."""

    prohibited: Mapping[str, str] = field(default_factory=dict)
    restricted: Mapping[str, str] = field(default_factory=dict)

    kind = "restrictions"

    def status(self, hs_code: str) -> tuple[str, str, str] | None:
        """(``"prohibited"`` or ``"restricted"``, matched prefix, reason), or ``None``."""
        for label, table in (("prohibited", self.prohibited), ("restricted", self.restricted)):
            prefix = longest_prefix(hs_code, table)
            if prefix is not None:
                return label, prefix, table[prefix]
        return None


@dataclass(frozen=True, kw_only=True)
class InspectionRule(Rule):
    """Minutes a physical inspection adds to a parcel's journey in this market."""

    minutes: float

    kind = "inspection"


@dataclass(frozen=True, kw_only=True)
class AdvanceDataRule(Rule):
    """Advance electronic data the market requires before the flight.

    Parameters
    ----------
    system
        The filing system (ICS2, ACAS, ...).
    required_fields
        Declaration fields that must be present (dotted paths such as ``"lines.hs_code"``).
    deadline
        When, in words ("before loading").
    lead_time_min
        Minutes before departure the filing is due — booking-time declaration covers it.
    """

    system: str
    required_fields: tuple[str, ...]
    deadline: str
    lead_time_min: float

    kind = "advance_data"


RULE_KINDS: Mapping[str, type[Rule]] = MappingProxyType(
    {
        cls.kind: cls
        for cls in (
            DeMinimisRule,
            DutyRule,
            VatRule,
            FixedDutyRule,
            CbecRule,
            ExciseRule,
            RestrictionRule,
            InspectionRule,
            AdvanceDataRule,
        )
    }
)
"""Rule kind (the TOML array name) → rule class."""

REQUIRED_KINDS = ("duty", "inspection")
"""Kinds every market must have: a parcel always has a duty rate and inspection minutes."""


@dataclass(frozen=True, eq=False)
class Market:
    """One rules file: a customs territory and its versioned rules.

    Parameters
    ----------
    id
        ``"KR"``, ``"EU"``, ``"DEFAULT"``...
    name, currency
        Display name and the currency duties are assessed in.
    members
        ISO alpha-2 countries this market's rules apply to (empty for the default market).
    timezone, timezones
        IANA zone for the import date (per member where they differ), e.g. ``America/New_York``:
        the US executive orders take effect at 12:01 a.m. Eastern time.
    rules
        Kind → rules of that kind, in file order.
    file
        Where the rules were read from.
    """

    id: str
    name: str
    currency: str
    members: frozenset[str]
    timezone: str
    timezones: Mapping[str, str]
    rules: Mapping[str, tuple[Rule, ...]]
    file: str = ""

    def zone(self, country: str) -> ZoneInfo:
        """Time zone in which ``country``'s import dates are counted."""
        return ZoneInfo(self.timezones.get(country, self.timezone))

    def in_force(self, on: date) -> tuple[Rule, ...]:
        """Every rule of every scope in force on ``on`` (for display)."""
        return tuple(r for kind in RULE_KINDS for r in self.rules.get(kind, ()) if r.in_force(on))

    def resolve(self, kind: str, country: str, on: date, origin: str | None) -> Rule | None:
        """The single rule of ``kind`` in force for this country, date and origin, or ``None``."""
        candidates = [
            r for r in self.rules.get(kind, ()) if r.in_force(on) and r.covers(country, origin)
        ]
        if not candidates:
            return None
        return max(candidates, key=lambda r: (r.specificity, r.effective_from))


@dataclass(frozen=True, eq=False)
class RuleSet:
    """The rules that apply to one import: market, country, date and origin resolved.

    Attributes ``de_minimis`` … ``advance_data`` hold the rule in force of each kind (``None`` when
    the market has none, e.g. no de minimis in CN, no VAT in the US). ``other_origin_rules`` lists
    origin-specific rules in force that did not apply to this origin (shown by the CLI).
    """

    market: Market
    country: str
    on: date
    origin: str | None
    de_minimis: DeMinimisRule | None
    duty: DutyRule
    vat: VatRule | None
    fixed_duty: FixedDutyRule | None
    cbec: CbecRule | None
    excise: ExciseRule | None
    restrictions: RestrictionRule | None
    inspection: InspectionRule
    advance_data: AdvanceDataRule | None
    other_origin_rules: tuple[Rule, ...] = ()

    @property
    def currency(self) -> str:
        """Currency duties are assessed in."""
        return self.market.currency

    def applied(self) -> tuple[Rule, ...]:
        """The resolved rules, in kind order, without the empty kinds."""
        rules = (
            self.de_minimis,
            self.duty,
            self.vat,
            self.fixed_duty,
            self.cbec,
            self.excise,
            self.restrictions,
            self.inspection,
            self.advance_data,
        )
        return tuple(r for r in rules if r is not None)
