"""The plan as the simulator needs it: flat NumPy arrays, shipped once to every worker.

:func:`inputs_from_plan` selects from an in-memory :class:`~rocketpost.planning.tables.Plan`;
:func:`load_inputs` reads a plan directory through
:func:`~rocketpost.planning.plan_files.read_plan` (the one place plan files are parsed) and does
the same. Only the columns the simulator uses are kept, as float seconds since the epoch (UTC)
and integer hub and airframe indices, so that a :class:`SimInputs` pickles small and fast to
Dask workers. Only the orders that were promised the one-hour service are kept: the standard
service is outside the model.

Flights land at landing sites (``network.landing_sites``: the hubs' zones first, so a hub index
is also its zone's site index, then sites without a pad). Per site the inputs carry where an
airframe landing there flies next and its days at sea getting there
(:func:`rocketpost.planning.fleet.site_returns`, computed once here, not in every worker), and
the site's country (for customs). Per order: whether a drone flies it from the recovery vessel,
and the other way if the vessel's drones are grounded on the day (boat → port → last mile, as
the plan recorded it: ``outcomes.last_mile_instead_s``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.doortodoor import network_legs
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.planning.fleet import site_returns
from rocketpost.planning.plan_files import network_of_plan, read_plan
from rocketpost.planning.service_choice import Mode
from rocketpost.planning.tables import Plan

__all__ = ["SimInputs", "inputs_from_plan", "load_inputs", "network_of_plan"]


@dataclass(frozen=True, eq=False)
class SimInputs:
    """Flights, airframes and one-hour orders of a plan (aligned arrays).

    Flights are indexed ``0..F-1`` in the plan's ``flight_id`` order; airframes ``0..A-1`` in
    the plan's airframe table order; hubs by their position in ``network.hubs``. Orders with
    ``order_mode == Mode.ROCKET`` fly (``order_flight`` ≥ 0), ``Mode.GROUND`` ones are ground
    deliveries from the origin's fulfilment centre.
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
    """:class:`~rocketpost.planning.service_choice.Mode` values (rocket or ground)."""
    order_origin: NDArray[np.int64]
    order_destination: NDArray[np.int64]
    order_flight: NDArray[np.int64]
    order_created_s: NDArray[np.float64]
    order_port_s: NDArray[np.float64]
    order_inspection_s: NDArray[np.float64]
    order_promised_s: NDArray[np.float64]
    order_planned_s: NDArray[np.float64]
    order_p_on_time: NDArray[np.float64]
    """The P(on time) the plan promised the hour at (NaN: decided by the buffer)."""
    order_inspection_p: NDArray[np.float64]
    """The odds of an unplanned customs inspection that promise counted (NaN: decided by the
    buffer; the climate's rate then applies to cross-border rocket parcels)."""
    order_vessel: NDArray[np.bool_]
    """By drone from the landing site's recovery vessel (``order_port_s``: on the drone deck)."""
    order_port_instead_s: NDArray[np.float64]
    """Vessel orders whose drones are grounded: touchdown to the parcel at the site's port
    (sea transfer, boat, port handling; NaN for the other orders)."""
    order_last_mile_instead_s: NDArray[np.float64]
    """... and the last mile from that port (NaN for the other orders)."""
    site_return_hub: NDArray[np.int64]
    """Per site: the hub an airframe that lands there flies from next (its own for a hub)."""
    site_return_s: NDArray[np.float64]
    """Per site: seconds at sea to get there (0 at a hub's zone)."""
    site_country: NDArray[np.str_]
    """Per site: its country (a hub's, or the port's)."""
    standard_orders: int
    order_stock: NDArray[np.bool_] | None = None
    """``(orders, hubs)``: the hubs holding each order's goods, for the ``other_hub`` fallback
    (``None``: every hub, as the planner assumes without an inventory)."""

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


def inputs_from_plan(plan: Plan, network: Network, *, stock: ArrayLike | None = None) -> SimInputs:
    """Simulator inputs from a plan made with ``network`` (in memory or read back); ``stock``:
    the ``(plan orders, hubs)`` mask of hubs holding each order's goods (the planner's
    ``allowed_origins``; ``None``: every hub)."""
    if plan.hub_ids != network.site_ids:
        raise InputError(
            "network",
            f"{len(network.site_ids)} sites",
            f"does not have the plan's hubs and landing sites ({len(plan.hub_ids)})",
        )
    flights, outcomes = plan.flights, plan.outcomes
    kept = np.flatnonzero(outcomes.one_hour)
    mode = outcomes.mode[kept]
    rocket = mode == Mode.ROCKET
    o_flight_id = outcomes.flight_id[kept]
    by_id = np.argsort(flights.flight_id, kind="stable")
    sorted_ids = flights.flight_id[by_id]
    at = np.minimum(np.searchsorted(sorted_ids, o_flight_id), max(len(sorted_ids) - 1, 0))
    found = (sorted_ids[at] == o_flight_id) if len(sorted_ids) else np.zeros(len(kept), bool)
    o_flight = np.where(found, by_id[at] if len(sorted_ids) else -1, -1)
    if np.any(rocket & (o_flight < 0)):
        bad = int(np.flatnonzero(rocket & (o_flight < 0))[0])
        raise InputError("outcomes.flight_id", int(o_flight_id[bad]), "is not a flight of the plan")
    vessel = outcomes.vessel[kept] & rocket
    destination = outcomes.destination[kept]
    to_port = network_legs(network).landing_to_port_s[np.maximum(destination, 0)]
    return_hub, return_s = site_returns(network)
    countries = [
        network.hubs[site.hub_index].country if site.hub_index >= 0 else site.country
        for site in network.landing_sites
    ]
    order_stock = None
    if stock is not None:
        order_stock = np.asarray(stock, dtype=bool)
        if order_stock.shape != (len(outcomes.one_hour), len(network.hubs)):
            raise InputError(
                "stock",
                order_stock.shape,
                f"must be ({len(outcomes.one_hour)}, {len(network.hubs)})",
            )
        order_stock = order_stock[kept]
    return SimInputs(
        network=network,
        flight_id=flights.flight_id,
        flight_airframe=flights.airframe,
        flight_origin=flights.origin,
        flight_destination=flights.destination,
        flight_launch_s=flights.launch_s,
        flight_duration_s=flights.landing_s - flights.launch_s,
        flight_mass_kg=flights.mass_kg,
        flight_orders=flights.orders,
        flight_repositioning=flights.repositioning,
        airframe_id=plan.airframes.airframe_id,
        airframe_hub=plan.airframes.start_hub,
        order_id=outcomes.order_id[kept],
        order_mode=mode,
        order_origin=outcomes.origin[kept],
        order_destination=outcomes.destination[kept],
        order_flight=np.where(rocket, o_flight, -1),
        order_created_s=outcomes.created_s[kept],
        order_port_s=outcomes.port_arrival_s[kept],
        order_inspection_s=np.nan_to_num(outcomes.inspection_s[kept]),
        order_promised_s=outcomes.promised_s[kept],
        order_planned_s=outcomes.planned_delivery_s[kept],
        order_p_on_time=outcomes.p_on_time[kept],
        order_inspection_p=outcomes.inspection_p[kept],
        order_vessel=vessel,
        order_port_instead_s=np.where(vessel, to_port, np.nan),
        order_last_mile_instead_s=np.where(vessel, outcomes.last_mile_instead_s[kept], np.nan),
        site_return_hub=np.asarray(return_hub, dtype=np.int64),
        site_return_s=np.asarray(return_s, dtype=np.float64),
        site_country=np.array(countries, dtype=str),
        standard_orders=int((~outcomes.one_hour).sum()),
        order_stock=order_stock,
    )


def load_inputs(directory: str | Path, network: Network | None = None) -> SimInputs:
    """Read a plan directory; ``network`` defaults to :func:`network_of_plan`."""
    path = Path(directory)
    if not path.is_dir():
        raise InputError("plan_dir", str(path), "is not a directory")
    for name in ("flights.parquet", "outcomes.parquet", "airframes.parquet", "manifest.json"):
        if not (path / name).is_file():
            raise InputError("plan_dir", str(path), f"is not a plan directory (no {name})")
    net = network if network is not None else network_of_plan(path)
    return inputs_from_plan(read_plan(path, net), net)
