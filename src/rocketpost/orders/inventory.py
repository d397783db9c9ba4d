"""Stock per hub: which hubs can ship which orders.

An inventory file lists, per hub and SKU, the units on hand (CSV columns ``hub``, ``sku``,
``quantity``; Parquet and JSON Lines with the same columns work too). Without an inventory,
stock is everywhere and the planner picks the origin hub that delivers earliest.

"Can hub *h* ship order *o*" means: every SKU of the order is in stock at *h* in at least the
quantity the order needs (lines of the same SKU are summed). Orders are checked one by one
against the full stock — stock is not decremented across orders; sharing it out is the planner's
job. An order with an ``origin_hub`` (freight tendered at a hub, such as export backhaul) can
ship from that hub only, whatever the file says: its goods are brought to the pad, not picked
from stock.

Reading follows the orders reader: every row is validated (hub and SKU present, the hub known
when ``known_hubs`` is given, quantity a whole number ≥ 0, no second row for the same hub and
SKU), and bad rows go to a rejects file with their line number, field and reason; counts add
up (``rows_read == rows_accepted + rows_rejected``).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import ArrayLike, NDArray

from rocketpost.errors import InputError

# The field parsers are the orders reader's own (same package, same rules for text and numbers).
from rocketpost.orders.io.fields import Coded, Fields, parse_int
from rocketpost.orders.io.readers import read_raw_rows
from rocketpost.orders.io.rejects import RejectTable, RowErrors, rejects_from
from rocketpost.orders.io.spec import file_format
from rocketpost.orders.table import ItemTable, OrderTable

__all__ = [
    "INVENTORY_COLUMNS",
    "Inventory",
    "InventoryImport",
    "can_ship",
    "read_inventory",
]

INVENTORY_COLUMNS: tuple[str, ...] = ("hub", "sku", "quantity")
"""Columns of an inventory file, all required."""


@dataclass(frozen=True, eq=False)
class Inventory:
    """Units on hand per (hub, SKU), as read-only columns sorted by hub then SKU.

    Raises
    ------
    InputError
        If the columns differ in length, a quantity is negative, or a (hub, SKU) pair repeats.
    """

    hub: NDArray[np.str_]
    sku: NDArray[np.str_]
    quantity: NDArray[np.int64]

    def __post_init__(self) -> None:
        hub = _text_column(self.hub, "hub")
        sku = _text_column(self.sku, "sku")
        quantity = np.asarray(self.quantity, dtype=np.int64)
        if not (len(hub) == len(sku) == len(quantity)):
            raise InputError("Inventory", (len(hub), len(sku), len(quantity)), "lengths differ")
        if (quantity < 0).any():
            raise InputError("quantity", int(quantity[quantity < 0][0]), "must be ≥ 0")
        order = np.lexsort((sku, hub))
        hub, sku, quantity = hub[order], sku[order], quantity[order]
        repeated = (hub[1:] == hub[:-1]) & (sku[1:] == sku[:-1])
        if repeated.any():
            k = int(np.flatnonzero(repeated)[0])
            raise InputError("sku", f"{hub[k]}/{sku[k]}", "appears twice for the same hub")
        for name, array in (("hub", hub), ("sku", sku), ("quantity", quantity)):
            array.flags.writeable = False
            object.__setattr__(self, name, array)

    def __len__(self) -> int:
        return len(self.hub)

    @property
    def hubs(self) -> tuple[str, ...]:
        """Hubs that appear in the inventory, sorted."""
        return tuple(np.unique(self.hub).tolist())

    def stock(self, hub: str, sku: str) -> int:
        """Units of ``sku`` on hand at ``hub`` (0 when not listed)."""
        hit = (self.hub == hub) & (self.sku == sku)
        return int(self.quantity[hit].sum())

    def can_ship(
        self,
        orders: OrderTable,
        items: ItemTable,
        hubs: Sequence[str] | None = None,
        *,
        respect_origin_hub: bool = True,
    ) -> NDArray[np.bool_]:
        """``(len(orders), len(hubs))`` mask: hub ``j`` holds every SKU of order ``i``.

        Parameters
        ----------
        orders, items
            The day's orders and their lines.
        hubs
            Hub ids (columns of the result); default :attr:`hubs`. A hub missing from the
            inventory has no stock.
        respect_origin_hub
            Orders with an ``origin_hub`` can ship from that hub only (module doc).
        """
        hub_ids = np.asarray(self.hubs if hubs is None else list(hubs), dtype=str)
        n = len(orders)
        result = np.zeros((n, len(hub_ids)), dtype=bool)
        if n == 0 or len(hub_ids) == 0:
            return _pin_to_origin(result, orders, hub_ids, respect_origin_hub)
        # Each (order, SKU) need is summed over lines, then compared with each hub's stock.
        skus = np.unique(self.sku)
        unknown = len(skus)
        position = np.minimum(np.searchsorted(skus, items.sku), max(unknown - 1, 0))
        known = skus[position] == items.sku if unknown else np.zeros(len(items), dtype=bool)
        code = np.where(known, position, unknown).astype(np.int64)
        key = items.order_index * (unknown + 1) + code
        pairs, inverse = np.unique(key, return_inverse=True)
        need = np.bincount(inverse, weights=items.quantity).astype(np.int64)
        need_order = pairs // (unknown + 1)
        need_code = pairs % (unknown + 1)
        hub_rows = np.searchsorted(self.hub, hub_ids, side="left")
        hub_ends = np.searchsorted(self.hub, hub_ids, side="right")
        sku_code = np.searchsorted(skus, self.sku)
        for j in range(len(hub_ids)):
            on_hand = np.zeros(unknown + 1, dtype=np.int64)
            rows = slice(int(hub_rows[j]), int(hub_ends[j]))
            on_hand[sku_code[rows]] = self.quantity[rows]
            short = on_hand[need_code] < need
            result[:, j] = np.bincount(need_order[short], minlength=n) == 0
        return _pin_to_origin(result, orders, hub_ids, respect_origin_hub)


def _text_column(values: ArrayLike, name: str) -> NDArray[np.str_]:
    array = np.asarray(values)
    if array.size == 0:
        return np.zeros(0, dtype="<U1")
    if array.dtype.kind not in "UO":
        raise InputError(name, array.dtype, "must be text")
    return array.astype(str)


def _pin_to_origin(
    result: NDArray[np.bool_],
    orders: OrderTable,
    hub_ids: NDArray[np.str_],
    respect_origin_hub: bool,
) -> NDArray[np.bool_]:
    if respect_origin_hub and len(orders):
        pinned = orders.origin_hub != ""
        if pinned.any():
            result[pinned] = orders.origin_hub[pinned, None] == hub_ids[None, :]
    return result


def can_ship(
    inventory: Inventory | None,
    orders: OrderTable,
    items: ItemTable,
    hubs: Sequence[str],
    *,
    respect_origin_hub: bool = True,
) -> NDArray[np.bool_]:
    """Which of ``hubs`` can ship each order; without an inventory, every hub can.

    Returns a ``(len(orders), len(hubs))`` boolean mask (see :meth:`Inventory.can_ship`).
    """
    if inventory is not None:
        return inventory.can_ship(orders, items, hubs, respect_origin_hub=respect_origin_hub)
    result = np.ones((len(orders), len(hubs)), dtype=bool)
    return _pin_to_origin(result, orders, np.asarray(list(hubs), dtype=str), respect_origin_hub)


@dataclass(frozen=True, eq=False)
class InventoryImport:
    """Outcome of :func:`read_inventory`: the accepted stock, the rejects and the counts."""

    inventory: Inventory
    rejects: RejectTable
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    source: str = ""

    def write_rejects(self, path: str | os.PathLike[str]) -> None:
        """Write the rejects file (format by extension)."""
        self.rejects.write(path)


def read_inventory(
    path: str | os.PathLike[str], *, known_hubs: Collection[str] | None = None
) -> InventoryImport:
    """Read and validate an inventory file; bad rows go to the rejects with their line.

    Raises
    ------
    InputError
        For the file as a whole: missing, unknown extension, unreadable, or missing one of
        :data:`INVENTORY_COLUMNS`.
    """
    fmt = file_format(path)
    raw = read_raw_rows(path, fmt)
    missing = [c for c in INVENTORY_COLUMNS if c not in raw.columns]
    if missing and fmt != "jsonl":
        raise InputError(str(path), ", ".join(missing), "missing required columns")
    n = len(raw.line)
    fields = Fields(raw)
    errors = RowErrors(n, raw.values)
    for column in INVENTORY_COLUMNS:
        errors.missing(~fields.present(column), column)
    hub_coded = Coded.of(fields.text("hub"))
    if known_hubs is not None:
        known = pa.array(sorted({str(h) for h in known_hubs}), pa.string())
        errors.add(fields.present("hub") & ~hub_coded.isin(known), "hub", "unknown hub")
    quantity, ok = parse_int(fields, "quantity")
    errors.add(~ok, "quantity", "must be a whole number")
    errors.add(ok & fields.present("quantity") & (quantity < 0), "quantity", "must be ≥ 0")

    hub = hub_coded.strings()
    sku = Coded.of(fields.text("sku")).strings()
    # A second row for the same (hub, SKU) is ambiguous (replace or add?): reject it.
    sound = np.flatnonzero(~errors.bad)
    order = sound[np.lexsort((sound, sku[sound], hub[sound]))]
    same = np.zeros(len(order), dtype=bool)
    same[1:] = (hub[order[1:]] == hub[order[:-1]]) & (sku[order[1:]] == sku[order[:-1]])
    group_start = np.maximum.accumulate(np.where(same, 0, np.arange(len(order))))
    duplicate = np.zeros(n, dtype=bool)
    duplicate[order[same]] = True
    first_of = np.zeros(n, dtype=np.int64)
    first_of[order] = order[group_start]
    errors.add(
        duplicate,
        "sku",
        lambda row: f"repeats hub and SKU of line {int(raw.line[first_of[row]])}",
    )
    accepted = np.flatnonzero(~errors.bad)
    inventory = Inventory(hub=hub[accepted], sku=sku[accepted], quantity=quantity[accepted])
    rejects = rejects_from(raw, errors)
    return InventoryImport(
        inventory=inventory,
        rejects=rejects,
        rows_read=raw.n_rows,
        rows_accepted=raw.n_rows - len(rejects),
        rows_rejected=len(rejects),
        source=str(path),
    )
