"""Inventory draw-down: first come, first served per hub shelf, never overdrawn."""

from __future__ import annotations

import numpy as np
import pytest

from rocketpost.errors import InputError
from rocketpost.network import Network, default_network
from rocketpost.orders.inventory import Inventory
from rocketpost.orders.table import ItemTable
from rocketpost.planning.service_choice import Mode, choose_service
from rocketpost.planning.stock import allocate_stock

from . import make_orders, random_orders

DAY_S = 1_795_651_200  # 2026-11-25 00:00 UTC


@pytest.fixture(scope="module")
def network() -> Network:
    return default_network()


def items_for(skus: list[str], quantities: list[int]) -> ItemTable:
    n = len(skus)
    return ItemTable(
        order_index=np.arange(n),
        sku=np.array(skus),
        description=np.full(n, "T-shirt"),
        hs_code=np.full(n, "610910"),
        quantity=np.array(quantities),
        unit_value_micros=np.full(n, 10_000_000),
        currency=np.full(n, "USD"),
        unit_mass_kg=np.full(n, 0.5),
        unit_volume_m3=np.full(n, 0.002),
        dangerous_goods_class=np.full(n, ""),
    )


def test_hand_checked_shelf_runs_out(network: Network) -> None:
    # Three orders near Busan's port, one unit of A each. Busan holds 2 and Incheon 5: the first
    # two go by ground from Busan, the third finds Busan's shelf empty and flies from Incheon.
    lat, lon = network.hub("PUS").port_position
    place = (lat + 0.02, lon + 0.02)
    orders = make_orders([place] * 3, [DAY_S, DAY_S + 60, DAY_S + 120], [0.5] * 3, [0.002] * 3)
    items = items_for(["A", "A", "A"], [1, 1, 1])
    inventory = Inventory(hub=np.array(["PUS", "ICN"]), sku=np.array(["A", "A"]), quantity=[2, 5])
    before = choose_service(
        network,
        orders,
        allowed_origins=inventory.can_ship(orders, items, network.hub_ids),
        promise_rule="buffer",
    )
    assert [network.hub_ids[o] for o in before.origin] == ["PUS"] * 3
    result = allocate_stock(network, orders, items, inventory, promise_rule="buffer")
    after = choose_service(
        network, orders, allowed_origins=result.allowed_origins, promise_rule="buffer"
    )
    assert [network.hub_ids[o] for o in after.origin] == ["PUS", "PUS", "ICN"]
    assert after.mode.tolist() == [Mode.GROUND, Mode.GROUND, Mode.ROCKET]
    assert result.moved == 1 and result.rounds == 2
    shelves = {
        (h, s): (d, left)
        for h, s, d, left in zip(
            *(result.stock[c].to_pylist() for c in ("hub", "sku", "drawn", "left")), strict=True
        )
    }
    assert shelves == {("ICN", "A"): (1, 4), ("PUS", "A"): (2, 0)}


def test_no_stock_anywhere_goes_standard(network: Network) -> None:
    lat, lon = network.hub("PUS").port_position
    orders = make_orders(
        [(lat + 0.02, lon + 0.02)] * 2, [DAY_S, DAY_S + 60], [0.5] * 2, [0.002] * 2
    )
    items = items_for(["A", "A"], [1, 1])
    inventory = Inventory(hub=np.array(["PUS"]), sku=np.array(["A"]), quantity=[1])
    result = allocate_stock(network, orders, items, inventory, promise_rule="buffer")
    after = choose_service(
        network, orders, allowed_origins=result.allowed_origins, promise_rule="buffer"
    )
    assert after.mode.tolist() == [Mode.GROUND, Mode.STANDARD]


def test_a_random_day_never_overdraws_a_shelf(network: Network) -> None:
    rng = np.random.default_rng(5)
    points = np.array([network.hub(h).port_position for h in ("PUS", "ICN", "SIN", "TYO")])
    orders = random_orders(3000, points, rng)
    orders = orders.subset(np.argsort(orders.created_at_s, kind="stable"))
    skus = rng.choice(np.array(["A", "B", "C", "D"]), len(orders))
    items = items_for(skus.tolist(), rng.integers(1, 4, len(orders)).tolist())
    hubs = np.repeat(np.array(network.hub_ids), 4)
    inventory = Inventory(
        hub=hubs,
        sku=np.tile(["A", "B", "C", "D"], len(network.hub_ids)),
        quantity=rng.integers(0, 60, len(hubs)),
    )
    result = allocate_stock(network, orders, items, inventory, promise_rule="buffer")
    choice = choose_service(
        network, orders, allowed_origins=result.allowed_origins, promise_rule="buffer"
    )
    # Recount independently of the allocator: one-hour orders draw from their origin's shelf.
    drawing = choice.mode != Mode.STANDARD
    demand: dict[tuple[str, str], int] = {}
    for i in np.flatnonzero(drawing):
        key = (network.hub_ids[choice.origin[i]], str(skus[i]))
        demand[key] = demand.get(key, 0) + int(items.quantity[i])
    on_hand = {
        (h, s): q
        for h, s, q in zip(
            inventory.hub.tolist(), inventory.sku.tolist(), inventory.quantity.tolist(), strict=True
        )
    }
    assert demand, "the scenario must exercise the shelves"
    for key, units in demand.items():
        assert units <= on_hand.get(key, 0), key
    assert result.moved > 0
    assert sum(result.stock["drawn"].to_pylist()) == sum(demand.values())


def test_bad_mask_shape_is_an_input_error(network: Network) -> None:
    orders = make_orders([(0.0, 0.0)], [DAY_S], [1.0], [0.01])
    inventory = Inventory(hub=np.array(["PUS"]), sku=np.array(["A"]), quantity=[1])
    with pytest.raises(InputError, match="allowed_origins"):
        allocate_stock(
            network,
            orders,
            items_for(["A"], [1]),
            inventory,
            allowed_origins=np.ones((1, 2)),
            promise_rule="buffer",
        )


def test_the_default_draws_the_stock_for_the_orders_promised_at_the_confidence(
    network: Network,
) -> None:
    from rocketpost.promise.conditions import Conditions, HubWeather

    points = np.array([network.hub(h).port_position for h in ("ICN", "PUS", "SHA")])
    orders = random_orders(60, points, np.random.default_rng(5))
    inventory = Inventory(hub=np.array(["HZB"]), sku=np.array(["A"]), quantity=[1_000])
    items = items_for(["A"] * len(orders), [1] * len(orders))
    default = allocate_stock(network, orders, items, inventory)
    climate = allocate_stock(network, orders, items, inventory, conditions=Conditions())
    np.testing.assert_array_equal(default.allowed_origins, climate.allowed_origins)
    np.testing.assert_array_equal(default.choice.p_on_time, climate.choice.p_on_time)
    # A front at the only stocked hub: no order is promised the rocket hour from it.
    front = allocate_stock(
        network, orders, items, inventory, conditions=Conditions(hubs={"HZB": HubWeather("front")})
    )
    assert not (front.choice.mode == Mode.ROCKET).any()
