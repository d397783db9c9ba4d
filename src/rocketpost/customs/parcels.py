"""Reading parcels for the customs CLI: orders as JSON or JSON Lines, plus customs context.

Format: a file holding one JSON object, a JSON array of objects, or JSON Lines (one object per
line; blank lines are skipped). Each object is an order with the fields of
:class:`rocketpost.orders.model.Order` and its items as a list of
:class:`~rocketpost.orders.model.OrderItem` fields, plus three optional customs fields:

.. code-block:: json

    {"order_id": "KR-1001", "merchant_id": "M-042", "channel": "b2c",
     "created_at": "2025-08-30T10:15:00+09:00", "destination_country": "KR",
     "recipient_id": "R-77", "destination_lat_deg": 37.57, "destination_lon_deg": 126.98,
     "items": [{"sku": "TS-1", "description": "cotton T-shirt", "hs_code": "610910",
                "quantity": 2, "unit_value": "45.00", "currency": "USD",
                "unit_mass_kg": 0.25, "unit_volume_m3": 0.002}],
     "origin_country": "CN", "scanned_gross_mass_kg": 0.61, "import_date": "2025-08-30"}

``channel`` defaults to ``"b2c"``; the coordinates (customs does not use them) default to 0;
``unit_volume_m3`` defaults to 0.001 m³. ``unit_value`` is a decimal string or number,
``hs_code`` a string of 6 digits (a number would lose leading zeros). Unknown fields are ignored,
so files written for other tools can be read. Every error names the file, the line (JSON Lines)
or array index, and the field: ``orders.jsonl:3: items[0].hs_code: must be a 6-digit HS
subheading (got '6109')``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rocketpost.customs.rule_model import is_country_code
from rocketpost.errors import InputError
from rocketpost.orders.model import Channel, Order, OrderItem

__all__ = ["ParcelFileError", "ParcelInput", "parse_parcel", "read_parcels"]

_DEFAULT_VOLUME_M3 = 0.001


class ParcelFileError(InputError):
    """An order in a parcel file is invalid; the message starts with ``file:line``."""

    def __init__(self, where: str, field: str, value: Any, reason: str) -> None:
        self.where = where
        super().__init__(field, value, reason)

    def _message(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.field}: {self.reason} (got {self.value!r})"


@dataclass(frozen=True)
class ParcelInput:
    """One order read from a file, with the customs context the order itself lacks.

    Parameters
    ----------
    order
        The order.
    origin_country
        Country the goods ship from, if the file gives it.
    scanned_gross_mass_kg
        The hub scale's reading, if weighed.
    import_date
        Explicit import date, if given.
    where
        ``file:line`` (or ``file[index]``) for error messages.
    """

    order: Order
    origin_country: str | None = None
    scanned_gross_mass_kg: float | None = None
    import_date: date | None = None
    where: str = ""

    def error(self, error: InputError) -> ParcelFileError:
        """Re-raise a library error about this parcel with its location."""
        return ParcelFileError(self.where, error.field, error.value, error.reason)


def _require(obj: Mapping[str, Any], key: str, where: str, prefix: str = "") -> Any:
    if key not in obj or obj[key] is None:
        raise ParcelFileError(where, f"{prefix}{key}", None, "is required")
    return obj[key]


def _number(value: Any, field: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParcelFileError(where, field, value, "must be a number")
    return float(value)


def _item(obj: Any, index: int, where: str) -> OrderItem:
    prefix = f"items[{index}]."
    if not isinstance(obj, Mapping):
        raise ParcelFileError(where, f"items[{index}]", obj, "must be an object")
    hs_code = _require(obj, "hs_code", where, prefix)
    if not isinstance(hs_code, str):
        raise ParcelFileError(where, f"{prefix}hs_code", hs_code, "must be a string of 6 digits")
    raw_value = _require(obj, "unit_value", where, prefix)
    if isinstance(raw_value, bool) or not isinstance(raw_value, str | int | float):
        raise ParcelFileError(where, f"{prefix}unit_value", raw_value, "must be a decimal amount")
    try:
        unit_value = Decimal(str(raw_value).strip())
    except InvalidOperation:
        raise ParcelFileError(
            where, f"{prefix}unit_value", raw_value, "must be a decimal amount"
        ) from None
    quantity = _require(obj, "quantity", where, prefix)
    volume = obj.get("unit_volume_m3", _DEFAULT_VOLUME_M3)
    try:
        return OrderItem(
            sku=str(_require(obj, "sku", where, prefix)),
            description=str(_require(obj, "description", where, prefix)),
            hs_code=hs_code,
            quantity=quantity,
            unit_value=unit_value,
            currency=str(_require(obj, "currency", where, prefix)),
            unit_mass_kg=_number(
                _require(obj, "unit_mass_kg", where, prefix), f"{prefix}unit_mass_kg", where
            ),
            unit_volume_m3=_number(volume, f"{prefix}unit_volume_m3", where),
            dangerous_goods_class=obj.get("dangerous_goods_class"),
        )
    except ParcelFileError:
        raise
    except InputError as error:
        raise ParcelFileError(where, f"{prefix}{error.field}", error.value, error.reason) from None


def parse_parcel(obj: Any, *, where: str = "") -> ParcelInput:
    """Build a :class:`ParcelInput` from one decoded JSON object (errors carry ``where``)."""
    if not isinstance(obj, Mapping):
        raise ParcelFileError(where, "order", obj, "must be a JSON object")
    items_raw = _require(obj, "items", where)
    if not isinstance(items_raw, list):
        raise ParcelFileError(where, "items", items_raw, "must be a list of items")
    items = tuple(_item(item, i, where) for i, item in enumerate(items_raw))
    created_raw = _require(obj, "created_at", where)
    try:
        created_at = datetime.fromisoformat(str(created_raw))
    except ValueError:
        raise ParcelFileError(
            where, "created_at", created_raw, "must be an ISO 8601 timestamp"
        ) from None
    try:
        order = Order(
            order_id=str(_require(obj, "order_id", where)),
            merchant_id=str(_require(obj, "merchant_id", where)),
            channel=obj.get("channel", Channel.B2C),
            created_at=created_at,
            destination_lat_deg=_number(
                obj.get("destination_lat_deg", 0.0), "destination_lat_deg", where
            ),
            destination_lon_deg=_number(
                obj.get("destination_lon_deg", 0.0), "destination_lon_deg", where
            ),
            destination_country=str(_require(obj, "destination_country", where)),
            recipient_id=str(_require(obj, "recipient_id", where)),
            items=items,
            origin_hub=obj.get("origin_hub"),
            destination_label=obj.get("destination_label"),
        )
    except ParcelFileError:
        raise
    except InputError as error:
        raise ParcelFileError(where, error.field, error.value, error.reason) from None
    origin = obj.get("origin_country")
    if origin is not None and not is_country_code(origin):
        raise ParcelFileError(
            where, "origin_country", origin, "must be an ISO alpha-2 country code"
        )
    scanned = obj.get("scanned_gross_mass_kg")
    if scanned is not None:
        scanned = _number(scanned, "scanned_gross_mass_kg", where)
        if not scanned > 0:
            raise ParcelFileError(where, "scanned_gross_mass_kg", scanned, "must be positive")
    raw_date = obj.get("import_date")
    import_date = None
    if raw_date is not None:
        try:
            import_date = date.fromisoformat(str(raw_date))
        except ValueError:
            raise ParcelFileError(
                where, "import_date", raw_date, "must be an ISO date (YYYY-MM-DD)"
            ) from None
    return ParcelInput(order, origin, scanned, import_date, where)


def read_parcels(path: Path | str) -> tuple[ParcelInput, ...]:
    """Read a JSON object, a JSON array or JSON Lines file of orders.

    Raises
    ------
    ParcelFileError
        ``file:line: field: reason`` for the first invalid order or malformed line.
    FileNotFoundError
        When the file does not exist (the CLI reports it on one line).
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    name = path.name
    stripped = text.strip()
    if not stripped:
        raise ParcelFileError(name, "orders", "", "the file is empty")
    try:
        whole = json.loads(stripped)
    except json.JSONDecodeError:
        whole = None
        single = False
    else:
        single = True
    if single:
        if isinstance(whole, list):
            return tuple(parse_parcel(obj, where=f"{name}[{i}]") for i, obj in enumerate(whole))
        return (parse_parcel(whole, where=name),)
    parcels = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            raise ParcelFileError(
                where, "line", line.strip()[:40], f"is not valid JSON ({error.msg})"
            ) from None
        parcels.append(parse_parcel(obj, where=where))
    return tuple(parcels)
