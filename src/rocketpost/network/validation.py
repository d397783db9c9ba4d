"""Field checks shared by the network's dataclasses (they raise :class:`InputError` naming
``owner.field``, which the file reader relabels with the TOML key path)."""

from __future__ import annotations

import math
from typing import Any

from rocketpost.errors import InputError, require_positive

__all__: list[str] = []


def _positive(owner: str, name: str, value: float, *, allow_zero: bool = False) -> None:
    require_positive(f"{owner}.{name}", value, allow_zero=allow_zero)


def _count(owner: str, name: str, value: int, *, minimum: int = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{owner}.{name}", value, "must be a whole number")
    if value < minimum:
        raise InputError(f"{owner}.{name}", value, f"must be ≥ {minimum}")


def _lat_lon(field: str, value: Any, *, container: type = tuple) -> tuple[float, float]:
    """Check a ``[latitude, longitude]`` pair (a tuple in code, a list in TOML) and return it."""
    if (
        not isinstance(value, list | tuple)
        or not isinstance(value, container)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise InputError(field, value, "must be [latitude, longitude] in degrees")
    lat, lon = float(value[0]), float(value[1])
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise InputError(field, value, "latitude must be in [-90, 90]")
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise InputError(field, value, "longitude must be in [-180, 180]")
    return lat, lon
