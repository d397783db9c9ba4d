"""Drone decks sized from the demand a site serves and the drone's trip time."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from rocketpost.design.decks import DeckSizing, deck_drones
from rocketpost.errors import InputError
from rocketpost.network import default_network

DRONE = default_network().drone
SIZING = DeckSizing(orders_per_day=20_000.0, peak_hour_share=0.12, turnaround_min=5.0)


def test_a_hand_worked_deck() -> None:
    """10 M people of 1 bn: 200 orders a day, 24 in the peak hour; a 9 km trip at 90 km/h is
    12 min there and back, plus 1 min handover and 5 min swap: 0.3 h, so 7.2 → 8 flying, + 1."""
    drone = dataclasses.replace(DRONE, speed_kmh=90.0, handover_min=1.0, range_km=20.0)
    drones = deck_drones([10_000_000], [9.0], drone, demand_people=1e9, sizing=SIZING)
    assert drones.tolist() == [9]
    # Rates exactly at a whole number of drones need no extra one.
    assert math.isclose(24 * 0.3, 7.2)


def test_the_deck_grows_with_demand_and_distance_within_its_bounds() -> None:
    people = np.array([0, 1, 200_000, 2_000_000, 20_000_000, 200_000_000])
    near = deck_drones(people, np.full(6, 2.0), DRONE, demand_people=1e9, sizing=SIZING)
    far = deck_drones(people, np.full(6, 19.0), DRONE, demand_people=1e9, sizing=SIZING)
    assert near[0] == far[0] == 0  # no one in reach: no drones
    assert (np.diff(near[1:]) >= 0).all() and (np.diff(far[1:]) >= 0).all()
    assert (far >= near).all() and (far > near).any()
    assert near[1] == SIZING.min_drones and far[-1] == SIZING.max_drones
    busier = deck_drones(
        people, np.full(6, 19.0), DRONE, demand_people=1e9,
        sizing=dataclasses.replace(SIZING, orders_per_day=200_000.0),
    )  # fmt: skip
    assert (busier >= far).all() and (busier > far).any()


def test_trips_beyond_the_drone_range_are_capped_at_it() -> None:
    at_range = deck_drones([50_000_000], [DRONE.range_km], DRONE, 1e9, SIZING)
    beyond = deck_drones([50_000_000], [10 * DRONE.range_km], DRONE, 1e9, SIZING)
    assert at_range.tolist() == beyond.tolist()


@pytest.mark.parametrize(
    ("field", "value"),
    [("orders_per_day", -1.0), ("peak_hour_share", 0.0), ("min_drones", 20), ("spare_drones", -1)],
)
def test_bad_sizing_is_refused(field: str, value: float) -> None:
    with pytest.raises(InputError, match=field):
        dataclasses.replace(SIZING, **{field: value})


def test_bad_demand_is_refused() -> None:
    with pytest.raises(InputError, match="demand_people"):
        deck_drones([1], [1.0], DRONE, demand_people=float("nan"))
