"""A landing site: a sea point with a recovery vessel, its drones and a port (see
:class:`rocketpost.network.model.Network`'s ``landing_sites``)."""

from __future__ import annotations

from dataclasses import dataclass

from rocketpost.errors import InputError
from rocketpost.network.validation import _count, _lat_lon, _positive

__all__ = ["LandingSite"]


@dataclass(frozen=True)
class LandingSite:
    """A sea point where rockets land, with a recovery vessel, its drones and a port.

    A hub's own landing zone is a site (``hub_index`` its position, it has a pad); extra sites
    near cities have none (``hub_index = -1``) and only receive flights.

    Parameters
    ----------
    site_id
        Unique id (a hub's id for its own zone).
    position
        (lat, lon) at sea.
    port, port_position, boat_route_km
        Port where pods go ashore (UN/LOCODE), its position and the water route to it.
    drones
        Delivery drones on the recovery vessel (used when ``drone.from_vessel``).
    vans
        Last-mile vans at the site's port for the parcels that go ashore by boat (an extra
        site's; a hub's zone uses the hub's vans). Default 20, a design choice: a third of a
        hub's port pool (60), since a city site's boat parcels are only those the vessel's
        drones cannot carry.
    sea_state_closed_share
        Share of time the site is closed by sea state (a proxy, ``docs/design.md``); for the
        simulator, the deterministic kernel assumes open conditions.
    hub_index
        The hub whose zone this is, or -1.
    serves
        The city the site was placed for (information only).
    """

    site_id: str
    position: tuple[float, float]
    port: str
    port_position: tuple[float, float]
    boat_route_km: float
    drones: int
    sea_state_closed_share: float = 0.0
    vans: int = 20
    hub_index: int = -1
    serves: str = ""

    def __post_init__(self) -> None:
        owner = f"landing_sites[{self.site_id}]"
        if not self.site_id or not self.site_id.replace("-", "").replace("_", "").isalnum():
            raise InputError("landing_site.id", self.site_id, "must be a non-empty alphanumeric id")
        for name in ("position", "port_position"):
            _lat_lon(f"{owner}.{name}", getattr(self, name))
        _positive(owner, "boat_route_km", self.boat_route_km, allow_zero=True)
        _count(owner, "drones", self.drones)
        _count(owner, "vans", self.vans)
        share = self.sea_state_closed_share
        if not (isinstance(share, int | float) and 0.0 <= share <= 1.0):
            raise InputError(f"{owner}.sea_state_closed_share", share, "must be in [0, 1]")

    @property
    def country(self) -> str:
        """ISO alpha-2 country of the site's port (a UN/LOCODE starts with it)."""
        return self.port[:2]
