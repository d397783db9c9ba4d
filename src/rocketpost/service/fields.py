"""The field types requests are made of: every input bounded, strict and finite.

A client must never cause a 500, and nothing it sends may overflow a computation or a column:
strings are length-bounded and refused when they hold NUL or a lone surrogate (PostgreSQL
cannot store either); numbers are strict JSON numbers (``true`` or ``"5"`` is refused, not read
as 1 or 5), finite (Python's JSON parser reads ``NaN``, ``Infinity`` and ``1e999``) and bounded,
with parcel minimums of the units capacity is counted in; instants are aware ISO-8601 text in
the years 2000–2100, so converting one to UTC can never overflow a date. The request models of
:mod:`rocketpost.service.schemas` are built from these.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
)

from rocketpost.orders.model import DANGEROUS_GOODS_CLASSES

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "M3",
    "MAX_MASS_KG",
    "MAX_VOLUME_M3",
    "MIN_ITEM_MASS_KG",
    "MIN_ITEM_VOLUME_M3",
    "MIN_PARCEL_MASS_KG",
    "MIN_PARCEL_VOLUME_M3",
    "OCCURRED_AT_MAX_AHEAD",
    "Amount",
    "Code",
    "Country",
    "Degrees",
    "HubId",
    "InModel",
    "Instant",
    "ItemKg",
    "ItemM3",
    "Kg",
    "Label",
    "Name",
    "Note",
    "OutModel",
    "PastInstant",
    "Reference",
    "Short",
    "StockHubs",
    "Token",
]

MAX_MASS_KG = 100_000.0
MAX_VOLUME_M3 = 1_000.0
MIN_PARCEL_MASS_KG = 0.001
"""1 g: flight loads are counted in whole grams (``service/capacity.py``), so a lighter parcel
would be booked as 0 g and take no capacity; it is also what a parcel scale resolves."""
MIN_PARCEL_VOLUME_M3 = 1e-6
"""1 cm³: flight loads are counted in whole cubic centimetres (``service/capacity.py``)."""
MIN_ITEM_MASS_KG = 1e-6
"""1 mg: a declared item (a SIM card, a stamp) may weigh under a gram, but not nothing: a
lower bound keeps zero-like and subnormal floats (``5e-324``) out of the customs arithmetic."""
MIN_ITEM_VOLUME_M3 = 1e-9
"""1 mm³, for the same reason."""
FIRST_YEAR = 2000
LAST_YEAR = 2100
"""Instants a client sends must fall in these years (in their own offset): any such instant
converts to UTC and moves by days without overflowing Python's dates (years 1–9999)."""
OCCURRED_AT_MAX_AHEAD = timedelta(days=1)
"""A flight event cannot have happened more than this far in the future (clock skew)."""


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


_CLEAN = AfterValidator(_clean_text)


def _dg_class(value: str) -> str:
    if value not in DANGEROUS_GOODS_CLASSES:
        raise ValueError("must be a UN hazard class such as '3' or '9'")
    return value


Code = Annotated[str, Field(min_length=1, max_length=4), AfterValidator(_dg_class)]
Short = Annotated[str, Field(min_length=1, max_length=64), _CLEAN]
Name = Annotated[str, Field(min_length=1, max_length=100), _CLEAN]
Reference = Annotated[str, Field(max_length=100), _CLEAN]
Label = Annotated[str, Field(min_length=1, max_length=200), _CLEAN]
Note = Annotated[str, Field(max_length=500), _CLEAN]
Token = Annotated[str, Field(min_length=1, max_length=4096), _CLEAN]


HubId = Annotated[str, Field(pattern=r"^[A-Z0-9]{2,8}$", examples=["HZB"])]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["KR"])]


def _distinct(hubs: list[str]) -> list[str]:
    repeated = sorted({h for h in hubs if hubs.count(h) > 1})
    if repeated:
        raise ValueError(f"lists {', '.join(repeated)} more than once")
    return hubs


StockHubs = Annotated[
    list[HubId],
    Field(
        min_length=1,
        max_length=64,
        description="the hubs that hold this basket's stock (a checkout's inventory); given, "
        "the route starts at one of them and the promise counts the fallback of the default "
        "re-planning policy (another clear hub of the origin's country among them flies the "
        "parcels when a front scrubs the origin's wave: docs/promise.md); absent: no fallback",
    ),
    AfterValidator(_distinct),
]
# Strict: a JSON number only (an integer is accepted as a float), never a boolean or a string;
# allow_inf_nan=False: NaN and ±Infinity (which Python's JSON parser reads, as it does 1e999)
# are refused with the field's path.
Kg = Annotated[float, Strict(), Field(ge=MIN_PARCEL_MASS_KG, le=MAX_MASS_KG, allow_inf_nan=False)]
M3 = Annotated[
    float, Strict(), Field(ge=MIN_PARCEL_VOLUME_M3, le=MAX_VOLUME_M3, allow_inf_nan=False)
]
ItemKg = Annotated[float, Strict(), Field(ge=MIN_ITEM_MASS_KG, le=MAX_MASS_KG, allow_inf_nan=False)]
ItemM3 = Annotated[
    float, Strict(), Field(ge=MIN_ITEM_VOLUME_M3, le=MAX_VOLUME_M3, allow_inf_nan=False)
]
Degrees = Annotated[float, Strict(), Field(allow_inf_nan=False)]


def _no_bool(value: object) -> object:
    # Decimal cannot be strict (its documented form is a string, "45.00"), but a boolean is
    # never an amount.
    if isinstance(value, bool):
        raise ValueError("must be a decimal number or a decimal string, not a boolean")
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_no_bool),
    Field(ge=0, le=Decimal("1e9"), max_digits=16, decimal_places=4, allow_inf_nan=False),
]
"""A money amount: a decimal string (``"45.00"``) or a JSON number, never a boolean."""


def _iso_text(value: object) -> object:
    # A number would be read as a Unix time and a boolean as 0 or 1 s after 1970: only the
    # documented ISO-8601 text is an instant.
    if not isinstance(value, str | datetime):
        raise ValueError("must be an ISO-8601 date-time string with an offset")
    return value


def _in_years(value: datetime) -> datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must be in the years {FIRST_YEAR} to {LAST_YEAR}")
    return value


def _not_far_ahead(value: datetime) -> datetime:
    if value.astimezone(UTC) > datetime.now(UTC) + OCCURRED_AT_MAX_AHEAD:
        hours = OCCURRED_AT_MAX_AHEAD.total_seconds() / 3600
        raise ValueError(f"must not be more than {hours:g} h ahead of now")
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_in_years)]
"""An instant a client sends: aware ISO-8601 text, years 2000–2100."""
PastInstant = Annotated[Instant, AfterValidator(_not_far_ahead)]
"""An instant that has happened (up to ``OCCURRED_AT_MAX_AHEAD`` of clock skew)."""


class InModel(BaseModel):
    """A request body: unknown fields are refused, so a typo is a 422, not a silent default."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class OutModel(BaseModel):
    """A response: routes return these (or FastAPI builds them from the route's value), so that
    every answer is validated against the documented shape."""

    model_config = ConfigDict(extra="forbid")
