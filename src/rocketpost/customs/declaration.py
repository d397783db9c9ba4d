"""Import declarations built from orders: validated HS codes, converted values, JSON export.

A declaration is what the importing market's customs sees before the flight: who sends what to
whom, classified (6-digit HS, checked against the shipped nomenclature), valued (each line in its
order currency and converted with the dated FX table into the market's currency and USD), with
its origin and consignee. It is the input of :func:`rocketpost.customs.duties.assess_duties` and of
screening, and the advance electronic data (ICS2, ACAS...) the market requires before loading.

The origin country of the goods is not on an :class:`~rocketpost.orders.model.Order`: the planner
knows the origin hub, so it is a parameter. Domestic moves (same country, or within a customs
union such as the EU) need no declaration: :func:`declare` refuses them, and
:func:`rocketpost.customs.clearance.clearance` reports them as released without duties.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rocketpost.customs.fx import fx_table, round_money
from rocketpost.customs.hs import nomenclature
from rocketpost.customs.rule_model import AdvanceDataRule, is_country_code
from rocketpost.customs.rules import market_for, rules_for, same_customs_territory
from rocketpost.errors import InputError
from rocketpost.orders.model import Channel, Order

__all__ = [
    "Consignee",
    "Declaration",
    "DeclarationLine",
    "declare",
    "import_date_of",
]


@dataclass(frozen=True)
class Consignee:
    """Who receives the goods in the importing country.

    ``recipient_id`` stands in for the personal customs identifier some markets require (KR
    personal customs clearance code, CN national ID for the CBEC annual limit).
    """

    recipient_id: str
    country: str
    label: str | None = None


@dataclass(frozen=True)
class DeclarationLine:
    """One declared goods line.

    Parameters
    ----------
    index
        Position in the order (``items[index]``).
    sku, description, hs_code, quantity, unit_value, currency
        As on the order line; ``hs_code`` validated against HS 2022.
    hs_description
        The nomenclature's text for ``hs_code``.
    value
        ``unit_value × quantity`` in ``currency``.
    customs_value
        ``value`` converted into the market currency, rounded to its minor unit.
    value_usd, unit_value_usd
        ``value`` and ``unit_value`` in USD (2 and 4 decimals), used by screening.
    unit_mass_kg, mass_kg
        Declared packed mass per unit and for the line.
    dangerous_goods_class
        UN class or ``None``.
    """

    index: int
    sku: str
    description: str
    hs_code: str
    hs_description: str
    quantity: int
    unit_value: Decimal
    currency: str
    value: Decimal
    customs_value: Decimal
    value_usd: Decimal
    unit_value_usd: Decimal
    unit_mass_kg: float
    mass_kg: float
    dangerous_goods_class: str | None = None


@dataclass(frozen=True)
class Declaration:
    """A cross-border parcel's import declaration.

    Parameters
    ----------
    declaration_id, order_id
        The declaration is keyed by its order (one parcel per order).
    seller_id
        The merchant (the seller whose trust screening tracks).
    channel
        B2C or B2B: some rules (EU 3 EUR duty, CN CBEC, JP personal-use valuation) are B2C only.
    consignee
        :class:`Consignee`.
    origin_country, destination_country
        ISO alpha-2; the destination is the importing country.
    market
        Id of the rules file that applies (``"EU"`` for DE, FR, PT...).
    import_date
        Local date of import in the market's time zone; selects the rules in force.
    currency
        The market's currency: ``customs_value`` and all duties are in it.
    lines
        :class:`DeclarationLine` tuple, order preserved.
    customs_value, value_usd
        Totals of the lines' converted values.
    declared_mass_kg
        Sum of the declared line masses (the baseline of the empty-box check).
    fx_date
        Date of the FX table row used, or ``None`` when nothing needed converting.
    advance_data_system, advance_data_deadline
        Which advance-data filing covers this declaration and when it is due.
    """

    declaration_id: str
    order_id: str
    seller_id: str
    channel: Channel
    consignee: Consignee
    origin_country: str
    destination_country: str
    market: str
    import_date: date
    currency: str
    lines: tuple[DeclarationLine, ...]
    customs_value: Decimal
    value_usd: Decimal
    declared_mass_kg: float
    fx_date: date | None = None
    advance_data_system: str | None = None
    advance_data_deadline: str | None = None

    def __post_init__(self) -> None:
        if not self.lines:
            raise InputError("lines", self.lines, "a declaration needs at least one line")
        if same_customs_territory(self.origin_country, self.destination_country):
            raise InputError(
                "origin_country", self.origin_country, "is in the destination's customs territory"
            )

    def value_in(self, currency: str) -> Decimal:
        """Total goods value converted into ``currency`` on the import date, rounded once.

        Each line is converted from its own currency (no double rounding through the market
        currency), so a 150.00 USD parcel is exactly 150.00 against a 150 USD threshold.
        """
        table = fx_table()
        total = sum(
            (
                table.convert(line.value, line.currency, currency, self.import_date)
                for line in self.lines
            ),
            Decimal(0),
        )
        return round_money(total, currency)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (Decimal as strings, dates ISO)."""
        return _jsonable(self)

    def to_json(self, *, indent: int | None = 2) -> str:
        """The declaration as a JSON document."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Declaration:
        """Read the form written by :meth:`to_dict`.

        The booking service stores each declaration so that it can re-assess an earlier parcel
        when a later one joins its same-day total, and re-screen it at induction with the scale
        reading, without the order it came from.

        Raises
        ------
        InputError
            The stored form is incomplete or malformed (``declaration.<field>``).
        """
        field = "declaration"
        try:
            values = dict(data)
            field = "declaration.lines"
            lines = []
            for i, raw in enumerate(values.pop("lines")):
                field = f"declaration.lines[{i}]"
                line = dict(raw)
                for name in _LINE_DECIMALS:
                    line[name] = Decimal(line[name])
                lines.append(DeclarationLine(**line))
            field = "declaration.consignee"
            values["consignee"] = Consignee(**dict(values["consignee"]))
            field = "declaration"
            values["lines"] = tuple(lines)
            values["channel"] = Channel(values["channel"])
            values["import_date"] = date.fromisoformat(values["import_date"])
            if values.get("fx_date") is not None:
                values["fx_date"] = date.fromisoformat(values["fx_date"])
            for name in ("customs_value", "value_usd"):
                values[name] = Decimal(values[name])
            return cls(**values)
        except InputError:
            raise
        except (KeyError, TypeError, ValueError, ArithmeticError) as error:
            raise InputError(field, repr(error), "is not a stored declaration") from None


_LINE_DECIMALS = ("unit_value", "value", "customs_value", "value_usd", "unit_value_usd")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Declaration | DeclarationLine | Consignee):
        return {name: _jsonable(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Channel):
        return value.value
    return value


def import_date_of(order: Order, *, country: str | None = None) -> date:
    """The import date of a one-hour parcel: the order's local calendar date in the market.

    A one-hour delivery arrives the day it is ordered (barring a midnight crossing, which this
    ignores), and the day is counted in the importing country's time zone — the US executive
    orders took effect at 12:01 a.m. Eastern, Korea's same-day aggregation counts Korean days.
    """
    country = country or order.destination_country
    market = market_for(country)
    return order.created_at.astimezone(market.zone(country)).date()


def declare(order: Order, *, origin_country: str, import_date: date | None = None) -> Declaration:
    """Build the import declaration of a cross-border order.

    Parameters
    ----------
    order
        The order; ``destination_country`` is the importing market, ``merchant_id`` the seller.
    origin_country
        ISO alpha-2 country the goods ship from (the origin hub's country).
    import_date
        Date of import; defaults to :func:`import_date_of` the order.

    Raises
    ------
    InputError
        Naming the field: ``origin_country`` (malformed, or same customs territory — no
        declaration needed), ``items[i].hs_code`` (not in the shipped HS 2022 data),
        ``items[i].currency`` (no exchange rate), ``items[i].unit_value`` (zero: customs needs a
        value), ``import_date`` (before the encoded rules or FX table).
    """
    destination = order.destination_country
    if not is_country_code(origin_country):
        raise InputError(
            "origin_country", origin_country, "must be an ISO alpha-2 country code like 'CN'"
        )
    if same_customs_territory(origin_country, destination):
        raise InputError(
            "origin_country",
            origin_country,
            f"is in the same customs territory as the destination {destination}: "
            "no import declaration is needed",
        )
    on = import_date if import_date is not None else import_date_of(order)
    rules = rules_for(destination, on, origin=origin_country)
    currency = rules.currency
    hs = nomenclature()
    table = fx_table()
    fx_dates: set[date] = set()
    lines = []
    for i, item in enumerate(order.items):
        hs_description = hs.check(item.hs_code, field=f"items[{i}].hs_code")
        if item.unit_value <= 0:
            raise InputError(
                f"items[{i}].unit_value",
                str(item.unit_value),
                "a customs declaration needs a value > 0 (free goods are declared at market value)",
            )
        field = f"items[{i}].currency"
        for code in {item.currency, currency}:
            quote = table.quote(code, on, field=field)
            if quote.table_date is not None:
                fx_dates.add(quote.table_date)
        value = item.value
        lines.append(
            DeclarationLine(
                index=i,
                sku=item.sku,
                description=item.description,
                hs_code=item.hs_code,
                hs_description=hs_description,
                quantity=item.quantity,
                unit_value=item.unit_value,
                currency=item.currency,
                value=value,
                customs_value=round_money(
                    table.convert(value, item.currency, currency, on, field=field), currency
                ),
                value_usd=round_money(
                    table.convert(value, item.currency, "USD", on, field=field), "USD"
                ),
                unit_value_usd=table.convert(item.unit_value, item.currency, "USD", on).quantize(
                    Decimal("0.0001")
                ),
                unit_mass_kg=item.unit_mass_kg,
                mass_kg=item.mass_kg,
                dangerous_goods_class=item.dangerous_goods_class,
            )
        )
    advance = rules.advance_data
    declaration = Declaration(
        declaration_id=order.order_id,
        order_id=order.order_id,
        seller_id=order.merchant_id,
        channel=order.channel,
        consignee=Consignee(order.recipient_id, destination, order.destination_label),
        origin_country=origin_country,
        destination_country=destination,
        market=rules.market.id,
        import_date=on,
        currency=currency,
        lines=tuple(lines),
        customs_value=sum((line.customs_value for line in lines), Decimal(0)),
        value_usd=sum((line.value_usd for line in lines), Decimal(0)),
        declared_mass_kg=order.mass_kg,
        fx_date=max(fx_dates) if fx_dates else None,
        advance_data_system=advance.system if advance else None,
        advance_data_deadline=advance.deadline if advance else None,
    )
    if advance is not None:
        _check_advance_data(declaration, advance)
    return declaration


def _check_advance_data(declaration: Declaration, rule: AdvanceDataRule) -> None:
    """Every field the market's advance-data filing requires must be present and non-empty."""
    for path in rule.required_fields:
        head, _, tail = path.partition(".")
        if head == "lines":
            for line in declaration.lines:
                if _empty(getattr(line, tail, None)):
                    raise InputError(
                        f"items[{line.index}].{tail}",
                        None,
                        f"required by {rule.system} ({rule.id})",
                    )
            continue
        value = getattr(declaration, head, None)
        if tail:
            value = getattr(value, tail, None)
        if _empty(value):
            raise InputError(path, value, f"required by {rule.system} ({rule.id})")


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
