"""The network's model: hubs, the rocket class, safety, the promise (boats and last-mile
vehicles in :mod:`rocketpost.network.vehicles`, landing sites in
:mod:`rocketpost.network.landingsite`, both re-exported here).

Frozen dataclasses that validate themselves, so a network built in code (tests, what-if variants
via :func:`dataclasses.replace`) obeys the same rules as a loaded one, except for the world-data
checks (land mask, ports), which need the data and live in :mod:`rocketpost.network.world`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.network.landingsite import LandingSite
from rocketpost.network.validation import _count, _lat_lon, _positive
from rocketpost.network.vehicles import Boat, Drone, Van

__all__ = [
    "LAUNCH_MODES",
    "TRAJECTORIES",
    "Boat",
    "Drone",
    "Hub",
    "LandingSite",
    "Network",
    "Promise",
    "RocketClass",
    "Safety",
    "Van",
]

TRAJECTORIES = ("min_energy", "fastest")
"""Coast arcs a rocket class may fly: :mod:`rocketpost.core.ballistics` (minimum-energy) or
:mod:`rocketpost.core.fastest` (fastest within the burnout-speed budget)."""

LAUNCH_MODES = ("waves", "on_demand")
"""Launch cadences of a hub: fixed waves, or a free pad on demand."""


@dataclass(frozen=True)
class RocketClass:
    """A reusable cargo rocket type (the reference is the XZY-1).

    Parameters
    ----------
    payload_mass_kg, payload_volume_m3
        Cargo limits; both bind (10 t in 120 m³ is ~83 kg/m³, so light parcels fill the volume
        first).
    burnout_altitude_km, ascent_s, descent_s
        The powered ascent ends at burnout at this altitude; re-entry and landing take
        ``descent_s``. See :mod:`rocketpost.core.ballistics` for how they enter the flight time.
    flights_per_airframe
        Reuse limit; an airframe is retired after this many flights.
    recovery_h
        Landing to airframe back at the destination port (sea recovery).
    turnaround_h
        Back at port to ready for the next launch (inspection, refurbishment, transport to pad).
    cost_per_flight_usd
        Marginal cost of one flight, used to weigh flying light against holding a wave.
    max_burnout_speed_ms
        Inertial burnout-speed budget of the ``fastest`` trajectory. The default, 7,900 m/s, is
        above the circular speed at 100 km (7,844 m/s), so every lane stays reachable.
    trajectory
        ``"min_energy"`` (the slowest, cheapest conic) or ``"fastest"`` (the fastest conic
        within ``max_burnout_speed_ms``, :func:`rocketpost.core.fastest.fastest_trajectory`).
    return_ship_speed_kmh
        An airframe that lands at a site without a pad is recovered to that site's port and
        shipped to the nearest hub's port at this speed (sea-lane distance, searoute); it flies
        again from there after its turnaround (:mod:`rocketpost.planning.fleet`).
    airframe_day_cost_usd
        What a day of an airframe at sea on its way back costs (the ship's charter and the
        airframe's idle capital); the plan's cost adds it per day at sea.
    """

    name: str
    payload_mass_kg: float
    payload_volume_m3: float
    burnout_altitude_km: float
    ascent_s: float
    descent_s: float
    flights_per_airframe: int
    recovery_h: float
    turnaround_h: float
    cost_per_flight_usd: float
    max_burnout_speed_ms: float = 7900.0
    trajectory: str = "min_energy"
    return_ship_speed_kmh: float = 28.0
    airframe_day_cost_usd: float = 30000.0

    def __post_init__(self) -> None:
        if self.trajectory not in TRAJECTORIES:
            raise InputError(
                "rocket.trajectory", self.trajectory, "must be one of " + ", ".join(TRAJECTORIES)
            )
        for name in (
            "max_burnout_speed_ms",
            "return_ship_speed_kmh",
            "payload_mass_kg",
            "payload_volume_m3",
            "burnout_altitude_km",
            "ascent_s",
            "descent_s",
        ):
            _positive("rocket", name, getattr(self, name))
        for name in ("recovery_h", "turnaround_h", "cost_per_flight_usd", "airframe_day_cost_usd"):
            _positive("rocket", name, getattr(self, name), allow_zero=True)
        _count("rocket", "flights_per_airframe", self.flights_per_airframe, minimum=1)

    @property
    def reuse_cycle_s(self) -> float:
        """Landing to ready-to-launch again (recovery + turnaround), seconds."""
        return (self.recovery_h + self.turnaround_h) * 3600.0


@dataclass(frozen=True)
class Safety:
    """Site-placement rules checked when a network is loaded."""

    min_offshore_km: float = 5.0
    max_boat_route_km: float = 40.0

    def __post_init__(self) -> None:
        _positive("safety", "min_offshore_km", self.min_offshore_km, allow_zero=True)
        _positive("safety", "max_boat_route_km", self.max_boat_route_km)


@dataclass(frozen=True)
class Promise:
    """How a promised delivery time is formed from the physics ETA.

    Parameters
    ----------
    buffer_min
        Minutes added to the earliest ETA before a promise is made: a one-hour promise is offered
        only when ETA + buffer ≤ 60 min. Weather scrubs, sea state and customs make the planned
        time optimistic; the buffer is what the simulator's calibration says keeps ≥ 99 % of
        one-hour promises (see ``docs/simulation.md``).
    standard_days
        Promise of the standard (air/sea freight) service.
    one_hour_min
        The express promise itself: "delivered within one hour" is 60 minutes. Every module
        reads it from here (``promise.one_hour_s``) rather than writing 3600 again.
    confidence
        The probability at which a one-hour promise is made where conditions are declared
        (``docs/promise.md``): P(delivered within the hour) must be at least this.
    weather_margin_h
        How long a flight planned days ahead may be held by a front or a closed landing zone:
        its airframe counts as ready for the next flight only this long after its reuse cycle,
        and a ferry must leave it before the flight it serves. Unset (the default): derived
        from the climate at the confidence (:func:`rocketpost.planning.fleet.weather_margin_s`,
        51.6 h with 5-minute waves at 99 %); 0 plans every flight as if weather never held it.
    """

    buffer_min: float = 0.0
    standard_days: float = 5.0
    one_hour_min: float = 60.0
    confidence: float = 0.99
    weather_margin_h: float | None = None

    def __post_init__(self) -> None:
        _positive("promise", "buffer_min", self.buffer_min, allow_zero=True)
        _positive("promise", "standard_days", self.standard_days)
        _positive("promise", "one_hour_min", self.one_hour_min)
        if not 0.0 < self.confidence < 1.0:
            raise InputError("promise.confidence", self.confidence, "must be in (0, 1)")
        if self.weather_margin_h is not None:
            _positive("promise", "weather_margin_h", self.weather_margin_h, allow_zero=True)

    @property
    def one_hour_s(self) -> float:
        """The one-hour promise in seconds."""
        return self.one_hour_min * 60.0

    @property
    def buffer_s(self) -> float:
        """The buffer in seconds."""
        return self.buffer_min * 60.0


@dataclass(frozen=True)
class Hub:
    """One node of the network: a pad with its fulfilment centre, a port and a sea landing zone.

    Parameters
    ----------
    hub_id
        Short unique id (``"HZB"``).
    pad
        Launch pad (lat, lon); the fulfilment centre is next to it, so local ground deliveries
        start here.
    landing_zone
        Where arriving rockets land (lat, lon), at sea.
    port, port_position
        UN/LOCODE of the port where landed pods are brought ashore, and its position.
    boat_route_km
        Water route from the landing zone to the port (computed at load time over the land mask).
    fleet
        Airframes based at this hub at the start of a plan.
    launch_wave_interval_min
        Launches leave in waves at this interval; an order waits for the next wave.
    handling_min
        Pick, pack and load at the fulfilment centre.
    vans, drones
        Last-mile vehicles at the port (the drones also fly from the hub's landing vessel when
        ``drone.from_vessel``).
    launch
        ``"waves"`` (every ``launch_wave_interval_min``) or ``"on_demand"``: a pod leaves on the
        next free pad, ``pads`` pads each turned round in ``pad_turnaround_min``, so a launch
        slot opens every ``pad_turnaround_min / pads`` minutes; that slot interval plays the wave
        interval's role everywhere (:attr:`launch_interval_min`), and the pod is pre-staged
        (``prestaged_handling_min`` instead of ``handling_min``).
    """

    hub_id: str
    name: str
    country: str
    pad: tuple[float, float]
    landing_zone: tuple[float, float]
    port: str
    port_position: tuple[float, float]
    boat_route_km: float
    fleet: int
    launch_wave_interval_min: float
    handling_min: float
    vans: int
    drones: int
    launch: str = "waves"
    pads: int = 1
    pad_turnaround_min: float = 10.0
    prestaged_handling_min: float = 8.0

    def __post_init__(self) -> None:
        owner = f"hubs[{self.hub_id}]"
        if self.launch not in LAUNCH_MODES:
            raise InputError(
                f"{owner}.launch", self.launch, "must be one of " + ", ".join(LAUNCH_MODES)
            )
        _count(owner, "pads", self.pads, minimum=1)
        _positive(owner, "pad_turnaround_min", self.pad_turnaround_min)
        _positive(owner, "prestaged_handling_min", self.prestaged_handling_min, allow_zero=True)
        if not self.hub_id or not self.hub_id.replace("-", "").replace("_", "").isalnum():
            raise InputError("hub.id", self.hub_id, "must be a non-empty alphanumeric id")
        if len(self.country) != 2 or not self.country.isupper():
            raise InputError(f"{owner}.country", self.country, "must be an ISO alpha-2 code")
        for name in ("pad", "landing_zone", "port_position"):
            _lat_lon(f"{owner}.{name}", getattr(self, name))
        _positive(owner, "boat_route_km", self.boat_route_km, allow_zero=True)
        _count(owner, "fleet", self.fleet)
        _positive(owner, "launch_wave_interval_min", self.launch_wave_interval_min)
        _positive(owner, "handling_min", self.handling_min, allow_zero=True)
        _count(owner, "vans", self.vans)
        _count(owner, "drones", self.drones)

    @property
    def launch_interval_min(self) -> float:
        """Minutes between launch opportunities: the wave interval, or on demand the slot
        interval ``pad_turnaround_min / pads``."""
        if self.launch == "on_demand":
            return self.pad_turnaround_min / self.pads
        return self.launch_wave_interval_min

    @property
    def launch_handling_min(self) -> float:
        """Order to pod ready at the pad: pick and pack, or a pre-staged pod on demand."""
        return self.prestaged_handling_min if self.launch == "on_demand" else self.handling_min


@dataclass(frozen=True)
class Network:
    """A complete network: rocket class, vehicles, hubs and extra landing sites.

    Hub attributes are also available as aligned NumPy arrays (``pad_lat_deg``,
    ``port_lat_deg``, ...) in hub order, for the vectorised ETA and reach computations; landing
    sites (:attr:`landing_sites`: the hubs' zones first, in hub order, then ``extra_sites``) as
    ``site_*`` arrays. ``preset`` records the network file's preset in use, if any.
    """

    rocket: RocketClass
    boat: Boat
    van: Van
    drone: Drone
    hubs: tuple[Hub, ...]
    safety: Safety = field(default_factory=Safety)
    promise: Promise = field(default_factory=Promise)
    source: str = "<memory>"
    extra_sites: tuple[LandingSite, ...] = ()
    preset: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.hubs, tuple):
            object.__setattr__(self, "hubs", tuple(self.hubs))
        if not isinstance(self.extra_sites, tuple):
            object.__setattr__(self, "extra_sites", tuple(self.extra_sites))
        if not self.hubs:
            raise InputError("hubs", [], "a network needs at least one hub")
        seen: set[str] = set()
        for hub in self.hubs:
            if hub.hub_id in seen:
                raise InputError("hubs.id", hub.hub_id, "is used by more than one hub")
            seen.add(hub.hub_id)
        for site in self.extra_sites:
            if site.site_id in seen:
                raise InputError("landing_sites.id", site.site_id, "is used by another hub or site")
            if site.hub_index != -1:
                raise InputError(
                    "landing_sites.hub_index", site.hub_index, "must be -1 for an extra site"
                )
            seen.add(site.site_id)

    # The caches keyed on a network (``network_legs`` and others, ``lru_cache``) hash it on every
    # call, and the dataclass's hash walks every hub and site: 76 µs, a tenth of a quote. A
    # network is immutable, so its hash is computed once; it is dropped when pickled, as a
    # string's hash differs between processes (Dask workers).
    def __hash__(self) -> int:
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(tuple(getattr(self, f.name) for f in fields(self) if f.compare))
            object.__setattr__(self, "_hash", cached)
        return cached

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("_hash", None)
        return state

    @cached_property
    def landing_sites(self) -> tuple[LandingSite, ...]:
        """Every landing site: hub ``i``'s own zone at position ``i``, then the extra sites."""
        own = tuple(
            LandingSite(
                site_id=hub.hub_id,
                position=hub.landing_zone,
                port=hub.port,
                port_position=hub.port_position,
                boat_route_km=hub.boat_route_km,
                drones=hub.drones,
                hub_index=i,
                serves=hub.name,
            )
            for i, hub in enumerate(self.hubs)
        )
        return own + self.extra_sites

    @cached_property
    def site_ids(self) -> tuple[str, ...]:
        """Landing-site ids in site order (a hub's id for its own zone)."""
        return tuple(s.site_id for s in self.landing_sites)

    @cached_property
    def _site_index(self) -> dict[str, int]:
        return {site_id.upper(): i for i, site_id in enumerate(self.site_ids)}

    def site_index(self, site_id: str) -> int:
        """Position of ``site_id`` in :attr:`landing_sites` (case-insensitive)."""
        key = site_id.strip().upper()
        if key not in self._site_index:
            raise InputError("landing_site", site_id, "is not a landing site of this network")
        return self._site_index[key]

    def _site_column(self, getter: Callable[[LandingSite], float]) -> NDArray[np.float64]:
        array = np.array([getter(s) for s in self.landing_sites], dtype=np.float64)
        array.setflags(write=False)
        return array

    @cached_property
    def site_lat_deg(self) -> NDArray[np.float64]:
        return self._site_column(lambda s: s.position[0])

    @cached_property
    def site_lon_deg(self) -> NDArray[np.float64]:
        return self._site_column(lambda s: s.position[1])

    @cached_property
    def site_port_lat_deg(self) -> NDArray[np.float64]:
        return self._site_column(lambda s: s.port_position[0])

    @cached_property
    def site_port_lon_deg(self) -> NDArray[np.float64]:
        return self._site_column(lambda s: s.port_position[1])

    @cached_property
    def site_boat_route_km(self) -> NDArray[np.float64]:
        return self._site_column(lambda s: s.boat_route_km)

    @cached_property
    def site_drones(self) -> NDArray[np.float64]:
        return self._site_column(lambda s: s.drones)

    @cached_property
    def hub_ids(self) -> tuple[str, ...]:
        """Hub ids in network order."""
        return tuple(h.hub_id for h in self.hubs)

    @cached_property
    def _index(self) -> dict[str, int]:
        return {hub_id: i for i, hub_id in enumerate(self.hub_ids)}

    def hub_index(self, hub_id: str) -> int:
        """Position of ``hub_id`` in :attr:`hubs` (case-insensitive)."""
        key = hub_id.strip().upper()
        if key in self._index:
            return self._index[key]
        for known, i in self._index.items():
            if known.upper() == key:
                return i
        raise InputError(
            "hub", hub_id, "is not a hub of this network; known hubs: " + ", ".join(self.hub_ids)
        )

    def hub(self, hub_id: str) -> Hub:
        """The hub called ``hub_id``; an unknown id is an :class:`InputError` listing the rest."""
        return self.hubs[self.hub_index(hub_id)]

    def _column(self, getter: Callable[[Hub], float]) -> NDArray[np.float64]:
        array = np.array([getter(h) for h in self.hubs], dtype=np.float64)
        array.setflags(write=False)
        return array

    @cached_property
    def pad_lat_deg(self) -> NDArray[np.float64]:
        return self._column(lambda h: h.pad[0])

    @cached_property
    def pad_lon_deg(self) -> NDArray[np.float64]:
        return self._column(lambda h: h.pad[1])

    @cached_property
    def landing_lat_deg(self) -> NDArray[np.float64]:
        return self._column(lambda h: h.landing_zone[0])

    @cached_property
    def landing_lon_deg(self) -> NDArray[np.float64]:
        return self._column(lambda h: h.landing_zone[1])

    @cached_property
    def port_lat_deg(self) -> NDArray[np.float64]:
        return self._column(lambda h: h.port_position[0])

    @cached_property
    def port_lon_deg(self) -> NDArray[np.float64]:
        return self._column(lambda h: h.port_position[1])

    @cached_property
    def boat_route_km(self) -> NDArray[np.float64]:
        return self._column(lambda h: h.boat_route_km)

    @cached_property
    def launch_wave_interval_s(self) -> NDArray[np.float64]:
        # On demand the launch-slot interval plays the wave interval's role (see Hub).
        return self._column(lambda h: h.launch_interval_min * 60.0)

    @cached_property
    def handling_s(self) -> NDArray[np.float64]:
        return self._column(lambda h: h.launch_handling_min * 60.0)
