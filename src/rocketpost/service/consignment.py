"""What a shipment is, where it goes and when it is ready: a request checked and resolved.

A :class:`Consignment` is what a quote is computed from: made from a quote request or an inline
booking (:meth:`Consignment.from_request`: the destination resolved to a point, ``ready_at``
checked, the parcels summed) or from a signed quote id
(:meth:`rocketpost.service.tokens.QuoteToken.consignment`). Errors name the request's field, so
a client sees a 422 on ``destination.place`` or ``ready_at``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rocketpost.errors import InputError
from rocketpost.service import schemas
from rocketpost.world.places import resolve_place

if TYPE_CHECKING:
    from rocketpost.service.quoting import QuoteEngine

__all__ = [
    "READY_AT_MAX_AHEAD",
    "READY_AT_PAST_TOLERANCE_S",
    "Consignment",
    "ResolvedPlace",
    "check_ready_at",
    "parcels_summary",
    "resolve_destination",
    "stored_parcels",
]

READY_AT_PAST_TOLERANCE_S = 60.0
READY_AT_MAX_AHEAD = timedelta(days=30)
# Above this many parcels, a shipment's parcels are stored (and signed into a quote id) as one
# consolidated line, so that ids stay short.
MAX_STORED_PARCELS = 50


@dataclass(frozen=True)
class ResolvedPlace:
    """A destination the ETA and customs can use."""

    name: str
    country: str | None
    lat_deg: float
    lon_deg: float

    def public(self) -> schemas.DestinationOut:
        """The destination as answered."""
        return schemas.DestinationOut(
            name=self.name, country=self.country, lat_deg=self.lat_deg, lon_deg=self.lon_deg
        )

    def stored(self) -> dict[str, str | float | None]:
        """The destination as stored with a shipment (the JSON of :meth:`public`)."""
        return {
            "name": self.name,
            "country": self.country,
            "lat_deg": self.lat_deg,
            "lon_deg": self.lon_deg,
        }


@lru_cache(maxsize=65_536)
def _resolve_query(query: str) -> ResolvedPlace:
    place = resolve_place(query)
    return ResolvedPlace(place.name, place.country_code, place.lat_deg, place.lon_deg)


def resolve_destination(destination: schemas.DestinationIn) -> ResolvedPlace:
    """Resolve a request's destination; errors name ``destination.<field>``.

    Raises
    ------
    InputError
        Unknown place (with suggestions in the message), or no country known for the point.
    """
    try:
        if destination.place is not None:
            place = _resolve_query(destination.place)
        else:
            assert destination.lat_deg is not None and destination.lon_deg is not None
            place = _resolve_query(f"{destination.lat_deg!r},{destination.lon_deg!r}")
    except InputError as error:
        # PlaceNotFoundError's message carries the suggestions: keep it as the reason.
        field = "destination.place" if destination.place is not None else "destination"
        raise InputError(field, error.value, str(error)) from None
    country = destination.country or place.country
    if country is None:
        raise InputError(
            "destination.country",
            None,
            "no country is known near these coordinates: give destination.country",
        )
    name = destination.name or place.name
    return ResolvedPlace(name, country, place.lat_deg, place.lon_deg)


def check_ready_at(ready_at: datetime | None, now: datetime, field: str = "ready_at") -> datetime:
    """``ready_at`` in UTC, defaulting to ``now``; at most a minute past and 30 days ahead.

    The request schemas already bound instants to the years 2000–2100; an instant at the edge
    of Python's dates (``9999-12-31T23:59:59-14:00``) whose UTC conversion overflows is still
    a 422 on ``field`` here, never an ``OverflowError``.
    """
    if ready_at is None:
        return now
    try:
        ready = ready_at.astimezone(UTC)
    except OverflowError:
        raise InputError(field, ready_at.isoformat(), "must be within 30 days") from None
    if ready < now - timedelta(seconds=READY_AT_PAST_TOLERANCE_S):
        raise InputError(field, ready_at.isoformat(), "must not be in the past")
    if ready > now + READY_AT_MAX_AHEAD:
        raise InputError(field, ready_at.isoformat(), "must be within 30 days")
    return ready


def parcels_summary(parcels: list[schemas.ParcelIn]) -> tuple[float, float, set[str]]:
    """Total mass, total volume and the dangerous-goods classes of a shipment's parcels."""
    mass = math.fsum(p.mass_kg for p in parcels)
    volume = math.fsum(p.volume_m3 for p in parcels)
    classes = {p.dangerous_goods_class for p in parcels if p.dangerous_goods_class}
    return mass, volume, classes


def stored_parcels(parcels: list[schemas.ParcelIn]) -> list[dict[str, Any]]:
    """Parcels as stored with a shipment; many parcels are consolidated to keep ids short."""
    if len(parcels) <= MAX_STORED_PARCELS:
        return [p.model_dump() for p in parcels]
    mass, volume, classes = parcels_summary(parcels)
    return [
        {
            "mass_kg": mass,
            "volume_m3": volume,
            "dangerous_goods_class": min(classes) if classes else None,
            "count": len(parcels),
        }
    ]


@dataclass(frozen=True)
class Consignment:
    """What is shipped, from where, to where, when: everything a quote depends on but customs.

    ``origin_hub`` is ``None`` when any hub may serve; ``parcels`` are in their stored form;
    ``stock_hubs`` the hubs holding the goods (``None``: not told; no fallback is counted).
    """

    place: ResolvedPlace
    origin_hub: str | None
    channel: str
    ready_at: datetime
    parcels: tuple[dict[str, Any], ...]
    mass_kg: float
    volume_m3: float
    dangerous_goods: frozenset[str]
    stock_hubs: tuple[str, ...] | None = None

    @classmethod
    def from_request(
        cls,
        engine: QuoteEngine,
        body: schemas.QuoteRequest | schemas.ShipmentCreate,
        now: datetime,
    ) -> Consignment:
        """A quote request's (or an inline booking's) consignment, checked field by field.

        Raises
        ------
        InputError
            Unknown ``origin_hub``, ``ready_at`` out of range, or a destination not found.
        """
        assert body.destination is not None and body.parcels is not None
        engine.check_origin(body.origin_hub)
        stock = None if body.stock_hubs is None else tuple(body.stock_hubs)
        for hub in stock or ():
            engine.check_origin(hub, "stock_hubs")
        if stock is not None and body.origin_hub is not None and body.origin_hub not in stock:
            raise InputError("origin_hub", body.origin_hub, "must be one of stock_hubs")
        ready_at = check_ready_at(body.ready_at, now)
        place = resolve_destination(body.destination)
        mass_kg, volume_m3, classes = parcels_summary(body.parcels)
        return cls(
            place=place,
            origin_hub=body.origin_hub,
            channel=body.channel or "b2c",
            ready_at=ready_at,
            parcels=tuple(stored_parcels(body.parcels)),
            mass_kg=mass_kg,
            volume_m3=volume_m3,
            dangerous_goods=frozenset(classes),
            stock_hubs=stock,
        )
