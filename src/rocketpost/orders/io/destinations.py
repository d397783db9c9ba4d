"""Destinations given as place text: each distinct text resolved once, failures worded per row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.orders.io.fields import Coded, Fields, known_countries, parse_float
from rocketpost.orders.io.rejects import RowErrors

__all__ = ["Destinations", "PlaceLike", "check_destinations", "default_resolver", "resolve_places"]


class PlaceLike(Protocol):
    """What :func:`read_orders` needs from a resolved place."""

    @property
    def lat_deg(self) -> float: ...

    @property
    def lon_deg(self) -> float: ...

    @property
    def country_code(self) -> str | None: ...


@dataclass(frozen=True, eq=False)
class Destinations:
    """Where each row goes, as checked: point, country and the text the customer wrote.

    Rows whose destination failed have NaN or ``""`` here; their failure is in the errors.
    """

    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    country: NDArray[np.str_]
    label: pa.Array


def check_destinations(
    fields: Fields, errors: RowErrors, resolve_place: Callable[[str], PlaceLike] | None
) -> Destinations:
    """Check every row's destination (coordinates or place text, and country); record failures.

    Coordinates win when both are given (the text is then the display label); place text is
    resolved where it supplies the point or the country, once per distinct text.
    """
    lat, lat_ok = parse_float(fields, "destination_lat_deg")
    lon, lon_ok = parse_float(fields, "destination_lon_deg")
    has_lat, has_lon = fields.present("destination_lat_deg"), fields.present("destination_lon_deg")
    has_coords = has_lat & has_lon
    has_text = fields.present("destination")
    errors.add(~lat_ok, "destination_lat_deg", "is not a number")
    errors.add(~lon_ok, "destination_lon_deg", "is not a number")
    errors.add(
        lat_ok & has_lat & ~(np.abs(lat) <= 90.0), "destination_lat_deg", "must be in [-90, 90]"
    )
    errors.add(
        lon_ok & has_lon & ~(np.abs(lon) <= 180.0), "destination_lon_deg", "must be in [-180, 180]"
    )
    errors.add(
        has_lat & ~has_lon, "destination_lon_deg", "required with destination_lat_deg", False
    )
    errors.add(
        has_lon & ~has_lat, "destination_lat_deg", "required with destination_lon_deg", False
    )
    errors.add(
        ~has_lat & ~has_lon & ~has_text,
        "destination",
        "required: give destination or destination_lat_deg and destination_lon_deg",
        show=False,
    )
    country = Coded.of(pc.utf8_upper(fields.text("destination_country")))
    has_country = fields.present("destination_country")
    errors.add(
        has_country & ~country.isin(known_countries()),
        "destination_country",
        "is not an ISO 3166-1 alpha-2 country code",
    )
    label = fields.text("destination")
    # Place text is looked up where it supplies the point or the country.
    need = has_text & (~has_lat & ~has_lon | has_coords & ~has_country)
    place_lat, place_lon, place_country, failure = resolve_places(label, need, resolve_place)
    errors.add(failure != "", "destination", lambda row: str(failure[row]), show=False)
    country_np = country.strings()
    errors.add(
        need & has_country & (place_country != "") & (country_np != place_country),
        "destination_country",
        lambda row: f"does not match the destination's country {place_country[row]}",
    )
    final_lat = np.where(has_coords, lat, place_lat)
    final_lon = np.where(has_coords, lon, place_lon)
    final_country = np.where(has_country, country_np, place_country)
    located = has_coords | (need & (failure == ""))
    errors.missing(located & (final_country == ""), "destination_country")
    return Destinations(lat_deg=final_lat, lon_deg=final_lon, country=final_country, label=label)


def resolve_places(
    label: pa.Array,
    need: NDArray[np.bool_],
    resolve_place: Callable[[str], PlaceLike] | None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.str_], NDArray[np.str_]]:
    """Point, country and failure text per row, resolving each distinct text once."""
    n = len(label)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    country = np.full(n, "", dtype="<U2")
    failure = np.full(n, "", dtype=object)
    if not need.any():
        return lat, lon, country, failure.astype(str)
    rows = np.flatnonzero(need)
    wanted = label.take(pa.array(rows))
    distinct = pc.unique(wanted)
    resolver = resolve_place or default_resolver()
    d_lat = np.full(len(distinct), np.nan)
    d_lon = np.full(len(distinct), np.nan)
    d_country = np.full(len(distinct), "", dtype="<U2")
    d_failure = np.full(len(distinct), "", dtype=object)
    for k, query in enumerate(distinct.to_pylist()):
        try:
            place = resolver(query)
        except InputError as exc:
            d_failure[k] = str(exc)
            continue
        d_lat[k], d_lon[k] = float(place.lat_deg), float(place.lon_deg)
        d_country[k] = (place.country_code or "").upper()
        if not (np.isfinite(d_lat[k]) and np.isfinite(d_lon[k])):
            d_failure[k] = f"place {query!r} has no coordinates"
    position = np.asarray(pc.index_in(wanted, value_set=distinct).to_numpy(zero_copy_only=False))
    position = position.astype(np.int64)
    lat[rows], lon[rows] = d_lat[position], d_lon[position]
    country[rows] = d_country[position]
    failure[rows] = d_failure[position]
    return lat, lon, country, failure.astype(str)


def default_resolver() -> Callable[[str], PlaceLike]:
    """``rocketpost.world.places.resolve_place``, or a resolver that fails every row without it."""
    try:
        from rocketpost.world import places
    except ImportError:

        def unavailable(query: str) -> PlaceLike:
            raise InputError("destination", query, "place lookup is not available")

        return unavailable

    def resolve(query: str) -> PlaceLike:
        return places.resolve_place(query)

    return resolve
