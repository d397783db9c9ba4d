"""Customs rules as versioned data: one TOML file per market, the rule in force on a date.

Each market file (``data/rules/<market>.toml``) has a ``[market]`` table (id, currency, member
countries, time zone) and arrays of rules by kind — ``de_minimis``, ``duty``, ``vat``,
``fixed_duty``, ``cbec``, ``excise``, ``restrictions``, ``inspection``, ``advance_data``. Every
rule carries ``id``, ``effective_from``, optional ``effective_to`` (both inclusive: the last day
in force, as legal texts state it), ``source`` and optional ``note``; it may be narrowed to some
member ``countries`` (EU VAT rates) or some ``origins`` (US: no de minimis for CN/HK goods from
2 May 2025; KR: 200 USD for US goods).

:func:`rules_for` resolves, for one importing country, import date and origin, the single rule of
each kind in force: the most specific one (origin-specific over general, country-specific over
market-wide). Overlapping rules of the same scope are rejected when the file loads, so the answer
is never ambiguous. Because the rule is chosen by date, the same parcel into the US on
28 Aug 2025 and on 30 Aug 2025 is assessed under different rules — by construction, not by
special-casing.

Money and rates are strings in the files (``"0.13"``) and ``Decimal`` in memory: TOML floats are
binary and would make a 150 USD threshold inexact.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rocketpost.customs._data import data_file
from rocketpost.customs.hs import longest_prefix
from rocketpost.errors import InputError

__all__ = [
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
    "RulesFileError",
    "VatRule",
    "load_market",
    "market_for",
    "markets",
    "rules_for",
    "same_customs_territory",
]

DEFAULT_MARKET = "DEFAULT"
"""Id of the placeholder market that covers every country without its own file."""


class RulesFileError(InputError):
    """A rules file is unreadable or fails validation; names the file and the TOML key path."""

    def __init__(self, file: str, key_path: str, value: Any, reason: str) -> None:
        self.file = file
        super().__init__(key_path, value, reason)

    def _message(self) -> str:
        return f"{self.file}: {self.field}: {self.reason} (got {self.value!r})"


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

_REQUIRED_KINDS = ("duty", "inspection")


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


# --------------------------------------------------------------------------------------------
# Loading


def _country_code(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 2 and value.isalpha() and value.isupper()


_T = TypeVar("_T")


class _Reader:
    """Typed access to one TOML table with errors that name file and key path."""

    def __init__(self, file: str, table: Mapping[str, Any], path: str) -> None:
        self.file, self.table, self.path = file, table, path
        self.used: set[str] = set()

    def error(self, key: str, value: Any, reason: str) -> RulesFileError:
        return RulesFileError(self.file, f"{self.path}.{key}" if key else self.path, value, reason)

    def get(self, key: str, convert: Callable[[Any], _T], default: Any = ..., what: str = "") -> _T:
        self.used.add(key)
        if key not in self.table:
            if default is ...:
                raise self.error(key, None, "is required")
            return default
        value = self.table[key]
        try:
            return convert(value)
        except (TypeError, ValueError, InvalidOperation):
            raise self.error(key, value, f"must be {what or convert.__name__}") from None

    def check_unknown(self, allowed: Iterable[str]) -> None:
        unknown = set(self.table) - set(allowed)
        if unknown:
            key = sorted(unknown)[0]
            raise self.error(key, self.table[key], "is not a known key")


def _decimal(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise TypeError("money and rates are strings")
    result = Decimal(value)
    if not result.is_finite() or result < 0:
        raise ValueError("negative")
    return result


def _date(value: Any) -> date:
    if not isinstance(value, date):
        raise TypeError("not a date")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError("empty")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("not a bool")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise TypeError("not a non-negative number")
    return float(value)


def _codes(value: Any) -> frozenset[str]:
    if not isinstance(value, list) or not value or not all(_country_code(v) for v in value):
        raise TypeError("not a list of codes")
    return frozenset(value)


def _hs_prefixes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.isdigit() and 2 <= len(v) <= 6 for v in value
    ):
        raise TypeError("not a list of HS prefixes")
    return tuple(value)


def _rate_table(value: Any) -> Mapping[str, Decimal]:
    if not isinstance(value, Mapping):
        raise TypeError("not a table")
    table = {}
    for key, rate in value.items():
        if not (key.isdigit() and 2 <= len(key) <= 6):
            raise ValueError(f"bad HS prefix {key!r}")
        table[key] = _decimal(rate)
        if table[key] > 1:
            raise ValueError("rate above 100 %")
    return MappingProxyType(table)


def _reason_table(value: Any) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise TypeError("not a table")
    for key, reason in value.items():
        if not (key.isdigit() and 2 <= len(key) <= 6) or not isinstance(reason, str):
            raise ValueError(f"bad entry {key!r}")
    return MappingProxyType(dict(value))


def _parse_rule(kind: str, reader: _Reader) -> Rule:
    common: dict[str, Any] = {
        "id": reader.get("id", _text, what="a non-empty string"),
        "effective_from": reader.get("effective_from", _date, what="a TOML date (2025-08-29)"),
        "effective_to": reader.get("effective_to", _date, None, what="a TOML date"),
        "source": reader.get("source", _text, what="a non-empty string"),
        "note": reader.get("note", str, ""),
        "countries": reader.get("countries", _codes, None, what="a list of ISO alpha-2 codes"),
        "origins": reader.get("origins", _codes, None, what="a list of ISO alpha-2 codes"),
    }
    if common["effective_to"] is not None and common["effective_to"] < common["effective_from"]:
        raise reader.error("effective_to", common["effective_to"], "is before effective_from")
    rate = "a decimal string such as '0.13'"
    channels = reader.get("channels", lambda v: frozenset(v), None, what="a list of channels")
    rule: Rule
    if kind == "de_minimis":
        relieves = reader.get("relieves", lambda v: frozenset(v), what="a list")
        if not relieves <= {"duty", "vat"}:
            raise reader.error("relieves", sorted(relieves), "may only list 'duty' and 'vat'")
        aggregation = reader.get("aggregation", str, "none")
        if aggregation not in ("none", "same_recipient_same_day"):
            raise reader.error(
                "aggregation", aggregation, "must be 'none' or 'same_recipient_same_day'"
            )
        rule = DeMinimisRule(
            **common,
            threshold=reader.get("threshold", _decimal, what=rate),
            currency=reader.get("currency", _text),
            relieves=relieves,
            suspended=reader.get("suspended", _bool, False, what="true or false"),
            aggregation=aggregation,
            reduced_threshold=reader.get("reduced_threshold", _decimal, None, what=rate),
            reduced_for_hs=reader.get("reduced_for_hs", _hs_prefixes, (), what="HS prefixes"),
            lines_excluded_hs=reader.get("lines_excluded_hs", _hs_prefixes, (), what="HS prefixes"),
        )
    elif kind == "duty":
        rule = DutyRule(
            **common,
            default_rate=reader.get("default_rate", _decimal, what=rate),
            rates=reader.get("rates", _rate_table, MappingProxyType({}), what="a table of rates"),
            personal_use_value_factor=reader.get(
                "personal_use_value_factor", _decimal, Decimal(1), what=rate
            ),
        )
    elif kind == "vat":
        rule = VatRule(
            **common,
            name=reader.get("name", _text, "VAT"),
            standard_rate=reader.get("standard_rate", _decimal, what=rate),
            reduced=reader.get(
                "reduced", _rate_table, MappingProxyType({}), what="a table of rates"
            ),
            point_of_sale_max=reader.get("point_of_sale_max", _decimal, None, what=rate),
            point_of_sale_currency=reader.get("point_of_sale_currency", _text, None),
        )
    elif kind == "fixed_duty":
        rule = FixedDutyRule(
            **common,
            amount=reader.get("amount", _decimal, what=rate),
            currency=reader.get("currency", _text),
            per=reader.get("per", _text, "tariff_subheading"),
            max_consignment_value=reader.get("max_consignment_value", _decimal, what=rate),
            channels=channels,
        )
    elif kind == "cbec":
        rule = CbecRule(
            **common,
            transaction_limit=reader.get("transaction_limit", _decimal, what=rate),
            annual_limit=reader.get("annual_limit", _decimal, what=rate),
            currency=reader.get("currency", _text),
            duty_rate=reader.get("duty_rate", _decimal, what=rate),
            tax_factor=reader.get("tax_factor", _decimal, what=rate),
            channels=channels,
        )
    elif kind == "excise":
        rule = ExciseRule(
            **common,
            name=reader.get("name", _text, "excise"),
            rates=reader.get("rates", _rate_table, what="a table of rates"),
        )
    elif kind == "restrictions":
        rule = RestrictionRule(
            **common,
            prohibited=reader.get(
                "prohibited", _reason_table, MappingProxyType({}), what="a table"
            ),
            restricted=reader.get(
                "restricted", _reason_table, MappingProxyType({}), what="a table"
            ),
        )
    elif kind == "inspection":
        rule = InspectionRule(**common, minutes=reader.get("minutes", _number, what="minutes ≥ 0"))
    else:
        rule = AdvanceDataRule(
            **common,
            system=reader.get("system", _text),
            required_fields=reader.get(
                "required_fields", lambda v: tuple(map(str, v)), what="a list"
            ),
            deadline=reader.get("deadline", _text),
            lead_time_min=reader.get("lead_time_min", _number, what="minutes ≥ 0"),
        )
    reader.check_unknown(reader.used)
    for key in ("currency", "point_of_sale_currency"):
        value = getattr(rule, key, None)
        if value is not None and not (len(value) == 3 and value.isalpha() and value.isupper()):
            raise reader.error(key, value, "must be an ISO 4217 code")
    return rule


def _overlaps(a: Rule, b: Rule) -> bool:
    """Whether two rules of one kind could both be the answer for some import."""
    if a.specificity != b.specificity:
        return False
    if a.countries is not None and b.countries is not None and not (a.countries & b.countries):
        return False
    if a.origins is not None and b.origins is not None and not (a.origins & b.origins):
        return False
    a_end = a.effective_to or date.max
    b_end = b.effective_to or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end


def load_market(path: Path | str) -> Market:
    """Read and validate one market rules file.

    Raises
    ------
    RulesFileError
        Naming the file and key path: unknown kinds or keys, missing fields, bad dates, rates
        written as floats, duplicate ids, rules of one scope overlapping in time, or a market
        lacking a duty or inspection rule.
    """
    path = Path(path)
    name = path.name
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise RulesFileError(name, "", str(path), f"is not valid TOML: {error}") from None
    head = _Reader(name, data.get("market", {}), "market")
    market_id = head.get("id", _text)
    currency = head.get("currency", _text)
    members = head.get("members", lambda v: frozenset(v), what="a list of ISO alpha-2 codes")
    if not all(_country_code(m) for m in members):
        raise head.error("members", sorted(members), "must be ISO alpha-2 codes")
    timezone = head.get("timezone", _text)
    timezones = head.get("timezones", lambda v: MappingProxyType(dict(v)), MappingProxyType({}))
    for key, zone in (
        ("timezone", timezone),
        *((f"timezones.{k}", z) for k, z in timezones.items()),
    ):
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise head.error(key, zone, "is not an IANA time zone") from None
    head.get("name", _text)
    head.check_unknown(head.used)

    unknown = set(data) - set(RULE_KINDS) - {"market"}
    if unknown:
        key = sorted(unknown)[0]
        raise RulesFileError(name, key, key, f"is not a rule kind ({', '.join(RULE_KINDS)})")
    rules: dict[str, tuple[Rule, ...]] = {}
    seen_ids: set[str] = set()
    for kind in RULE_KINDS:
        entries = data.get(kind, [])
        if not isinstance(entries, list):
            raise RulesFileError(name, kind, entries, "must be an array of tables ([[...]])")
        parsed: list[Rule] = []
        for index, entry in enumerate(entries):
            reader = _Reader(name, entry, f"{kind}[{index}]")
            rule = _parse_rule(kind, reader)
            if rule.id in seen_ids:
                raise reader.error("id", rule.id, "duplicates another rule id in this file")
            if rule.countries is not None and not rule.countries <= members:
                raise reader.error(
                    "countries", sorted(rule.countries), "are not all market members"
                )
            for other in parsed:
                if _overlaps(rule, other):
                    raise reader.error(
                        "effective_from",
                        rule.effective_from.isoformat(),
                        f"overlaps rule {other.id} of the same scope",
                    )
            seen_ids.add(rule.id)
            parsed.append(rule)
        rules[kind] = tuple(parsed)
    for kind in _REQUIRED_KINDS:
        if not rules[kind]:
            raise RulesFileError(
                name, kind, None, "every market needs at least one rule of this kind"
            )
    return Market(
        id=market_id,
        name=head.table["name"],
        currency=currency,
        members=members,
        timezone=timezone,
        timezones=timezones,
        rules=MappingProxyType(rules),
        file=name,
    )


@lru_cache(maxsize=1)
def markets() -> Mapping[str, Market]:
    """Every shipped market, by id (loaded once)."""
    loaded = {}
    for path in sorted(data_file("rules").glob("*.toml")):
        market = load_market(path)
        if market.id in loaded:
            raise RulesFileError(path.name, "market.id", market.id, "is used by two files")
        loaded[market.id] = market
    if DEFAULT_MARKET not in loaded:
        raise RulesFileError("rules/", "market.id", DEFAULT_MARKET, "no default market file")
    return MappingProxyType(loaded)


@lru_cache(maxsize=1)
def _member_index() -> Mapping[str, str]:
    index: dict[str, str] = {}
    for market in markets().values():
        for member in market.members:
            index[member] = market.id
    return index


def _country(field_name: str, value: Any) -> str:
    if not _country_code(value):
        raise InputError(field_name, value, "must be an ISO alpha-2 country code like 'KR'")
    return str(value)


def market_for(country: str, *, field: str = "destination_country") -> Market:
    """The market whose rules apply to imports into ``country`` (a market id is accepted too).

    EU members map to the EU file; countries without a file map to the default placeholder.
    """
    if country in markets():
        return markets()[country]
    code = _country(field, country)
    return markets()[_member_index().get(code, DEFAULT_MARKET)]


def same_customs_territory(origin: str, destination: str) -> bool:
    """Whether goods moving ``origin`` → ``destination`` cross no customs border.

    True for the same country and within one customs union (DE → FR inside the EU).
    """
    if origin == destination:
        return True
    a = _member_index().get(origin)
    b = _member_index().get(destination)
    return a is not None and a == b


@lru_cache(maxsize=4096)
def rules_for(country: str, on: date, *, origin: str | None = None) -> RuleSet:
    """The rules that apply to an import into ``country`` on ``on`` from ``origin``.

    Parameters
    ----------
    country
        Importing country (ISO alpha-2), or a market id such as ``"EU"`` for market-wide rules.
    on
        Import date (local date in the market's time zone).
    origin
        Origin country of the goods; ``None`` ignores origin-specific rules.

    Raises
    ------
    InputError
        Naming ``import_date`` when no duty or inspection rule is in force on that date (the
        encoded history does not reach back that far).
    """
    market = market_for(country)
    if origin is not None:
        origin = _country("origin_country", origin)
    resolved: dict[str, Rule | None] = {
        kind: market.resolve(kind, country, on, origin) for kind in RULE_KINDS
    }
    for kind in _REQUIRED_KINDS:
        if resolved[kind] is None:
            first = min(r.effective_from for r in market.rules[kind])
            raise InputError(
                "import_date",
                on.isoformat(),
                f"no {market.id} {kind} rule in force (encoded rules start {first.isoformat()})",
            )
    chosen = {id(r) for r in resolved.values() if r is not None}
    others = tuple(
        r
        for r in market.in_force(on)
        if r.origins is not None
        and id(r) not in chosen
        and r.covers(country, next(iter(r.origins)))
    )
    return RuleSet(
        market=market,
        country=country,
        on=on,
        origin=origin,
        de_minimis=_typed(resolved["de_minimis"], DeMinimisRule),
        duty=_required(_typed(resolved["duty"], DutyRule)),
        vat=_typed(resolved["vat"], VatRule),
        fixed_duty=_typed(resolved["fixed_duty"], FixedDutyRule),
        cbec=_typed(resolved["cbec"], CbecRule),
        excise=_typed(resolved["excise"], ExciseRule),
        restrictions=_typed(resolved["restrictions"], RestrictionRule),
        inspection=_required(_typed(resolved["inspection"], InspectionRule)),
        advance_data=_typed(resolved["advance_data"], AdvanceDataRule),
        other_origin_rules=others,
    )


_R = TypeVar("_R", bound=Rule)


def _typed(rule: Rule | None, cls: type[_R]) -> _R | None:
    if rule is not None and not isinstance(rule, cls):  # pragma: no cover - loader guarantees it
        raise TypeError(f"{rule.id} is not a {cls.kind} rule")
    return rule


def _required(rule: _R | None) -> _R:
    if rule is None:  # pragma: no cover - rules_for checks the required kinds first
        raise TypeError("missing required rule")
    return rule
