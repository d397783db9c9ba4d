"""The fastest route to one place, for one request: ``eta_to_places`` cut down.

A quote (and a booking) needs the fastest route from one origin hub, or from the best of all
hubs, to *one* place at *one* order time. :func:`~rocketpost.core.eta.eta_to_places` answers that
for any number of places and origins and returns every leg of every cell as arrays; per request that
generality (input checks, the flight-matrix cache lookup, which hashes the whole network, string
arrays for modes and vehicles, a dozen broadcast leg arrays) cost more than the arithmetic.

:class:`FastRouter` computes, once per network, everything that does not depend on the request:
per (origin hub, destination hub) the flight seconds, coast seconds, and per destination hub the
landing-to-port seconds and the boat leg. Per request it evaluates only what depends on the
request: the wave wait at the order time, the last mile from every port and from the origins'
own pads (one great-circle call over ~2 × 23 points), and the two argmins.

The arithmetic is the same as in :mod:`rocketpost.core.eta`, in the same order (floating-point
addition is not associative: ``handling + wait + flight + to_port`` is summed left to right as
there), and it reuses :func:`rocketpost.core.eta.wave_wait_s` and
:func:`rocketpost.core.eta.last_mile_s`, so its answers are *equal* to ``eta_to_places`` /
``eta_to_place`` leg by leg, not merely close:
``tests/service/test_fastquote.py`` checks that on random places, parcels and order times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from rocketpost.core.eta import LEG_NAMES, Parcel, flight_matrix, landing_to_port_s, last_mile_s
from rocketpost.core.geo import great_circle_km
from rocketpost.errors import InputError
from rocketpost.network import Network

__all__ = ["FastRoute", "FastRouter"]

_INF = np.inf


@dataclass(frozen=True)
class FastRoute:
    """The fastest route to one place from one origin hub (plain Python values).

    ``origin_index`` / ``destination_index`` index ``network.hubs`` (the destination is the
    origin itself for a ground delivery); ``legs_s`` has every name of
    :data:`rocketpost.core.eta.LEG_NAMES`; ``total_s`` is the door-to-door time exactly as
    ``eta_to_places`` computes it (which is not always the float sum of the legs).
    """

    origin_index: int
    destination_index: int
    mode: str
    last_mile_vehicle: str
    last_mile_km: float
    range_km: float
    legs_s: dict[str, float]
    total_s: float


class FastRouter:
    """Per-request routing to one place over a network whose fixed legs are precomputed.

    Parameters
    ----------
    network
        The network; its flights are solved once (rotating Earth, as ``eta_to_places``'s
        default).
    """

    def __init__(self, network: Network) -> None:
        self.network = network
        flights = flight_matrix(network, rotating=True)
        n = len(network.hubs)
        self._all = np.arange(n, dtype=np.intp)
        self._handling = np.asarray(network.handling_s, dtype=np.float64)
        self._interval = np.asarray(network.launch_wave_interval_s, dtype=np.float64)
        self._flight_s = np.array(flights.flight_s, dtype=np.float64)
        self._coast_s = np.array(flights.coast_s, dtype=np.float64)
        self._range_km = np.array(flights.range_km, dtype=np.float64)
        self._to_port = landing_to_port_s(network)  # (D,) touchdown to parcels at the port
        boat = network.boat
        self._boat_s = network.boat_route_km / boat.speed_kmh * 3600.0  # (D,)
        self._ascent_s = float(network.rocket.ascent_s)
        self._descent_s = float(network.rocket.descent_s)
        self._transfer_s = float(boat.transfer_min * 60.0)
        self._port_handling_s = float(boat.port_handling_min * 60.0)
        # Ports first, then pads: one great-circle call per request covers both last miles.
        self._points_lat = np.concatenate([network.port_lat_deg, network.pad_lat_deg])[:, None]
        self._points_lon = np.concatenate([network.port_lon_deg, network.pad_lon_deg])[:, None]
        self._n = n
        self._parcels: dict[tuple[float, float], Parcel] = {}

    def origin_indices(self, origins: Sequence[str] | None) -> NDArray[np.intp]:
        """Hub positions of ``origins`` (every hub for ``None``); unknown ids are an error."""
        if origins is None:
            return self._all
        if len(origins) == 0:
            raise InputError("origins", list(origins), "must name at least one hub")
        return np.array([self.network.hub_index(o) for o in origins], dtype=np.intp)

    def _parcel(self, mass_kg: float, volume_m3: float) -> Parcel:
        key = (mass_kg, volume_m3)
        parcel = self._parcels.get(key)
        if parcel is None:
            parcel = Parcel(mass_kg=mass_kg, volume_m3=volume_m3)
            if len(self._parcels) >= 4096:
                self._parcels.clear()
            self._parcels[key] = parcel
        return parcel

    def route(
        self,
        lat_deg: float,
        lon_deg: float,
        *,
        order_time: datetime,
        mass_kg: float,
        volume_m3: float,
        origins: Sequence[str] | None = None,
    ) -> FastRoute:
        """The fastest route to the place from ``origins`` (default: every hub), at
        ``order_time`` (exact wave wait), for a parcel of ``mass_kg`` / ``volume_m3``.

        Equal to row ``argmin(total_s[:, 0])`` of ``eta_to_places(network, [lat], [lon],
        origins=origins, parcel=Parcel(mass_kg, volume_m3), order_time=order_time)``.

        Raises
        ------
        InputError
            A latitude or longitude out of range, a naive ``order_time``, an unknown origin.
        """
        if not (abs(lat_deg) <= 90.0):
            raise InputError("latitude", [lat_deg], "must be in [-90, 90]")
        if not (abs(lon_deg) <= 180.0):
            raise InputError("longitude", [lon_deg], "must be in [-180, 180]")
        if order_time.tzinfo is None:
            raise InputError("order_time", order_time, "must be timezone-aware (UTC)")
        origin = self.origin_indices(origins)
        parcel = self._parcel(mass_kg, volume_m3)
        n = self._n

        # Same expressions as rocketpost.core.eta.wave_wait_s with an order time.
        handling = self._handling[origin]
        interval = self._interval[origin]
        ready = order_time.timestamp() + handling
        wait = np.ceil(ready / interval - 1e-9) * interval - ready  # (O,)

        # Same order of additions as eta_to_places: ((handling + wait) + flight) + to_port.
        to_port = handling[:, None] + wait[:, None] + self._flight_s[origin] + self._to_port
        to_port[np.arange(len(origin)), origin] = _INF  # no hub flies to its own landing zone

        km = great_circle_km(self._points_lat, self._points_lon, lat_deg, lon_deg)[:, 0]
        last_s, drone = last_mile_s(self.network, km, parcel)
        port_last_s = last_s[:n]
        rocket_total = to_port + port_last_s  # (O, D)
        best_dest = np.argmin(rocket_total, axis=1)  # (O,)
        rows = np.arange(len(origin))
        rocket_best = rocket_total[rows, best_dest]
        ground_last_s = last_s[n:][origin]
        ground_total = handling + ground_last_s
        use_ground = ground_total <= rocket_best
        total = np.where(use_ground, ground_total, rocket_best)

        row = int(np.argmin(total))
        o = int(origin[row])
        handling_s = float(handling[row])
        if bool(use_ground[row]):
            legs = dict.fromkeys(LEG_NAMES, 0.0)
            legs["origin_handling"] = handling_s
            legs["last_mile"] = float(ground_last_s[row])
            return FastRoute(
                origin_index=o,
                destination_index=o,
                mode="ground",
                last_mile_vehicle="drone" if bool(drone[n + o]) else "van",
                last_mile_km=float(km[n + o]),
                range_km=0.0,
                legs_s=legs,
                total_s=float(total[row]),
            )
        d = int(best_dest[row])
        legs = {
            "origin_handling": handling_s,
            "wave_wait": float(wait[row]),
            "ascent": self._ascent_s,
            "coast": float(self._coast_s[o, d]),
            "descent": self._descent_s,
            "sea_transfer": self._transfer_s,
            "boat": float(self._boat_s[d]),
            "port_handling": self._port_handling_s,
            "customs": 0.0,
            "last_mile": float(port_last_s[d]),
        }
        return FastRoute(
            origin_index=o,
            destination_index=d,
            mode="rocket",
            last_mile_vehicle="drone" if bool(drone[d]) else "van",
            last_mile_km=float(km[d]),
            range_km=float(self._range_km[o, d]),
            legs_s=legs,
            total_s=float(total[row]),
        )
