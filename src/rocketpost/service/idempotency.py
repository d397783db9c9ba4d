"""Idempotent bookings: a retried ``POST /v1/shipments`` gets the original answer, never a twin.

``(merchant, Idempotency-Key)`` is a primary key holding a hash of the validated request and the
response. A replay with the same hash returns the stored response; another body is a 409. Two
concurrent first attempts race on the primary key: the loser's transaction (and its capacity)
rolls back and it answers with the winner's stored response. The record is written in the
booking's own transaction, so an answered 201 is exactly a committed booking.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from pydantic import BaseModel
from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session

from rocketpost.service import schemas
from rocketpost.service.db import Database
from rocketpost.service.errors import ApiError
from rocketpost.service.models import IdempotencyRecord

__all__ = ["BookingResult", "StoredAnswer", "lookup", "remember", "replay", "request_hash"]

_IDEMPOTENCY = cast(Table, IdempotencyRecord.__table__)
_INSERT = insert(_IDEMPOTENCY)
_LOOKUP = select(
    _IDEMPOTENCY.c.request_hash, _IDEMPOTENCY.c.status_code, _IDEMPOTENCY.c.response_body
).where(
    _IDEMPOTENCY.c.merchant_id == bindparam("merchant_id"), _IDEMPOTENCY.c.key == bindparam("key")
)


@dataclass(frozen=True)
class BookingResult:
    """What ``POST /v1/shipments`` answers: status, the shipment, and whether it is a replay."""

    status_code: int
    shipment: schemas.ShipmentPublic
    replayed: bool


@dataclass(frozen=True)
class StoredAnswer:
    """The answer stored under one idempotency key."""

    request_hash: str
    status_code: int
    response_body: str


def request_hash(body: BaseModel) -> str:
    """SHA-256 of the validated request's canonical JSON (key order and spacing do not count)."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def lookup(db: Database, merchant_pk: int, key: str) -> StoredAnswer | None:
    """The answer stored for this merchant's key, if any (one autocommit point read)."""
    assert db.point_read_session is not None
    with db.point_read_session() as session:
        row = session.execute(_LOOKUP, {"merchant_id": merchant_pk, "key": key}).first()
    return None if row is None else StoredAnswer(*row)


def replay(stored: StoredAnswer, body_hash: str) -> BookingResult:
    """The stored answer again, if it was for the same request.

    Raises
    ------
    ApiError
        409 ``idempotency_key_reused`` when the key came with another body.
    """
    if stored.request_hash != body_hash:
        raise ApiError(
            409,
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different request body",
        )
    shipment = schemas.ShipmentPublic.model_validate_json(stored.response_body)
    return BookingResult(stored.status_code, shipment, replayed=True)


def remember(
    session: Session,
    *,
    merchant_pk: int,
    key: str,
    body_hash: str,
    result: BookingResult,
    now: datetime,
) -> None:
    """Store the answer under the key, in the booking's transaction (a duplicate key raises
    :class:`sqlalchemy.exc.IntegrityError` at commit or flush: the caller replays the winner)."""
    session.execute(
        _INSERT,
        {
            "merchant_id": merchant_pk,
            "key": key,
            "request_hash": body_hash,
            "status_code": result.status_code,
            "response_body": result.shipment.model_dump_json(),
            "created_at": now,
        },
    )
