"""The conditions ops declared, kept in the database: every worker and a restart see the same.

One writer (:meth:`ConditionsStore.declare_hub`, :meth:`ConditionsStore.declare_site`, both
through :meth:`ConditionsStore._write`) used by ``PUT /v1/conditions/...`` and by
``rocketpost conditions`` (which talks to the database directly, as ``rocketpost merchants``
does). Quotes read :meth:`ConditionsStore.current`: the table re-read at most every ``ttl_s``
(1 s by default: a quote does not pay a query, and a declaration reaches every worker within a
second; the worker that wrote sees it at once). ``GET /v1/conditions`` reads the table fresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.promise.conditions import Conditions, HubWeather, SiteSea
from rocketpost.service.db import Database
from rocketpost.service.models import DeclaredCondition, utcnow

__all__ = ["ConditionsStore", "Declared", "StoredConditions"]

_TABLE = cast(Table, DeclaredCondition.__table__)
HUB = "hub"
SITE = "site"
CUSTOMS = "customs"
BASE = "base"


@dataclass(frozen=True)
class Declared:
    """Who declared a hub's or site's condition, and when."""

    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class StoredConditions:
    """The conditions as stored, with the provenance of each declaration."""

    conditions: Conditions
    hubs: dict[str, Declared] = field(default_factory=dict)
    sites: dict[str, Declared] = field(default_factory=dict)
    customs: Declared | None = None


class ConditionsStore:
    """Declared conditions of one network in one database (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        network: Network,
        *,
        ttl_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        onsets: bool = True,
    ) -> None:
        self.db = db
        self.onsets = onsets
        self.network = network
        self.ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: Conditions | None = None
        self._loaded_at = -float("inf")

    # --- reading -------------------------------------------------------------------------------

    def read(self) -> StoredConditions:
        """The table now (and refresh the cache with it)."""
        with self.db.session() as session:
            rows = session.execute(select(DeclaredCondition)).scalars().all()
        hubs: dict[str, HubWeather] = {}
        sites: dict[str, SiteSea] = {}
        hub_by: dict[str, Declared] = {}
        site_by: dict[str, Declared] = {}
        known = set(self.network.hub_ids)
        inspection_p = None
        customs_by = None
        for row in rows:
            if row.kind == CUSTOMS:
                inspection_p, customs_by = row.probability, Declared(row.set_by, row.set_at)
                continue
            if row.subject_id not in known:
                continue  # a hub the network (file) no longer has: ignored, not an error
            if row.kind == HUB:
                hubs[row.subject_id] = HubWeather(row.state, row.probability, row.remaining_h)  # type: ignore[arg-type]
                hub_by[row.subject_id] = Declared(row.set_by, row.set_at)
            elif row.kind == SITE:
                sites[row.subject_id] = SiteSea(row.state, row.alternate, row.remaining_h)  # type: ignore[arg-type]
                site_by[row.subject_id] = Declared(row.set_by, row.set_at)
        conditions = Conditions(
            hubs=hubs, sites=sites, inspection_p=inspection_p, known_ids=known, onsets=self.onsets
        )
        with self._lock:
            self._cached, self._loaded_at = conditions, self._clock()
        return StoredConditions(conditions, hub_by, site_by, customs_by)

    def current(self) -> Conditions:
        """The conditions quotes use: the table, at most ``ttl_s`` old."""
        cached = self._cached
        if cached is not None and self._clock() - self._loaded_at < self.ttl_s:
            return cached
        return self.read().conditions

    # --- writing (the one place) ---------------------------------------------------------------

    def declare_hub(self, hub_id: str, weather: HubWeather, *, set_by: str) -> StoredConditions:
        """Declare a hub's launch weather (unknown hub: ``InputError`` on ``hub_id``)."""
        if hub_id not in self.network.hub_ids:
            raise InputError("hub_id", hub_id, "unknown hub")
        self._write(
            HUB,
            hub_id,
            state=weather.state.value,
            probability=weather.scrub_p,
            remaining_h=weather.front_remaining_h,
            alternate=False,
            set_by=set_by,
        )
        return self.read()

    def declare_site(self, site_id: str, sea: SiteSea, *, set_by: str) -> StoredConditions:
        """Declare a landing site's sea state (a site is a hub's zone, named by the hub's id)."""
        if site_id not in self.network.hub_ids:
            raise InputError("site_id", site_id, "unknown landing site")
        self._write(
            SITE,
            site_id,
            state=sea.state.value,
            probability=None,
            remaining_h=sea.closed_remaining_h,
            alternate=sea.alternate,
            set_by=set_by,
        )
        return self.read()

    def declare_customs(self, inspection_p: float, *, set_by: str) -> StoredConditions:
        """Declare the base rate of unplanned inspections of released cross-border parcels
        (what a parcel of typical screening risk carries; ``Conditions.inspection_odds``)."""
        Conditions(inspection_p=inspection_p)  # validates: a probability
        self._write(
            CUSTOMS,
            BASE,
            state="declared",
            probability=float(inspection_p),
            remaining_h=None,
            alternate=False,
            set_by=set_by,
        )
        return self.read()

    def _write(self, kind: str, subject_id: str, **values: Any) -> None:
        """Insert or replace one declaration (one statement on both databases)."""
        values["set_at"] = utcnow()
        maker = pg_insert if self.db.is_sqlite is False else sqlite_insert
        statement = maker(_TABLE).values(kind=kind, subject_id=subject_id, **values)
        statement = statement.on_conflict_do_update(
            index_elements=[_TABLE.c.kind, _TABLE.c.subject_id], set_=values
        )
        with self.db.write() as session:
            session.execute(statement)
