"""Currencies and the shipped, dated exchange-rate table (``Decimal``, no network).

Customs values, thresholds and duties are money, so they are ``Decimal`` throughout: a KRW duty
must not pick up binary-float noise, and a 150.00 USD parcel must compare equal to a 150 USD
threshold. Rates come from ``data/fx_rates.csv`` (monthly reference rates, units per USD); a rate
applies from its row's date until the next row. Authorities publish their own binding rates
(Korea weekly, the EU monthly): the table is the stand-in, and every conversion reports the
table date it used so that a stale quote is visible.
"""

from __future__ import annotations

import csv
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from rocketpost.customs._data import data_file
from rocketpost.errors import InputError

__all__ = [
    "FxQuote",
    "FxTable",
    "fx_table",
    "load_fx_table",
    "minor_units",
    "round_money",
]

_ZERO_DECIMAL_CURRENCIES = frozenset(
    {"JPY", "KRW", "VND", "CLP", "ISK", "PYG", "UGX", "XAF", "XOF"}
)
"""ISO 4217 currencies without minor units: duties in these are whole numbers."""


def minor_units(currency: str) -> int:
    """Number of decimal places of ``currency`` (ISO 4217; 2 unless listed as zero-decimal)."""
    return 0 if currency in _ZERO_DECIMAL_CURRENCIES else 2


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` half-up to the minor unit of ``currency``.

    Half-up (not banker's rounding) is what customs tariffs and VAT laws prescribe for amounts due.
    """
    exponent = Decimal(1).scaleb(-minor_units(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FxQuote:
    """The rate used for one conversion.

    Parameters
    ----------
    currency
        ISO 4217 code.
    units_per_usd
        Units of ``currency`` per 1 USD.
    table_date
        Date of the table row used (``None`` for USD, which needs no row).
    """

    currency: str
    units_per_usd: Decimal
    table_date: date | None


@dataclass(frozen=True, eq=False)
class FxTable:
    """A dated table of exchange rates against USD.

    Parameters
    ----------
    dates
        Row dates, strictly increasing; row *i* applies from ``dates[i]`` until ``dates[i+1]``.
    rates
        Currency → per-row units per USD (same length as ``dates``).
    source
        Where the figures come from (the file's header comment).
    """

    dates: tuple[date, ...]
    rates: Mapping[str, tuple[Decimal, ...]]
    source: str = ""

    def __post_init__(self) -> None:
        if not self.dates:
            raise InputError("dates", self.dates, "an exchange-rate table needs at least one row")
        if any(b <= a for a, b in zip(self.dates, self.dates[1:], strict=False)):
            raise InputError("dates", self.dates, "must be strictly increasing")
        for currency, column in self.rates.items():
            if len(column) != len(self.dates):
                raise InputError(f"rates.{currency}", len(column), "needs one rate per row")
            if any(r <= 0 for r in column):
                raise InputError(f"rates.{currency}", column, "rates must be positive")

    @property
    def currencies(self) -> tuple[str, ...]:
        """Every currency the table can convert (USD included)."""
        return ("USD", *sorted(c for c in self.rates if c != "USD"))

    def quote(self, currency: str, on: date, *, field: str = "currency") -> FxQuote:
        """The rate of ``currency`` in force on ``on``.

        Raises
        ------
        InputError
            Naming ``field`` when the currency is not in the table, or ``import_date`` when the date
            is before the table's first row.
        """
        if currency == "USD":
            return FxQuote("USD", Decimal(1), None)
        column = self.rates.get(currency)
        if column is None:
            known = ", ".join(self.currencies)
            raise InputError(
                field, currency, f"no exchange rate in the shipped table (known: {known})"
            )
        row = bisect_right(self.dates, on) - 1
        if row < 0:
            raise InputError(
                "import_date",
                on.isoformat(),
                f"is before the first exchange-rate row ({self.dates[0].isoformat()})",
            )
        return FxQuote(currency, column[row], self.dates[row])

    def convert(
        self,
        amount: Decimal,
        from_currency: str,
        to_currency: str,
        on: date,
        *,
        field: str = "currency",
    ) -> Decimal:
        """Convert ``amount`` on ``on``, unrounded (round once, at the end: :func:`round_money`).

        Cross rates go through USD, the table's base currency.
        """
        if from_currency == to_currency:
            return amount
        source = self.quote(from_currency, on, field=field)
        target = self.quote(to_currency, on, field=field)
        return amount / source.units_per_usd * target.units_per_usd

    def table_date(self, on: date) -> date:
        """Date of the row in force on ``on`` (the first row for earlier dates)."""
        return self.dates[max(bisect_right(self.dates, on) - 1, 0)]


def load_fx_table(path: Path | str) -> FxTable:
    """Read an exchange-rate CSV: ``#`` comment header, then ``date,CUR1,CUR2,...`` rows.

    Raises
    ------
    InputError
        Naming the file, line and column of the first unreadable value.
    """
    path = Path(path)
    source_lines: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.startswith("#"):
                source_lines.append(line[1:].strip())
            elif line.strip():
                rows.append((number, [cell.strip() for cell in next(csv.reader([line]))]))
    if len(rows) < 2:
        raise InputError(str(path), len(rows), "needs a header row and at least one rate row")
    header_line, header = rows[0]
    if header[0] != "date":
        raise InputError(f"{path.name}:{header_line}", header[0], "first column must be 'date'")
    currencies = header[1:]
    dates: list[date] = []
    columns: dict[str, list[Decimal]] = {c: [] for c in currencies}
    for number, cells in rows[1:]:
        where = f"{path.name}:{number}"
        if len(cells) != len(header):
            raise InputError(where, cells, f"expected {len(header)} columns")
        try:
            dates.append(date.fromisoformat(cells[0]))
        except ValueError:
            raise InputError(f"{where}: date", cells[0], "must be an ISO date") from None
        for currency, cell in zip(currencies, cells[1:], strict=True):
            try:
                columns[currency].append(Decimal(cell))
            except InvalidOperation:
                raise InputError(f"{where}: {currency}", cell, "must be a decimal rate") from None
    return FxTable(
        dates=tuple(dates),
        rates={c: tuple(v) for c, v in columns.items()},
        source=" ".join(source_lines),
    )


@lru_cache(maxsize=1)
def fx_table() -> FxTable:
    """The exchange-rate table shipped with the package (loaded once)."""
    return load_fx_table(data_file("fx_rates.csv"))
