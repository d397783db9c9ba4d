"""The candidate landing sites as one column table (row ``i`` is one candidate)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rocketpost.world.cities import freeze_table_columns

__all__ = ["CandidateTable", "SiteCandidate"]


@dataclass(frozen=True)
class SiteCandidate:
    """One candidate landing site (a row of :class:`CandidateTable`, as plain Python values)."""

    site_id: str
    lat_deg: float
    lon_deg: float
    city: str
    country_code: str
    city_distance_km: float
    port: str
    boat_route_km: float
    drone_catchment: int
    van_catchment: int
    open_ocean_share: float
    sea_state_closed_share: float


@dataclass(frozen=True, eq=False)
class CandidateTable:
    """Candidate sea landing sites as equal-length, read-only column arrays.

    Attributes
    ----------
    site_id
        Deterministic id ``CC-XXXXX``: country code of the city it was placed for and a
        five-character base-32 code of its position (a ~1 km geohash-like cell), so an id only
        changes when the site moves.
    lat_deg, lon_deg
        The sea point: centre of a 1 km GLOBE mask cell at least the safety distance from land.
    city, country_code
        The largest city the site was placed for (GeoNames name, ISO 3166-1 alpha-2).
    city_distance_km
        Great-circle distance from that city's centre to the sea point.
    port, boat_route_km
        UN/LOCODE of the port the recovery vessel runs to and the water route length
        (:func:`rocketpost.world.waterway.cached_boat_route_km`, the network check's own).
    drone_catchment
        People in the table's cities within the drone radius of the sea point.
    van_catchment
        People in the table's cities within the van radius of the port.
    open_ocean_share
        Share of compass bearings with no land within the fetch length (exposure proxy).
    sea_state_closed_share
        Share of the time the site is assumed closed by sea state, mapped from the proxy.
    """

    site_id: NDArray[np.object_]
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    city: NDArray[np.object_]
    country_code: NDArray[np.object_]
    city_distance_km: NDArray[np.float64]
    port: NDArray[np.object_]
    boat_route_km: NDArray[np.float64]
    drone_catchment: NDArray[np.int64]
    van_catchment: NDArray[np.int64]
    open_ocean_share: NDArray[np.float64]
    sea_state_closed_share: NDArray[np.float64]

    def __post_init__(self) -> None:
        freeze_table_columns(self, "site_id")

    def __len__(self) -> int:
        return len(self.site_id)

    def __iter__(self) -> Iterator[SiteCandidate]:
        for row in range(len(self)):
            yield self.row(row)

    def row(self, index: int) -> SiteCandidate:
        """Row ``index`` as a :class:`SiteCandidate`."""
        values: dict[str, Any] = {}
        for column in fields(self):
            value = getattr(self, column.name)[index]
            values[column.name] = value.item() if isinstance(value, np.generic) else value
        return SiteCandidate(**values)

    def subset(self, selector: NDArray[Any]) -> CandidateTable:
        """Rows selected by a boolean mask or integer index array (copies the columns)."""
        chosen = np.asarray(selector)
        return CandidateTable(**{c.name: getattr(self, c.name)[chosen] for c in fields(self)})

    def columns(self) -> dict[str, NDArray[Any]]:
        """The columns by name (for saving)."""
        return {column.name: getattr(self, column.name) for column in fields(self)}

    def equals(self, other: CandidateTable) -> bool:
        """Whether both tables hold the same rows in the same order."""
        return len(self) == len(other) and all(
            np.array_equal(getattr(self, c.name), getattr(other, c.name)) for c in fields(self)
        )
