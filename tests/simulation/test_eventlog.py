"""The event log table."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from rocketpost.simulation.eventlog import EVENT_SCHEMA, EventKind, EventLog, write_event_log


def test_log_to_parquet(tmp_path: Path) -> None:
    log = EventLog()
    log.add(1_800_000_000.0, EventKind.SCRUB, 0, 1)
    log.add(1_800_000_600.0, EventKind.LAUNCH, 0, 1, "B")
    assert len(log) == 2 and log.counts() == {"launch": 1, "scrub": 1}
    table = log.to_table(("A", "B"), [17])
    assert table.schema == EVENT_SCHEMA
    assert table["flight_id"].to_pylist() == [17, 17]
    assert table["hub"].to_pylist() == ["B", "B"]
    path = write_event_log(table, tmp_path / "x" / "events.parquet")
    assert pq.read_table(path).equals(table)
    assert EventLog().to_table(("A",), []).num_rows == 0
