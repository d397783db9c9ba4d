"""The shipment state machine: its table, its document, seats freed once, retries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from rocketpost.service.db import Database
from rocketpost.service.errors import ApiError
from rocketpost.service.models import Flight, Shipment
from rocketpost.service.tracking import Status, SubStatus
from rocketpost.service.transitions import (
    TRANSITIONS,
    Move,
    Seat,
    allowed,
    apply,
    created,
    holds_seat,
    lock_shipments,
    mermaid,
    retrying,
    with_diagram,
)

from .conftest import Api, busan, slot_ready_at

DOC = Path(__file__).resolve().parents[2] / "docs" / "shipment-states.md"


def test_the_document_shows_the_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert with_diagram(text) == text, (
        "docs/shipment-states.md disagrees with transitions.TRANSITIONS; regenerate it with "
        "python -m rocketpost.service.transitions --write docs/shipment-states.md"
    )
    assert mermaid() in text


def test_the_diagram_names_every_move_and_state() -> None:
    diagram = mermaid()
    for move in Move:
        assert move.value in diagram, move
    for t in TRANSITIONS:
        if t.target is not None:
            assert f"{t.target[0]} / {t.target[1]}" in diagram


def test_with_diagram_replaces_only_the_block() -> None:
    stale = "# title\n\n```mermaid\nstateDiagram-v2\n    a --> b\n```\n\nafter\n"
    fresh = with_diagram(stale)
    assert fresh.startswith("# title\n\n```mermaid\n") and fresh.endswith("```\n\nafter\n")
    assert "a --> b" not in fresh
    assert with_diagram(fresh) == fresh


@pytest.mark.parametrize(
    ("move", "state", "ok"),
    [
        (Move.CANCEL, ("pre_transit", "booked"), True),
        (Move.CANCEL, ("pre_transit", "customs_hold"), True),
        (Move.CANCEL, ("cancelled", "cancelled"), True),  # the no-op second cancel
        (Move.CANCEL, ("failure", "seized"), False),
        (Move.CANCEL, ("in_transit", "launched"), False),
        (Move.INDUCT_HOLD, ("pre_transit", "customs_hold"), False),
        (Move.CUSTOMS_SEIZED, ("cancelled", "cancelled"), False),
        (Move.CUSTOMS_SEIZED, ("in_transit", "landed"), True),
        (Move.LAUNCH, ("pre_transit", "customs_hold"), False),
        (Move.LAUNCH, ("pre_transit", "rescheduled"), True),
        (Move.LAND, ("pre_transit", "booked"), False),
        (Move.OUT_FOR_DELIVERY, ("in_transit", "landed"), True),
        (Move.OUT_FOR_DELIVERY, ("in_transit", "launched"), False),
        (Move.OUT_FOR_DELIVERY, ("out_for_delivery", "out_for_delivery"), True),  # a repeat
        (Move.DELIVER, ("out_for_delivery", "out_for_delivery"), True),
        (Move.DELIVER, ("in_transit", "landed"), False),
        (Move.DELIVER, ("delivered", "delivered"), True),  # a repeat
        (Move.OUT_FOR_DELIVERY, ("delivered", "delivered"), False),
    ],
)
def test_allowed_moves(move: Move, state: tuple[str, str], ok: bool) -> None:
    assert allowed(move, *state) is ok


def test_every_freeing_move_starts_before_the_flight_leaves() -> None:
    # A seat can only be given back before launch: freeing moves start in pre_transit only.
    for t in TRANSITIONS:
        if t.seat == Seat.FREE:
            assert {status for status, _ in t.sources} == {"pre_transit"}, t
    assert created(Move.BOOK) == (Status.PRE_TRANSIT, SubStatus.BOOKED)
    assert created(Move.BOOK_HELD) == (Status.PRE_TRANSIT, SubStatus.CUSTOMS_HOLD)
    assert holds_seat("pre_transit", 1) and not holds_seat("cancelled", 1)
    assert not holds_seat("pre_transit", None)


def test_a_refused_move_is_a_409_with_its_code() -> None:
    row: Any = type("Row", (), {"status": "failure", "sub_status": "seized", "flight_id": None})()
    with pytest.raises(ApiError) as caught:
        apply(None, row, Move.CANCEL, None)  # type: ignore[arg-type]
    assert (caught.value.status, caught.value.code) == (409, "not_cancellable")
    assert caught.value.extra["state"] == "failure/seized"


def test_a_seat_is_freed_once(api: Api) -> None:
    _, headers = api.merchant()
    booked = api.book(headers, busan(slot_ready_at(), mass_kg=50.0))
    assert booked.status_code == 201, booked.text
    db = Database.connect(api.database_url)
    try:
        with db.write() as session:
            (row,) = lock_shipments(session, Shipment.public_id == booked.json()["id"])
            flight_pk = row.flight_id
            assert flight_pk is not None
            before = session.scalars(select(Flight.booked_g).where(Flight.id == flight_pk)).one()
            apply(session, row, Move.INDUCT_HOLD, row.updated_at)  # held → freed: releases
            assert row.flight_id is None
            apply(session, row, Move.CUSTOMS_SEIZED, row.updated_at)  # freed → freed: nothing
            session.flush()
            after = session.scalars(
                select(Flight.booked_g)
                .where(Flight.id == flight_pk)
                .execution_options(populate_existing=True)
            ).one()
            assert before - after == 50_000
            assert (row.status, row.sub_status) == ("failure", "seized")
            session.rollback()
    finally:
        db.dispose()


class _DeadlockError(Exception):
    sqlstate = "40P01"


def test_retrying_runs_again_then_answers_conflict(api: Api) -> None:
    db = Database.connect(api.database_url)
    calls: list[int] = []

    def flaky(_session: Any) -> str:
        calls.append(1)
        if len(calls) < 3:
            raise DBAPIError("SELECT 1", {}, _DeadlockError())
        return "done"

    def always(_session: Any) -> str:
        raise DBAPIError("SELECT 1", {}, _DeadlockError())

    def other(_session: Any) -> str:
        raise DBAPIError("SELECT 1", {}, ValueError("not a lock error"))

    try:
        assert retrying(db, flaky) == "done" and len(calls) == 3
        with pytest.raises(ApiError) as caught:
            retrying(db, always, attempts=2)
        assert (caught.value.status, caught.value.code) == (409, "conflict")
        with pytest.raises(DBAPIError):
            retrying(db, other)
    finally:
        db.dispose()
