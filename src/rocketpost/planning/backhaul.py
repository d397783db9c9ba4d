"""Backhaul: freight that rides a repositioning flight instead of an empty hold.

The fleet drifts towards the markets that import the most, so airframes are flown back empty to
where the next day's demand is (:mod:`rocketpost.planning.fleet`). An empty 10-tonne hold is the
cheapest capacity the network has: B2B freight that is *not* on a one-hour promise (it went to the
standard service because its lane-wave was too light, no airframe was free, or its door is too
far from any landing zone for one hour) and that waits at the repositioning flight's origin for
the hub that flight lands at goes along, earliest order first, under both limits of the hold.

Its promise does not change (the standard service's days), so riding along can only make it
early; the plan shows it as a rocket delivery of a standard-service order on a repositioning
flight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rocketpost.network import Network
from rocketpost.orders.table import OrderTable
from rocketpost.planning.fleet import FleetSchedule
from rocketpost.planning.service_choice import Mode, Reason, ServiceChoice, reason_code

__all__ = ["BACKHAUL_REASONS", "Backhaul", "load_backhaul"]

BACKHAUL_REASONS = (
    Reason.LIGHT_LOAD,
    Reason.NO_CAPACITY,
    Reason.LAST_MILE_TOO_LONG,
    Reason.NO_LANDING_ZONE_IN_REACH,
)
"""Downgrades that leave an order free to fly as freight (customs holds, dangerous goods, loads
over the hold and missing stock never are)."""


@dataclass(frozen=True, eq=False)
class Backhaul:
    """Orders loaded onto repositioning flights.

    ``order_flight[i]`` is the flight index (into the schedule's flights) of order ``i``, -1 when
    it does not ride one; ``flight_mass_kg`` and ``flight_volume_m3`` are the loads per flight.
    """

    order_flight: NDArray[np.int64]
    flight_mass_kg: NDArray[np.float64]
    flight_volume_m3: NDArray[np.float64]

    @property
    def orders(self) -> NDArray[np.int64]:
        return np.flatnonzero(self.order_flight >= 0)


def load_backhaul(
    network: Network,
    orders: OrderTable,
    choice: ServiceChoice,
    mode: NDArray[np.int8],
    reason: NDArray[np.int8],
    schedule: FleetSchedule,
) -> Backhaul:
    """Fill each repositioning flight with waiting B2B freight for its destination hub.

    Parameters
    ----------
    choice
        The service choice: an order's origin and destination hub are the ones its fastest
        rocket route would use.
    mode, reason
        The outcomes after consolidation and fleet downgrades.
    schedule
        The fleet's flights: the repositioning ones (no cargo bin) take the freight.
    """
    flight_origin = schedule.flight_origin
    flight_destination = schedule.flight_destination
    flight_launch_s = schedule.flight_launch_s
    repositioning = schedule.repositioning
    n = len(orders)
    order_flight = np.full(n, -1, dtype=np.int64)
    nf = len(flight_origin)
    loaded_kg = np.zeros(nf)
    loaded_m3 = np.zeros(nf)
    free_codes = np.array([reason_code(r) for r in BACKHAUL_REASONS])
    eligible = (
        (mode == Mode.STANDARD)
        & np.isin(reason, free_codes)
        & orders.is_b2b
        & (choice.destination != choice.origin)
    )
    if not eligible.any() or not repositioning.any():
        return Backhaul(order_flight, loaded_kg, loaded_m3)
    ready = orders.created_at_s.astype(np.float64) + network.handling_s[choice.origin]
    cap_kg, cap_m3 = network.rocket.payload_mass_kg, network.rocket.payload_volume_m3
    # Earliest flights choose first; within a flight, the longest-waiting freight goes first.
    for f in np.flatnonzero(repositioning)[
        np.argsort(flight_launch_s[repositioning], kind="stable")
    ]:
        waiting = np.flatnonzero(
            eligible
            & (order_flight < 0)
            & (choice.origin == flight_origin[f])
            & (choice.destination == flight_destination[f])
            & (ready <= flight_launch_s[f] + 1e-6)
        )
        if len(waiting) == 0:
            continue
        waiting = waiting[np.lexsort((waiting, orders.created_at_s[waiting]))]
        mass = orders.mass_kg[waiting]
        volume = orders.volume_m3[waiting]
        # Greedy in queue order, skipping what does not fit (a pallet may leave room for parcels).
        for i, kg, m3 in zip(waiting.tolist(), mass.tolist(), volume.tolist(), strict=True):
            if loaded_kg[f] + kg <= cap_kg + 1e-9 and loaded_m3[f] + m3 <= cap_m3 + 1e-12:
                loaded_kg[f] += kg
                loaded_m3[f] += m3
                order_flight[i] = f
    return Backhaul(order_flight, loaded_kg, loaded_m3)
