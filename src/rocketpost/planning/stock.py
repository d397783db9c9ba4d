"""Inventory draw-down: a hub's stock serves the day's orders first come, first served.

:meth:`rocketpost.orders.inventory.Inventory.can_ship` says which hubs hold an order's goods,
each order checked against the full stock. Sharing the stock out is the planner's job: ten
orders for a SKU a hub holds five of cannot all ship from there. :func:`allocate_stock` runs
the service choice, lets the one-hour orders (rocket and ground) draw their lines from their
chosen hub in order of creation, and takes the hub away from every order that finds the shelf
empty; those orders are chosen again among the hubs they have left (or go standard with
``no_stock``), until no hub is overdrawn. Each round is vectorised: one sort by (hub, SKU,
created) and a cumulative sum.

Standard-service orders do not draw on hub stock: the 5-day service ships from the platform's
conventional warehouses. Orders with an ``origin_hub`` (freight tendered at the pad, such as
export backhaul) bring their own goods and draw nothing.

Simplification: within one round, every order past the point where a shelf runs out loses that
hub, even a small one that would have fitted in what the first short order left. Stock is never
overdrawn; a little can be left on the shelf that strict one-by-one allocation would have used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import ArrayLike, NDArray

from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.orders.inventory import Inventory
from rocketpost.orders.table import ItemTable, OrderTable
from rocketpost.planning.service_choice import Mode, ServiceChoice, choose_service
from rocketpost.promise.conditions import Conditions

__all__ = ["StockAllocation", "allocate_stock"]


@dataclass(frozen=True, eq=False)
class StockAllocation:
    """Hubs left to each order after the draw-down, and what each shelf gave.

    Attributes
    ----------
    allowed_origins
        ``(orders, hubs)`` mask to pass to the planner: hubs with stock *for this order*.
    moved
        Orders that lost their first-choice hub to earlier orders.
    rounds
        Service-choice rounds it took.
    stock
        Per (hub, SKU) of the inventory: ``on_hand``, ``drawn`` and ``left`` units.
    choice
        The settled service choice under :attr:`allowed_origins` (no customs hooks), so that
        the next stage need not compute it again.
    """

    allowed_origins: NDArray[np.bool_]
    moved: int
    rounds: int
    stock: pa.Table
    choice: ServiceChoice


def allocate_stock(  # noqa: PLR0913 - the day and its stock, then keyword-only options
    network: Network,
    orders: OrderTable,
    items: ItemTable,
    inventory: Inventory,
    *,
    promise_s: float | None = None,
    allowed_origins: ArrayLike | None = None,
    max_rounds: int = 50,
    conditions: Conditions | None = None,
    promise_rule: str = "confidence",
) -> StockAllocation:
    """Share the inventory out among the day's one-hour orders, earliest order first.

    Parameters
    ----------
    promise_s
        The one-hour promise; ``None`` is the network's (``network.promise.one_hour_s``).
    allowed_origins
        Starting mask (default: :meth:`Inventory.can_ship` against the full stock).
    max_rounds
        Safety stop; every round removes at least one (order, hub) pair, so it is rarely
        reached. Reaching it is an error rather than an overdrawn shelf.
    conditions, promise_rule
        How the one-hour orders that draw stock are decided (:func:`~rocketpost.planning.
        service_choice.choose_service`): at the confidence (default, under the climate) or by
        the buffer (``promise_rule="buffer"``).
    """
    promise = network.promise.one_hour_s if promise_s is None else promise_s
    hub_ids = list(network.hub_ids)
    h = len(hub_ids)
    allowed = (
        inventory.can_ship(orders, items, hub_ids)
        if allowed_origins is None
        else np.array(allowed_origins, dtype=bool, copy=True)
    )
    if allowed.shape != (len(orders), h):
        raise InputError("allowed_origins", allowed.shape, f"must be ({len(orders)}, {h})")
    # One integer key per (hub, SKU) shelf: the inventory's shelves first, then SKUs it lacks.
    skus = np.unique(np.concatenate([inventory.sku, items.sku]))
    hub_pos = {hub: j for j, hub in enumerate(hub_ids)}
    inv_hub = np.array([hub_pos.get(x, -1) for x in inventory.hub.tolist()], dtype=np.int64)
    inv_key = np.where(inv_hub >= 0, inv_hub * len(skus) + np.searchsorted(skus, inventory.sku), -1)
    on_hand = np.zeros(h * len(skus), dtype=np.int64)
    on_hand[inv_key[inv_key >= 0]] = inventory.quantity[inv_key >= 0]
    line_sku = np.searchsorted(skus, items.sku)
    line_order = items.order_index
    created = orders.created_at_s
    tendered = orders.origin_hub != ""
    moved = np.zeros(len(orders), dtype=bool)
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        choice = choose_service(
            network,
            orders,
            promise_s=promise,
            allowed_origins=allowed,
            conditions=conditions,
            promise_rule=promise_rule,
        )
        drawing = _drawing(choice, tendered)
        key, cumulative, lines = _shelf_demand(
            choice, drawing, line_order, line_sku, items.quantity, created, len(skus)
        )
        short = np.unique(line_order[lines[cumulative > on_hand[key]]])
        if len(short) == 0:
            break
        allowed[short, choice.origin[short]] = False
        moved[short] = True
    else:
        # Safety stop: an error rather than an overdrawn shelf.
        raise InputError("max_rounds", max_rounds, "stock allocation did not settle")
    drawn = np.bincount(key, weights=items.quantity[lines], minlength=len(on_hand))
    drawn = drawn.astype(np.int64)
    listed = inv_key >= 0
    stock = pa.table(
        {
            "hub": pa.array(inventory.hub[listed]),
            "sku": pa.array(inventory.sku[listed]),
            "on_hand": pa.array(on_hand[inv_key[listed]]),
            "drawn": pa.array(drawn[inv_key[listed]]),
            "left": pa.array(on_hand[inv_key[listed]] - drawn[inv_key[listed]]),
        }
    )
    return StockAllocation(
        allowed_origins=allowed, moved=int(moved.sum()), rounds=rounds, stock=stock, choice=choice
    )


def _drawing(choice: ServiceChoice, tendered: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Orders that take goods from their origin hub's shelves."""
    return np.asarray((choice.mode != Mode.STANDARD) & ~tendered)


def _shelf_demand(
    choice: ServiceChoice,
    drawing: NDArray[np.bool_],
    line_order: NDArray[np.int64],
    line_sku: NDArray[np.int64],
    quantity: NDArray[np.int64],
    created: NDArray[np.int64],
    n_skus: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Shelf key, running demand on that shelf (in order of creation) and line index."""
    lines = np.flatnonzero(drawing[line_order])
    key = choice.origin[line_order[lines]].astype(np.int64) * n_skus + line_sku[lines]
    order = np.lexsort((line_order[lines], created[line_order[lines]], key))
    lines, key = lines[order], key[order]
    running = np.cumsum(quantity[lines])
    group_start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    before = np.repeat(
        running[group_start] - quantity[lines][group_start], np.diff(np.r_[group_start, len(key)])
    )
    return key, running - before, lines
