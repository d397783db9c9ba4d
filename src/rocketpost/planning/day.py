"""A whole day as operations runs it: stock, customs, then the plan.

:func:`plan_orders` takes its inventory and customs inputs as hooks (which hubs may ship an order,
which orders are held, how long inspections take) so that it can be driven by hand and tested on
its own. :func:`plan_day` fills the hooks from an inventory file and the customs rules:

1. :func:`~rocketpost.planning.stock.allocate_stock` shares each hub's shelves out among the
   one-hour orders, earliest first;
2. :func:`~rocketpost.planning.preclearance.pre_clear` declares, assesses and screens every
   cross-border order from the hub it ships from;
3. :func:`plan_orders` plans with both.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import ArrayLike

from rocketpost.network import Network
from rocketpost.orders.inventory import Inventory
from rocketpost.orders.table import ItemTable, OrderTable
from rocketpost.planning.params import PlanParams
from rocketpost.planning.pipeline import Progress, plan_orders
from rocketpost.planning.preclearance import pre_clear
from rocketpost.planning.service_choice import promise_conditions_of
from rocketpost.planning.stock import allocate_stock
from rocketpost.planning.tables import Plan
from rocketpost.promise.conditions import Conditions

__all__ = ["plan_day"]

_DEFAULT_PARAMS = PlanParams()


def plan_day(  # noqa: PLR0913 - the day, then keyword-only hooks
    network: Network,
    orders: OrderTable,
    items: ItemTable,
    params: PlanParams = _DEFAULT_PARAMS,
    *,
    inventory: Inventory | None = None,
    allowed_origins: ArrayLike | None = None,
    customs: bool = True,
    promise_conditions: Conditions | None = None,
    promise_rule: str = "confidence",
    progress: Progress | None = None,
) -> Plan:
    """Plan a day with the inventory drawn down and customs pre-cleared.

    Parameters
    ----------
    inventory
        Stock per hub and SKU; ``None`` means stock everywhere (or ``allowed_origins``).
    allowed_origins
        Hubs allowed per order before the draw-down (e.g. "stock only in China").
    customs
        Pre-clear cross-border orders (held ones go standard, inspections add minutes).
    promise_conditions
        Promise the hour at the network's confidence under these conditions (passed to
        :func:`plan_orders`; default the climate). Their customs odds also price each
        screened parcel's unplanned inspection.
    promise_rule
        ``"confidence"`` (default) or ``"buffer"``: opt into the flat buffer
        (``promise.buffer_min``), without ``promise_conditions``.
    params
        The planner's options, passed to :func:`plan_orders` (``promise_s`` also sets the
        promise the stock draw-down allocates for).
    """
    promise_conditions = promise_conditions_of(promise_rule, promise_conditions)
    say = progress or (lambda _stage: None)
    extras: dict[str, pa.Table] = {}
    kpis: dict[str, Any] = {}
    settled = None  # the stock draw-down's final service choice, reused by customs
    allowed = None if allowed_origins is None else np.asarray(allowed_origins, dtype=bool)
    if inventory is not None:
        say("stock")
        stocked = inventory.can_ship(orders, items, network.hub_ids)
        allowed = stocked if allowed is None else stocked & allowed
        allocation = allocate_stock(
            network,
            orders,
            items,
            inventory,
            promise_s=params.promise_s,
            allowed_origins=allowed,
            conditions=promise_conditions,
            promise_rule=promise_rule,
        )
        allowed = allocation.allowed_origins
        settled = allocation.choice
        extras["stock"] = allocation.stock
        kpis["stock_moved_orders"] = allocation.moved
    held = inspection = odds = None
    if customs:
        say("customs")
        cleared = pre_clear(
            network,
            orders,
            items,
            allowed_origins=allowed,
            choice=settled,
        )
        held, inspection = cleared.held, cleared.inspection_delay_s
        if promise_conditions is not None and cleared.relative_risk is not None:
            risk = cleared.relative_risk  # the odds a quote of the same parcel would use
            odds = np.array(
                [
                    promise_conditions.inspection_odds(None if np.isnan(r) else float(r))
                    for r in risk.tolist()
                ]
            )
        extras["customs"] = cleared.table
        kpis["customs"] = cleared.counts()
    plan = plan_orders(
        network,
        orders,
        params,
        allowed_origins=allowed,
        held=held,
        inspection_delay_s=inspection,
        promise_conditions=promise_conditions,
        inspection_p=odds,
        promise_rule=promise_rule,
        progress=progress,
    )
    options = {**plan.provenance.options, "inventory": inventory is not None, "customs": customs}
    return dataclasses.replace(
        plan,
        kpis={**plan.kpis, **kpis},
        provenance=dataclasses.replace(plan.provenance, options=options),
        extras=extras,
    )
