"""The network's vehicles below the rocket: the boat to the port and the last-mile van and drone.

Split from :mod:`rocketpost.network.model` (which re-exports them); frozen dataclasses that
validate themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from rocketpost.errors import InputError
from rocketpost.network.validation import _positive

__all__ = ["Boat", "Drone", "Van"]


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
    """Last-mile delivery drone: one parcel at a time, within ``range_km`` of its base.

    Parameters
    ----------
    from_vessel
        Drones also fly from the recovery vessel of a landing site with ``drones > 0``:
        touchdown → ``vessel_transfer_min`` → drone straight to the door, no boat or port.
    vessel_transfer_min
        Pod from the landed rocket to the vessel's drone deck.
    max_wind_ms, max_sea_state_m
        Operating limits (wind for the flight, significant wave height for launching from a
        vessel's deck): :func:`rocketpost.core.vesseldrone.vessel_drones_fly` decides from them
        whether a vessel's drones fly, for the kernel (declared conditions), the planner and the
        simulator (sampled wind and waves); undeclared, the kernel assumes open conditions.
    """

    speed_kmh: float
    range_km: float
    max_parcel_kg: float
    max_parcel_m3: float
    handover_min: float
    from_vessel: bool = False
    vessel_transfer_min: float = 3.0
    max_wind_ms: float = 12.0
    max_sea_state_m: float = 2.5

    def __post_init__(self) -> None:
        for name in ("speed_kmh", "range_km", "max_parcel_kg", "max_parcel_m3"):
            _positive("drone", name, getattr(self, name))
        for name in ("max_wind_ms", "max_sea_state_m"):
            _positive("drone", name, getattr(self, name))
        _positive("drone", "handover_min", self.handover_min, allow_zero=True)
        _positive("drone", "vessel_transfer_min", self.vessel_transfer_min, allow_zero=True)
        if not isinstance(self.from_vessel, bool):
            raise InputError("drone.from_vessel", self.from_vessel, "must be true or false")
