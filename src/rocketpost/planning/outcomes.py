"""The plan's KPIs (``kpis.json``): service mix, promises kept, flights, fill and cost.

Computed from the typed tables (:mod:`rocketpost.planning.tables`), never from the files, so the
planner and a plan read back give the same figures. Outcomes only: where the plan came from is
its :class:`~rocketpost.planning.tables.Provenance` (``manifest.json``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from rocketpost.network import Network
from rocketpost.planning.consolidation import lower_bound
from rocketpost.planning.service_choice import REASONS, Mode
from rocketpost.planning.tables import Flights, Outcomes

__all__ = ["carried_lower_bound", "kpis", "same_day_kpis"]


def carried_lower_bound(network: Network, flights: Flights) -> int:
    """Σ over (lane, wave) of the lower bound of what actually flies.

    Counted on the cargo that flies (not on the demand), so flights ÷ bound measures packing,
    not the fleet shortage.
    """
    rocket = network.rocket
    cargo = ~flights.repositioning
    if not cargo.any():
        return 0
    keys = np.stack(
        [
            flights.origin[cargo].astype(np.float64),
            flights.destination[cargo].astype(np.float64),
            flights.launch_s[cargo],
        ],
        axis=1,
    )
    _, group = np.unique(keys, axis=0, return_inverse=True)
    group = group.ravel()
    mass = np.bincount(group, weights=flights.mass_kg[cargo])
    volume = np.bincount(group, weights=flights.volume_m3[cargo])
    return sum(
        lower_bound(float(m), float(v), rocket.payload_mass_kg, rocket.payload_volume_m3)
        for m, v in zip(mass, volume, strict=True)
    )


def kpis(
    network: Network,
    outcomes: Outcomes,
    flights: Flights,
    utilisation: float,
    airframes_used: int,
    sea_return_s: NDArray[np.float64] | None = None,
) -> dict[str, Any]:
    """The plan summary: service mix, promises, flights, fill, cost per kg, repositioning, and
    the airframes shipped back by sea from landing sites without a pad (``sea_return_s``: per
    flight, seconds at sea afterwards). The cost is the flights' plus every airframe day at sea
    at ``rocket.airframe_day_cost_usd`` (``sea_return_cost_usd``)."""
    rocket = network.rocket
    n = len(outcomes)
    one_hour = outcomes.one_hour
    on_time = outcomes.on_time
    repositioning = flights.repositioning
    mass = flights.mass_kg
    volume = flights.volume_m3
    cargo = int((~repositioning).sum())
    carried_kg = float(mass.sum())
    cargo_kg = float(mass[~repositioning].sum())
    cargo_m3 = float(volume[~repositioning].sum())
    returns = np.zeros(0) if sea_return_s is None else np.asarray(sea_return_s, dtype=np.float64)
    days_at_sea = float(returns.sum() / 86400.0)
    sea_cost = days_at_sea * rocket.airframe_day_cost_usd
    cost = len(mass) * rocket.cost_per_flight_usd + sea_cost
    counts = np.bincount(outcomes.reason, minlength=len(REASONS))
    reasons = sorted((r.value, int(c)) for r, c in zip(REASONS, counts, strict=True) if c)
    return {
        "orders": n,
        "one_hour_orders": int(one_hour.sum()),
        "one_hour_share": float(one_hour.mean()) if n else 0.0,
        "rocket_orders": int((outcomes.mode == Mode.ROCKET).sum()),
        "ground_orders": int((outcomes.mode == Mode.GROUND).sum()),
        "standard_orders": int((~one_hour).sum()),
        "reasons": dict(reasons),
        "promises_kept": int(on_time.sum()),
        "promises_kept_share": float(on_time.mean()) if n else 1.0,
        "late_orders": int((~on_time).sum()),
        "flights": len(mass),
        "cargo_flights": cargo,
        "repositioning_flights": int(repositioning.sum()),
        "carried_kg": carried_kg,
        "carried_m3": float(volume.sum()),
        "fill_by_weight": cargo_kg / (cargo * rocket.payload_mass_kg) if cargo else 0.0,
        "fill_by_volume": cargo_m3 / (cargo * rocket.payload_volume_m3) if cargo else 0.0,
        "cost_usd": cost,
        "cost_per_kg_usd": cost / carried_kg if carried_kg else None,
        "airframes_used": airframes_used,
        "airframe_utilisation": utilisation,
        "sea_returns": int(np.count_nonzero(returns)),
        "airframe_days_at_sea": days_at_sea,
        "sea_return_cost_usd": sea_cost,
    }


def same_day_kpis(
    network: Network,
    outcomes: Outcomes,
    flights: Flights,
    mass_kg: NDArray[np.float64],
    volume_m3: NDArray[np.float64],
) -> dict[str, Any]:
    """What the same-day tier adds: its orders and load, and the flights carrying one-hour
    orders filled by their one-hour load alone (before) and with the same-day top-up (after).

    ``mass_kg`` / ``volume_m3`` are the orders' (aligned with ``outcomes``). Cost per kg
    before is those flights' cost over their one-hour load; after, the plan's
    ``cost_per_kg_usd`` (every flight over everything carried).
    """
    rocket = network.rocket
    cap_kg, cap_m3 = rocket.payload_mass_kg, rocket.payload_volume_m3
    nf = len(flights)
    same_day = outcomes.mode == Mode.SAME_DAY
    on = outcomes.flight_id >= 0
    one_hour_on = on & outcomes.one_hour
    same_day_on = on & same_day
    flight = outcomes.flight_id

    def per_flight(rows: NDArray[np.bool_], weights: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.bincount(flight[rows], weights=weights[rows], minlength=nf).astype(np.float64)

    one_hour_kg = per_flight(one_hour_on, mass_kg)
    one_hour_m3 = per_flight(one_hour_on, volume_m3)
    one_hour_count = np.bincount(flight[one_hour_on], minlength=nf)
    same_day_count = np.bincount(flight[same_day_on], minlength=nf)
    cargo = ~flights.repositioning
    with_one_hour = cargo & (one_hour_count > 0)
    k = int(with_one_hour.sum())
    before_kg = float(one_hour_kg[with_one_hour].sum())
    after_kg = float(flights.mass_kg[with_one_hour].sum())
    return {
        "same_day_orders": int(same_day.sum()),
        "same_day_kg": float(mass_kg[same_day_on].sum()),
        "same_day_m3": float(volume_m3[same_day_on].sum()),
        "same_day_on_one_hour_flights": int(same_day_count[with_one_hour].sum()),
        "same_day_flights": int((cargo & (one_hour_count == 0) & (same_day_count > 0)).sum()),
        "one_hour_flights": k,
        "one_hour_flights_fill_by_weight_before": before_kg / (k * cap_kg) if k else 0.0,
        "one_hour_flights_fill_by_volume_before": float(one_hour_m3[with_one_hour].sum())
        / (k * cap_m3)
        if k
        else 0.0,
        "one_hour_flights_fill_by_weight_after": after_kg / (k * cap_kg) if k else 0.0,
        "one_hour_flights_fill_by_volume_after": float(flights.volume_m3[with_one_hour].sum())
        / (k * cap_m3)
        if k
        else 0.0,
        "one_hour_flights_cost_per_kg_before_usd": k * rocket.cost_per_flight_usd / before_kg
        if before_kg
        else None,
        "one_hour_flights_cost_per_kg_after_usd": k * rocket.cost_per_flight_usd / after_kg
        if after_kg
        else None,
    }
