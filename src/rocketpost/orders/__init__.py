"""Orders: B2C parcels and B2B freight, one at a time or a million at once.

* :mod:`~rocketpost.orders.model` — :class:`Order` / :class:`OrderItem`, the validated
  one-order view for the edges (HTTP booking, customs, tests).
* :mod:`~rocketpost.orders.table` — :class:`OrderTable` / :class:`ItemTable`, the columnar view
  the planner computes on (NumPy arrays, no per-order Python objects), built on
  :mod:`~rocketpost.orders.columns` (read-only columns) and
  :mod:`~rocketpost.orders.dangerous_goods` (UN classes as bits).
* :mod:`~rocketpost.orders.convert` — between the tables and the one-order dataclasses.
* :mod:`~rocketpost.orders.io` — CSV, Parquet and JSON Lines in and out; bad rows go to a
  rejects file with their line number, field and reason (a package, one module per concern).
* :mod:`~rocketpost.orders.inventory` — stock per hub and SKU: which hubs can ship an order.
* :mod:`~rocketpost.orders.generator` — synthetic days of orders from real city populations,
  with :mod:`~rocketpost.orders.demand` (where, when), :mod:`~rocketpost.orders.basket` (what),
  :mod:`~rocketpost.orders.catalogue` (the products) and :mod:`~rocketpost.orders.draws`.

Rocket capacities are never written here: the importer and the generator take the network's
rocket class (:class:`rocketpost.network.RocketClass`), by default the default network's.
"""

from __future__ import annotations

from rocketpost.orders.catalogue import load_catalogue
from rocketpost.orders.convert import empty_tables, from_orders, to_orders
from rocketpost.orders.generator import GENERATOR_STAGES, generate_orders
from rocketpost.orders.inventory import Inventory, InventoryImport, can_ship, read_inventory
from rocketpost.orders.io import (
    COLUMNS,
    ImportResult,
    RejectTable,
    read_orders,
    write_orders,
)
from rocketpost.orders.model import DANGEROUS_GOODS_CLASSES, Channel, Order, OrderItem
from rocketpost.orders.table import ItemTable, OrderTable, subset_orders

__all__ = [
    "COLUMNS",
    "DANGEROUS_GOODS_CLASSES",
    "GENERATOR_STAGES",
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
