"""The delivery network: hubs, the rocket class, boats and last-mile vehicles.

A network is read from a TOML file (a worldwide default ships with the package, see
``rocketpost/data/network.toml``) into frozen dataclasses. Loading validates everything a
planner could get wrong and names the file, the key path and the value in the error: an unknown
key, a wrong type, a negative speed, a landing zone on land or too close to it, a port code that
is not in the ports data, a landing zone with no water route to its port.

The dataclasses also validate themselves, so a network built in code (tests, what-if variants
via :func:`dataclasses.replace`) obeys the same rules, except for the world-data checks (land
mask, ports), which need the data and live in :func:`load_network`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property, lru_cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rocketpost.errors import InputError, NetworkFileError, require_positive
from rocketpost.tomlfile import TomlReader, parse_toml, read_toml

__all__ = [
    "DEFAULT_NETWORK_FILE",
    "NETWORK_ENV",
    "Boat",
    "Drone",
    "Hub",
    "Network",
    "Promise",
    "RocketClass",
    "Safety",
    "Van",
    "default_network",
    "load_network",
]

DEFAULT_NETWORK_FILE = "network.toml"
"""Name of the default network shipped in ``rocketpost/data``."""


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

    def __post_init__(self) -> None:
        for name in (
            "payload_mass_kg",
            "payload_volume_m3",
            "burnout_altitude_km",
            "ascent_s",
            "descent_s",
        ):
            _positive("rocket", name, getattr(self, name))
        for name in ("recovery_h", "turnaround_h", "cost_per_flight_usd"):
            _positive("rocket", name, getattr(self, name), allow_zero=True)
        _count("rocket", "flights_per_airframe", self.flights_per_airframe, minimum=1)

    @property
    def reuse_cycle_s(self) -> float:
        """Landing to ready-to-launch again (recovery + turnaround), seconds."""
        return (self.recovery_h + self.turnaround_h) * 3600.0


@dataclass(frozen=True)
class Boat:
    """The fast boat that carries a landed cargo pod from the landing zone to the port."""

    speed_kmh: float
    transfer_min: float
    port_handling_min: float

    def __post_init__(self) -> None:
        _positive("boat", "speed_kmh", self.speed_kmh)
        _positive("boat", "transfer_min", self.transfer_min, allow_zero=True)
        _positive("boat", "port_handling_min", self.port_handling_min, allow_zero=True)


@dataclass(frozen=True)
class Van:
    """Last-mile delivery van, based at the port (or at the fulfilment centre for local orders)."""

    speed_kmh: float
    road_factor: float
    capacity_kg: float
    capacity_m3: float
    stop_min: float

    def __post_init__(self) -> None:
        for name in ("speed_kmh", "capacity_kg", "capacity_m3"):
            _positive("van", name, getattr(self, name))
        _positive("van", "stop_min", self.stop_min, allow_zero=True)
        if not (isinstance(self.road_factor, int | float) and self.road_factor >= 1.0):
            raise InputError(
                "van.road_factor",
                self.road_factor,
                "must be ≥ 1 (roads are never shorter than the great circle)",
            )


@dataclass(frozen=True)
class Drone:
    """Last-mile delivery drone: one parcel at a time, within ``range_km`` of its base."""

    speed_kmh: float
    range_km: float
    max_parcel_kg: float
    max_parcel_m3: float
    handover_min: float

    def __post_init__(self) -> None:
        for name in ("speed_kmh", "range_km", "max_parcel_kg", "max_parcel_m3"):
            _positive("drone", name, getattr(self, name))
        _positive("drone", "handover_min", self.handover_min, allow_zero=True)


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
    """

    buffer_min: float = 0.0
    standard_days: float = 5.0
    one_hour_min: float = 60.0

    def __post_init__(self) -> None:
        _positive("promise", "buffer_min", self.buffer_min, allow_zero=True)
        _positive("promise", "standard_days", self.standard_days)
        _positive("promise", "one_hour_min", self.one_hour_min)

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
        Last-mile vehicles at the port.
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

    def __post_init__(self) -> None:
        owner = f"hubs[{self.hub_id}]"
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


@dataclass(frozen=True)
class Network:
    """A complete network: rocket class, vehicles and hubs.

    Hub attributes are also available as aligned NumPy arrays (``pad_lat_deg``,
    ``port_lat_deg``, ...) in hub order, for the vectorised ETA and reach computations.
    """

    rocket: RocketClass
    boat: Boat
    van: Van
    drone: Drone
    hubs: tuple[Hub, ...]
    safety: Safety = field(default_factory=Safety)
    promise: Promise = field(default_factory=Promise)
    source: str = "<memory>"

    def __post_init__(self) -> None:
        if not isinstance(self.hubs, tuple):
            object.__setattr__(self, "hubs", tuple(self.hubs))
        if not self.hubs:
            raise InputError("hubs", [], "a network needs at least one hub")
        seen: set[str] = set()
        for hub in self.hubs:
            if hub.hub_id in seen:
                raise InputError("hubs.id", hub.hub_id, "is used by more than one hub")
            seen.add(hub.hub_id)

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
        return self._column(lambda h: h.launch_wave_interval_min * 60.0)

    @cached_property
    def handling_s(self) -> NDArray[np.float64]:
        return self._column(lambda h: h.handling_min * 60.0)


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


_ROCKET_KEYS: dict[str, type] = {f.name: float for f in fields(RocketClass)}
_ROCKET_KEYS.update(name=str, flights_per_airframe=int)
_BOAT_KEYS: dict[str, type] = {f.name: float for f in fields(Boat)}
_VAN_KEYS: dict[str, type] = {f.name: float for f in fields(Van)}
_DRONE_KEYS: dict[str, type] = {f.name: float for f in fields(Drone)}
_SAFETY_KEYS: dict[str, type] = {f.name: float for f in fields(Safety)}
_PROMISE_KEYS: dict[str, type] = {f.name: float for f in fields(Promise)}
_HUB_DEFAULT_KEYS: dict[str, type] = {
    "launch_wave_interval_min": float,
    "handling_min": float,
    "vans": int,
    "drones": int,
    "fleet": int,
}
_HUB_KEYS: dict[str, type] = {
    "id": str,
    "name": str,
    "country": str,
    "pad": list,
    "landing_zone": list,
    "port": str,
    **_HUB_DEFAULT_KEYS,
}
_HUB_REQUIRED = ("id", "name", "country", "pad", "landing_zone", "port")
_TOP_LEVEL = {"rocket", "boat", "van", "drone", "defaults", "safety", "promise", "hubs"}


class _Reader(TomlReader):
    """The shared TOML reader, plus ``[latitude, longitude]`` pairs."""

    def __init__(self, file: str) -> None:
        super().__init__(file, NetworkFileError)

    def lat_lon(self, value: Any, key_path: str) -> tuple[float, float]:
        try:
            return _lat_lon(key_path, value, container=list)
        except InputError as error:
            raise self.error(key_path, value, error.reason) from None


def load_network(path: str | Path | None = None, *, check_world: bool = True) -> Network:
    """Read and validate a network file.

    Parameters
    ----------
    path
        TOML file; ``None`` loads the default worldwide network shipped with the package.
    check_world
        Also check the sites against world data: each landing zone at sea and at least
        ``safety.min_offshore_km`` from land, each port a known UN/LOCODE, a water route from
        landing zone to port no longer than ``safety.max_boat_route_km`` (its length becomes the
        hub's ``boat_route_km``). Switch it off only for synthetic test networks.

    Raises
    ------
    NetworkFileError
        Naming the file, the key path (``hubs[3].landing_zone``) and the offending value.
    """
    if path is None:
        source: Path | Traversable = resources.files("rocketpost") / "data" / DEFAULT_NETWORK_FILE
        file = f"<default>/{DEFAULT_NETWORK_FILE}"
    else:
        source, file = Path(path), str(path)
    document = read_toml(source, file=file, error=NetworkFileError)
    return _build_network(document, file=file, check_world=check_world)


def parse_network(text: str, *, file: str = "<string>", check_world: bool = True) -> Network:
    """Parse and validate network TOML text (see :func:`load_network`)."""
    document = parse_toml(text, file=file, error=NetworkFileError)
    return _build_network(document, file=file, check_world=check_world)


def _build_network(document: Mapping[str, Any], *, file: str, check_world: bool) -> Network:
    reader = _Reader(file)

    for key in document:
        if key not in _TOP_LEVEL:
            raise reader.error(
                key,
                document[key],
                "is not a known section; expected one of " + ", ".join(sorted(_TOP_LEVEL)),
            )

    rocket = reader.build(
        "rocket",
        RocketClass,
        reader.check_keys(
            reader.table(document, "rocket", ""), _ROCKET_KEYS, "rocket", tuple(_ROCKET_KEYS)
        ),
    )
    boat = reader.build(
        "boat",
        Boat,
        reader.check_keys(
            reader.table(document, "boat", ""), _BOAT_KEYS, "boat", tuple(_BOAT_KEYS)
        ),
    )
    van = reader.build(
        "van",
        Van,
        reader.check_keys(reader.table(document, "van", ""), _VAN_KEYS, "van", tuple(_VAN_KEYS)),
    )
    drone = reader.build(
        "drone",
        Drone,
        reader.check_keys(
            reader.table(document, "drone", ""), _DRONE_KEYS, "drone", tuple(_DRONE_KEYS)
        ),
    )
    safety = reader.build(
        "safety", Safety, reader.check_keys(document.get("safety", {}), _SAFETY_KEYS, "safety", ())
    )
    promise = reader.build(
        "promise",
        Promise,
        reader.check_keys(document.get("promise", {}), _PROMISE_KEYS, "promise", ()),
    )
    defaults = reader.check_keys(document.get("defaults", {}), _HUB_DEFAULT_KEYS, "defaults", ())
    defaults.setdefault("vans", 0)
    defaults.setdefault("drones", 0)

    raw_hubs = document.get("hubs")
    if not isinstance(raw_hubs, list) or not raw_hubs:
        raise reader.error("hubs", raw_hubs, "must be a non-empty array of [[hubs]] tables")

    hubs: list[Hub] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_hubs):
        path = f"hubs[{i}]"
        if not isinstance(raw, Mapping):
            raise reader.error(path, raw, "must be a table")
        values = {**defaults, **reader.check_keys(raw, _HUB_KEYS, path, _HUB_REQUIRED)}
        for key in ("launch_wave_interval_min", "handling_min", "fleet"):
            if key not in values:
                raise reader.error(f"{path}.{key}", None, "is missing (and not set in [defaults])")
        hub_id = values.pop("id")
        if hub_id in seen:
            raise reader.error(f"{path}.id", hub_id, f"is already used by hubs[{seen[hub_id]}]")
        seen[hub_id] = i
        pad = reader.lat_lon(values["pad"], f"{path}.pad")
        landing_zone = reader.lat_lon(values["landing_zone"], f"{path}.landing_zone")
        country = str(values["country"]).strip().upper()
        if check_world:
            from rocketpost.world.countries import normalise_country

            try:
                country = normalise_country(country)
            except InputError as error:
                raise reader.error(f"{path}.country", values["country"], error.reason) from None
        port_code = str(values["port"]).strip().upper()
        port_position = landing_zone
        boat_km = 0.0
        if check_world:
            port_position, boat_km = _check_sites(reader, path, landing_zone, port_code, safety)
        hubs.append(
            reader.build(
                path,
                Hub,
                {
                    "hub_id": hub_id,
                    "name": values["name"],
                    "country": country,
                    "pad": pad,
                    "landing_zone": landing_zone,
                    "port": port_code,
                    "port_position": port_position,
                    "boat_route_km": boat_km,
                    "fleet": values["fleet"],
                    "launch_wave_interval_min": values["launch_wave_interval_min"],
                    "handling_min": values["handling_min"],
                    "vans": values["vans"],
                    "drones": values["drones"],
                },
            )
        )
    return Network(
        rocket=rocket,
        boat=boat,
        van=van,
        drone=drone,
        hubs=tuple(hubs),
        safety=safety,
        promise=promise,
        source=file,
    )


def _check_sites(
    reader: _Reader,
    path: str,
    landing_zone: tuple[float, float],
    port_code: str,
    safety: Safety,
) -> tuple[tuple[float, float], float]:
    """Verify a hub's landing zone and port against world data; return port position and route."""
    from rocketpost.errors import PlaceNotFoundError
    from rocketpost.world import distance_to_land_km, is_land
    from rocketpost.world.ports import load_ports
    from rocketpost.world.waterway import cached_boat_route_km

    lat, lon = landing_zone
    if bool(np.asarray(is_land(lat, lon))):
        raise reader.error(
            f"{path}.landing_zone",
            list(landing_zone),
            "is on land (GLOBE land mask; lakes count as land)",
        )
    clearance_km = distance_to_land_km(lat, lon, max_km=safety.min_offshore_km + 1.0)
    if clearance_km < safety.min_offshore_km:
        raise reader.error(
            f"{path}.landing_zone",
            list(landing_zone),
            f"is only ~{clearance_km:.1f} km from land; "
            f"safety.min_offshore_km is {safety.min_offshore_km:g}",
        )
    try:
        port = load_ports().get(port_code)
    except PlaceNotFoundError as error:
        hint = f"; closest matches: {', '.join(error.suggestions)}" if error.suggestions else ""
        raise reader.error(
            f"{path}.port", port_code, "is not a UN/LOCODE in the ports data" + hint
        ) from None
    route_km = cached_boat_route_km(lat, lon, port.lat_deg, port.lon_deg)
    if route_km is None:
        raise reader.error(
            f"{path}.landing_zone",
            list(landing_zone),
            f"has no water route to port {port_code} over the land mask",
        )
    if route_km > safety.max_boat_route_km:
        raise reader.error(
            f"{path}.landing_zone",
            list(landing_zone),
            f"is {route_km:.1f} km by water from port {port_code}; "
            f"safety.max_boat_route_km is {safety.max_boat_route_km:g}",
        )
    return (port.lat_deg, port.lon_deg), round(route_km, 3)


NETWORK_ENV = "ROCKETPOST_NETWORK"
"""Environment variable naming the network file every tool uses when given none."""


@lru_cache(maxsize=1)
def default_network() -> Network:
    """The network used when none is given (loaded and validated once per process).

    The file named by ``$ROCKETPOST_NETWORK`` when set (an operator's own network, or a test
    suite's), else the worldwide network shipped with the package (``load_network(None)``).
    """
    return load_network(os.environ.get(NETWORK_ENV) or None)
