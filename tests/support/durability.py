"""Durability drill: SIGKILL the booking server during a booking load, restart it, count.

Every booking answered 201 must read back identical after the restart, the database must hold
no shipment that was never answered 201, and no flight may carry more than the rocket's hold.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np

from tests.support.audit import audit_flights, list_all, over_capacity
from tests.support.server import ServerHandle
from tests.support.workload import Workload

__all__ = ["Booking", "DurabilityReport", "durability_trial"]


@dataclass(frozen=True)
class Booking:
    """A booking the server answered 201: what was sent and what was promised."""

    idempotency_key: str
    body: Mapping[str, Any]
    response: Mapping[str, Any]


@dataclass
class _LoadResult:
    booked: list[Booking]
    unknown: list[tuple[str, dict[str, Any]]]
    statuses: Counter[int]
    lock: threading.Lock

    @classmethod
    def empty(cls) -> _LoadResult:
        return cls(booked=[], unknown=[], statuses=Counter(), lock=threading.Lock())


def _book_until_refused(
    handle: ServerHandle,
    workload: Workload,
    rng: np.random.Generator,
    stop: threading.Event,
    result: _LoadResult,
) -> None:
    with handle.client(timeout_s=30.0) as client:
        while not stop.is_set():
            body = workload.booking(rng)
            key = uuid.uuid4().hex
            try:
                response = client.post("/v1/shipments", json=body, headers={"Idempotency-Key": key})
            except httpx.ConnectError:
                return  # the server is gone: nothing was sent
            except httpx.TransportError:
                # Sent, but the answer was cut off: it may or may not have been committed.
                with result.lock:
                    result.unknown.append((key, body))
                continue
            with result.lock:
                if response.status_code == 201:
                    result.booked.append(Booking(key, body, response.json()))
                else:
                    result.statuses[response.status_code] += 1


@dataclass
class DurabilityReport:
    """What a SIGKILL-and-restart trial found; :attr:`ok` when nothing was lost or overbooked."""

    kills: int = 0
    answered_201: int = 0
    unknown_outcome: int = 0
    retried_201: int = 0
    retried_replayed: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    retried_statuses: Counter[int] = field(default_factory=Counter)
    shipments_in_database: int = 0
    flights_audited: int = 0
    lost: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    overbooked: list[str] = field(default_factory=list)
    inconsistent: list[str] = field(default_factory=list)
    missing_from_manifest: list[str] = field(default_factory=list)
    server_errors: int = 0

    @property
    def ok(self) -> bool:
        problems = (
            self.lost,
            self.changed,
            self.unexpected,
            self.overbooked,
            self.inconsistent,
            self.missing_from_manifest,
        )
        return not any(problems) and self.server_errors == 0

    def lines(self) -> list[str]:
        """One figure per line, for scripts."""
        return [
            f"kills: {self.kills}",
            f"bookings answered 201 before a kill: {self.answered_201}",
            f"requests cut off by a kill (outcome unknown): {self.unknown_outcome}",
            f"  retried after restart -> 201: {self.retried_201} "
            f"(of which replays of a committed booking: {self.retried_replayed})",
            f"  retried after restart -> other: {dict(self.retried_statuses)}",
            f"other answers during load: {dict(self.statuses)}",
            f"shipments in the database: {self.shipments_in_database}",
            f"lost (201 but gone after restart): {len(self.lost)}",
            f"changed (201 but different after restart): {len(self.changed)}",
            f"unexpected (in the database, never answered 201): {len(self.unexpected)}",
            f"flights audited: {self.flights_audited}",
            f"overbooked flights: {len(self.overbooked)}",
            f"flights whose counter disagrees with the manifest: {len(self.inconsistent)}",
            f"bookings missing from their flight's manifest: {len(self.missing_from_manifest)}",
            f"5xx answers: {self.server_errors}",
        ]


def durability_trial(
    handle: ServerHandle,
    workload: Workload,
    rng: np.random.Generator,
    *,
    threads: int = 4,
    kills: int = 1,
    kill_after: int = 40,
    load_timeout_s: float = 60.0,
) -> DurabilityReport:
    """Book from ``threads`` threads, SIGKILL the server, restart it, check nothing was lost.

    Each of ``kills`` rounds books until at least ``kill_after`` more bookings were answered
    201, then SIGKILLs the whole server mid-load and restarts it on the same database. Requests
    cut off by the kill are retried with the same ``Idempotency-Key``: a committed one must be
    replayed, never booked twice. Finally every 201 must read back identical, the database must
    hold no shipment that was never answered 201, and no flight may exceed the rocket's hold — by
    its counter, by its manifest, or by the sum of the 201 answers.
    """
    report = DurabilityReport()
    booked: dict[str, Booking] = {}
    for _round in range(kills):
        load = _LoadResult.empty()
        stop = threading.Event()
        seeds = rng.spawn(threads)
        workers = [
            threading.Thread(
                target=_book_until_refused,
                args=(handle, workload, seeds[i], stop, load),
                name=f"booking-load-{i}",
                daemon=True,
            )
            for i in range(threads)
        ]
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + load_timeout_s
        while len(load.booked) < kill_after and time.monotonic() < deadline:
            if not any(worker.is_alive() for worker in workers):
                break
            time.sleep(0.01)
        handle.kill()
        report.kills += 1
        stop.set()
        for worker in workers:
            worker.join(timeout=60.0)
        for booking in load.booked:
            booked[str(booking.response["id"])] = booking
        report.answered_201 += len(load.booked)
        report.unknown_outcome += len(load.unknown)
        report.statuses.update(load.statuses)
        handle.start()
        with handle.client() as client:
            for key, body in load.unknown:
                response = client.post("/v1/shipments", json=body, headers={"Idempotency-Key": key})
                if response.status_code == 201:
                    report.retried_201 += 1
                    if response.headers.get("Idempotent-Replayed") == "true":
                        report.retried_replayed += 1
                    booked[str(response.json()["id"])] = Booking(key, body, response.json())
                else:
                    report.retried_statuses[response.status_code] += 1
    report.server_errors = sum(
        count
        for counter in (report.statuses, report.retried_statuses)
        for status, count in counter.items()
        if status >= 500
    )
    _verify(handle, booked, report)
    return report


def _verify(handle: ServerHandle, booked: Mapping[str, Booking], report: DurabilityReport) -> None:
    with handle.client() as client:
        for shipment_id, booking in booked.items():
            response = client.get(f"/v1/shipments/{shipment_id}")
            if response.status_code == 404:
                report.lost.append(shipment_id)
            elif response.status_code != 200 or response.json() != booking.response:
                report.changed.append(shipment_id)
        stored = {str(s["id"]) for s in list_all(client, "/v1/shipments")}
    report.shipments_in_database = len(stored)
    report.unexpected = sorted(stored - set(booked))
    answered_kg: defaultdict[str, float] = defaultdict(float)
    answered_m3: defaultdict[str, float] = defaultdict(float)
    expected: dict[str, set[str]] = {}
    for shipment_id, booking in booked.items():
        flight = booking.response.get("flight")
        if flight:
            answered_kg[flight["id"]] += float(booking.response["mass_kg"])
            answered_m3[flight["id"]] += float(booking.response["volume_m3"])
            expected.setdefault(flight["id"], set()).add(shipment_id)
    audits = audit_flights(handle)
    report.flights_audited = len(audits)
    for audit in audits:
        answered_over = over_capacity(answered_kg[audit.flight_id], answered_m3[audit.flight_id])
        if audit.overbooked or answered_over:
            report.overbooked.append(audit.flight_id)
        if not audit.consistent:
            report.inconsistent.append(audit.flight_id)
        missing = expected.get(audit.flight_id, set()) - audit.shipment_ids
        report.missing_from_manifest.extend(sorted(missing))
    audited = {audit.flight_id for audit in audits}
    for flight_id, ids in expected.items():
        if flight_id not in audited:
            report.missing_from_manifest.extend(sorted(ids))
