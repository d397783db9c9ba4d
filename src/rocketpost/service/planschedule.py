"""The scheduled plan run: the service plans the current day by itself, every ``plan_every_s``.

Each period (the clock cut into ``plan_every_s`` slices from the Unix epoch, so that every
process agrees on them) the service runs the plan run ``POST /v1/ops/plan-runs`` runs
(:func:`rocketpost.service.planrun.run_plan`, ``kind="auto"``: a full plan the first time, then
fits of the bookings made since) for the current UTC day, recorded like it with
``trigger: scheduled``. Off by default (``plan_every_s = 0``).

Every worker process of every server on the database has a scheduler, and the day is planned
**once per period, one run at a time**:

* a scheduler that wakes takes the database's plan lock without waiting — on PostgreSQL a
  session advisory lock (``pg_try_advisory_lock``) on a connection of its own, on SQLite an
  exclusive ``flock`` on ``<database>.planlock`` (the only way another process can reach a
  SQLite file is on this machine). Both are released by the operating system or the server
  when the process dies, so a crash never leaves the plan locked. A scheduler that finds the
  lock taken skips the period: someone is planning the day right now;
* under the lock it looks for a scheduled run of the day that started in this period
  (``plan_runs``) and skips the period when there is one: another process ran it already.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from rocketpost.network import Network
from rocketpost.planning.params import LastMileParams
from rocketpost.service.db import Database
from rocketpost.service.models import PlanRun
from rocketpost.service.planrun import run_plan

try:  # POSIX only; elsewhere a SQLite database is planned by each process on its own
    import fcntl
except ImportError:  # pragma: no cover - not on Linux
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from rocketpost.service.settings import Settings

__all__ = ["PLAN_LOCK_KEY", "TRIGGER", "PlanScheduler", "period_start"]

logger = logging.getLogger(__name__)

TRIGGER = "scheduled"
"""``trigger`` of the runs the scheduler records (``ops`` and ``cli`` are the others)."""

PLAN_LOCK_KEY = 0x52505F504C414E  # "RP_PLAN": the PostgreSQL advisory lock's key
"""The advisory lock key of the plan on PostgreSQL (one per database)."""


def period_start(now_s: float, every_s: float) -> float:
    """The start (Unix seconds) of the period ``now_s`` falls in."""
    return (now_s // every_s) * every_s


class PlanScheduler:
    """Plans the current day every ``every_s`` seconds in a daemon thread (see the module doc).

    Parameters
    ----------
    db, network
        The service's database and network.
    every_s
        The period (> 0).
    last_mile_s
        Time limit of each landing's last-mile routing (as ``last_mile_seconds`` of the ops
        run).
    clock
        Unix seconds now (tests move time; the service uses :func:`time.time`).
    """

    def __init__(
        self,
        db: Database,
        network: Network,
        every_s: float,
        *,
        last_mile_s: float = 2.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not every_s > 0:
            raise ValueError("every_s must be > 0")
        self.db = db
        self.network = network
        self.every_s = float(every_s)
        self.params = LastMileParams(time_limit_s=last_mile_s)
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        url = make_url(db.url)
        self._lock_path = (
            url.database + ".planlock"
            if db.is_sqlite and url.database and url.database != ":memory:"
            else None
        )

    @classmethod
    def from_settings(
        cls, db: Database, network: Network, settings: Settings
    ) -> PlanScheduler | None:
        """The scheduler ``settings`` ask for, or ``None`` (``plan_every_s`` is 0)."""
        if settings.plan_every_s <= 0:
            return None
        return cls(db, network, settings.plan_every_s, last_mile_s=settings.plan_last_mile_s)

    def start(self) -> None:
        """Start the timer thread (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="plan-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop the thread; a run in progress is finished first (up to ``timeout_s``)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            now = self.clock()
            wake = period_start(now, self.every_s) + self.every_s
            if self._stop.wait(max(0.0, wake - now)):
                return
            try:
                self.run_once()
            except Exception:  # a failed run is logged; the next period tries again
                logger.exception("scheduled plan run failed")

    def run_once(self, now_s: float | None = None) -> PlanRun | None:
        """Plan the day of ``now_s`` (default: now) unless this period was planned already or
        another process is planning; returns the run, or ``None`` when it skipped."""
        now_s = self.clock() if now_s is None else now_s
        day = datetime.fromtimestamp(now_s, tz=UTC).date()
        since = datetime.fromtimestamp(period_start(now_s, self.every_s), tz=UTC)
        with self.plan_lock() as held:
            if not held:
                logger.info("plan of %s skipped: another process is planning", day)
                return None
            if self._ran_since(day, since):
                return None
            run = run_plan(
                self.db, self.network, day, kind="auto", trigger=TRIGGER, params=self.params
            )
        logger.info("scheduled plan run %s of %s (%s)", run.public_id, day, run.kind)
        return run

    def _ran_since(self, day: date, since: datetime) -> bool:
        with self.db.session() as session:
            found = session.scalar(
                select(PlanRun.id)
                .where(
                    PlanRun.day == day,
                    PlanRun.trigger == TRIGGER,
                    PlanRun.started_at >= since,
                )
                .limit(1)
            )
        return found is not None

    @contextlib.contextmanager
    def plan_lock(self) -> Iterator[bool]:
        """The database's plan lock (see the module doc), taken without waiting: yields
        whether this scheduler holds it, and releases it on exit."""
        if self.db.is_sqlite:
            yield from self._file_lock()
            return
        with self.db.engine.connect() as connection:
            held = bool(
                connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": PLAN_LOCK_KEY}
                ).scalar()
            )
            connection.commit()  # no transaction stays open while the day is planned
            try:
                yield held
            finally:
                if held:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": PLAN_LOCK_KEY}
                    )
                    connection.commit()

    def _file_lock(self) -> Iterator[bool]:
        if self._lock_path is None or fcntl is None:
            yield True  # an in-memory database: this process is the only one
            return
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
