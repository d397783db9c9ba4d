"""Every pair of state-changing requests, sent at the same moment to one shipment, on both backends.

A 2-worker ``rocketpost serve`` subprocess (the races need two processes to show on
PostgreSQL) serves a cross-border 800 kg / 8 m³ shipment alone on its flight; two threads, each
on its own connection, send a pair of requests released by a barrier. After each race:

* no 5xx, and every refusal is a 409 with a code;
* the outcome is *serialisable*: there is an order of the two requests in which a sequential
  model of the service (:func:`step`) answers the same codes and ends in the same state — so
  an acknowledged (2xx) answer is never contradicted by the final state (a cancel answered 200
  never ends seized);
* every flight involved has its seat counters equal to the sum of its manifest, between 0 and
  its capacity.

:func:`step` is the service's contract in a dozen lines, independent of
:mod:`rocketpost.service.transitions`; ``test_state_machine_property.py`` reuses it.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.fleet import roomy_fleet_env
from tests.support.server import ServerHandle, running_server

from .conftest import busan

CAPACITY_KG = 10_000.0
REPEATS = 2
"""Races per pair and backend: 28 pairs × 2 = 56 races (about 20 s per backend)."""


# --- the sequential model ------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    """One shipment alone on its flight, as the contract says it evolves."""

    status: str = "pre_transit"
    sub_status: str = "booked"
    seat: bool = True  # holds a seat that can be given back (pre_transit on a scheduled flight)
    flight: str = "scheduled"  # its original flight
    moved: bool = False  # a scrub moved it to a later wave
    outcome: bool = False  # a customs outcome is recorded


REQUESTS = ("cancel", "hold", "seize", "clear", "launch", "scrub", "land")


def _cancel(m: Model, _request: str) -> tuple[int, Model]:
    if m.status == "cancelled":
        return 200, m
    if m.status != "pre_transit":
        return 409, m
    return 200, replace(m, status="cancelled", sub_status="cancelled", seat=False)


def _hold(m: Model, _request: str) -> tuple[int, Model]:
    if m.status != "pre_transit":
        return 409, m
    return 200, replace(m, sub_status="customs_hold", seat=False)


def _customs_outcome(m: Model, request: str) -> tuple[int, Model]:
    if m.outcome or m.status not in ("pre_transit", "in_transit"):
        return 409, m
    if request == "seize":
        return 200, replace(m, status="failure", sub_status="seized", seat=False, outcome=True)
    cleared = "customs_cleared" if m.sub_status == "customs_hold" else m.sub_status
    return 200, replace(m, sub_status=cleared, outcome=True)


def _land(m: Model, _request: str) -> tuple[int, Model]:
    # The original flight's events from here on.
    if m.flight != "launched":
        return 409, m
    if (m.status, m.sub_status) == ("in_transit", "launched"):
        return 200, replace(m, flight="landed", sub_status="landed")
    return 200, replace(m, flight="landed")


def _launch_or_scrub(m: Model, request: str) -> tuple[int, Model]:
    if m.flight != "scheduled":
        return 409, m
    on_board = m.seat and not m.moved
    if request == "launch":
        if on_board:
            return 200, replace(
                m, flight="launched", status="in_transit", sub_status="launched", seat=False
            )
        return 200, replace(m, flight="launched")
    if on_board:
        return 200, replace(m, flight="scrubbed", sub_status="rescheduled", moved=True)
    return 200, replace(m, flight="scrubbed")


_STEPS = {
    "cancel": _cancel,
    "hold": _hold,
    "seize": _customs_outcome,
    "clear": _customs_outcome,
    "land": _land,
    "launch": _launch_or_scrub,
    "scrub": _launch_or_scrub,
}


def step(m: Model, request: str) -> tuple[int, Model]:
    """``(HTTP status, new model)`` of ``request`` on ``m`` (the induction scans 1 kg: a hold)."""
    return _STEPS[request](m, request)


def serial_outcomes(m: Model, requests: tuple[str, ...]) -> list[tuple[tuple[int, ...], Model]]:
    """For each order of ``requests``: the answers (in the original order) and the final model."""
    outcomes = []
    for order in itertools.permutations(range(len(requests))):
        state, codes = m, [0] * len(requests)
        for i in order:
            codes[i], state = step(state, requests[i])
        outcomes.append((tuple(codes), state))
    return outcomes


def observed(shipment: dict[str, Any], flight: dict[str, Any], original: str) -> Model:
    """The model of what the service holds now."""
    return Model(
        status=shipment["status"],
        sub_status=shipment["sub_status"],
        seat=shipment["status"] == "pre_transit" and shipment["flight"] is not None,
        flight=flight["status"],
        moved=False,  # compared without it (see comparable)
        outcome=False,  # not visible on the shipment; compared without it
    )


def comparable(m: Model) -> Model:
    """What can be compared with the service's answers (a seized or held shipment that had
    been moved by a scrub no longer shows where it was)."""
    return replace(m, outcome=False, moved=False)


# --- the HTTP side -------------------------------------------------------------------------


@dataclass
class Race:
    """A server, its keys, and a counter of fresh launch waves."""

    server: ServerHandle
    slots: Iterator[int]

    def ready_at(self) -> datetime:
        """A fresh 10-minute boundary, 3 h from every other race's (a scrub looks 2 h ahead)."""
        base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
        return base + timedelta(hours=3 * next(self.slots))

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.base_url, timeout=60.0)

    def merchant(self) -> dict[str, str]:
        return self.server.headers(self.server.merchant_key)

    def ops(self) -> dict[str, str]:
        return self.server.headers(self.server.ops_key)

    def book(self, ready_at: datetime | None = None) -> dict[str, Any]:
        """An 800 kg / 8 m³ shipment, on a fresh wave unless ``ready_at`` is given."""
        # Declared as two 400 kg items: the induction's 1 kg scale reading is an empty box.
        body = busan(
            ready_at or self.ready_at(), mass_kg=800.0, unit_mass_kg=400.0, unit_volume_m3=4.0
        )
        body["parcels"] = [{"mass_kg": 800.0, "volume_m3": 8.0}]
        body["channel"] = "b2b"
        with self.client() as client:
            response = client.post(
                "/v1/shipments",
                json=body,
                headers={**self.merchant(), "Idempotency-Key": uuid.uuid4().hex},
            )
        assert response.status_code == 201, response.text
        shipment: dict[str, Any] = response.json()
        assert shipment["flight"] is not None and shipment["sub_status"] == "booked", shipment
        return shipment

    def send(self, client: httpx.Client, request: str, shipment: dict[str, Any]) -> httpx.Response:
        sid, fid = shipment["id"], shipment["flight"]["id"]
        if request == "cancel":
            return client.post(f"/v1/shipments/{sid}/cancel", headers=self.merchant())
        if request == "hold":
            return client.post(
                f"/v1/shipments/{sid}/induction",
                json={"scanned_gross_mass_kg": 1.0},
                headers=self.ops(),
            )
        if request in ("seize", "clear"):
            return client.post(
                f"/v1/shipments/{sid}/customs-outcome",
                json={"seized": request == "seize", "note": "race"},
                headers=self.ops(),
            )
        kind = {"launch": "launched", "scrub": "scrubbed", "land": "landed"}[request]
        return client.post(f"/v1/flights/{fid}/events", json={"type": kind}, headers=self.ops())

    def at_once(
        self, calls: list[Callable[[httpx.Client], httpx.Response]]
    ) -> list[httpx.Response]:
        """Run ``calls`` at the same moment, each on its own (already open) connection."""
        barrier = threading.Barrier(len(calls))
        answers: list[httpx.Response | BaseException | None] = [None] * len(calls)

        def run(i: int) -> None:
            with self.client() as client:
                try:
                    client.get("/health")  # connect before the barrier
                    barrier.wait(30)
                    answers[i] = calls[i](client)
                except BaseException as error:
                    answers[i] = error

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
        out = []
        for a in answers:
            assert isinstance(a, httpx.Response), a
            out.append(a)
        return out

    def check_flight(self, client: httpx.Client, flight_id: str) -> dict[str, Any]:
        """The flight, after checking its counters against its manifest."""
        manifest = client.get(f"/v1/flights/{flight_id}/manifest", headers=self.ops())
        assert manifest.status_code == 200, manifest.text
        m = manifest.json()
        flight = m["flight"]
        if flight["status"] != "scrubbed":  # a scrubbed flight is emptied (counters 0)
            assert flight["booked_kg"] == pytest.approx(m["total_kg"]), m
            assert flight["booked_m3"] == pytest.approx(m["total_m3"]), m
        else:
            assert flight["booked_kg"] == 0.0, m
        assert 0.0 <= flight["booked_kg"] <= CAPACITY_KG, m
        assert 0.0 <= flight["booked_m3"] <= flight["capacity_m3"], m
        return dict(flight)


def check_answers(responses: list[httpx.Response]) -> None:
    for r in responses:
        assert r.status_code < 500, r.text
        assert r.status_code in (200, 409), r.text
        if r.status_code == 409:
            assert r.json()["detail"]["code"], r.text


def settle(api: Race, shipment: dict[str, Any]) -> Model:
    """The shipment's state now, after checking the counters of its flights (the one it was
    booked on, and the one a scrub moved it to)."""
    original = shipment["flight"]["id"]
    with api.client() as client:
        flight = api.check_flight(client, original)
        after = client.get(f"/v1/shipments/{shipment['id']}", headers=api.ops()).json()
        if after["flight"] is not None and after["flight"]["id"] != original:
            api.check_flight(client, after["flight"]["id"])
    return observed(after, flight, original)


def race(
    api: Race,
    requests: tuple[str, ...],
    shipment: dict[str, Any] | None = None,
    before: Model | None = None,
) -> Model:
    """Send ``requests`` at once to ``shipment`` (default: a fresh one) and check everything.

    Returns the model of a serial order that explains the answers and the final state.
    """
    shipment = shipment or api.book()
    before = before or Model()
    responses = api.at_once([lambda c, r=r: api.send(c, r, shipment) for r in requests])
    check_answers(responses)
    codes = tuple(r.status_code for r in responses)
    final = settle(api, shipment)
    explained = [m for c, m in serial_outcomes(before, requests) if c == codes]
    assert final in [comparable(m) for m in explained], (
        requests,
        before,
        codes,
        final,
        serial_outcomes(before, requests),
        [r.text for r in responses],
    )
    for request, r in zip(requests, responses, strict=True):
        if r.status_code == 200 and request in ("cancel", "hold", "seize", "clear"):
            body = r.json()  # what was acknowledged holds at the end
            assert body["id"] == shipment["id"]
            if request == "cancel":
                assert final.status == "cancelled" == body["status"]
            if request == "seize":
                assert (
                    (final.status, final.sub_status)
                    == ("failure", "seized")
                    == (
                        body["status"],
                        body["sub_status"],
                    )
                )
    return next(m for m in explained if comparable(m) == final)


PAIRS = list(itertools.combinations_with_replacement(REQUESTS, 2))


@pytest.fixture(scope="module")
def racer(database_url: str) -> Iterator[Race]:
    env = {
        "ROCKETPOST_RATE_LIMIT_PER_MIN": "0",
        "ROCKETPOST_WEBHOOKS": "0",
        # Each race books a fresh wave: more flights a day than the shipped fleets fly.
        **roomy_fleet_env(),
    }
    with running_server(database_url, workers=2, env=env) as server:
        yield Race(server, itertools.count(1))


def test_model_is_the_contract() -> None:
    # Spot checks of the model itself: a cancel beats a seizure or loses to it, never both.
    outcomes = dict(serial_outcomes(Model(), ("cancel", "seize")))
    assert outcomes[(200, 409)].status == "cancelled"
    assert outcomes[(409, 200)].sub_status == "seized"
    assert len(outcomes) == 2


def test_every_pair_of_state_changes_races_cleanly(racer: Race) -> None:
    for pair in PAIRS:
        for _ in range(REPEATS):
            race(racer, pair)


@pytest.mark.parametrize("event", ["launch", "scrub"])
def test_cancels_racing_their_flight_event(racer: Race, event: str) -> None:
    # Six cancels and the flight's launch (or scrub) at once. Against a launch each cancel
    # either wins (200, cancelled, seat released) or finds the shipment launched (409), and the
    # launch carries exactly the losers. Against a scrub every cancel wins: before the scrub,
    # or after it on the later wave the scrub moved the shipment to (whose seat it releases).
    # No 5xx, no deadlock surfacing, every counter equal to its manifest.
    for _ in range(2):
        ready = racer.ready_at()
        shipments = [racer.book(ready) for _ in range(6)]
        flight_id = shipments[0]["flight"]["id"]
        assert {s["flight"]["id"] for s in shipments} == {flight_id}
        calls: list[Callable[[httpx.Client], httpx.Response]] = [
            lambda c, s=s: racer.send(c, "cancel", s) for s in shipments
        ]
        calls.append(lambda c, first=shipments[0]: racer.send(c, event, first))
        *cancels, flight_event = racer.at_once(calls)
        check_answers([*cancels, flight_event])
        assert flight_event.status_code == 200, flight_event.text
        moved = {r["shipment_id"]: r["flight_id"] for r in flight_event.json()["rescheduled"]}
        lost = set()
        with racer.client() as client:
            racer.check_flight(client, flight_id)
            for later in set(moved.values()):
                racer.check_flight(client, later)
            for s, answer in zip(shipments, cancels, strict=True):
                after = client.get(f"/v1/shipments/{s['id']}", headers=racer.ops()).json()
                if answer.status_code == 200:
                    assert after["status"] == "cancelled" == answer.json()["status"], after
                else:
                    lost.add(s["id"])
                    assert (event, after["sub_status"]) == ("launch", "launched"), answer.text
        if event == "launch":
            assert flight_event.json()["shipments_affected"] == len(lost)
        else:
            assert not lost
