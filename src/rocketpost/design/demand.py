"""Demand points of the network designer: where the people (or the orders) are.

A design maximises the demand that gets a one-hour rocket promise. Demand is a set of points
with a weight: city population (GeoNames via :func:`rocketpost.world.cities.load_cities`, any
threshold) or orders per destination (an orders file read by
:func:`rocketpost.orders.io.read_orders`, destinations rounded to ~1 km and counted).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.world.cities import load_cities

__all__ = ["Demand", "city_demand", "orders_demand"]

_ORDER_POINT_DECIMALS = 2
"""Order destinations are grouped on a 0.01° grid (~1 km): finer than any last-mile leg."""


@dataclass(frozen=True, eq=False)
class Demand:
    """Weighted demand points as read-only columns.

    Attributes
    ----------
    name, country_code
        Label and ISO 3166-1 alpha-2 of each point.
    lat_deg, lon_deg
        The point (a city centre, or an order destination cell).
    weight
        People (cities) or orders at the point.
    unit
        ``"people"`` or ``"orders"``.
    source
        Where the points came from (for reports and file headers).
    """

    name: NDArray[np.object_]
    country_code: NDArray[np.object_]
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    weight: NDArray[np.float64]
    unit: str = "people"
    source: str = ""

    def __post_init__(self) -> None:
        length = len(self.name)
        for column in ("name", "country_code", "lat_deg", "lon_deg", "weight"):
            array = getattr(self, column)
            if not isinstance(array, np.ndarray) or array.shape != (length,):
                raise InputError(f"demand.{column}", type(array), f"must be 1-D, length {length}")
            array.flags.writeable = False
        if np.any(~np.isfinite(self.weight)) or np.any(self.weight < 0):
            raise InputError("demand.weight", "negative or not finite", "must be ≥ 0 and finite")

    def __len__(self) -> int:
        return len(self.name)

    @property
    def total(self) -> float:
        """Sum of the weights."""
        return float(self.weight.sum())


def city_demand(min_population: int = 15_000) -> Demand:
    """Every GeoNames city at or above ``min_population``, weighted by its population."""
    cities = load_cities(min_population)
    return Demand(
        name=np.asarray(cities.name, dtype=object),
        country_code=np.asarray(cities.country_code, dtype=object),
        lat_deg=np.asarray(cities.lat_deg, dtype=np.float64),
        lon_deg=np.asarray(cities.lon_deg, dtype=np.float64),
        weight=np.asarray(cities.population, dtype=np.float64),
        unit="people",
        source=f"GeoNames cities >= {min_population:,} people",
    )


def orders_demand(path: str | os.PathLike[str]) -> Demand:
    """Orders of a file counted per destination cell (0.01°, ~1 km); rejected rows do not count.

    Raises
    ------
    InputError
        The file has no accepted order.
    """
    from rocketpost.orders.io import read_orders

    orders = read_orders(path).orders
    if len(orders.order_id) == 0:
        raise InputError("orders", str(path), "has no accepted order to design for")
    cells = np.round(
        np.column_stack([orders.destination_lat_deg, orders.destination_lon_deg]),
        _ORDER_POINT_DECIMALS,
    )
    unique, first, counts = np.unique(cells, axis=0, return_index=True, return_counts=True)
    labels = np.asarray(orders.destination_label)[first]
    countries = np.asarray(orders.destination_country)[first]
    names = [
        str(label) if str(label) else f"{lat:.2f},{lon:.2f}"
        for label, (lat, lon) in zip(labels, unique, strict=True)
    ]
    return Demand(
        name=np.asarray(names, dtype=object),
        country_code=np.asarray(countries.astype(str), dtype=object),
        lat_deg=unique[:, 0].astype(np.float64),
        lon_deg=unique[:, 1].astype(np.float64),
        weight=counts.astype(np.float64),
        unit="orders",
        source=f"orders file {os.fspath(path)} ({len(orders.order_id):,} orders)",
    )
