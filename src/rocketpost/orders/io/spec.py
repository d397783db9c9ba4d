"""The orders file format: one row per item, order fields repeated; columns, types, extensions.

File layout (the same columns in all three formats; :data:`COLUMNS` is the written order)
-----------------------------------------------------------------------------------------
Order fields (repeated on every line of the order; rows of one order need not be adjacent):

==========================  ========  ====================================================
column                      required  content
==========================  ========  ====================================================
``order_id``                yes       groups lines into orders
``merchant_id``             yes
``channel``                 yes       ``b2c`` or ``b2b`` (case-insensitive)
``created_at``              yes       ISO 8601 with a UTC offset: ``2025-06-01T12:34:56Z``,
                                      ``…+09:00``; fractions of a second are dropped
``destination``             (a)       place text: ``Paris, FR``, a UN/LOCODE, ``48.85,2.35``
``destination_lat_deg``     (a)       degrees, [-90, 90] (alias ``destination_lat``)
``destination_lon_deg``     (a)       degrees, [-180, 180] (alias ``destination_lon``)
``destination_country``     (b)       ISO 3166-1 alpha-2 (``XK`` allowed)
``recipient_id``            yes
``origin_hub``              no        hub id the order must ship from; empty = planner picks
==========================  ========  ====================================================

Item fields:

==========================  ========  ====================================================
``sku``                     yes
``description``             yes       goods description as declared to customs
``hs_code``                 yes       6 digits; ``8517.62`` is accepted as ``851762``
``quantity``                yes       whole number > 0
``unit_value``              yes       decimal ≥ 0 in ``currency``, at most 6 decimals
``currency``                yes       ISO 4217 (pycountry); one currency per order
``unit_mass_kg``            yes       > 0 and ≤ the rocket's payload mass (see below)
``unit_volume_m3``          yes       > 0 and ≤ the rocket's payload volume
``dangerous_goods_class``   no        UN class/division (``9``, ``3``, ``4.1``); empty = none
==========================  ========  ====================================================

(a) Either ``destination_lat_deg`` + ``destination_lon_deg`` or ``destination``. Coordinates
win when both are given (the text is then kept as the display label). Place text is resolved
with :func:`rocketpost.world.places.resolve_place`, once per distinct text.
(b) Required unless it can be taken from the resolved place; if both are given they must agree.

Written files: ``created_at`` is ``…Z`` text in CSV/JSONL and a UTC timestamp in Parquet
(stored in milliseconds: Parquet has no second unit); ``unit_value`` is exact decimal text in
CSV/JSONL and ``decimal128(18, 6)`` in Parquet; numbers are written in their shortest
round-trip form, so write → read gives back the same tables bit for bit.

How the rows are validated: :mod:`rocketpost.orders.io.importer`.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path
from typing import Literal

from rocketpost.errors import InputError

__all__ = [
    "COLUMNS",
    "COLUMN_ALIASES",
    "ITEM_COLUMNS",
    "ORDER_COLUMNS",
    "REQUIRED_COLUMNS",
    "FileFormat",
    "check_columns",
    "file_format",
]


ORDER_COLUMNS: tuple[str, ...] = (
    "order_id",
    "merchant_id",
    "channel",
    "created_at",
    "destination",
    "destination_lat_deg",
    "destination_lon_deg",
    "destination_country",
    "recipient_id",
    "origin_hub",
)
ITEM_COLUMNS: tuple[str, ...] = (
    "sku",
    "description",
    "hs_code",
    "quantity",
    "unit_value",
    "currency",
    "unit_mass_kg",
    "unit_volume_m3",
    "dangerous_goods_class",
)
COLUMNS: tuple[str, ...] = ORDER_COLUMNS + ITEM_COLUMNS
"""Every column, in the order :func:`write_orders` writes them."""

REQUIRED_COLUMNS: tuple[str, ...] = (
    "order_id",
    "merchant_id",
    "channel",
    "created_at",
    "recipient_id",
    *(c for c in ITEM_COLUMNS if c != "dangerous_goods_class"),
)
"""Columns a CSV header or Parquet schema must have (plus a destination, see the module doc)."""

COLUMN_ALIASES = {
    "destination_lat": "destination_lat_deg",
    "destination_lon": "destination_lon_deg",
}
FileFormat = Literal["csv", "parquet", "jsonl"]
_EXTENSIONS: dict[str, FileFormat] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


def file_format(path: str | os.PathLike[str]) -> FileFormat:
    """Format named by the file extension (``.csv``, ``.parquet``/``.pq``, ``.jsonl``/``.ndjson``).

    Raises
    ------
    InputError
        For any other extension.
    """
    suffix = Path(path).suffix.lower()
    try:
        return _EXTENSIONS[suffix]
    except KeyError:
        raise InputError(
            "path", str(path), "unknown file type: use .csv, .parquet, .jsonl or .ndjson"
        ) from None


def check_columns(columns: Collection[str], name: str) -> None:
    """Raise unless ``columns`` (a CSV header, a Parquet schema) hold every required column.

    Checked for the file as a whole, before any row: a missing column would reject every row.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    has_coords = "destination_lat_deg" in columns and "destination_lon_deg" in columns
    if "destination" not in columns and not has_coords:
        missing.append("destination (or destination_lat_deg and destination_lon_deg)")
    if missing:
        raise InputError(name, ", ".join(missing), "missing required columns")
