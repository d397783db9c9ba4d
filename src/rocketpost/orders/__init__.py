"""Orders: B2C parcels and B2B freight, one at a time or a million at once.

* :mod:`~rocketpost.orders.model` — :class:`Order` / :class:`OrderItem`, the validated
  one-order view for the edges (HTTP booking, customs, tests).
* :mod:`~rocketpost.orders.table` — :class:`OrderTable` / :class:`ItemTable`, the columnar view
  the planner computes on (NumPy arrays, no per-order Python objects).
* :mod:`~rocketpost.orders.io` — CSV, Parquet and JSON Lines in and out; bad rows go to a
  rejects file with their line number, field and reason.
* :mod:`~rocketpost.orders.inventory` — stock per hub and SKU: which hubs can ship an order.
* :mod:`~rocketpost.orders.generator` — synthetic days of orders from real city populations.
"""

from __future__ import annotations

from rocketpost.orders.generator import GENERATOR_STAGES, generate_orders, load_catalogue
from rocketpost.orders.inventory import Inventory, InventoryImport, can_ship, read_inventory
from rocketpost.orders.io import (
    COLUMNS,
    ROCKET_HOLD_M3,
    ROCKET_PAYLOAD_KG,
    ImportResult,
    RejectTable,
    read_orders,
    write_orders,
)
from rocketpost.orders.model import DANGEROUS_GOODS_CLASSES, Channel, Order, OrderItem
from rocketpost.orders.table import (
    ItemTable,
    OrderTable,
    empty_tables,
    from_orders,
    subset_orders,
    to_orders,
)

__all__ = [
    "COLUMNS",
    "DANGEROUS_GOODS_CLASSES",
    "GENERATOR_STAGES",
    "ROCKET_HOLD_M3",
    "ROCKET_PAYLOAD_KG",
    "Channel",
    "ImportResult",
    "Inventory",
    "InventoryImport",
    "ItemTable",
    "Order",
    "OrderItem",
    "OrderTable",
    "RejectTable",
    "can_ship",
    "empty_tables",
    "from_orders",
    "generate_orders",
    "load_catalogue",
    "read_inventory",
    "read_orders",
    "subset_orders",
    "to_orders",
    "write_orders",
]
