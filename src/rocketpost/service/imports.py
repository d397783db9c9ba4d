"""A recipient's booked imports: the history behind same-day aggregation and annual limits.

Customs does not judge a parcel alone. Korea sums the parcels one person receives on one day
before testing its 150 / 200 USD threshold, the US de minimis (while it applied) was per person
per day, and China caps a person's cross-border retail purchases at 26,000 CNY a year. So a
booking reads the recipient's earlier imports into the same market (from every merchant: the
recipient id is the personal customs identifier) into a
:class:`~rocketpost.customs.RecipientHistory` before it assesses the new parcel.

Aggregation works both ways: when a later parcel lifts the day's total over the threshold, the
earlier ones lose their relief too, as customs would charge them. Their duties are re-assessed
in the same transaction, stored, and announced with a ``customs_reassessed`` event (and webhook),
so the merchant learns the new amount before the parcel lands. A cancellation re-assesses the
day the other way.

Concurrency: the read and the write happen in the booking's transaction, with the recipient
locked — SQLite bookings already run one at a time; on PostgreSQL a transaction-scoped advisory
lock keyed by (market, recipient) makes two concurrent bookings for one person queue instead of
each missing the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Date, Table, and_, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from rocketpost.customs import (
    Clearance,
    Declaration,
    DutyAssessment,
    ImportRecord,
    RecipientHistory,
    assess_duties,
    rules_for,
)
from rocketpost.service.db import advisory_lock
from rocketpost.service.models import CustomsImport, Merchant, Shipment
from rocketpost.service.tracking import EventWriter, Status, SubStatus

__all__ = [
    "StoredImports",
    "aggregates_same_day",
    "booking_context",
    "duties_out",
    "forget_import",
    "lock_recipient",
    "reassess_day",
    "recipient_imports",
    "record_import",
]

_IMPORTS = cast(Table, CustomsImport.__table__)
_SHIPMENTS = cast(Table, Shipment.__table__)
_IMPORT_INSERT = insert(_IMPORTS)


def _dec(value: Any) -> str | None:
    return None if value is None else format(value, "f")


def duties_out(d: DutyAssessment) -> dict[str, Any]:
    """JSON form of a duty assessment (``CustomsOut.duties``)."""
    return {
        "currency": d.currency,
        "total": _dec(d.total),
        "due_at_import": _dec(d.due_at_import),
        "collected_at_sale": _dec(d.collected_at_sale),
        "regime": d.regime,
        "import_date": d.import_date.isoformat(),
        "de_minimis": None
        if d.de_minimis is None
        else {
            "rule_id": d.de_minimis.rule_id,
            "threshold": _dec(d.de_minimis.threshold),
            "currency": d.de_minimis.currency,
            "consignment_value": _dec(d.de_minimis.consignment_value),
            "aggregated_value": _dec(d.de_minimis.aggregated_value),
            "aggregated_with": list(d.de_minimis.aggregated_with),
            "relieved": d.de_minimis.relieved,
            "reason": d.de_minimis.reason,
        },
        "amounts": [
            {
                "line_index": a.line_index,
                "tax": a.tax,
                "name": a.name,
                "base": _dec(a.base),
                "rate": _dec(a.rate),
                "amount": _dec(a.amount),
                "rule_id": a.rule_id,
                "note": a.note,
                "collected_at": a.collected_at,
            }
            for a in d.amounts
        ],
    }


def lock_recipient(session: Session, market: str, recipient_id: str) -> None:
    """Serialise bookings for one recipient in one market until the transaction ends."""
    advisory_lock(session, f"{market}\x1f{recipient_id}")


@dataclass(frozen=True)
class StoredImports:
    """A recipient's imports into one market in one calendar year, as stored.

    ``history`` is what :func:`~rocketpost.customs.assess_duties` reads; ``declarations`` and
    ``shipments`` (by declaration id) are what a re-assessment needs.
    """

    history: RecipientHistory
    declarations: dict[str, dict[str, Any]]
    shipments: dict[str, int]


# Built once with bind parameters: per booking only the parameters change.
_OF_RECIPIENT = (
    _IMPORTS.c.market == bindparam("market"),
    _IMPORTS.c.recipient_id == bindparam("recipient_id"),
    _IMPORTS.c.import_date >= bindparam("year_start", type_=Date()),
    _IMPORTS.c.import_date <= bindparam("year_end", type_=Date()),
)
# Booking order: China's annual limit is first come, first served.
_RECIPIENT_IMPORTS = select(_IMPORTS).where(*_OF_RECIPIENT).order_by(_IMPORTS.c.id)
_MERCHANTS = cast(Table, Merchant.__table__)
# What a booking needs to know, in one round trip: the merchant's customs record (always one
# row, thanks to the outer join) and the recipient's imports of the year.
_BOOKING_CONTEXT = (
    select(
        _MERCHANTS.c.customs_inspections,
        _MERCHANTS.c.customs_seizures,
        *[c.label(f"i_{c.name}") for c in _IMPORTS.c],
    )
    .select_from(_MERCHANTS.outerjoin(_IMPORTS, and_(*_OF_RECIPIENT)))
    .where(_MERCHANTS.c.id == bindparam("merchant_id"))
    .order_by(_IMPORTS.c.id)
)


def _params(market: str, recipient_id: str, on: date) -> dict[str, Any]:
    return {
        "market": market,
        "recipient_id": recipient_id,
        "year_start": date(on.year, 1, 1),
        "year_end": date(on.year, 12, 31),
    }


def recipient_imports(session: Session, market: str, recipient_id: str, on: date) -> StoredImports:
    """The recipient's imports into ``market`` in the year of ``on`` (covers the day too)."""
    return _stored(session.execute(_RECIPIENT_IMPORTS, _params(market, recipient_id, on)).all())


def booking_context(
    session: Session, merchant_pk: int, market: str, recipient_id: str, on: date
) -> tuple[StoredImports, tuple[int, int]]:
    """:func:`recipient_imports` and the merchant's ``(inspections, seizures)``, in one query."""
    rows = session.execute(
        _BOOKING_CONTEXT, {**_params(market, recipient_id, on), "merchant_id": merchant_pk}
    ).all()
    record = (int(rows[0].customs_inspections), int(rows[0].customs_seizures))
    imports = [
        SimpleNamespace(**{c.name: getattr(r, f"i_{c.name}") for c in _IMPORTS.c})
        for r in rows
        if r.i_id is not None
    ]
    return _stored(imports), record


def _stored(rows: Sequence[Any]) -> StoredImports:
    records = tuple(
        ImportRecord(
            declaration_id=r.declaration_id,
            recipient_id=r.recipient_id,
            market=r.market,
            import_date=r.import_date,
            customs_value=r.customs_value,
            currency=r.currency,
            value_usd=r.value_usd,
            regime=r.regime,
        )
        for r in rows
    )
    return StoredImports(
        history=RecipientHistory(records),
        declarations={r.declaration_id: r.declaration for r in rows},
        shipments={r.declaration_id: r.shipment_id for r in rows},
    )


def record_import(session: Session, shipment_pk: int, clearance: Clearance, now: datetime) -> None:
    """Store a booked parcel's declaration as an import of its recipient."""
    declaration, duties = clearance.declaration, clearance.duties
    if declaration is None or duties is None:
        return
    session.execute(
        _IMPORT_INSERT,
        {
            "shipment_id": shipment_pk,
            "declaration_id": declaration.declaration_id,
            "recipient_id": declaration.consignee.recipient_id,
            "market": declaration.market,
            "import_date": declaration.import_date,
            "customs_value": format(declaration.customs_value, "f"),
            "currency": declaration.currency,
            "value_usd": format(declaration.value_usd, "f"),
            "regime": duties.regime,
            "declaration": declaration.to_dict(),
            "created_at": now,
        },
    )


def forget_import(session: Session, shipment_pk: int) -> Declaration | None:
    """Delete a cancelled shipment's import (under its recipient's lock); returns the
    declaration, ``None`` when it had none."""
    row = session.execute(
        select(_IMPORTS.c.market, _IMPORTS.c.recipient_id, _IMPORTS.c.declaration).where(
            _IMPORTS.c.shipment_id == shipment_pk
        )
    ).first()
    if row is None:
        return None
    lock_recipient(session, row.market, row.recipient_id)
    session.execute(delete(_IMPORTS).where(_IMPORTS.c.shipment_id == shipment_pk))
    return Declaration.from_dict(row.declaration)


def aggregates_same_day(declaration: Declaration) -> bool:
    """Whether the market sums a recipient's same-day parcels on the declaration's import date."""
    rule = rules_for(
        declaration.destination_country,
        declaration.import_date,
        origin=declaration.origin_country,
    ).de_minimis
    return rule is not None and rule.aggregation == "same_recipient_same_day"


def reassess_day(
    session: Session,
    declaration: Declaration,
    *,
    now: datetime,
    cause: str,
) -> list[str]:
    """Re-assess the recipient's other parcels of ``declaration``'s import day.

    Call it after the day changed (a parcel booked or cancelled). Only markets that sum a
    recipient's day are touched (China's annual limit is first come, first served: a later
    parcel never changes an earlier one). Each other parcel of the day is assessed against the
    day as it now stands and its stored duties replaced; where the amount due changed, a
    ``customs_reassessed`` event tells the merchant. Returns the public ids of those shipments.
    """
    if not aggregates_same_day(declaration):
        return []
    stored = recipient_imports(
        session, declaration.market, declaration.consignee.recipient_id, declaration.import_date
    )
    same_day = [
        r
        for r in stored.history.records
        if r.import_date == declaration.import_date
        and r.declaration_id != declaration.declaration_id
    ]
    if not same_day:
        return []
    pks = [stored.shipments[r.declaration_id] for r in same_day]
    rows = {
        row.id: row
        for row in session.execute(
            select(
                _SHIPMENTS.c.id,
                _SHIPMENTS.c.public_id,
                _SHIPMENTS.c.tracking_number,
                _SHIPMENTS.c.reference,
                _SHIPMENTS.c.merchant_id,
                _SHIPMENTS.c.status,
                _SHIPMENTS.c.customs,
                _SHIPMENTS.c.flight_public_id,
            ).where(_SHIPMENTS.c.id.in_(pks))
        )
    }
    writer = EventWriter(session)
    changed = []
    for record, pk in zip(same_day, pks, strict=True):
        row = rows[pk]
        earlier = Declaration.from_dict(stored.declarations[record.declaration_id])
        duties = duties_out(assess_duties(earlier, history=stored.history))
        customs = dict(row.customs or {})
        before = customs.get("duties") or {}
        if before == duties:
            continue
        customs["duties"] = duties
        session.execute(
            update(_SHIPMENTS).where(_SHIPMENTS.c.id == pk).values(customs=customs, updated_at=now)
        )
        if (before.get("total"), before.get("due_at_import")) == (
            duties["total"],
            duties["due_at_import"],
        ):
            continue  # only the list of parcels summed with it changed
        writer.emit_for(
            row,
            Status(row.status),
            SubStatus.CUSTOMS_REASSESSED,
            f"duties re-assessed ({cause}): {before.get('total')} → {duties['total']} "
            f"{duties['currency']}",
            occurred_at=now,
        )
        changed.append(row.public_id)
    return changed
