"""The event log of one replicate: what happened to each flight, in time order.

Appending is a few list appends (the engine logs on its hot path); the Arrow table is built once
at the end. Rows keep the order in which SimPy processed them, which is ``(time, sequence)``
order, so equal timestamps are deterministic.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["EVENT_SCHEMA", "EventKind", "EventLog", "write_event_log"]


class EventKind(StrEnum):
    """Kinds of events."""

    SCRUB = "scrub"  # weather scrubbed the wave
    HOLD = "hold"  # landing zone (and alternate) closed: wait on the pad
    PAD_BUSY = "pad_busy"  # every pad of the hub taken at this wave
    NO_AIRFRAME = "no_airframe"  # no airframe at the origin: flight cancelled
    LAUNCH = "launch"
    DIVERT = "divert"  # launched towards the alternate landing zone
    LANDING = "landing"
    GROUNDED = "grounded"  # the site's vessel drones held on deck by wind or waves
    SEA_RETURN = "sea_return"  # airframe shipped from a site without a pad (hub: where to)
    LOST = "lost"  # landing failure: airframe and cargo lost
    PORT = "port"  # pod ashore at the destination port
    REDISPATCH = "redispatch"  # cargo re-sent on another flight (detail: new flight id)
    STANDARD = "standard"  # cargo handed to the standard service
    READY = "ready"  # airframe ready again after recovery and turnaround


EVENT_SCHEMA = pa.schema(
    [
        ("time", pa.timestamp("ms", tz="UTC")),
        ("kind", pa.string()),
        ("flight_id", pa.int64()),
        ("hub", pa.string()),
        ("detail", pa.string()),
    ]
)


class EventLog:
    """Columns of events, appended by the engine."""

    __slots__ = ("detail", "flight", "hub", "kind", "time")

    def __init__(self) -> None:
        self.time: list[float] = []
        self.kind: list[str] = []
        self.flight: list[int] = []
        self.hub: list[int] = []
        self.detail: list[str] = []

    def add(self, time_s: float, kind: str, flight: int, hub: int, detail: str = "") -> None:
        self.time.append(time_s)
        self.kind.append(kind)
        self.flight.append(flight)
        self.hub.append(hub)
        self.detail.append(detail)

    def __len__(self) -> int:
        return len(self.time)

    def counts(self) -> dict[str, int]:
        """Events per kind."""
        values, counts = np.unique(np.asarray(self.kind, dtype=str), return_counts=True)
        return {str(v): int(c) for v, c in zip(values, counts, strict=True)}

    def to_table(self, hub_ids: tuple[str, ...], flight_ids: list[int]) -> pa.Table:
        """The log as an Arrow table (``flight_id`` mapped through ``flight_ids``).

        ``hub_ids`` decodes the ``hub`` column: pass ``network.site_ids`` (hubs first, then the
        sites without a pad, where landings, holds and ports are logged)."""
        hubs = np.array([*hub_ids, ""])
        ms = np.round(np.asarray(self.time, dtype=np.float64) * 1000.0).astype(np.int64)
        flight_map = np.asarray(flight_ids, dtype=np.int64)
        index = np.asarray(self.flight, dtype=np.int64)
        return pa.table(
            {
                "time": pa.array(ms, pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
                "kind": pa.array(self.kind, pa.string()),
                "flight_id": pa.array(flight_map[index] if len(index) else index),
                "hub": pa.array(hubs[np.asarray(self.hub, dtype=np.int64)].tolist(), pa.string()),
                "detail": pa.array(self.detail, pa.string()),
            },
            schema=EVENT_SCHEMA,
        )


def write_event_log(table: pa.Table, path: str | Path) -> Path:
    """Write an event table to Parquet."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out)
    return out
