"""Reading a market's rules file: TOML through :mod:`rocketpost.tomlfile`, every value checked.

Each market file (``data/rules/<market>.toml``) has a ``[market]`` table (id, name, currency,
member countries, time zone) and arrays of rules by kind — ``de_minimis``, ``duty``, ``vat``,
``fixed_duty``, ``cbec``, ``excise``, ``restrictions``, ``inspection``, ``advance_data``
(:data:`~rocketpost.customs.rule_model.RULE_KINDS`). Money and rates are written as strings
(``"0.13"``) and read as ``Decimal``.

A bad file fails as network files do: a :class:`RulesFileError` (a
:class:`~rocketpost.errors.ConfigFileError`) naming the file, the key path (``vat[2].source``)
and the value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rocketpost.customs.rule_model import (
    REQUIRED_KINDS,
    RULE_KINDS,
    AdvanceDataRule,
    CbecRule,
    DeMinimisRule,
    DutyRule,
    ExciseRule,
    FixedDutyRule,
    InspectionRule,
    Market,
    RestrictionRule,
    Rule,
    VatRule,
    is_country_code,
)
from rocketpost.errors import ConfigFileError
from rocketpost.tomlfile import TomlReader, read_toml

__all__ = ["RulesFileError", "load_market"]

_T = TypeVar("_T")
_TEXT = "a non-empty string"


class RulesFileError(ConfigFileError):
    """A customs rules file is unreadable or fails validation; names file, key path and value."""


class _RuleTable:
    """One table of a rules file, remembering which keys were read so the rest can be refused.

    Which keys a rule may have depends on its kind, and each kind's parser reads its keys one by
    one; recording them as they are read keeps the list of allowed keys in one place (the parser).
    """

    def __init__(self, reader: TomlReader, table: Mapping[str, Any], path: str) -> None:
        self.reader, self.table, self.path = reader, table, path
        self.used: set[str] = set()

    def error(self, key: str, value: Any, reason: str) -> ConfigFileError:
        return self.reader.error(f"{self.path}.{key}", value, reason)

    def get(self, key: str, convert: Callable[[Any], _T], default: Any = ..., what: str = "") -> _T:
        self.used.add(key)
        return self.reader.value(self.table, key, self.path, convert, default, what)

    def reject_unread(self) -> None:
        self.reader.reject_unknown(self.table, self.used, self.path)


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
    if not isinstance(value, list) or not value or not all(is_country_code(v) for v in value):
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


def _channels(reader: _RuleTable) -> frozenset[str] | None:
    # Only the regimes limited to a sales channel (EU fixed duty, China CBEC: B2C) take this key;
    # on any other kind it would be silently ignored, so it is refused there as unknown.
    return reader.get("channels", lambda v: frozenset(v), None, what="a list of channels")


def _parse_rule(kind: str, reader: _RuleTable) -> Rule:
    common: dict[str, Any] = {
        "id": reader.get("id", _text, what=_TEXT),
        "effective_from": reader.get("effective_from", _date, what="a TOML date (2025-08-29)"),
        "effective_to": reader.get("effective_to", _date, None, what="a TOML date"),
        "source": reader.get("source", _text, what=_TEXT),
        "note": reader.get("note", str, ""),
        "countries": reader.get("countries", _codes, None, what="a list of ISO alpha-2 codes"),
        "origins": reader.get("origins", _codes, None, what="a list of ISO alpha-2 codes"),
    }
    if common["effective_to"] is not None and common["effective_to"] < common["effective_from"]:
        raise reader.error("effective_to", common["effective_to"], "is before effective_from")
    rate = "a decimal string such as '0.13'"
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
            currency=reader.get("currency", _text, what=_TEXT),
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
            name=reader.get("name", _text, "VAT", what=_TEXT),
            standard_rate=reader.get("standard_rate", _decimal, what=rate),
            reduced=reader.get(
                "reduced", _rate_table, MappingProxyType({}), what="a table of rates"
            ),
            point_of_sale_max=reader.get("point_of_sale_max", _decimal, None, what=rate),
            point_of_sale_currency=reader.get("point_of_sale_currency", _text, None, what=_TEXT),
        )
    elif kind == "fixed_duty":
        rule = FixedDutyRule(
            **common,
            amount=reader.get("amount", _decimal, what=rate),
            currency=reader.get("currency", _text, what=_TEXT),
            per=reader.get("per", _text, "tariff_subheading", what=_TEXT),
            max_consignment_value=reader.get("max_consignment_value", _decimal, what=rate),
            channels=_channels(reader),
        )
    elif kind == "cbec":
        rule = CbecRule(
            **common,
            transaction_limit=reader.get("transaction_limit", _decimal, what=rate),
            annual_limit=reader.get("annual_limit", _decimal, what=rate),
            currency=reader.get("currency", _text, what=_TEXT),
            duty_rate=reader.get("duty_rate", _decimal, what=rate),
            tax_factor=reader.get("tax_factor", _decimal, what=rate),
            channels=_channels(reader),
        )
    elif kind == "excise":
        rule = ExciseRule(
            **common,
            name=reader.get("name", _text, "excise", what=_TEXT),
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
            system=reader.get("system", _text, what=_TEXT),
            required_fields=reader.get(
                "required_fields", lambda v: tuple(map(str, v)), what="a list"
            ),
            deadline=reader.get("deadline", _text, what=_TEXT),
            lead_time_min=reader.get("lead_time_min", _number, what="minutes ≥ 0"),
        )
    reader.reject_unread()
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
    data = read_toml(path, file=name, error=RulesFileError)
    reader = TomlReader(name, RulesFileError)
    head = _RuleTable(reader, reader.table(data, "market"), "market")
    market_id = head.get("id", _text, what=_TEXT)
    market_name = head.get("name", _text, what=_TEXT)
    currency = head.get("currency", _text, what=_TEXT)
    members = head.get("members", lambda v: frozenset(v), what="a list of ISO alpha-2 codes")
    if not all(is_country_code(m) for m in members):
        raise head.error("members", sorted(members), "must be ISO alpha-2 codes")
    timezone = head.get("timezone", _text, what=_TEXT)
    timezones = head.get(
        "timezones", lambda v: MappingProxyType(dict(v)), MappingProxyType({}), what="a table"
    )
    for key, zone in (
        ("timezone", timezone),
        *((f"timezones.{k}", z) for k, z in timezones.items()),
    ):
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise head.error(key, zone, "is not an IANA time zone") from None
    head.reject_unread()

    unknown = set(data) - set(RULE_KINDS) - {"market"}
    if unknown:
        key = sorted(unknown)[0]
        raise reader.error(key, key, f"is not a rule kind ({', '.join(RULE_KINDS)})")
    rules: dict[str, tuple[Rule, ...]] = {}
    seen_ids: set[str] = set()
    for kind in RULE_KINDS:
        parsed: list[Rule] = []
        for index, entry in enumerate(reader.array_of_tables(data, kind)):
            table = _RuleTable(reader, entry, f"{kind}[{index}]")
            rule = _parse_rule(kind, table)
            if rule.id in seen_ids:
                raise table.error("id", rule.id, "duplicates another rule id in this file")
            if rule.countries is not None and not rule.countries <= members:
                raise table.error("countries", sorted(rule.countries), "are not all market members")
            for other in parsed:
                if _overlaps(rule, other):
                    raise table.error(
                        "effective_from",
                        rule.effective_from.isoformat(),
                        f"overlaps rule {other.id} of the same scope",
                    )
            seen_ids.add(rule.id)
            parsed.append(rule)
        rules[kind] = tuple(parsed)
    for kind in REQUIRED_KINDS:
        if not rules[kind]:
            raise reader.error(kind, None, "every market needs at least one rule of this kind")
    return Market(
        id=market_id,
        name=market_name,
        currency=currency,
        members=members,
        timezone=timezone,
        timezones=timezones,
        rules=MappingProxyType(rules),
        file=name,
    )
