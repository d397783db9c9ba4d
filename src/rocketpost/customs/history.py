"""A recipient's past imports: same-day aggregation (KR, US) and China's annual CBEC limit.

Some reliefs look beyond one parcel. Korea sums the parcels a recipient receives on the same day
before testing the 150 USD threshold (합산과세), so splitting an order into two 100 USD parcels
does not escape duty; the US de minimis is "per person per day" likewise; China caps each buyer's
cross-border retail purchases at 26,000 CNY a year. :class:`RecipientHistory` is the plain value
the caller (booking service, planner) keeps and passes back in: :meth:`RecipientHistory.record`
returns a new history with one more import, nothing is stored behind the caller's back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rocketpost.errors import InputError

if TYPE_CHECKING:
    from rocketpost.customs.declaration import Declaration
    from rocketpost.customs.duty_model import DutyAssessment

__all__ = ["ImportRecord", "RecipientHistory"]


@dataclass(frozen=True)
class ImportRecord:
    """One past import of a recipient.

    Parameters
    ----------
    declaration_id
        The declaration (order) it was; re-recording the same id replaces the record.
    recipient_id, market
        Who imported, into which rules market.
    import_date
        Local import date.
    customs_value, currency
        Total customs value in the market currency.
    value_usd
        The same in USD (for USD thresholds such as Korea's).
    regime
        How it was assessed (``"cbec"`` counts toward China's annual limit).
    """

    declaration_id: str
    recipient_id: str
    market: str
    import_date: date
    customs_value: Decimal
    currency: str
    value_usd: Decimal
    regime: str = "standard"

    def __post_init__(self) -> None:
        for name in ("customs_value", "value_usd"):
            value = getattr(self, name)
            if not isinstance(value, Decimal):
                try:
                    value = Decimal(str(value))
                except Exception:
                    raise InputError(name, value, "must be a decimal amount") from None
                object.__setattr__(self, name, value)
            if not value.is_finite() or value < 0:
                raise InputError(name, value, "must be a finite amount ≥ 0")
        if isinstance(self.import_date, str):
            try:
                object.__setattr__(self, "import_date", date.fromisoformat(self.import_date))
            except ValueError:
                raise InputError("import_date", self.import_date, "must be an ISO date") from None
        if not isinstance(self.import_date, date):
            raise InputError("import_date", self.import_date, "must be a date")


@dataclass(frozen=True)
class RecipientHistory:
    """Past imports, grouped by recipient and market for quick lookups.

    Parameters
    ----------
    records
        The imports, in the order they were recorded.
    """

    records: tuple[ImportRecord, ...] = ()
    _index: Mapping[tuple[str, str], tuple[ImportRecord, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not isinstance(self.records, tuple):
            object.__setattr__(self, "records", tuple(self.records))
        index: dict[tuple[str, str], list[ImportRecord]] = {}
        for record in self.records:
            index.setdefault((record.recipient_id, record.market), []).append(record)
        object.__setattr__(self, "_index", {k: tuple(v) for k, v in index.items()})

    def of(self, recipient_id: str, market: str) -> tuple[ImportRecord, ...]:
        """All imports of one recipient into one market."""
        return self._index.get((recipient_id, market), ())

    def same_day(
        self, recipient_id: str, market: str, on: date, *, exclude: str | None = None
    ) -> tuple[ImportRecord, ...]:
        """Imports of the recipient into the market on ``on``, except declaration ``exclude``."""
        return tuple(
            r
            for r in self.of(recipient_id, market)
            if r.import_date == on and r.declaration_id != exclude
        )

    def year_total(
        self,
        recipient_id: str,
        market: str,
        year: int,
        *,
        regime: str | None = None,
        exclude: str | None = None,
    ) -> Decimal:
        """Total customs value of the recipient's imports in calendar ``year`` (market currency)."""
        return sum(
            (
                r.customs_value
                for r in self.of(recipient_id, market)
                if r.import_date.year == year
                and r.declaration_id != exclude
                and (regime is None or r.regime == regime)
            ),
            Decimal(0),
        )

    def record(
        self, declaration: Declaration, assessment: DutyAssessment | None = None
    ) -> RecipientHistory:
        """A new history with ``declaration`` added (replacing an earlier record of the same id).

        Pass the :class:`~rocketpost.customs.duty_model.DutyAssessment` so that China's annual CBEC
        total counts only imports assessed under CBEC.
        """
        entry = _entry(declaration, assessment)
        kept = tuple(r for r in self.records if r.declaration_id != entry.declaration_id)
        return RecipientHistory((*kept, entry))

    def growing(self) -> GrowingHistory:
        """A mutable copy for recording many imports in a row (see :class:`GrowingHistory`)."""
        return GrowingHistory(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``from_dict`` reads it back)."""
        return {
            "records": [
                {
                    "declaration_id": r.declaration_id,
                    "recipient_id": r.recipient_id,
                    "market": r.market,
                    "import_date": r.import_date.isoformat(),
                    "customs_value": str(r.customs_value),
                    "currency": r.currency,
                    "value_usd": str(r.value_usd),
                    "regime": r.regime,
                }
                for r in self.records
            ]
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RecipientHistory:
        """Read the form written by :meth:`to_dict`."""
        records: Iterable[Mapping[str, Any]] = data.get("records", ())
        out = []
        for i, item in enumerate(records):
            try:
                out.append(ImportRecord(**dict(item)))
            except TypeError as error:
                raise InputError(f"records[{i}]", item, str(error)) from None
            except InputError as error:
                raise InputError(f"records[{i}].{error.field}", error.value, error.reason) from None
        return cls(tuple(out))


def _entry(declaration: Declaration, assessment: DutyAssessment | None) -> ImportRecord:
    return ImportRecord(
        declaration_id=declaration.declaration_id,
        recipient_id=declaration.consignee.recipient_id,
        market=declaration.market,
        import_date=declaration.import_date,
        customs_value=declaration.customs_value,
        currency=declaration.currency,
        value_usd=declaration.value_usd,
        regime=assessment.regime if assessment is not None else "standard",
    )


class GrowingHistory(RecipientHistory):
    """A history that records in place, for clearing a whole day in one pass.

    :meth:`RecipientHistory.record` returns a new value and so copies every earlier record: fine
    for one booking, quadratic for a planner clearing 20,000 orders in a row (minutes instead of
    a second). This variant appends to its per-recipient lists instead; :meth:`freeze` returns
    the plain immutable :class:`RecipientHistory` with the same records (re-recorded ids
    replaced, as ``record`` does).
    """

    def __init__(self, base: RecipientHistory) -> None:
        object.__setattr__(self, "records", base.records)
        object.__setattr__(self, "_index", {k: list(v) for k, v in base._index.items()})
        object.__setattr__(self, "_added", {})

    def of(self, recipient_id: str, market: str) -> tuple[ImportRecord, ...]:
        return tuple(self._index.get((recipient_id, market), ()))

    def add(self, declaration: Declaration, assessment: DutyAssessment | None = None) -> None:
        """Record one import in place (replacing an earlier record of the same declaration)."""
        entry = _entry(declaration, assessment)
        same = self._index.setdefault((entry.recipient_id, entry.market), [])  # type: ignore[attr-defined]
        same[:] = [r for r in same if r.declaration_id != entry.declaration_id]
        same.append(entry)
        added: dict[str, ImportRecord] = self._added  # type: ignore[attr-defined]
        added.pop(entry.declaration_id, None)
        added[entry.declaration_id] = entry

    def record(
        self, declaration: Declaration, assessment: DutyAssessment | None = None
    ) -> RecipientHistory:
        return self.freeze().record(declaration, assessment)

    def freeze(self) -> RecipientHistory:
        """The immutable history: the base records, then the added ones in recording order."""
        added: dict[str, ImportRecord] = self._added  # type: ignore[attr-defined]
        kept = tuple(r for r in self.records if r.declaration_id not in added)
        return RecipientHistory((*kept, *added.values()))
