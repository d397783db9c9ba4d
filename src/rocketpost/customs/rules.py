"""The customs rules in force: which market a country belongs to, and its rules on a date.

Rules are data (:mod:`.rules_file` reads ``data/rules/<market>.toml``, :mod:`.rule_model` holds
the types). :func:`rules_for` resolves, for one importing country, import date and origin, the
single rule of each kind in force: the most specific one (origin-specific over general,
country-specific over market-wide). Because the rule is chosen by date, the same parcel into the
US on 28 Aug 2025 and on 30 Aug 2025 is assessed under different rules — by construction, not by
special-casing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any, TypeVar

from rocketpost.customs._data import data_file
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
    RuleSet,
    VatRule,
    is_country_code,
)
from rocketpost.customs.rules_file import RulesFileError, load_market
from rocketpost.errors import InputError

__all__ = [
    "DEFAULT_MARKET",
    "market_for",
    "markets",
    "rules_for",
    "same_customs_territory",
]

DEFAULT_MARKET = "DEFAULT"
"""Id of the placeholder market that covers every country without its own file."""


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
    if not is_country_code(value):
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
    for kind in REQUIRED_KINDS:
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
