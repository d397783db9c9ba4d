"""The shipment state machine: one table of allowed moves, one function that makes them.

Every change of a shipment's ``(status, sub_status)`` — booking, cancellation, the customs hold
of an induction, a customs outcome, a scrub's re-booking or downgrade, launch and landing — is a
row of :data:`TRANSITIONS` and is made by :func:`apply` on a row locked by
:func:`lock_shipments`. The table also says what happens to the shipment's seat on its flight,
and :func:`apply` moves capacity from that alone: a seat is released exactly when a shipment
that holds one (``pre_transit`` with a flight) moves to a state that frees it. Because the row
is locked and read afresh first, of two concurrent freeing moves only the first one releases;
the second sees the state the first left and is either a no-op or a 409.

Locks are taken in one order everywhere, so that concurrent transactions queue instead of
deadlocking: the recipient's advisory lock (:func:`rocketpost.service.imports.lock_recipient`),
then shipment rows in id order (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite writers are
serialised by :meth:`rocketpost.service.db.Database.write`), then flight rows (the capacity
statements of :mod:`rocketpost.service.capacity`). Orders that cannot be kept (a re-assessment
touching a recipient's other parcels) are covered by :func:`retrying`: a deadlock or
serialization failure re-runs the whole transaction a few times, then answers 409 ``conflict``
— never a 500.

:func:`mermaid` renders the table as the state diagram of ``docs/shipment-states.md``; a test
checks that the document and the table agree.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from rocketpost.service.capacity import release
from rocketpost.service.db import Database
from rocketpost.service.errors import ApiError
from rocketpost.service.models import Flight, Shipment
from rocketpost.service.tracking import Status, SubStatus

__all__ = [
    "ANY",
    "TRANSITIONS",
    "Move",
    "Seat",
    "Transition",
    "allowed",
    "apply",
    "created",
    "holds_seat",
    "lock_shipments",
    "mermaid",
    "retrying",
    "with_diagram",
]

T = TypeVar("T")

ANY = "*"
"""A sub-status wildcard in a source state: any sub-status of that status."""

_CREATED = ("[*]", "")  # the diagram's initial pseudo-state: the shipment does not exist yet

State = tuple[str, str]


class Move(StrEnum):
    """The state-changing requests (and the flight events that move many shipments)."""

    BOOK = "book"
    BOOK_HELD = "book_held"
    CANCEL = "cancel"
    INDUCT = "induct"
    INDUCT_HOLD = "induct_hold"
    CUSTOMS_CLEARED = "customs_cleared"
    CUSTOMS_SEIZED = "customs_seized"
    SCRUB_RESCHEDULE = "scrub_reschedule"
    SCRUB_DOWNGRADE = "scrub_downgrade"
    LAUNCH = "launch"
    LAND = "land"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVER = "deliver"


class Seat(StrEnum):
    """What a move does to the shipment's seat on its flight."""

    KEEP = "keep"
    """No change: a held seat stays held, no seat stays none."""
    TAKE = "take"
    """Booking: the seat was reserved (``capacity.reserve``) in the same transaction."""
    FREE = "free"
    """Released once (``capacity.release``) if the shipment held one; nothing otherwise."""
    MOVE = "move"
    """Scrub: the seat moves to a later wave (reserved there) or is given up; the scrubbed
    flight is emptied as a whole."""
    BOARD = "board"
    """Launch: the seat is used; the flight's load stays as flown."""


@dataclass(frozen=True)
class Transition:
    """One allowed move: from any of ``sources`` by ``move`` to ``target``.

    ``target`` ``None`` keeps the shipment's state (an event is recorded, nothing moves);
    ``detach`` also clears the shipment's flight (``flight: null``) when its seat is freed.
    """

    move: Move
    sources: tuple[State, ...]
    target: State | None
    seat: Seat
    detach: bool = False
    refused: str = "invalid_transition"
    """The 409 code when the shipment is in no source state."""

    def allows(self, status: str, sub_status: str) -> bool:
        """Whether a shipment in ``(status, sub_status)`` may make this move."""
        return any(s == status and b in (ANY, sub_status) for s, b in self.sources)


_PRE, _IN = Status.PRE_TRANSIT.value, Status.IN_TRANSIT.value
_OUT = Status.OUT_FOR_DELIVERY.value
_ON_FLIGHT: tuple[State, ...] = (
    (_PRE, SubStatus.BOOKED.value),
    (_PRE, SubStatus.CUSTOMS_CLEARED.value),
    (_PRE, SubStatus.RESCHEDULED.value),
)
"""Where a shipment with a seat can be when its flight launches or is scrubbed."""

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Move.BOOK, (_CREATED,), (_PRE, SubStatus.BOOKED.value), Seat.TAKE),
    Transition(Move.BOOK_HELD, (_CREATED,), (_PRE, SubStatus.CUSTOMS_HOLD.value), Seat.KEEP),
    Transition(
        Move.CANCEL,
        ((_PRE, ANY),),
        (Status.CANCELLED.value, SubStatus.CANCELLED.value),
        Seat.FREE,
        refused="not_cancellable",
    ),
    Transition(
        Move.CANCEL,
        ((Status.CANCELLED.value, SubStatus.CANCELLED.value),),
        None,
        Seat.KEEP,
        refused="not_cancellable",
    ),
    Transition(Move.INDUCT, ((_PRE, ANY),), None, Seat.KEEP, refused="not_inducible"),
    Transition(
        Move.INDUCT_HOLD,
        (
            (_PRE, SubStatus.BOOKED.value),
            (_PRE, SubStatus.CUSTOMS_CLEARED.value),
            (_PRE, SubStatus.RESCHEDULED.value),
            (_PRE, SubStatus.DOWNGRADED_TO_STANDARD.value),
        ),
        (_PRE, SubStatus.CUSTOMS_HOLD.value),
        Seat.FREE,
        detach=True,
        refused="not_inducible",
    ),
    Transition(
        Move.CUSTOMS_CLEARED,
        ((_PRE, SubStatus.CUSTOMS_HOLD.value),),
        (_PRE, SubStatus.CUSTOMS_CLEARED.value),
        Seat.KEEP,
        refused="not_inspectable",
    ),
    Transition(
        Move.CUSTOMS_CLEARED,
        (
            (_PRE, SubStatus.BOOKED.value),
            (_PRE, SubStatus.CUSTOMS_CLEARED.value),
            (_PRE, SubStatus.RESCHEDULED.value),
            (_PRE, SubStatus.DOWNGRADED_TO_STANDARD.value),
            (_IN, ANY),
        ),
        None,
        Seat.KEEP,
        refused="not_inspectable",
    ),
    Transition(
        Move.CUSTOMS_SEIZED,
        ((_PRE, ANY),),
        (Status.FAILURE.value, SubStatus.SEIZED.value),
        Seat.FREE,
        detach=True,
        refused="not_inspectable",
    ),
    Transition(
        Move.CUSTOMS_SEIZED,
        ((_IN, ANY),),
        (Status.FAILURE.value, SubStatus.SEIZED.value),
        Seat.KEEP,
        refused="not_inspectable",
    ),
    Transition(Move.SCRUB_RESCHEDULE, _ON_FLIGHT, (_PRE, SubStatus.RESCHEDULED.value), Seat.MOVE),
    Transition(
        Move.SCRUB_DOWNGRADE,
        _ON_FLIGHT,
        (_PRE, SubStatus.DOWNGRADED_TO_STANDARD.value),
        Seat.MOVE,
        detach=True,
    ),
    Transition(Move.LAUNCH, _ON_FLIGHT, (_IN, SubStatus.LAUNCHED.value), Seat.BOARD),
    Transition(
        Move.LAND, ((_IN, SubStatus.LAUNCHED.value),), (_IN, SubStatus.LANDED.value), Seat.KEEP
    ),
    Transition(
        Move.OUT_FOR_DELIVERY,
        ((_IN, SubStatus.LANDED.value),),
        (_OUT, SubStatus.OUT_FOR_DELIVERY.value),
        Seat.KEEP,
    ),
    Transition(Move.OUT_FOR_DELIVERY, ((_OUT, SubStatus.OUT_FOR_DELIVERY.value),), None, Seat.KEEP),
    Transition(
        Move.DELIVER,
        ((_OUT, SubStatus.OUT_FOR_DELIVERY.value),),
        (Status.DELIVERED.value, SubStatus.DELIVERED.value),
        Seat.KEEP,
    ),
    Transition(
        Move.DELIVER, ((Status.DELIVERED.value, SubStatus.DELIVERED.value),), None, Seat.KEEP
    ),
)
"""The whole state machine, first match wins. A move absent from a state is refused with 409
(the row's ``refused`` code). Cancelling a cancelled shipment is allowed and changes nothing
(the first cancel's answer again). The last mile is idempotent the same way: a second
``out_for_delivery`` or ``delivered`` for a shipment already there changes nothing and records no
second event."""


def holds_seat(status: str, flight_pk: int | None) -> bool:
    """Whether a shipment holds capacity that can still be given back: it has a flight and has
    not left (a launched flight's load stays as flown)."""
    return status == _PRE and flight_pk is not None


def _transition(move: Move, status: str, sub_status: str) -> Transition:
    rows = [t for t in TRANSITIONS if t.move == move]
    for t in rows:
        if t.allows(status, sub_status):
            return t
    raise ApiError(
        409,
        rows[0].refused,
        f"shipment is {status}/{sub_status}: {move.value} is not allowed",
        state=f"{status}/{sub_status}",
    )


def allowed(move: Move, status: str, sub_status: str) -> bool:
    """Whether ``move`` is allowed from ``(status, sub_status)`` (no error)."""
    return any(t.allows(status, sub_status) for t in TRANSITIONS if t.move == move)


def created(move: Move) -> tuple[Status, SubStatus]:
    """The state a booking writes: the target of ``move``, which must start a shipment."""
    (t,) = [t for t in TRANSITIONS if t.move == move and _CREATED in t.sources]
    assert t.target is not None
    return Status(t.target[0]), SubStatus(t.target[1])


def lock_shipments(session: Session, where: object, *, order_by_id: bool = True) -> list[Shipment]:
    """The shipments matching ``where``, locked for this transaction, read afresh, in id order.

    ``SELECT … FOR UPDATE`` on PostgreSQL (SQLAlchemy renders nothing on SQLite, whose writers
    run one at a time); ``populate_existing`` replaces any stale copy the session holds, so the
    state checked is the state committed by whoever held the lock before.
    """
    query = select(Shipment).where(where).with_for_update()  # type: ignore[arg-type]
    if order_by_id:
        query = query.order_by(Shipment.id)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def apply(session: Session, row: Shipment, move: Move, now: datetime) -> Transition:
    """Make ``move`` on a locked shipment: check it, write the new state, move its capacity.

    Returns the transition made (its ``target`` ``None``: the state is unchanged).

    Raises
    ------
    ApiError
        409 with the move's code when the shipment's state does not allow it, or when its seat
        cannot be given back (its flight is no longer scheduled).
    """
    t = _transition(move, row.status, row.sub_status)
    if t.seat == Seat.FREE and holds_seat(row.status, row.flight_id):
        assert row.flight_id is not None
        if not release(session, row.flight_id, row.mass_g, row.volume_cm3, now):
            raise ApiError(409, t.refused, "its flight is no longer scheduled")
        if t.detach:
            row.flight_id = row.flight_public_id = row.launch_at = None
    elif t.seat == Seat.MOVE and t.detach:
        row.flight_id = row.flight_public_id = row.launch_at = None
    if t.target is not None:
        row.status, row.sub_status = t.target
        row.updated_at = now
        _touch_flight(session, row.flight_id, now)
    return t


def _touch_flight(session: Session, flight_pk: int | None, now: datetime) -> None:
    """Move the version (``updated_at``) of the shipment's flight, once per transaction: the
    control room's per-flight KPI tallies (:mod:`rocketpost.service.kpitally`) are counted
    again exactly when their flight's version moves."""
    if flight_pk is None:
        return
    touched: set[int] = session.info.setdefault("touched_flights", set())
    if flight_pk in touched:
        return
    touched.add(flight_pk)
    session.execute(update(Flight).where(Flight.id == flight_pk).values(updated_at=now))


# --- retries ---------------------------------------------------------------------------------

_RETRYABLE = {"40001", "40P01"}  # serialization_failure, deadlock_detected
ATTEMPTS = 5


_FLIGHT_ID_UNIQUE = "flights_public_id_key"
"""A flight's public id is unique as well as its (origin, destination, launch) key. PostgreSQL's
``ON CONFLICT`` arbitrates only on the latter, so two bookings creating the same flight at once
can trip the public id's index first (a unique violation, not the update path); run again, the
capacity upsert finds the flight and takes the update path."""


def _retryable(error: DBAPIError) -> bool:
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if code in _RETRYABLE:
        return True
    constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    return code == "23505" and constraint == _FLIGHT_ID_UNIQUE


def retrying(db: Database, work: Callable[[Session], T], *, attempts: int = ATTEMPTS) -> T:
    """Run ``work`` in a write transaction, again on a deadlock or serialization failure.

    The loser of a lock cycle is rolled back by PostgreSQL; running it again after a short
    random pause lets it see the winner's committed state (and usually be refused with the
    transition's own 409). After ``attempts`` tries it is a 409 ``conflict``.
    """
    for attempt in range(attempts):
        try:
            with db.write() as session:
                return work(session)
        except DBAPIError as error:
            if not _retryable(error):
                raise
            time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))
    raise ApiError(409, "conflict", "the shipment changed concurrently; retry the request")


# --- the diagram -----------------------------------------------------------------------------


def _node(state: State) -> str:
    return "[*]" if state == _CREATED else f"{state[0]}__{state[1]}"


def _expand(sources: Iterable[State]) -> list[State]:
    """Sources with wildcards spelt out over the states the table names."""
    named = sorted(
        {s for t in TRANSITIONS for s in (*t.sources, t.target or _CREATED)}
        - {_CREATED}
        - {(s, ANY) for s in (_PRE, _IN)}
    )
    out: list[State] = []
    for status, sub in sources:
        if sub == ANY:
            out.extend(s for s in named if s[0] == status)
        else:
            out.append((status, sub))
    return out


def mermaid() -> str:
    """The table as a Mermaid ``stateDiagram-v2`` block (each edge labelled with its moves
    and seat effect; self-loops are moves that record an event and keep the state)."""
    edges: dict[tuple[str, str], list[str]] = {}
    for t in TRANSITIONS:
        for source in _expand(t.sources):
            target = t.target or source
            label = t.move.value if t.seat == Seat.KEEP else f"{t.move.value} ({t.seat.value})"
            labels = edges.setdefault((_node(source), _node(target)), [])
            if label not in labels:
                labels.append(label)
    lines = ["```mermaid", "stateDiagram-v2"]
    nodes = sorted({n for edge in edges for n in edge} - {"[*]"})
    for node in nodes:
        lines.append(f'    state "{node.replace("__", " / ")}" as {node}')
    for (a, b), labels in sorted(edges.items()):
        lines.append(f"    {a} --> {b} : {', '.join(labels)}")
    lines.append("```")
    return "\n".join(lines) + "\n"


def with_diagram(document: str) -> str:
    """``document`` with its Mermaid block replaced by :func:`mermaid` (appended if none)."""
    start = document.find("```mermaid")
    if start < 0:
        return document.rstrip("\n") + "\n\n" + mermaid()
    end = document.index("```\n", start + len("```mermaid")) + len("```\n")
    return document[:start] + mermaid() + document[end:]


if __name__ == "__main__":  # python -m rocketpost.service.transitions [--write FILE]
    import sys
    from pathlib import Path

    if sys.argv[1:2] == ["--write"] and len(sys.argv) == 3:
        path = Path(sys.argv[2])
        path.write_text(with_diagram(path.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.stdout.write(mermaid())
