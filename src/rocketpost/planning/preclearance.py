"""Customs pre-clearance of a day's orders, as the planner needs it.

Every cross-border order is declared, assessed and screened
(:func:`rocketpost.customs.clear_orders`) before it is planned. A *held* order never flies: it
goes standard with ``customs_hold``. An *inspected* order carries the market's inspection
minutes at the destination port, and the planner counts them in its timing. The customs
territory depends on where an order ships from, so the origin is the hub the service choice
would use without customs (a first, customs-free pass); inspection minutes are the same for
every origin into one market, so the second pass rarely moves an order to another hub.

An order whose declaration cannot be made (an HS code the customs data lacks, a currency with
no exchange rate) does not stop the day: it is held with the reason in :attr:`PreClearance.error`
(and its note), as customs would hold a parcel with an invalid declaration. The cheap checks
(HS codes, currencies) run once per distinct value; anything else the batch call refuses is
found by splitting the batch in halves until the refusing order stands alone, so every order
gets its own error without reading positions out of exception text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import ArrayLike, NDArray

from rocketpost.customs import Clearance, clear_orders, fx_table, nomenclature
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.orders.convert import to_orders
from rocketpost.orders.model import Order
from rocketpost.orders.table import ItemTable, OrderTable
from rocketpost.planning.service_choice import ServiceChoice, choose_service

__all__ = ["PreClearance", "pre_clear"]


@dataclass(frozen=True, eq=False)
class PreClearance:
    """Per order (aligned with the orders): the planner's customs hooks and the report.

    ``held`` and ``inspection_delay_s`` go straight into
    :func:`rocketpost.planning.pipeline.plan_orders`; :attr:`table` is written to the plan
    directory as ``customs.parquet``.
    """

    held: NDArray[np.bool_]
    inspection_delay_s: NDArray[np.float64]
    error: NDArray[np.str_]
    """Why an order could not be declared (``""`` when it could); such orders are held."""
    table: pa.Table
    relative_risk: NDArray[np.float64] | None = None
    """Screening's risk over its inspect threshold per order (NaN: not screened), for the odds
    of an unplanned inspection (:meth:`rocketpost.promise.conditions.Conditions.
    inspection_odds`)."""

    def counts(self) -> dict[str, int]:
        """Orders per decision (``domestic`` for orders that cross no border)."""
        values, counts = np.unique(
            self.table["decision"].to_numpy(zero_copy_only=False), return_counts=True
        )
        return {str(v): int(c) for v, c in zip(values, counts, strict=True)}


def pre_clear(
    network: Network,
    orders: OrderTable,
    items: ItemTable,
    *,
    allowed_origins: ArrayLike | None = None,
    choice: ServiceChoice | None = None,
) -> PreClearance:
    """Declare, assess and screen every order from the hub it would ship from.

    Parameters
    ----------
    allowed_origins
        The inventory hook of :func:`~rocketpost.planning.service_choice.choose_service` (which hubs
        hold each order's stock), so that the origin country is the real one.
    choice
        The customs-free service choice under ``allowed_origins`` when the caller already has
        it (the stock draw-down ends with it); computed here otherwise.
    """
    n = len(orders)
    first = choice or choose_service(network, orders, allowed_origins=allowed_origins)
    hub_country = np.array([hub.country for hub in network.hubs])
    origin_country = hub_country[first.origin].tolist()
    order_objects = to_orders(orders, items)
    clearances: list[Clearance | None] = [None] * n
    invalid = _invalid_lines(items)
    pending = [i for i in range(n) if i not in invalid]
    while pending:
        # One batch, so that same-day duty aggregation per recipient sees every order.
        try:
            done, _history = clear_orders(
                [order_objects[i] for i in pending],
                origin_country=[origin_country[i] for i in pending],
            )
        except InputError:
            if not _find_refused(pending, order_objects, origin_country, invalid):
                raise  # refused as a batch but no order on its own: not a declaration error
            pending = [i for i in pending if i not in invalid]
            continue
        for i, clearance in zip(pending, done, strict=True):
            clearances[i] = clearance
        break
    return _collect(orders, order_objects, clearances, invalid)


def _find_refused(
    rows: list[int],
    order_objects: Sequence[Order],
    origin_country: Sequence[str],
    invalid: dict[int, str],
) -> bool:
    """Find the orders of ``rows`` that customs refuses to declare; record why in ``invalid``.

    Halves that clear are done with; a refused half is split again until the refused orders
    stand alone. With one bad order among n that is about 2n orders cleared once more.
    """
    try:
        clear_orders(
            [order_objects[i] for i in rows], origin_country=[origin_country[i] for i in rows]
        )
    except InputError as error:
        if len(rows) == 1:
            field = error.field.removeprefix("orders[0].")
            invalid[rows[0]] = f"invalid declaration: {field}: {error.reason}"
            return True
        half = len(rows) // 2
        first = _find_refused(rows[:half], order_objects, origin_country, invalid)
        second = _find_refused(rows[half:], order_objects, origin_country, invalid)
        return first or second
    return False


def _invalid_lines(items: ItemTable) -> dict[int, str]:
    """Orders whose lines customs cannot declare (checked once per distinct code)."""
    hs, fx = nomenclature(), fx_table()
    known_currencies = set(fx.currencies)
    invalid: dict[int, str] = {}
    for field, values in (("hs_code", items.hs_code), ("currency", items.currency)):
        distinct, inverse = np.unique(values, return_inverse=True)
        reasons: list[str | None] = []
        for value in distinct.tolist():
            if field == "currency":
                ok = value in known_currencies
                reasons.append(None if ok else f"currency: {value!r} has no exchange rate")
                continue
            try:
                hs.check(value)
                reasons.append(None)
            except InputError as error:
                reasons.append(f"hs_code: {error.reason} (got {value!r})")
        for line in np.flatnonzero([reasons[k] is not None for k in inverse]):
            order = int(items.order_index[line])
            invalid.setdefault(order, f"invalid declaration: {reasons[inverse[line]]}")
    return invalid


def _collect(
    orders: OrderTable,
    order_objects: list[Order],
    clearances: list[Clearance | None],
    invalid: dict[int, str],
) -> PreClearance:
    n = len(orders)
    held = np.zeros(n, dtype=bool)
    error = np.full(n, "", dtype=object)
    delay = np.zeros(n, dtype=np.float64)
    risk = np.full(n, np.nan)
    decision = np.empty(n, dtype=object)
    market = np.empty(n, dtype=object)
    duty = np.full(n, np.nan)
    currency = np.empty(n, dtype=object)
    note = np.empty(n, dtype=object)
    for i in range(n):
        c = clearances[i]
        if c is None:
            held[i], decision[i], market[i], currency[i] = True, "hold", None, None
            note[i] = error[i] = invalid[i]
            continue
        held[i] = not c.may_fly
        delay[i] = c.inspection_delay_s or 0.0
        risk[i] = np.nan if c.relative_risk is None else c.relative_risk
        decision[i] = c.decision.value if c.cross_border else "domestic"
        market[i] = c.market
        if c.duties is not None:
            duty[i] = float(c.duties.total)
            currency[i] = c.duties.currency
        else:
            currency[i] = None
        note[i] = c.note
    table = pa.table(
        {
            "order_id": pa.array(orders.order_id),
            "decision": pa.array(decision.tolist(), pa.string()),
            "market": pa.array(market.tolist(), pa.string()),
            "inspection_s": pa.array(delay),
            "duties_total": pa.array(duty),
            "duties_currency": pa.array(currency.tolist(), pa.string()),
            "note": pa.array(note.tolist(), pa.string()),
            "error": pa.array(error.tolist(), pa.string()),
        }
    )
    return PreClearance(
        held=held,
        inspection_delay_s=delay,
        error=error.astype(str),
        table=table,
        relative_risk=risk,
    )
