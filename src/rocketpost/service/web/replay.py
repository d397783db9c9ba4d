"""A planned (and simulated) day as the control room replays it, at any speed.

The replay source is a plan directory (``rocketpost plan run … --out DIR``), named by the server's
``ROCKETPOST_REPLAY_DIR`` (never by the browser: the page cannot make the server read a path).
Its ``flights.parquet`` gives every flight's lane and planned launch and landing; when
``rocketpost simulate DIR`` has run, replicate 0's ``simulation/events.parquet`` replaces them
with what happened (launch, landing, scrub, divert, loss), so the page replays the simulated day.
"""

from __future__ import annotations

import json
import math
import os
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["REPLAY_DIR_ENV", "replay_dir", "replay_view"]

REPLAY_DIR_ENV = "ROCKETPOST_REPLAY_DIR"


def replay_dir() -> Path | None:
    """The plan directory the server replays, from ``ROCKETPOST_REPLAY_DIR`` (unset: none)."""
    value = os.environ.get(REPLAY_DIR_ENV)
    return Path(value) if value else None


def _num(value: float) -> float | None:
    return round(float(value), 3) if math.isfinite(value) else None


def _simulated(directory: Path) -> dict[int, dict[str, Any]]:
    """Per plan flight id: simulated launch / landing times and outcome, from replicate 0."""
    events_file = directory / "simulation" / "events.parquet"
    if not events_file.exists():
        return {}
    import pyarrow.parquet as pq

    table = pq.read_table(events_file).to_pydict()
    kinds: dict[int, dict[str, float]] = defaultdict(dict)
    for when, kind, flight_id in zip(table["time"], table["kind"], table["flight_id"], strict=True):
        if flight_id is not None and when is not None:
            kinds[int(flight_id)].setdefault(kind, when.timestamp())  # first of each kind
    result: dict[int, dict[str, Any]] = {}
    for flight_id, seen in kinds.items():
        if "lost" in seen:
            outcome = "lost"
        elif "launch" not in seen and ("scrub" in seen or "no_airframe" in seen):
            outcome = "scrubbed"
        elif "divert" in seen:
            outcome = "diverted"
        else:
            outcome = "flown"
        result[flight_id] = {"outcome": outcome} | {
            f"{kind}_s": seen[kind] for kind in ("launch", "landing") if kind in seen
        }
    return result


@lru_cache(maxsize=2)
def _replay(directory: Path, mtime_ns: int) -> dict[str, Any]:
    from rocketpost.planning.plan_files import read_plan

    plan = read_plan(directory)
    sites = plan.hub_ids
    flights = plan.flights
    simulated = _simulated(directory)
    rows = []
    for i in range(len(flights.flight_id)):
        fid = int(flights.flight_id[i])
        sim = simulated.get(fid, {})
        rows.append(
            {
                "id": fid,
                "airframe": int(flights.airframe[i]),
                "origin": sites[int(flights.origin[i])],
                "destination": sites[int(flights.destination[i])],
                "planned_launch_s": _num(flights.launch_s[i]),
                "planned_landing_s": _num(flights.landing_s[i]),
                "launch_s": _num(sim.get("launch_s", flights.launch_s[i])),
                "landing_s": _num(sim.get("landing_s", flights.landing_s[i])),
                "outcome": sim.get("outcome", "flown"),
                "mass_kg": round(float(flights.mass_kg[i]), 1),
                "orders": int(flights.orders[i]),
                "repositioning": bool(flights.repositioning[i]),
            }
        )
    summary_file = directory / "simulation" / "summary.json"
    summary = json.loads(summary_file.read_text()) if summary_file.exists() else None
    times = [t for r in rows for t in (r["launch_s"], r["landing_s"]) if t is not None]
    return {
        "available": True,
        "plan_dir": str(directory),
        "simulated": bool(simulated),
        "start_s": min(times) if times else None,
        "end_s": max(times) if times else None,
        "flights": rows,
        "plan_kpis": plan.kpis,
        "simulation_kpis": None if summary is None else summary.get("kpis"),
    }


def replay_view(directory: Path | None) -> dict[str, Any]:
    """The replay of ``directory`` (cached until its ``flights.parquet`` changes).

    Raises
    ------
    rocketpost.planning.plan_files.PlanFileError
        The directory is not a readable plan.
    """
    if directory is None:
        return {"available": False, "reason": f"{REPLAY_DIR_ENV} is not set", "flights": []}
    flights_file = directory / "flights.parquet"
    mtime = flights_file.stat().st_mtime_ns if flights_file.exists() else 0
    return _replay(directory, mtime)
