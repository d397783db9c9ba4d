"""Reading an orders file: every row validated, every order accepted or rejected whole.

Reading: every row is validated, nothing is dropped silently
------------------------------------------------------------
Each rule is a vectorised mask over all rows (pyarrow compute and NumPy; Python only runs per
*rejected* row, to word its reason). A row fails on: wrong number of columns or unparseable
text (CSV/JSON), a missing required field, an unparseable number or date, a negative or zero
mass, volume or quantity, a negative value, an unknown currency or country, an HS code that is
not 6 digits, a latitude/longitude out of range, an unknown origin hub (when the caller passes
``known_hubs``), an unknown dangerous-goods class, a place that does not resolve, order fields
that differ from the order's other lines, or **a single unit heavier than the rocket's payload
(or bulkier than its hold)**: no rocket can lift it, so it is rejected with "exceeds rocket
payload; ship as standard freight" rather than planned. The limits are the network's rocket
class, ``payload_mass_kg`` and ``payload_volume_m3`` (:class:`rocketpost.network.RocketClass`).
(An *order* heavier or bulkier than one rocket but made of liftable units is fine: the planner
splits or downgrades it with a reason.)

**An order is accepted or rejected whole.** If any of its lines fails, all its lines go to the
rejects; the sound lines say ``order rejected whole: line N is invalid``. A malformed CSV row
still names its order when its first fields can be read (the ``order_id`` position of the
header), so a partial order is never planned.

Counts always add up: ``rows_read == rows_accepted + rows_rejected`` and
``orders_read == orders_accepted + orders_rejected`` (a row with no readable order id counts as
an order of its own).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from rocketpost.network import RocketClass, default_network
from rocketpost.orders.io.assemble import (
    ParsedColumns,
    build_tables,
    guess_order_ids,
    order_codes,
    reject_partial_orders,
)
from rocketpost.orders.io.destinations import PlaceLike, check_destinations
from rocketpost.orders.io.fields import (
    Coded,
    Fields,
    is_in,
    known_currencies,
    known_dangerous_goods_classes,
    parse_float,
    parse_int,
    parse_money,
    parse_timestamp,
)
from rocketpost.orders.io.readers import read_raw_rows
from rocketpost.orders.io.rejects import RejectTable, RowErrors, rejects_from
from rocketpost.orders.io.spec import COLUMNS, REQUIRED_COLUMNS, check_columns, file_format
from rocketpost.orders.table import ItemTable, OrderTable

__all__ = ["ImportResult", "read_orders"]


@dataclass(frozen=True, eq=False)
class ImportResult:
    """Outcome of :func:`read_orders`: the accepted tables, the rejects and the counts."""

    orders: OrderTable
    items: ItemTable
    rejects: RejectTable
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    orders_read: int
    orders_accepted: int
    orders_rejected: int
    source: str = ""
    ignored_columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.rows_read != self.rows_accepted + self.rows_rejected:
            raise AssertionError("row counts do not add up")  # a bug, never user input
        if self.orders_read != self.orders_accepted + self.orders_rejected:
            raise AssertionError("order counts do not add up")

    def write_rejects(self, path: str | os.PathLike[str]) -> None:
        """Write the rejects file (format by extension; CSV opens in any spreadsheet)."""
        self.rejects.write(path)

    def summary(self) -> dict[str, Any]:
        """Counts as a plain dictionary (the CLI's ``--json`` output)."""
        return {
            "source": self.source,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "orders_read": self.orders_read,
            "orders_accepted": self.orders_accepted,
            "orders_rejected": self.orders_rejected,
            "ignored_columns": list(self.ignored_columns),
        }


def read_orders(
    path: str | os.PathLike[str],
    *,
    known_hubs: Collection[str] | None = None,
    rocket: RocketClass | None = None,
    resolve_place: Callable[[str], PlaceLike] | None = None,
) -> ImportResult:
    """Read, validate and tabulate an orders file; bad rows go to the rejects, never lost.

    Parameters
    ----------
    path
        ``.csv``, ``.parquet``/``.pq`` or ``.jsonl``/``.ndjson`` file (layout:
        :mod:`rocketpost.orders.io.spec`).
    known_hubs
        Hub ids an ``origin_hub`` may name; ``None`` skips that check (any id is accepted).
    rocket
        The rocket class that flies these orders: a single unit heavier than its
        ``payload_mass_kg`` or bulkier than its ``payload_volume_m3`` cannot fly, so such rows are
        rejected as standard freight. Default: the rocket of
        :func:`rocketpost.network.default_network`.
    resolve_place
        Turns ``destination`` text into a place; default
        :func:`rocketpost.world.places.resolve_place`. Called once per distinct text.

    Returns
    -------
    ImportResult
        Accepted orders and items (orders in order of first appearance), the rejects, and
        counts that add up.

    Raises
    ------
    InputError
        Only for the file as a whole: missing, unknown extension, unreadable Parquet, empty
        CSV, duplicate or missing required columns (CSV header, Parquet schema; in JSONL every
        record carries its own keys, so a missing key is a row error).
    """
    fmt = file_format(path)
    raw = read_raw_rows(path, fmt)
    name = str(path)
    if fmt != "jsonl":
        check_columns(raw.columns, name)
    n = len(raw.line)
    fields = Fields(raw)
    text, present = fields.text, fields.present
    errors = RowErrors(n, raw.values)

    for column in REQUIRED_COLUMNS:
        errors.missing(~present(column), column)

    channel = pc.utf8_lower(text("channel"))
    errors.add(
        present("channel") & ~is_in(channel, pa.array(["b2c", "b2b"])),
        "channel",
        "must be 'b2c' or 'b2b'",
    )

    created_s, ok, naive = parse_timestamp(fields, "created_at")
    errors.add(naive, "created_at", "needs a UTC offset, e.g. 2025-06-01T12:00:00Z")
    errors.add(~ok & ~naive, "created_at", "is not an ISO 8601 date-time with a UTC offset")

    destination = check_destinations(fields, errors, resolve_place)

    # -- origin hub ----------------------------------------------------------------------------
    origin = Coded.of(text("origin_hub"))
    if known_hubs is not None:
        known = pa.array(sorted({str(h) for h in known_hubs}), pa.string())
        errors.add(present("origin_hub") & ~origin.isin(known), "origin_hub", "unknown hub")

    # -- items -------------------------------------------------------------------------------
    hs_code = Coded.of(pc.replace_substring_regex(text("hs_code"), r"[.\s]", ""))
    errors.add(
        present("hs_code") & ~hs_code.matches(r"^\d{6}$"),
        "hs_code",
        "must be a 6-digit HS code",
    )
    quantity, ok = parse_int(fields, "quantity")
    errors.add(~ok, "quantity", "must be a whole number")
    errors.add(ok & present("quantity") & (quantity <= 0), "quantity", "must be > 0")

    micros, ok, negative = parse_money(fields, "unit_value")
    errors.add(negative, "unit_value", "must be ≥ 0")
    errors.add(~ok & ~negative, "unit_value", "must be a decimal amount with at most 6 decimals")
    currency = Coded.of(pc.utf8_upper(text("currency")))
    errors.add(
        present("currency") & ~currency.isin(known_currencies()),
        "currency",
        "is not an ISO 4217 currency code",
    )

    measures = {}
    rocket = rocket or default_network().rocket
    for column, limit, unit in (
        ("unit_mass_kg", rocket.payload_mass_kg, "kg"),
        ("unit_volume_m3", rocket.payload_volume_m3, "m³"),
    ):
        values, ok = parse_float(fields, column)
        errors.add(~ok, column, "is not a number")
        errors.add(ok & present(column) & ~(values > 0), column, "must be > 0")
        what = "payload" if unit == "kg" else "hold"
        errors.add(
            ok & (values > limit),
            column,
            f"exceeds rocket {what} ({limit:g} {unit} per unit); ship as standard freight",
        )
        measures[column] = values

    dangerous_goods = Coded.of(
        pc.replace_substring_regex(text("dangerous_goods_class"), r"^(\d)\.0$", r"\1")
    )
    errors.add(
        present("dangerous_goods_class") & ~dangerous_goods.isin(known_dangerous_goods_classes()),
        "dangerous_goods_class",
        "is not a UN hazard class (1-9 or a division such as 4.1)",
    )

    # -- orders: group rows by id; order fields must agree; an order goes whole or not at all --
    order_id = Coded.of(text("order_id"))
    codes, n_groups = order_codes(order_id, guess_order_ids(raw))
    row_codes = codes[:n]
    merchant = Coded.of(text("merchant_id"))
    recipient = Coded.of(text("recipient_id"))
    channel_coded = Coded.of(channel)
    label_coded = Coded.of(destination.label)
    # Compared as dictionary codes (equal text, equal code) or numbers: no string compares.
    order_fields: dict[str, NDArray[Any]] = {
        "merchant_id": merchant.codes,
        "channel": channel_coded.codes,
        "created_at": created_s,
        "destination": label_coded.codes,
        "destination_lat_deg": destination.lat_deg,
        "destination_lon_deg": destination.lon_deg,
        "destination_country": destination.country,
        "recipient_id": recipient.codes,
        "origin_hub": origin.codes,
        "currency": currency.codes,
    }
    group_bad = reject_partial_orders(raw, errors, codes, n_groups, order_fields)

    accepted = np.flatnonzero(~errors.bad)
    parsed = ParsedColumns(
        created_s=created_s,
        lat_deg=destination.lat_deg,
        lon_deg=destination.lon_deg,
        country=destination.country,
        quantity=quantity,
        unit_value_micros=micros,
        unit_mass_kg=measures["unit_mass_kg"],
        unit_volume_m3=measures["unit_volume_m3"],
    )
    orders, items = build_tables(
        accepted,
        row_codes,
        parsed,
        order_columns={
            "order_id": order_id,
            "merchant_id": merchant,
            "channel": channel_coded,
            "destination_label": label_coded,
            "recipient_id": recipient,
            "origin_hub": origin,
        },
        item_columns={
            "sku": Coded.of(text("sku")),
            "description": Coded.of(text("description")),
            "hs_code": hs_code,
            "currency": currency,
            "dangerous_goods_class": dangerous_goods,
        },
    )
    rejects = rejects_from(raw, errors)
    rows_rejected = len(rejects)
    orders_rejected = int(group_bad.sum())
    return ImportResult(
        orders=orders,
        items=items,
        rejects=rejects,
        rows_read=raw.n_rows,
        rows_accepted=raw.n_rows - rows_rejected,
        rows_rejected=rows_rejected,
        orders_read=n_groups,
        orders_accepted=n_groups - orders_rejected,
        orders_rejected=orders_rejected,
        source=name,
        ignored_columns=tuple(c for c in raw.columns if c not in COLUMNS),
    )
