"""The flights of a replicate: growing columns while it runs, a :class:`FlightRecord` after."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rocketpost.simulation.eventlog import EventLog
from rocketpost.simulation.inputs import SimInputs
from rocketpost.simulation.paddispatch import flight_latest_launch_s

__all__ = ["FlightColumns", "FlightRecord", "FlightStatus"]


class FlightStatus:
    """Final state of a flight (int8 codes in :attr:`FlightRecord.status`)."""

    DELIVERED = 0  # landed, pod at the port (repositioning flights: landed)
    LOST = 1  # landing failure
    STANDARD = 2  # cancelled, cargo to the standard service
    REPLACED = 3  # cancelled, cargo re-dispatched on ``replaced_by``
    NAMES = ("delivered", "lost", "standard", "replaced")


@dataclass(frozen=True, eq=False)
class FlightRecord:
    """What happened to every flight of a replicate (planned flights first, then re-dispatches).

    Times are float epoch seconds, NaN when it did not happen. ``parent`` is the flight whose
    cargo a re-dispatch carries (-1 for planned flights), ``replaced_by`` the reverse link.
    """

    flight_id: NDArray[np.int64]
    origin: NDArray[np.int64]
    destination: NDArray[np.int64]
    planned_s: NDArray[np.float64]
    launch_s: NDArray[np.float64]
    landing_s: NDArray[np.float64]
    port_s: NDArray[np.float64]
    status: NDArray[np.int8]
    replaced_by: NDArray[np.int64]
    parent: NDArray[np.int64]
    scrubs: NDArray[np.int64]
    holds: NDArray[np.int64]
    diverted: NDArray[np.bool_]
    vessel_drones: NDArray[np.bool_]
    """The landing site's vessel launched drones after this landing (wind and waves within the
    drone's limits, not diverted); False where it has none or the flight never landed."""
    airframe: NDArray[np.int64]
    mass_kg: NDArray[np.float64]
    repositioning: NDArray[np.bool_]
    airframes_total: int
    airframes_flown: int
    airframes_lost: int
    events_processed: int
    log: EventLog


class FlightColumns:
    """What happens to each flight as the replicate runs: growing columns, planned flights
    first, then re-dispatches as they are added."""

    def __init__(self, inputs: SimInputs) -> None:
        self.flight_id = inputs.flight_id.tolist()
        self.origin = inputs.flight_origin.tolist()
        self.destination = inputs.flight_destination.tolist()
        self.planned = inputs.flight_launch_s.tolist()
        self.duration = inputs.flight_duration_s.tolist()
        self.planned_airframe = inputs.flight_airframe.tolist()
        self.mass = inputs.flight_mass_kg.tolist()
        self.repositioning = inputs.flight_repositioning.tolist()
        # What the pad dispatcher ranks by: the latest launch keeping every promise on board,
        # and how many promises that is (rocketpost.simulation.paddispatch).
        self.latest_launch, self.promises = (
            column.tolist() for column in flight_latest_launch_s(inputs)
        )
        n = len(self.flight_id)
        self.parent = [-1] * n
        self.launch = [math.nan] * n
        self.landing = [math.nan] * n
        self.port = [math.nan] * n
        self.status = [FlightStatus.DELIVERED] * n
        self.replaced_by = [-1] * n
        self.scrubs = [0] * n
        self.holds = [0] * n
        self.diverted = [False] * n
        self.vessel_drones = [False] * n
        self.airframe = [-1] * n
        self.next_id = (max(self.flight_id) + 1) if n else 0

    def add(self, parent: int, origin: int, planned_s: float, duration_s: float) -> int:
        g = len(self.flight_id)
        self.flight_id.append(self.next_id)
        self.next_id += 1
        self.origin.append(origin)
        self.destination.append(self.destination[parent])
        self.planned.append(planned_s)
        self.duration.append(duration_s)
        self.planned_airframe.append(-1)
        self.mass.append(self.mass[parent])
        self.repositioning.append(False)
        # The same promises: its latest launch moves by the difference in flight time.
        self.latest_launch.append(self.latest_launch[parent] + self.duration[parent] - duration_s)
        self.promises.append(self.promises[parent])
        self.parent.append(parent)
        self.launch.append(math.nan)
        self.landing.append(math.nan)
        self.port.append(math.nan)
        self.status.append(FlightStatus.DELIVERED)
        self.replaced_by.append(-1)
        self.scrubs.append(0)
        self.holds.append(0)
        self.diverted.append(False)
        self.vessel_drones.append(False)
        self.airframe.append(-1)
        self.replaced_by[parent] = g
        return g

    def record(
        self,
        *,
        airframes_total: int,
        airframes_flown: int,
        airframes_lost: int,
        events_processed: int,
        log: EventLog,
    ) -> FlightRecord:
        """The columns as arrays, with the replicate's fleet and event counts."""
        return FlightRecord(
            flight_id=np.asarray(self.flight_id, dtype=np.int64),
            origin=np.asarray(self.origin, dtype=np.int64),
            destination=np.asarray(self.destination, dtype=np.int64),
            planned_s=np.asarray(self.planned, dtype=np.float64),
            launch_s=np.asarray(self.launch, dtype=np.float64),
            landing_s=np.asarray(self.landing, dtype=np.float64),
            port_s=np.asarray(self.port, dtype=np.float64),
            status=np.asarray(self.status, dtype=np.int8),
            replaced_by=np.asarray(self.replaced_by, dtype=np.int64),
            parent=np.asarray(self.parent, dtype=np.int64),
            scrubs=np.asarray(self.scrubs, dtype=np.int64),
            holds=np.asarray(self.holds, dtype=np.int64),
            diverted=np.asarray(self.diverted, dtype=bool),
            vessel_drones=np.asarray(self.vessel_drones, dtype=bool),
            airframe=np.asarray(self.airframe, dtype=np.int64),
            mass_kg=np.asarray(self.mass, dtype=np.float64),
            repositioning=np.asarray(self.repositioning, dtype=bool),
            airframes_total=airframes_total,
            airframes_flown=airframes_flown,
            airframes_lost=airframes_lost,
            events_processed=events_processed,
            log=log,
        )
