"""How many drones a landing site's recovery vessel carries: sized from the demand it serves.

A site's drones fly the one-hour parcels of the people in its drone catchment straight from the
vessel's deck. The deck is sized for the busiest hour of a day at the designer's demand level:

    peak parcels per hour = orders per day × (catchment people / demand people) × peak-hour share
    hours per trip        = 2 × trip km / drone speed + (handover + turnaround) / 60
    drones                = ceil(peak parcels per hour × hours per trip) + spares

bounded below by a minimum crew of drones (one flying, one charging) and above by what one
recovery vessel's deck holds. A site nobody is in drone reach of carries none. The trip is the
way to the city the site was placed for (``city_distance_km``), capped at the drone's range.

Assumptions, each named: the orders spread over the demand in proportion to population (the
designer's own demand model, :mod:`rocketpost.design.demand`); the busiest hour carries 12 % of a
day's orders (a judgement: e-commerce order curves peak in the evening at roughly 8–12 % of the
day per hour); a battery swap and reload takes 5 min (a judgement, for swappable packs); one
spare; at most 12 drones on a platform-supply vessel's free deck (a judgement, ~1,000 m² of deck
with the pod cradle and a landing pad taking most of it). At the designer's default 20,000
one-hour orders a day worldwide most decks are the minimum; the largest catchments need more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.errors import InputError
from rocketpost.network.vehicles import Drone

__all__ = ["DECK_SIZING", "DeckSizing", "deck_drones"]


@dataclass(frozen=True)
class DeckSizing:
    """The demand level and the deck's rules (module docstring for each figure's reason)."""

    orders_per_day: float = 20_000.0
    """One-hour orders a day over the whole demand (``rocketpost design --orders-per-day``)."""
    peak_hour_share: float = 0.12
    turnaround_min: float = 5.0
    spare_drones: int = 1
    min_drones: int = 2
    max_drones: int = 12

    def __post_init__(self) -> None:
        for name in ("orders_per_day", "turnaround_min"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise InputError(f"deck.{name}", value, "must be a finite number ≥ 0")
        if not 0 < self.peak_hour_share <= 1:
            raise InputError("deck.peak_hour_share", self.peak_hour_share, "must be in (0, 1]")
        for name in ("spare_drones", "min_drones", "max_drones"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InputError(f"deck.{name}", value, "must be a whole number ≥ 0")
        if self.min_drones > self.max_drones:
            raise InputError("deck.min_drones", self.min_drones, "must be ≤ deck.max_drones")


DECK_SIZING = DeckSizing()


def deck_drones(
    catchment_people: ArrayLike,
    trip_km: ArrayLike,
    drone: Drone,
    demand_people: float,
    sizing: DeckSizing = DECK_SIZING,
) -> NDArray[np.int64]:
    """Drones per site for ``catchment_people`` in drone reach at ``trip_km`` (module docstring);
    ``demand_people`` is the population the day's orders spread over."""
    if not (math.isfinite(demand_people) and demand_people > 0):
        raise InputError("demand_people", demand_people, "must be a finite number > 0")
    people = np.asarray(catchment_people, dtype=np.float64)
    trip = np.clip(np.asarray(trip_km, dtype=np.float64), 0.0, drone.range_km)
    per_hour = sizing.orders_per_day * people / demand_people * sizing.peak_hour_share
    stop_min = drone.handover_min + sizing.turnaround_min
    hours_per_trip = 2.0 * trip / drone.speed_kmh + stop_min / 60.0
    needed = np.ceil(per_hour * hours_per_trip - 1e-9) + sizing.spare_drones
    count = np.clip(needed, sizing.min_drones, sizing.max_drones).astype(np.int64)
    return np.where(people > 0, count, 0)
