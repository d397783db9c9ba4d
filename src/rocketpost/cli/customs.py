"""``rocketpost customs``: declare, screen, show rules, evaluate screening.

A thin layer over :mod:`rocketpost.customs`. Orders are read as JSON or JSON Lines (format in
:mod:`rocketpost.customs.parcels`); every bad input raises :class:`~rocketpost.errors.InputError`
naming ``file:line`` and the field, which the main entry point prints as one line (exit 2).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from rocketpost.cli.common import JsonOption
from rocketpost.cli.customs_rules_text import pct, rule_json, rule_scope, rule_summary
from rocketpost.cli.output import console, print_json
from rocketpost.customs.clearance import Clearance, clear_orders
from rocketpost.customs.declaration import Declaration, declare
from rocketpost.customs.duties import assess_duties
from rocketpost.customs.duty_model import DutyAssessment
from rocketpost.customs.evaluation import format_report, run_evaluation
from rocketpost.customs.parcels import ParcelFileError, ParcelInput, read_parcels
from rocketpost.customs.rule_model import (
    Market,
    Rule,
    is_country_code,
)
from rocketpost.customs.rules import DEFAULT_MARKET, market_for, markets, rules_for
from rocketpost.customs.trust import SellerTrust
from rocketpost.errors import InputError

__all__ = ["app"]

app = typer.Typer(
    help="Customs: declarations, duties and counterfeit / empty-box screening.",
    no_args_is_help=True,
)

OriginOption = Annotated[
    str | None,
    typer.Option(
        "--origin", help="Origin country of the goods (ISO alpha-2) where the file has none."
    ),
]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date", help="Import date YYYY-MM-DD (default: from the file, else the order's date)."
    ),
]


def _parse_date(text: str | None, field: str = "--date") -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(field, text, "must be an ISO date such as 2025-08-30") from None


def _check_origin_option(origin: str | None) -> None:
    if origin is not None and not is_country_code(origin):
        raise InputError("--origin", origin, "must be an ISO alpha-2 country code like 'CN'")


def _origin_of(parcel: ParcelInput, fallback: str | None) -> str:
    """The file's origin, else the ``--origin`` fallback."""
    origin = parcel.origin_country or fallback
    if origin is None:
        raise ParcelFileError(
            parcel.where,
            "origin_country",
            None,
            "is required: give it in the file or with --origin",
        )
    return origin


def _market_with_rules(code: str) -> Market:
    """The market ``code`` names (a market id or a member country), which must have rules.

    Screening and duties send a country without a rules file to the placeholder market, but
    showing that placeholder's rules for a mistyped or unsupported code would look like an
    answer: here such a code is an error that lists the markets there are.
    """
    known = [
        m.id if len(m.members) <= 1 else f"{m.id} (or one of its {len(m.members)} member countries)"
        for m in sorted(markets().values(), key=lambda m: m.id)
        if m.id != DEFAULT_MARKET
    ]
    choices = (
        "known markets: "
        + ", ".join(known)
        + f", and {DEFAULT_MARKET} (the placeholder applied to every other country)"
    )
    if not (code in markets() or is_country_code(code)):
        raise InputError("MARKET", code, f"is neither a market id nor a country code; {choices}")
    market = market_for(code, field="MARKET")
    if market.id == DEFAULT_MARKET and code != DEFAULT_MARKET:
        raise InputError("MARKET", code, f"has no customs rules of its own; {choices}")
    return market


def _declaration_table(declaration: Declaration, duties: DutyAssessment) -> None:
    d = declaration
    console.print(
        f"[bold]{d.declaration_id}[/bold]  {d.origin_country} → {d.destination_country}"
        f" (market {d.market}), import {d.import_date.isoformat()}, seller {d.seller_id},"
        f" consignee {d.consignee.recipient_id}"
        + (f", FX table {d.fx_date.isoformat()}" if d.fx_date else "")
    )
    lines = Table(title="declared lines")
    for column in ("#", "HS", "description", "qty", "value", f"customs value ({d.currency})", "kg"):
        lines.add_column(column, justify="right" if column in ("#", "qty", "kg") else "left")
    for line in d.lines:
        lines.add_row(
            str(line.index),
            line.hs_code,
            line.description,
            str(line.quantity),
            f"{line.value:,} {line.currency}",
            f"{line.customs_value:,}",
            f"{line.mass_kg:.2f}",
        )
    console.print(lines)
    taxes = Table(title=f"duties and taxes ({duties.currency}), regime {duties.regime}")
    for column in ("#", "tax", "base", "rate", "amount", "rule", "why"):
        taxes.add_column(
            column,
            justify="right" if column in ("#", "base", "amount", "rate") else "left",
            overflow="fold",
        )
    for amount in duties.amounts:
        taxes.add_row(
            str(amount.line_index),
            amount.name,
            f"{amount.base:,}",
            pct(amount.rate),
            f"{amount.amount:,}",
            amount.rule_id,
            amount.note,
        )
    console.print(taxes)
    console.print(
        f"total {duties.total:,} {duties.currency} (at import {duties.due_at_import:,},"
        f" at the point of sale {duties.collected_at_sale:,})"
    )
    if duties.de_minimis is not None:
        console.print(
            f"de minimis ({duties.de_minimis.rule_id}): {duties.de_minimis.reason}", soft_wrap=True
        )
    for note in duties.notes:
        console.print(note, soft_wrap=True)
    if d.advance_data_system:
        console.print(f"advance data: {d.advance_data_system}, {d.advance_data_deadline}")


@app.command("declare")
def declare_command(
    order: Annotated[Path, typer.Argument(help="JSON file with one order (see docs/customs.md).")],
    origin: OriginOption = None,
    on: DateOption = None,
    as_json: JsonOption = False,
) -> None:
    """Declare one order: HS check, converted values, duties and taxes with their rules."""
    _check_origin_option(origin)
    parcels = read_parcels(order)
    if len(parcels) != 1:
        raise InputError(
            str(order), len(parcels), "must hold exactly one order (use `customs screen` for many)"
        )
    parcel = parcels[0]
    day = _parse_date(on) or parcel.import_date
    try:
        declaration = declare(
            parcel.order, origin_country=_origin_of(parcel, origin), import_date=day
        )
        duties = assess_duties(declaration)
    except ParcelFileError:
        raise
    except InputError as error:
        raise parcel.error(error) from None
    if as_json:
        print_json({"declaration": declaration.to_dict(), "duties": duties})
        return
    _declaration_table(declaration, duties)


_ORDER_FIELD = re.compile(r"^orders\[(\d+)\]\.(.*)$")


def _clearance_json(parcel: ParcelInput, c: Clearance) -> dict[str, Any]:
    duties = c.duties
    return {
        "order_id": c.order_id,
        "origin_country": c.declaration.origin_country if c.declaration else parcel.origin_country,
        "destination_country": parcel.order.destination_country,
        "market": c.market,
        "cross_border": c.cross_border,
        "decision": c.decision.value,
        "inspection_delay_s": c.inspection_delay_s,
        "one_hour_allowed": c.one_hour_allowed,
        "may_fly": c.may_fly,
        "duties_total": duties.total if duties else Decimal(0),
        "currency": duties.currency if duties else None,
        "regime": duties.regime if duties else None,
        "note": c.note,
        "reasons": [
            {"signal": r.signal, "risk": r.risk, "score": round(r.score, 4), "text": r.text}
            for r in c.reasons
        ],
    }


@app.command("screen")
def screen_command(
    orders: Annotated[Path, typer.Argument(help="JSON array or JSON Lines file of orders.")],
    origin: OriginOption = None,
    trust_file: Annotated[
        Path | None,
        typer.Option(
            "--trust", help='Seller history JSON: {"sellers": {id: {inspections, seizures}}}.'
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Pre-clear orders: duties, release / inspect / hold with reasons, one-hour eligibility."""
    _check_origin_option(origin)
    parcels = read_parcels(orders)
    trust = None
    if trust_file is not None:
        try:
            data = json.loads(trust_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise InputError(str(trust_file), error.msg, "is not valid JSON") from None
        try:
            trust = SellerTrust.from_dict(data)
        except InputError as error:
            raise ParcelFileError(trust_file.name, error.field, error.value, error.reason) from None
    origins = [_origin_of(p, origin) for p in parcels]
    try:
        clearances, _ = clear_orders(
            [p.order for p in parcels],
            origin_country=origins,
            scanned_gross_mass_kg=[p.scanned_gross_mass_kg for p in parcels],
            import_date=[p.import_date for p in parcels],
            trust=trust,
        )
    except InputError as error:
        match = _ORDER_FIELD.match(error.field)
        if match is None:
            raise
        raise ParcelFileError(
            parcels[int(match[1])].where, match[2], error.value, error.reason
        ) from None
    tally = {"release": 0, "inspect": 0, "hold": 0}
    for c in clearances:
        tally[c.decision.value] += 1
    if as_json:
        print_json(
            {
                "summary": {**tally, "parcels": len(clearances)},
                "parcels": [
                    _clearance_json(p, c) for p, c in zip(parcels, clearances, strict=True)
                ],
            }
        )
        return
    table = Table(title=f"{orders.name}: {len(clearances)} parcels")
    for column in ("order", "route", "decision", "+min", "1 h", "duties", "top reason"):
        table.add_column(
            column, justify="right" if column in ("+min", "duties") else "left", overflow="fold"
        )
    colours = {"release": "green", "inspect": "yellow", "hold": "red"}
    for parcel, c, source in zip(parcels, clearances, origins, strict=True):
        route = f"{source}→{parcel.order.destination_country}"
        minutes = "-" if c.inspection_delay_s is None else f"{c.inspection_delay_s / 60:g}"
        duties = f"{c.duties.total:,} {c.duties.currency}" if c.duties else "domestic"
        top = (
            c.reasons[0].text
            if c.reasons and c.decision.value != "release"
            else (c.note if not c.cross_border else "")
        )
        colour = colours[c.decision.value]
        table.add_row(
            c.order_id, route, f"[{colour}]{c.decision.value}[/{colour}]", minutes,
            "yes" if c.one_hour_allowed else "no", duties, top,
        )  # fmt: skip
    console.print(table)
    console.print(f"release {tally['release']}, inspect {tally['inspect']}, hold {tally['hold']}")


@app.command("rules")
def rules_command(
    market: Annotated[
        str, typer.Argument(help="Country (KR, US, DE...) or market id (EU, DEFAULT).")
    ],
    on: Annotated[
        str | None, typer.Option("--date", help="Date YYYY-MM-DD (default: today, UTC).")
    ] = None,
    origin: OriginOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the rules in force in a market on a date, with their sources."""
    day = _parse_date(on) or datetime.now(UTC).date()
    code = market.strip().upper()
    resolved_market = _market_with_rules(code)
    _check_origin_option(origin)
    # A member country gets its resolved rules; a market id (EU, DEFAULT) every rule in force.
    is_country = code in resolved_market.members
    if is_country:
        rule_set = rules_for(code, day, origin=origin)
        rules: tuple[Rule, ...] = rule_set.applied() + rule_set.other_origin_rules
        applied = {r.id for r in rule_set.applied()}
    else:
        rules = resolved_market.in_force(day)
        applied = {
            r.id for r in rules if r.origins is None or (origin is not None and origin in r.origins)
        }
    if as_json:
        print_json(
            {
                "market": resolved_market.id,
                "name": resolved_market.name,
                "currency": resolved_market.currency,
                "country": code if is_country else None,
                "date": day,
                "origin": origin,
                "file": resolved_market.file,
                "rules": [{**rule_json(r), "applies": r.id in applied} for r in rules],
            }
        )
        return
    where = (
        f"{code} ({resolved_market.id})"
        if is_country and code != resolved_market.id
        else resolved_market.id
    )
    title = f"{where} customs rules in force on {day.isoformat()}" + (
        f", goods from {origin}" if origin else ""
    )
    table = Table(title=title)
    for column in ("kind", "id", "scope", "rule", "in force"):
        table.add_column(column, overflow="fold", no_wrap=column in ("kind", "id"))
    for rule in rules:
        until = rule.effective_to.isoformat() if rule.effective_to else "…"
        period = f"{rule.effective_from.isoformat()} → {until}"
        style = None if rule.id in applied else "dim"
        table.add_row(rule.kind, rule.id, rule_scope(rule), rule_summary(rule), period, style=style)
    console.print(table)
    console.print(
        f"currency {resolved_market.currency}; rules file {resolved_market.file}"
        + ("; dim rows apply to other origins" if len(applied) < len(rules) else "")
    )
    for rule in rules:
        if rule.id in applied:
            note = f" — {rule.note}" if rule.note else ""
            console.print(f"[bold]{rule.id}[/bold]: {rule.source}{note}", soft_wrap=True)


@app.command("evaluate")
def evaluate_command(
    n: Annotated[int, typer.Option("--n", help="Number of generated parcels.", min=1)] = 100_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same report).")] = 1,
    as_json: JsonOption = False,
) -> None:
    """Screen seeded synthetic labelled parcels and report precision, recall, inspection rate."""
    report = run_evaluation(n, seed)
    if as_json:
        print_json(report)
        return
    table = Table(title=f"screening evaluation: {report.n_parcels:,} parcels, seed {seed}")
    for column in (
        "label",
        "labelled",
        "flagged",
        "precision",
        "recall",
        "flag rate",
        "caught (any)",
    ):
        table.add_column(column, justify="left" if column == "label" else "right")
    for m in report.risks:
        table.add_row(
            m.label, f"{m.labelled:,}", f"{m.flagged:,}", f"{m.precision:.1%}", f"{m.recall:.1%}",
            f"{m.flag_rate:.2%}", f"{m.caught:.1%}",
        )  # fmt: skip
    console.print(table)
    for line in format_report(report)[:2] + format_report(report)[-2:]:
        console.print(line, soft_wrap=True)
