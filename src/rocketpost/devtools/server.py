"""Run ``rocketpost serve`` as a real subprocess on loopback, for tests and benchmarks.

Durability can only be proven on a real process that is SIGKILLed mid-load, and throughput
only measured over a real socket, so this harness goes through the same doors an operator does:
``rocketpost db upgrade``, ``rocketpost merchants create`` (one merchant key and one ops key),
then ``rocketpost serve`` on a free port of ``127.0.0.1``, ready once ``GET /health`` answers.

The server runs in its own process group (uvicorn's ``--workers`` children included), so
:meth:`ServerHandle.kill` takes every process down at once with SIGKILL, exactly as the
kernel's OOM killer or a power cut would. If the owner dies first, the server gets SIGTERM
(``PR_SET_PDEATHSIG`` on Linux) rather than lingering on the port.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from rocketpost.errors import InputError, RocketpostError

__all__ = [
    "CLI",
    "ROCKET_CAPACITY_KG",
    "ROCKET_CAPACITY_M3",
    "Booking",
    "DurabilityReport",
    "FlightAudit",
    "Route",
    "ServerError",
    "ServerHandle",
    "Workload",
    "audit_flights",
    "candidate_routes",
    "create_merchant",
    "durability_trial",
    "list_all",
    "run_cli",
    "running_server",
    "start_server",
    "usable_routes",
]

HOST = "127.0.0.1"
# ``python -m rocketpost.cli`` rather than the ``rocketpost`` script: it works from a source tree
# whose script directory is not on PATH, and always with the interpreter running the caller.
CLI: tuple[str, ...] = (sys.executable, "-m", "rocketpost.cli")
_PR_SET_PDEATHSIG = 1


class ServerError(RocketpostError):
    """The service failed to migrate, to hand out keys, or to start; the message has its log."""


def run_cli(
    args: Sequence[str], *, env: Mapping[str, str] | None = None, timeout_s: float = 120.0
) -> str:
    """Run a ``rocketpost`` sub-command and return its stdout.

    Raises
    ------
    ServerError
        If the command exits non-zero (its stderr is in the message).
    """
    try:
        result = subprocess.run(
            [*CLI, *args],
            capture_output=True,
            text=True,
            env=_environment(env),
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ServerError(f"`rocketpost {' '.join(args)}` timed out after {timeout_s} s") from error
    if result.returncode != 0:
        raise ServerError(
            f"`rocketpost {' '.join(args)}` exited with {result.returncode}:\n"
            f"{result.stderr.strip() or result.stdout.strip()}"
        )
    return result.stdout


def create_merchant(
    database_url: str,
    name: str,
    *,
    ops: bool = False,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Create a merchant (an ops user if ``ops``) and return the CLI's JSON.

    Keys: ``merchant_id``, ``name``, ``api_key`` (and ``role``).
    """
    args = ["merchants", "create", name, "--json", "--database-url", database_url]
    if ops:
        args.append("--ops")
    output = run_cli(args, env=env)
    document = _last_json_object(output)
    if "api_key" not in document:
        raise ServerError(f"`rocketpost merchants create` printed no api_key: {output!r}")
    return document


def _last_json_object(text: str) -> dict[str, Any]:
    # The whole output is one JSON document; fall back to its last line in case a warning
    # was printed first.
    for candidate in (text, *reversed(text.strip().splitlines())):
        with contextlib.suppress(ValueError):
            document = json.loads(candidate)
            if isinstance(document, dict):
                return document
    raise ServerError(f"expected a JSON object, got {text!r}")


def _environment(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    src_dir = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src_dir, env.get("PYTHONPATH", "")) if p)
    env.update(extra or {})
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Best effort: Linux only; elsewhere an orphaned server is stopped by its owner's clean-up.
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class ServerHandle:
    """A running ``rocketpost serve`` process and the keys to talk to it.

    Attributes
    ----------
    base_url
        ``http://127.0.0.1:PORT``.
    merchant_key, ops_key
        API keys (``Authorization: Bearer <key>``) of a merchant and of an ops user.
    process
        The server's :class:`subprocess.Popen` (leader of its own process group).
    """

    def __init__(
        self,
        *,
        database_url: str,
        port: int,
        merchant_key: str,
        ops_key: str,
        workers: int,
        env: Mapping[str, str],
        log_path: Path,
        startup_timeout_s: float,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.database_url = database_url
        self.host = HOST
        self.port = port
        self.merchant_key = merchant_key
        self.ops_key = ops_key
        self.workers = workers
        self.env = dict(env)
        self.log_path = log_path
        self.startup_timeout_s = startup_timeout_s
        self.extra_args = tuple(extra_args)
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def __repr__(self) -> str:
        pid = self.process.pid if self.process is not None else None
        return f"ServerHandle({self.base_url!r}, pid={pid}, workers={self.workers})"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def headers(self, key: str | None = None) -> dict[str, str]:
        """Authorization header for ``key`` (default: the merchant key)."""
        return {"Authorization": f"Bearer {key or self.merchant_key}"}

    def client(self, key: str | None = None, *, timeout_s: float = 30.0) -> httpx.Client:
        """An :class:`httpx.Client` on :attr:`base_url`, authenticated with ``key``."""
        return httpx.Client(base_url=self.base_url, headers=self.headers(key), timeout=timeout_s)

    def start(self) -> None:
        """Start the server process and wait until ``GET /health`` says ok."""
        if self.running:
            raise ServerError(f"{self!r} is already running")
        command = [
            *CLI,
            "serve",
            "--database-url",
            self.database_url,
            "--host",
            self.host,
            "--port",
            str(self.port),
            *(["--workers", str(self.workers)] if self.workers != 1 else []),
            *self.extra_args,
        ]
        with open(self.log_path, "ab") as log:
            log.write(f"\n=== start {self.starts + 1}: {' '.join(command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=_environment(self.env),
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        self.starts += 1
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout_s
        last_error = "no answer yet"
        with httpx.Client(base_url=self.base_url, timeout=2.0) as client:
            while True:
                if self.process.poll() is not None:
                    raise ServerError(
                        f"`rocketpost serve` exited with {self.process.returncode} during "
                        f"start-up:\n{self.log_tail()}"
                    )
                try:
                    response = client.get("/health")
                    if response.status_code == 200 and response.json().get("status") == "ok":
                        return
                    last_error = f"{response.status_code} {response.text[:200]}"
                except (httpx.HTTPError, ValueError) as error:
                    last_error = repr(error)
                if time.monotonic() > deadline:
                    self.kill()
                    raise ServerError(
                        f"{self.base_url}/health not ok within {self.startup_timeout_s:.0f} s "
                        f"({last_error}):\n{self.log_tail()}"
                    )
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers) and reap it: no clean shutdown."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout_s: float = 15.0) -> None:
        """Graceful stop (SIGTERM, as systemd does), escalating to :meth:`kill`."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
        # uvicorn workers exit with their master, but make sure none holds the port.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def restart(self) -> None:
        """SIGKILL the server if it runs, then start it again on the same port and database."""
        self.kill()
        self.start()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def start_server(
    database_url: str,
    *,
    workers: int = 1,
    env: Mapping[str, str] | None = None,
    log_dir: Path | None = None,
    startup_timeout_s: float = 60.0,
    extra_args: Sequence[str] = (),
) -> ServerHandle:
    """Migrate ``database_url``, create a merchant and an ops key, start the server.

    Parameters
    ----------
    database_url
        SQLAlchemy URL (``sqlite:///path`` or ``postgresql+psycopg://...``).
    workers
        uvicorn worker processes (``--workers``); 1 runs a single process.
    env
        Extra environment for every command, e.g. ``{"ROCKETPOST_RATE_LIMIT_PER_MIN": "10000000"}``.
    log_dir
        Where the server log goes (default: a new temp dir); read it with
        :meth:`ServerHandle.log_tail`.
    startup_timeout_s
        How long to wait for ``GET /health``.
    extra_args
        More ``rocketpost serve`` options.

    The caller stops the server (:meth:`ServerHandle.stop`), or uses :func:`running_server`.
    """
    environment = {"ROCKETPOST_DATABASE_URL": database_url, **(env or {})}
    run_cli(["db", "upgrade", "--database-url", database_url], env=environment)
    # Unique names: a restarted benchmark or test may reuse the database.
    suffix = secrets.token_hex(3)
    merchant = create_merchant(database_url, f"harness-merchant-{suffix}", env=environment)
    ops = create_merchant(database_url, f"harness-ops-{suffix}", ops=True, env=environment)
    directory = log_dir or Path(tempfile.mkdtemp(prefix="rocketpost-serve-"))
    directory.mkdir(parents=True, exist_ok=True)
    handle = ServerHandle(
        database_url=database_url,
        port=_free_port(),
        merchant_key=str(merchant["api_key"]),
        ops_key=str(ops["api_key"]),
        workers=workers,
        env=environment,
        log_path=directory / f"serve-{suffix}.log",
        startup_timeout_s=startup_timeout_s,
        extra_args=extra_args,
    )
    handle.start()
    return handle


@contextlib.contextmanager
def running_server(
    database_url: str,
    *,
    workers: int = 1,
    env: Mapping[str, str] | None = None,
    log_dir: Path | None = None,
    startup_timeout_s: float = 60.0,
    extra_args: Sequence[str] = (),
) -> Iterator[ServerHandle]:
    """:func:`start_server` for the duration of a ``with`` block; stopped on exit."""
    handle = start_server(
        database_url,
        workers=workers,
        env=env,
        log_dir=log_dir,
        startup_timeout_s=startup_timeout_s,
        extra_args=extra_args,
    )
    try:
        yield handle
    finally:
        handle.stop()


# --- a realistic booking workload and an independent capacity audit ---------------------------

ROCKET_CAPACITY_KG = 10_000.0
ROCKET_CAPACITY_M3 = 120.0
# Float sums of many parcels: a booking exactly filling the hold must not read as overbooked.
_CAPACITY_SLACK = 1e-6

# A low-risk consumer good (printed books, HS 4901.99) so that customs pre-clearance releases
# cross-border parcels in most markets: the workload measures booking, not customs holds.
_BOOKS = {
    "recipient_id": "R-1",
    "items": [
        {
            "sku": "BOOK-1",
            "description": "printed paperback novels",
            "hs_code": "490199",
            "quantity": 2,
            "unit_value": "12.00",
            "currency": "USD",
            "unit_mass_kg": 0.4,
            "unit_volume_m3": 0.001,
        }
    ],
}
_WAVE_INTERVAL_S = 600.0


@dataclass(frozen=True)
class Route:
    """A lane a merchant books on: origin hub, destination place, customs items if cross-border."""

    origin_hub: str
    place: str
    customs: Mapping[str, Any] | None = None

    def body(
        self,
        *,
        mass_kg: float,
        volume_m3: float,
        ready_at: datetime | None = None,
        recipient_id: str | None = None,
    ) -> dict[str, Any]:
        """A quote or inline-booking request body for one parcel on this lane.

        ``recipient_id`` replaces the lane's recipient: bookings for one person on one day are
        summed by customs (and re-assess each other), which a workload of many consumers is not.
        """
        body: dict[str, Any] = {
            "destination": {"place": self.place},
            "parcels": [{"mass_kg": round(mass_kg, 3), "volume_m3": round(volume_m3, 5)}],
            "origin_hub": self.origin_hub,
        }
        if ready_at is not None:
            body["ready_at"] = ready_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.customs is not None:
            body["customs"] = dict(self.customs)
            if recipient_id is not None:
                body["customs"]["recipient_id"] = recipient_id
        return body


def candidate_routes() -> list[Route]:
    """Every ordered pair of hubs of the shipped network, to the destination hub's port.

    Interleaved by origin (first lane of every hub, then the second, ...) so that taking the
    first few usable ones spreads the load over many hubs. The destination is the port's
    UN/LOCODE: a customer next to the quay, so the lane's feasibility depends on the flight
    rather than on one city's last mile.
    """
    from rocketpost.network import default_network

    hubs = default_network().hubs
    per_origin = [
        [
            Route(o.hub_id, d.port, None if o.country == d.country else _BOOKS)
            for d in hubs
            if d.hub_id != o.hub_id
        ]
        for o in hubs
    ]
    return [route for group in itertools.zip_longest(*per_origin) for route in group if route]


def usable_routes(
    client: httpx.Client, candidates: Sequence[Route] | None = None, *, limit: int = 24
) -> list[Route]:
    """Up to ``limit`` lanes on which the service promises one hour at *any* launch wave.

    A quote made now includes the wait for the next wave (0–10 min); a booking ready later may
    wait the full interval. A lane is kept only if its promise would hold even then, so that the
    workload's 409s come from full flights, not from unlucky timing.
    """
    usable = []
    for route in candidate_routes() if candidates is None else candidates:
        response = client.post("/v1/quotes", json=route.body(mass_kg=1.0, volume_m3=0.005))
        if response.status_code != 200:
            continue
        one_hour = response.json().get("one_hour") or {}
        if not (one_hour.get("available") and one_hour.get("mode") == "rocket"):
            continue
        legs = {leg["leg"]: float(leg["duration_s"]) for leg in one_hour.get("legs", [])}
        worst_eta_s = float(one_hour["eta_s"]) - legs.get("wave_wait", 0.0) + _WAVE_INTERVAL_S
        if worst_eta_s <= 3600.0:
            usable.append(route)
            if len(usable) >= limit:
                break
    if not usable:
        raise ServerError("no candidate route quotes a one-hour rocket flight")
    return usable


@dataclass(frozen=True)
class Workload:
    """Booking requests spread over lanes and launch waves, plus one deliberately hot flight.

    Most bookings are B2C parcels (0.2–25 kg at 80–300 kg/m³) ready at a random minute of the
    next ``horizon_h`` hours, so they land on many flights of many waves. A fraction
    ``hot_share`` are 150 kg / 1.2 m³ B2B cartons all ready at the same instant on one lane:
    they contend for one flight, which fills up after 66 of them (kg bind first) and so proves
    the capacity check under concurrency.
    """

    routes: tuple[Route, ...]
    start: datetime
    horizon_h: float = 6.0
    hot_share: float = 0.1
    hot_mass_kg: float = 150.0
    hot_volume_m3: float = 1.2

    def __post_init__(self) -> None:
        if not self.routes:
            raise InputError("routes", self.routes, "needs at least one route")
        if not 0.0 <= self.hot_share <= 1.0:
            raise InputError("hot_share", self.hot_share, "must be within [0, 1]")
        if self.horizon_h <= 0.0:
            raise InputError("horizon_h", self.horizon_h, "must be positive")

    @property
    def hot_ready_at(self) -> datetime:
        # Far enough ahead that a long run never pushes it into the past (60 s tolerance).
        return self.start + timedelta(minutes=30)

    def booking(self, rng: np.random.Generator) -> dict[str, Any]:
        """One booking request body, for a consumer of its own."""
        recipient_id = f"R-{int(rng.integers(10**12)):012d}"
        if rng.random() < self.hot_share:
            return self.routes[0].body(
                mass_kg=self.hot_mass_kg,
                volume_m3=self.hot_volume_m3,
                ready_at=self.hot_ready_at,
                recipient_id=recipient_id,
            )
        route = self.routes[int(rng.integers(len(self.routes)))]
        mass_kg = float(rng.uniform(0.2, 25.0))
        density_kg_m3 = float(rng.uniform(80.0, 300.0))
        minutes = int(rng.integers(2, int(self.horizon_h * 60) + 2))
        return route.body(
            mass_kg=mass_kg,
            volume_m3=mass_kg / density_kg_m3,
            ready_at=self.start + timedelta(minutes=minutes),
            recipient_id=recipient_id,
        )

    def quote(self, rng: np.random.Generator) -> dict[str, Any]:
        """One quote request body (no ``ready_at``: checkout asks about *now*)."""
        route = self.routes[int(rng.integers(len(self.routes)))]
        mass_kg = float(rng.uniform(0.2, 25.0))
        return route.body(mass_kg=mass_kg, volume_m3=mass_kg / float(rng.uniform(80.0, 300.0)))


@dataclass(frozen=True)
class FlightAudit:
    """One flight as the ops API reports it, checked against its own manifest."""

    flight_id: str
    status: str
    capacity_kg: float
    capacity_m3: float
    booked_kg: float
    booked_m3: float
    manifest_kg: float
    manifest_m3: float
    shipment_ids: frozenset[str]

    @property
    def overbooked(self) -> bool:
        """More cargo than the XZY-1 carries, by the counter or by the manifest."""
        return max(self.booked_kg, self.manifest_kg) > ROCKET_CAPACITY_KG + _CAPACITY_SLACK or (
            max(self.booked_m3, self.manifest_m3) > ROCKET_CAPACITY_M3 + _CAPACITY_SLACK
        )

    @property
    def consistent(self) -> bool:
        """The booked counter equals the sum of the manifest (no lost capacity update)."""
        return (
            abs(self.booked_kg - self.manifest_kg) <= 1e-3
            and abs(self.booked_m3 - self.manifest_m3) <= 1e-6 + 1e-9 * self.manifest_m3
        )


def list_all(client: httpx.Client, path: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """Every item of a cursor-paginated list endpoint (``data``/``has_more``/``next_cursor``)."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit}
    while True:
        response = client.get(path, params=params)
        response.raise_for_status()
        page = response.json()
        items.extend(page["data"])
        if not page.get("has_more"):
            return items
        params = {"limit": limit, "cursor": page["next_cursor"]}


def audit_flights(
    handle: ServerHandle, flight_ids: Sequence[str] | None = None
) -> list[FlightAudit]:
    """Read flights (all, or ``flight_ids``) and their manifests through the ops API."""
    audits = []
    with handle.client(handle.ops_key) as ops:
        ids = (
            list(flight_ids)
            if flight_ids is not None
            else [f["id"] for f in list_all(ops, "/v1/flights")]
        )
        for flight_id in ids:
            response = ops.get(f"/v1/flights/{flight_id}/manifest")
            response.raise_for_status()
            manifest = response.json()
            flight = manifest["flight"]
            shipments = manifest["shipments"]
            audits.append(
                FlightAudit(
                    flight_id=flight_id,
                    status=str(flight["status"]),
                    capacity_kg=float(flight["capacity_kg"]),
                    capacity_m3=float(flight["capacity_m3"]),
                    booked_kg=float(flight["booked_kg"]),
                    booked_m3=float(flight["booked_m3"]),
                    manifest_kg=math.fsum(float(s["mass_kg"]) for s in shipments),
                    manifest_m3=math.fsum(float(s["volume_m3"]) for s in shipments),
                    shipment_ids=frozenset(str(s["id"]) for s in shipments),
                )
            )
    return audits


# --- durability: SIGKILL the server during a booking load -------------------------------------


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
    hold no shipment that was never answered 201, and no flight may exceed 10 t or 120 m³ — by
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
        answered_over = (
            answered_kg[audit.flight_id] > ROCKET_CAPACITY_KG + _CAPACITY_SLACK
            or answered_m3[audit.flight_id] > ROCKET_CAPACITY_M3 + _CAPACITY_SLACK
        )
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
