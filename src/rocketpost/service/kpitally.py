"""The day's shipment KPIs without scanning the day's shipments on every poll.

A control room polls its KPIs every few seconds while a million shipments sit in the database;
aggregating all of them each time costs ~0.5 µs a row in SQLite (half a second) — more than
the page's 200 ms for an update. Every change that moves a KPI also touches the shipment's
flight row (booking, cancellation, hold and scrub move its capacity; launch, landing and scrub
change its status; a last-mile event and a plan run touch it on purpose), so a flight's
``updated_at`` is a version of its shipments (:func:`rocketpost.service.transitions.apply` moves
it for the one change that would not otherwise touch the flight: customs on a shipment already
aboard). :class:`TallyCache` keeps, per flight, a tally of its shipments computed by SQL (grouped
by KPI class and promise minute) and recomputes only the flights whose version changed since.
The tallies are kept in the database too (``flight_tallies``, stamped with the version they
count), so a freshly started server reads them back instead of counting the day again: the
first page load after a restart costs what any other does.

The time-dependent KPIs are answered from the tallies at any instant: a shipment not yet
delivered is *late* once its promise minute has fully passed (so ``late`` may lag the promise
by up to a minute), *at risk* before that when the plan's hand-over is after the promise or its
flight is still on the ground after its launch time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from rocketpost.service.db import Database
from rocketpost.service.models import FlightTally, Shipment
from rocketpost.service.tracking import Status, SubStatus

__all__ = ["DayTally", "TallyCache", "tally_cache"]

KEPT, DELIVERED_LATE, OPEN_PLANNED_LATE, OPEN_GROUND, OPEN, CLOSED = range(6)
"""KPI classes of a shipment (first match): delivered by its promise; delivered after it; not
delivered with the plan's hand-over after the promise; not delivered, still before launch; not
delivered otherwise; failed (seized)."""

MARKER = -1
"""``kind`` of a stored tally's marker row (counts 0): present even when the flight is empty."""

_OPEN = (Status.PRE_TRANSIT.value, Status.IN_TRANSIT.value, Status.OUT_FOR_DELIVERY.value)
_BATCH = 200  # flights per tally query


def _class_column() -> Any:
    s = Shipment
    return case(
        (
            (s.status == Status.DELIVERED.value) & (s.delivered_at <= s.promised_delivery_at),
            KEPT,
        ),
        (s.status == Status.DELIVERED.value, DELIVERED_LATE),
        (
            s.status.in_(_OPEN) & (s.planned_delivery_at > s.promised_delivery_at),
            OPEN_PLANNED_LATE,
        ),
        (s.status == Status.PRE_TRANSIT.value, OPEN_GROUND),
        (s.status.in_(_OPEN), OPEN),
        else_=CLOSED,
    )


def _minute_column(sqlite: bool) -> Any:
    """The promise's minute: SQLite's stored text up to the minute (``strftime`` per row
    costs more than the rest of the tally), PostgreSQL's ``date_trunc``."""
    promised = Shipment.promised_delivery_at
    if sqlite:
        return func.substr(promised, 1, 16)
    return func.date_trunc("minute", promised)


def _minute_number(value: Any) -> int:
    """Minutes since the epoch of a :func:`_minute_column` value."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return int(value.timestamp() // 60)


@dataclass(frozen=True, eq=False)
class _Tally:
    """One flight's shipments: counts per (class, promise minute)."""

    kind: NDArray[np.int64]
    minute: NDArray[np.int64]
    count: NDArray[np.int64]
    one_hour: NDArray[np.int64]
    in_air: NDArray[np.int64]
    version: datetime


@dataclass(frozen=True)
class DayTally:
    """The day's shipment KPIs at one instant (see the module doc)."""

    shipments: int
    one_hour: int
    delivered: int
    promises_kept: int
    late: int
    at_risk: int
    in_the_air: int


class TallyCache:
    """Per-flight tallies of one database, refreshed by flight version, kept in memory and in
    ``flight_tallies`` (thread-safe)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._tallies: dict[int, _Tally] = {}
        self._lock = threading.Lock()
        self._generation = 0  # bumped whenever a tally is replaced
        self._joined: tuple[tuple[int, tuple[int, ...]], tuple[NDArray[np.int64], ...]] | None = (
            None
        )

    def _refresh(self, session: Session, versions: dict[int, datetime]) -> None:
        with self._lock:
            stale = [
                pk
                for pk, version in versions.items()
                if (t := self._tallies.get(pk)) is None or t.version != version
            ]
        if not stale:
            return
        fresh = self._stored(session, stale, versions)
        counted = self._count(session, [pk for pk in stale if pk not in fresh])
        if counted:
            self._store(counted, versions)
            fresh.update(counted)
        with self._lock:
            self._generation += 1
            for pk, rows_of in fresh.items():
                arr = np.array(rows_of, dtype=np.int64).reshape(-1, 5)
                self._tallies[pk] = _Tally(
                    kind=arr[:, 0],
                    minute=arr[:, 1],
                    count=arr[:, 2],
                    one_hour=arr[:, 3],
                    in_air=arr[:, 4],
                    version=versions[pk],
                )

    @staticmethod
    def _stored(
        session: Session, pks: list[int], versions: dict[int, datetime]
    ) -> dict[int, list[tuple[int, int, int, int, int]]]:
        """The stored tallies of ``pks`` that count the flight's current version."""
        t = FlightTally
        found: dict[int, list[tuple[int, int, int, int, int]]] = {}
        current: dict[int, bool] = {}
        for start in range(0, len(pks), _BATCH):
            rows = session.execute(
                select(
                    t.flight_id,
                    t.kind,
                    t.promise_minute,
                    t.shipments,
                    t.one_hour,
                    t.in_air,
                    t.version,
                ).where(t.flight_id.in_(pks[start : start + _BATCH]))
            ).all()
            for pk, k, m, n, h, a, version in rows:
                ok = current.get(pk, True) and version == versions[pk]
                current[pk] = ok
                if k == MARKER:
                    found.setdefault(pk, [])
                else:
                    found.setdefault(pk, []).append((k, m, n, h, a))
        return {pk: rows_of for pk, rows_of in found.items() if current.get(pk)}

    def _count(
        self, session: Session, pks: list[int]
    ) -> dict[int, list[tuple[int, int, int, int, int]]]:
        """Tallies of ``pks`` counted from their shipments (one grouped query per batch)."""
        kind, minute = _class_column(), _minute_column(self.db.is_sqlite)
        one_hour = func.sum(case((Shipment.service == "one_hour", 1), else_=0))
        in_air = func.sum(
            case(
                (
                    (Shipment.status == Status.IN_TRANSIT.value)
                    & (Shipment.sub_status == SubStatus.LAUNCHED.value),
                    1,
                ),
                else_=0,
            )
        )
        fresh: dict[int, list[tuple[int, int, int, int, int]]] = {pk: [] for pk in pks}
        for start in range(0, len(pks), _BATCH):
            batch = pks[start : start + _BATCH]
            rows = session.execute(
                select(Shipment.flight_id, kind, minute, func.count(), one_hour, in_air)
                .where(Shipment.flight_id.in_(batch), Shipment.status != Status.CANCELLED.value)
                .group_by(Shipment.flight_id, kind, minute)
            ).all()
            minutes: dict[Any, int] = {}
            for pk, k, m, n, h, a in rows:
                number = minutes.get(m)
                if number is None:
                    number = minutes[m] = _minute_number(m)
                fresh[pk].append((int(k), number, int(n), int(h or 0), int(a or 0)))
        return fresh

    def _store(
        self,
        counted: dict[int, list[tuple[int, int, int, int, int]]],
        versions: dict[int, datetime],
    ) -> None:
        """Keep ``counted`` in ``flight_tallies``, in a write transaction of its own (a
        concurrent reader that stored the same flight first wins, and this read goes on)."""
        values = [
            {
                "flight_id": pk,
                "kind": k,
                "promise_minute": m,
                "shipments": n,
                "one_hour": h,
                "in_air": a,
                "version": versions[pk],
            }
            for pk, rows_of in counted.items()
            for k, m, n, h, a in [(MARKER, 0, 0, 0, 0), *rows_of]
        ]
        pks = list(counted)
        try:
            with self.db.write() as session:
                for start in range(0, len(pks), _BATCH):
                    batch = pks[start : start + _BATCH]
                    session.execute(delete(FlightTally).where(FlightTally.flight_id.in_(batch)))
                session.execute(insert(FlightTally), values)
        except DBAPIError:  # a concurrent store of the same flights: theirs is as good
            pass

    def _rows(self, pks: list[int]) -> tuple[NDArray[np.int64], ...]:
        """The tallies of ``pks`` as one set of columns, with each row's flight position
        (joined again only when a tally changed: a quiet poll reuses the last join)."""
        with self._lock:
            key = (self._generation, tuple(pks))
            if self._joined is not None and self._joined[0] == key:
                return self._joined[1]
            tallies = [self._tallies[pk] for pk in pks]
        joined = self._join(tallies)
        with self._lock:
            self._joined = (key, joined)
        return joined

    @staticmethod
    def _join(tallies: list[_Tally]) -> tuple[NDArray[np.int64], ...]:
        sizes = np.array([len(t.kind) for t in tallies], dtype=np.int64)
        where = np.repeat(np.arange(len(tallies), dtype=np.int64), sizes)
        if not tallies:
            empty = np.zeros(0, dtype=np.int64)
            return where, empty, empty, empty, empty, empty
        columns = (
            np.concatenate([getattr(t, name) for t in tallies])
            for name in ("kind", "minute", "count", "one_hour", "in_air")
        )
        return (where, *columns)

    def counts(self, session: Session, versions: dict[int, datetime]) -> dict[int, int]:
        """Shipments (not cancelled) on each flight of ``versions`` (``pk -> updated_at``)."""
        self._refresh(session, versions)
        with self._lock:
            return {pk: int(self._tallies[pk].count.sum()) for pk in versions}

    def day(
        self,
        session: Session,
        flights: list[tuple[int, datetime, str, datetime]],
        at: datetime,
    ) -> DayTally:
        """The KPIs at ``at`` of ``flights`` — ``(pk, updated_at, status, launch_at)`` rows,
        read *before* this call so that a change committed meanwhile is seen next time."""
        self._refresh(session, {pk: version for pk, version, _, _ in flights})
        where, kind, minute, count, one_hour, in_air = self._rows([f[0] for f in flights])
        grounded = np.array(
            [status == "scheduled" and launch_at < at for _, _, status, launch_at in flights],
            dtype=bool,
        )
        past = minute < int(at.timestamp() // 60)  # minutes before this one have fully passed
        is_open = (kind == OPEN_PLANNED_LATE) | (kind == OPEN_GROUND) | (kind == OPEN)
        waiting = (kind == OPEN_GROUND) & grounded[where] if len(where) else kind < 0
        risk = ~past & ((kind == OPEN_PLANNED_LATE) | waiting)
        return DayTally(
            shipments=int(count.sum()),
            one_hour=int(one_hour.sum()),
            delivered=int(count[(kind == KEPT) | (kind == DELIVERED_LATE)].sum()),
            promises_kept=int(count[kind == KEPT].sum()),
            late=int(count[kind == DELIVERED_LATE].sum() + count[is_open & past].sum()),
            at_risk=int(count[risk].sum()),
            in_the_air=int(in_air.sum()),
        )


_CACHES: dict[str, TallyCache] = {}
_CACHES_LOCK = threading.Lock()


def tally_cache(db: Database) -> TallyCache:
    """This process's cache for ``db``'s URL (one per database, shared by requests)."""
    with _CACHES_LOCK:
        cache = _CACHES.get(db.url)
        if cache is None:
            cache = _CACHES[db.url] = TallyCache(db)
        return cache
