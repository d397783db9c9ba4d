"""Consolidation: packing under both limits, lower bounds, hold / fly / downgrade decisions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rocketpost.network import Network, default_network
from rocketpost.orders.table import OrderTable
from rocketpost.planning.consolidation import ConsolidationPolicy, consolidate, lower_bound, pack
from rocketpost.planning.service_choice import REASONS, Reason, ServiceChoice, choose_service

from . import make_orders

DAY_S = 1_795_651_200
CAP_KG, CAP_M3 = 10_000.0, 120.0


@pytest.fixture(scope="module")
def network() -> Network:
    return default_network("today")  # hand-worked on its 10-minute waves


def test_lower_bound_takes_the_binding_dimension() -> None:
    assert lower_bound(15_000.0, 10.0, CAP_KG, CAP_M3) == 2
    assert lower_bound(100.0, 241.0, CAP_KG, CAP_M3) == 3
    assert lower_bound(10_000.0, 120.0, CAP_KG, CAP_M3) == 1
    assert lower_bound(0.0, 0.0, CAP_KG, CAP_M3) == 0


def test_pack_large_items_first_fit_decreasing() -> None:
    mass = np.array([4000.0, 6000.0, 5000.0])
    bins = pack(mass, np.full(3, 1.0), CAP_KG, CAP_M3)
    # 6000 + 4000 fill one rocket exactly; 5000 flies alone.
    assert bins.tolist() == [0, 0, 1]


def test_pack_light_bulky_parcels_bind_on_volume() -> None:
    bins = pack(np.full(200, 10.0), np.full(200, 1.0), CAP_KG, CAP_M3)
    assert bins.max() + 1 == 2
    assert np.bincount(bins).tolist() == [120, 80]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0.1, 9_000.0), st.floats(0.001, 100.0)),
        min_size=1,
        max_size=60,
    )
)
def test_pack_respects_both_limits_and_places_every_item(items: list[tuple[float, float]]) -> None:
    mass = np.array([m for m, _ in items])
    volume = np.array([v for _, v in items])
    bins = pack(mass, volume, CAP_KG, CAP_M3)
    assert (bins >= 0).all()
    assert (np.bincount(bins, weights=mass) <= CAP_KG + 1e-6).all()
    assert (np.bincount(bins, weights=volume) <= CAP_M3 + 1e-6).all()
    assert bins.max() + 1 >= lower_bound(mass.sum(), volume.sum(), CAP_KG, CAP_M3)


def test_many_small_parcels_pack_within_three_percent_of_the_bound() -> None:
    rng = np.random.default_rng(3)
    mass = rng.lognormal(1.0, 0.8, 30_000)
    volume = mass / rng.uniform(60, 200, 30_000)
    bins = pack(mass, volume, CAP_KG, CAP_M3)
    assert bins.max() + 1 <= math.ceil(1.03 * lower_bound(mass.sum(), volume.sum(), CAP_KG, CAP_M3))


def _lane_orders(
    network: Network, n: int, created_s: float, mass_kg: float
) -> tuple[OrderTable, ServiceChoice]:
    lat, lon = network.hub("SHA").port_position
    orders = make_orders(
        [(lat + 0.02, lon + 0.02)] * n,
        [created_s] * n,
        [mass_kg] * n,
        [mass_kg / 100.0] * n,
        origin_hub=["HZB"] * n,
    )
    return orders, choose_service(network, orders, promise_rule="buffer")


def test_a_light_lane_wave_is_held_while_the_promise_holds(network: Network) -> None:
    orders, choice = _lane_orders(network, 3, DAY_S + 3600, 50.0)
    slack = choice.promised_s - choice.delivery_s
    assert slack.min() > 600  # HZB → SHA is short: room to wait for a later wave
    cons = consolidate(
        network,
        choice,
        orders.mass_kg,
        orders.volume_m3,
        policy=ConsolidationPolicy(max_cost_per_kg_usd=math.inf),
    )
    actions = [d.action for d in cons.decisions]
    assert actions[0] == "hold" and actions[-1] == "fly"
    assert all(d.min_slack_s >= 600 for d in cons.decisions if d.action == "hold")
    moved = cons.order_launch_s - choice.launch_s
    assert (moved > 0).all() and (moved % 600 == 0).all()
    # Even held to the last possible wave, every parcel still arrives in time.
    assert (choice.delivery_s + moved <= choice.promised_s).all()
    assert (cons.order_bin == 0).all() and len(cons.bin_origin) == 1
    assert cons.lane_waves["lower_bound"].tolist() == [1] and cons.lane_waves[
        "flights"
    ].tolist() == [1]


def test_a_light_flight_above_the_cost_ceiling_is_downgraded_with_its_cost(
    network: Network,
) -> None:
    orders, choice = _lane_orders(network, 2, DAY_S + 3600, 5.0)
    cons = consolidate(network, choice, orders.mass_kg, orders.volume_m3)
    last = cons.decisions[-1]
    assert last.action == "downgrade"
    assert last.cost_per_kg_usd == pytest.approx(network.rocket.cost_per_flight_usd / 10.0)
    assert sorted(cons.downgraded.tolist()) == [0, 1]
    assert (cons.order_bin == -1).all()


def test_full_loads_fly_without_a_decision(network: Network) -> None:
    orders, choice = _lane_orders(network, 3, DAY_S + 3600, 6_000.0)
    assert [REASONS[r] for r in choice.reason] == [Reason.OK] * 3
    cons = consolidate(network, choice, orders.mass_kg, orders.volume_m3)
    assert len(cons.bin_origin) == 3 and cons.decisions == []
    assert cons.lane_waves["lower_bound"].tolist() == [2]
    assert cons.lane_waves["flights"].tolist() == [
        3
    ]  # 3 × 6 t cannot share: the bound is not reachable
