"""Economics and fleet of a designed network at a demand level (one-hour rocket orders per day).

The day's orders are spread over the covered demand points in proportion to their weight
(people, or orders of the file). Each point is served on the lane the kernel routes it by
(:func:`rocketpost.core.eta.eta_to_places`: stock hub → landing site). Per lane:

* **cadence**: the one-hour promise holds only if an order leaves on the next launch slot of
  its hub (``launch_interval_min``: waves, or a free pad on demand), so a lane flies in every
  slot that has at least one order. With Poisson arrivals at ``λ`` orders per second and slots
  ``w`` seconds apart, the expected flights per day are ``86,400 / w × (1 − e^{−λw})`` — never
  fewer than the payload limits (mass, volume) demand;
* **fill**: mass and volume per flight against the rocket's 10 t / 120 m³;
* **airframes**: each flight holds its airframe until it is home and ready again
  (:func:`rocketpost.planning.fleet.home_ready_s`, the rule the booking service sells flights
  by across days): the flight, the days at sea of an airframe landed at a site without a pad,
  the reuse cycle (recovery + turnaround, ``rocket.reuse_cycle_s``), and, when that leaves it at
  another hub, the ferry home and a second cycle; ``flights_per_airframe`` wears airframes out,
  so the year needs new ones;
* **cost per kg**: flights at ``rocket.cost_per_flight_usd`` plus the network's annual cost
  (sites, fixed sites, hub spaceports; :class:`~rocketpost.design.costs.CostModel`) per day,
  over the kilograms delivered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rocketpost.core.eta import EtaOptions, eta_to_places
from rocketpost.core.networklegs import flight_matrix
from rocketpost.design.costs import CostModel
from rocketpost.design.demand import Demand
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.planning.fleet import home_ready_s, site_returns

__all__ = ["FleetEconomics", "LaneEconomics", "OrderProfile", "fleet_economics"]

_DAY_S = 86_400.0


@dataclass(frozen=True)
class OrderProfile:
    """The average one-hour order: packed mass and volume."""

    mass_kg: float = 1.5
    volume_m3: float = 0.008

    def __post_init__(self) -> None:
        for name in ("mass_kg", "volume_m3"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise InputError(f"order.{name}", value, "must be > 0")


@dataclass(frozen=True)
class LaneEconomics:
    """One lane (stock hub → landing site) for a day."""

    origin: str
    site: str
    orders_per_day: float
    flights_per_day: float
    fill_mass: float
    fill_volume: float
    airframe_days_per_day: float
    days_at_sea_per_flight: float


@dataclass(frozen=True)
class FleetEconomics:
    """The day's flights, fill, airframes and cost per kilogram."""

    orders_per_day: float
    kg_per_day: float
    lanes: tuple[LaneEconomics, ...]
    flights_per_day: float
    mean_fill_mass: float
    airframes_in_use: float
    airframes_per_year_worn_out: float
    flight_usd_per_day: float
    network_usd_per_day: float
    usd_per_kg: float

    def summary(self) -> dict[str, object]:
        """JSON-ready figures (lanes sorted by orders)."""
        return {
            "orders_per_day": self.orders_per_day,
            "kg_per_day": self.kg_per_day,
            "lanes": len(self.lanes),
            "flights_per_day": self.flights_per_day,
            "mean_fill_mass": self.mean_fill_mass,
            "airframes_in_use": self.airframes_in_use,
            "airframes_per_year_worn_out": self.airframes_per_year_worn_out,
            "flight_usd_per_day": self.flight_usd_per_day,
            "network_usd_per_day": self.network_usd_per_day,
            "usd_per_kg": self.usd_per_kg,
            "top_lanes": [
                lane.__dict__ for lane in sorted(self.lanes, key=lambda r: -r.orders_per_day)[:20]
            ],
        }


def fleet_economics(
    network: Network,
    demand: Demand,
    *,
    stock_hubs: tuple[str, ...] | list[str],
    orders_per_day: float,
    costs: CostModel,
    order: OrderProfile | None = None,
) -> FleetEconomics:
    """Flights, fill, airframes and cost per kg of ``network`` at ``orders_per_day`` one-hour
    rocket orders, spread over the points of ``demand`` it covers (see the module doc)."""
    if not (math.isfinite(orders_per_day) and orders_per_day > 0):
        raise InputError("orders_per_day", orders_per_day, "must be > 0")
    order = order or OrderProfile()
    eta = eta_to_places(
        network,
        demand.lat_deg,
        demand.lon_deg,
        origins=list(stock_hubs),
        options=EtaOptions(allow_ground=False),
    )
    row, _ = eta.best_over_origins()
    columns = np.arange(len(demand))
    covered = eta.within(network.promise.one_hour_min)[row, columns]
    if not covered.any():
        raise InputError("network", network.source, "promises no one-hour rocket delivery")
    origin = eta.origin_index[row][covered]
    site = eta.destination_index[row, columns][covered]
    weight = demand.weight[covered]
    lanes_key = origin * len(network.landing_sites) + site
    keys, inverse = np.unique(lanes_key, return_inverse=True)
    lane_orders = np.bincount(inverse, weights=weight) / weight.sum() * orders_per_day
    rocket = network.rocket
    _, return_s = site_returns(network)
    flight_s = np.asarray(flight_matrix(network).flight_s, dtype=np.float64)
    lanes = []
    for k, key in enumerate(keys):
        o, d = divmod(int(key), len(network.landing_sites))
        interval_s = float(network.hubs[o].launch_interval_min * 60.0)
        rate = lane_orders[k] / _DAY_S
        by_slot = _DAY_S / interval_s * (1.0 - math.exp(-rate * interval_s))
        mass, volume = lane_orders[k] * order.mass_kg, lane_orders[k] * order.volume_m3
        by_payload = max(mass / rocket.payload_mass_kg, volume / rocket.payload_volume_m3)
        flights = max(by_slot, by_payload)
        busy_s = float(
            home_ready_s(network, np.array([o]), np.array([d]), flight_s[o, d : d + 1])[0]
        )
        lanes.append(
            LaneEconomics(
                origin=network.hubs[o].hub_id,
                site=network.site_ids[d],
                orders_per_day=float(lane_orders[k]),
                flights_per_day=flights,
                fill_mass=mass / flights / rocket.payload_mass_kg,
                fill_volume=volume / flights / rocket.payload_volume_m3,
                airframe_days_per_day=flights * busy_s / _DAY_S,
                days_at_sea_per_flight=float(return_s[d]) / _DAY_S,
            )
        )
    flights_total = sum(lane.flights_per_day for lane in lanes)
    kg = orders_per_day * order.mass_kg
    sites_cost = costs.site_usd_per_year([s.drones for s in network.extra_sites]).sum()
    network_usd_day = (float(sites_cost) + costs.hubs_usd_per_year(len(network.hubs))) / 365.0
    flight_usd_day = flights_total * rocket.cost_per_flight_usd
    return FleetEconomics(
        orders_per_day=float(orders_per_day),
        kg_per_day=kg,
        lanes=tuple(lanes),
        flights_per_day=flights_total,
        mean_fill_mass=kg / flights_total / rocket.payload_mass_kg,
        airframes_in_use=sum(lane.airframe_days_per_day for lane in lanes),
        airframes_per_year_worn_out=flights_total * 365.0 / rocket.flights_per_airframe,
        flight_usd_per_day=flight_usd_day,
        network_usd_per_day=network_usd_day,
        usd_per_kg=(flight_usd_day + network_usd_day) / kg,
    )
