"""Destinations given as place text: each distinct text resolved once, failures worded per row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from rocketpost.errors import InputError

__all__ = ["PlaceLike", "default_resolver", "resolve_places"]


class PlaceLike(Protocol):
    """What :func:`read_orders` needs from a resolved place."""

    @property
    def lat_deg(self) -> float: ...

    @property
    def lon_deg(self) -> float: ...

    @property
    def country_code(self) -> str | None: ...


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
    try:
        from rocketpost.world import places
    except ImportError:

        def unavailable(query: str) -> PlaceLike:
            raise InputError("destination", query, "place lookup is not available")

        return unavailable

    def resolve(query: str) -> PlaceLike:
        return places.resolve_place(query)

    return resolve
