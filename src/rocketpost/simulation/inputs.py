"""The plan as the simulator needs it: flat NumPy arrays, shipped once to every worker.

:func:`inputs_from_plan` converts an in-memory :class:`~rocketpost.planning.plan.Plan`;
:func:`load_inputs` reads a plan directory (see :mod:`rocketpost.planning.plan`). Only the
columns the simulator uses are kept, as float seconds since the epoch (UTC) and integer hub and
airframe indices, so that a :class:`SimInputs` pickles small and fast to Dask workers. Only the
orders that were promised the one-hour service are kept: the standard service is outside the
model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.network import Network, default_network, load_network
from rocketpost.planning.plan import Plan

__all__ = ["SimInputs", "inputs_from_plan", "load_inputs", "network_of_plan"]

_NEEDED = ("flights.parquet", "outcomes.parquet", "airframes.parquet")


@dataclass(frozen=True, eq=False)
class SimInputs:
    """Flights, airframes and one-hour orders of a plan (aligned arrays).

    Flights are indexed ``0..F-1`` in the plan's ``flight_id`` order; airframes ``0..A-1`` in
    the plan's airframe table order; hubs by their position in ``network.hubs``. Orders with
    ``mode == 1`` fly (``flight`` ≥ 0), ``mode == 2`` are ground deliveries from the origin's
    fulfilment centre.
    """

    network: Network
    flight_id: NDArray[np.int64]
    flight_airframe: NDArray[np.int64]
    flight_origin: NDArray[np.int64]
    flight_destination: NDArray[np.int64]
    flight_launch_s: NDArray[np.float64]
    flight_duration_s: NDArray[np.float64]
    flight_mass_kg: NDArray[np.float64]
    flight_orders: NDArray[np.int64]
    flight_repositioning: NDArray[np.bool_]
    airframe_id: NDArray[np.str_]
    airframe_hub: NDArray[np.int64]
    order_id: NDArray[np.str_]
    order_mode: NDArray[np.int8]
    order_origin: NDArray[np.int64]
    order_destination: NDArray[np.int64]
    order_flight: NDArray[np.int64]
    order_created_s: NDArray[np.float64]
    order_port_s: NDArray[np.float64]
    order_inspection_s: NDArray[np.float64]
    order_promised_s: NDArray[np.float64]
    order_planned_s: NDArray[np.float64]
    standard_orders: int

    @property
    def n_flights(self) -> int:
        return len(self.flight_id)

    @property
    def n_orders(self) -> int:
        return len(self.order_id)

    @property
    def start_s(self) -> float:
        """An hour before the first launch or order (the simulation clock starts here)."""
        times = np.concatenate([self.flight_launch_s, self.order_created_s])
        return float(np.floor(times.min() / 3600.0) * 3600.0 - 3600.0) if len(times) else 0.0

    @property
    def end_s(self) -> float:
        """Last planned launch or delivery."""
        times = np.concatenate([self.flight_launch_s, self.order_planned_s])
        return float(times.max()) if len(times) else 0.0


def _seconds(column: pa.ChunkedArray | pa.Array) -> NDArray[np.float64]:
    """Timestamps (any unit, UTC) to float epoch seconds; nulls to NaN."""
    ms = pc.cast(pc.cast(column, pa.timestamp("ms", tz="UTC")), pa.int64())
    return np.asarray(pc.fill_null(pc.cast(ms, pa.float64()), np.nan).to_numpy(), dtype=float) / 1e3


def _strings(column: pa.ChunkedArray) -> NDArray[np.str_]:
    return np.asarray(column.to_numpy(zero_copy_only=False)).astype(str)


def _hub_index(network: Network, ids: NDArray[np.str_], field: str) -> NDArray[np.int64]:
    lookup = {h: i for i, h in enumerate(network.hub_ids)}
    unknown = sorted(set(np.unique(ids).tolist()) - set(lookup) - {""})
    if unknown:
        raise InputError(field, unknown[0], "is not a hub of the network the plan is checked with")
    return np.array([lookup.get(x, -1) for x in ids.tolist()], dtype=np.int64)


def _build(
    network: Network, flights: pa.Table, outcomes: pa.Table, airframes: pa.Table
) -> SimInputs:
    airframe_id = _strings(airframes["airframe"])
    af_lookup = {a: i for i, a in enumerate(airframe_id.tolist())}
    f_af_names = _strings(flights["airframe"])
    missing = sorted(set(f_af_names.tolist()) - set(af_lookup))
    if missing:
        raise InputError("flights.airframe", missing[0], "is not in airframes.parquet")
    launch = _seconds(flights["launch"])
    service = _strings(outcomes["service"])
    one_hour = service == "one_hour"
    kept = outcomes.filter(pa.array(one_hour))
    mode_names = _strings(kept["mode"])
    mode = np.where(mode_names == "rocket", 1, np.where(mode_names == "ground", 2, 0))
    flight_ids = flights["flight_id"].to_numpy().astype(np.int64)
    position = {int(f): i for i, f in enumerate(flight_ids.tolist())}
    o_flight_id = kept["flight_id"].to_numpy().astype(np.int64)
    o_flight = np.array([position.get(int(f), -1) for f in o_flight_id.tolist()], dtype=np.int64)
    if np.any((mode == 1) & (o_flight < 0)):
        bad = int(np.flatnonzero((mode == 1) & (o_flight < 0))[0])
        raise InputError("outcomes.flight_id", int(o_flight_id[bad]), "is not a flight of the plan")
    return SimInputs(
        network=network,
        flight_id=flight_ids,
        flight_airframe=np.array([af_lookup[a] for a in f_af_names.tolist()], dtype=np.int64),
        flight_origin=_hub_index(network, _strings(flights["origin"]), "flights.origin"),
        flight_destination=_hub_index(
            network, _strings(flights["destination"]), "flights.destination"
        ),
        flight_launch_s=launch,
        flight_duration_s=_seconds(flights["landing"]) - launch,
        flight_mass_kg=flights["mass_kg"].to_numpy().astype(np.float64),
        flight_orders=flights["orders"].to_numpy().astype(np.int64),
        flight_repositioning=flights["repositioning"].to_numpy(zero_copy_only=False).astype(bool),
        airframe_id=airframe_id,
        airframe_hub=_hub_index(network, _strings(airframes["start_hub"]), "airframes.start_hub"),
        order_id=_strings(kept["order_id"]),
        order_mode=mode.astype(np.int8),
        order_origin=_hub_index(network, _strings(kept["origin"]), "outcomes.origin"),
        order_destination=_hub_index(
            network, _strings(kept["destination"]), "outcomes.destination"
        ),
        order_flight=np.where(mode == 1, o_flight, -1),
        order_created_s=_seconds(kept["created"]),
        order_port_s=_seconds(kept["port_arrival"]),
        order_inspection_s=np.nan_to_num(kept["inspection_s"].to_numpy().astype(np.float64)),
        order_promised_s=_seconds(kept["promised"]),
        order_planned_s=_seconds(kept["planned_delivery"]),
        standard_orders=int((~one_hour).sum()),
    )


def inputs_from_plan(plan: Plan, network: Network) -> SimInputs:
    """Simulator inputs from an in-memory plan made with ``network``."""
    return _build(network, plan.flights, plan.outcomes, plan.airframes)


def network_of_plan(directory: Path) -> Network:
    """The network a plan directory was made with (recorded by the CLI), else the default."""
    kpis_file = directory / "kpis.json"
    if kpis_file.is_file():
        recorded = json.loads(kpis_file.read_text()).get("network_file")
        if recorded:
            return load_network(Path(recorded))
    return default_network()


def load_inputs(directory: str | Path, network: Network | None = None) -> SimInputs:
    """Read a plan directory; ``network`` defaults to :func:`network_of_plan`."""
    path = Path(directory)
    if not path.is_dir():
        raise InputError("plan_dir", str(path), "is not a directory")
    for name in _NEEDED:
        if not (path / name).is_file():
            raise InputError("plan_dir", str(path), f"is not a plan directory (no {name})")
    net = network if network is not None else network_of_plan(path)
    return _build(
        net,
        pq.read_table(path / "flights.parquet"),
        pq.read_table(path / "outcomes.parquet"),
        pq.read_table(path / "airframes.parquet"),
    )
