"""Door-to-door delivery time, leg by leg, from origin hubs to any places.

A thin wrapper over :func:`rocketpost.core.doortodoor.door_to_door` (the one kernel, whose
docstring gives the leg budget): :func:`eta_to_places` asks it for the fastest route from each
origin to each place, :func:`eta_to_place` for one origin and one place, and repackages the
answer as arrays a reader (reach, the CLI) can use.

A route that cannot meet the threshold is never hidden: the result carries the earliest time
that *is* possible, and :attr:`EtaResult.within` tells whether a promise may be made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.doortodoor import (
    LEG_NAMES,
    KernelOptions,
    NetworkLegs,
    ParcelRows,
    WaveWait,
    door_to_door,
    flight_matrix,
    last_mile,
    network_legs,
    next_wave_s,
    policy_wait_s,
)
from rocketpost.errors import InputError, require_positive
from rocketpost.network import Network
from rocketpost.promise.conditions import Conditions

if TYPE_CHECKING:
    from rocketpost.core.routes import Routes
    from rocketpost.promise.confidence import PromiseAtConfidence

__all__ = [
    "DEFAULT_PARCEL",
    "LEG_NAMES",
    "PROMISE_RULES",
    "EtaOptions",
    "EtaResult",
    "LegBreakdown",
    "Parcel",
    "RouteEta",
    "WaveWait",
    "eta_to_place",
    "eta_to_places",
    "flight_matrix",
    "landing_to_port_s",
    "last_mile_s",
    "promise_conditions_of",
    "route_at_confidence",
    "wave_wait_s",
]

PROMISE_RULES = ("confidence", "buffer")
"""How a one-hour promise is decided: at the network's confidence (``promise.confidence``, the
default, as quotes and bookings decide) or, opted into, by the flat buffer (ETA +
``promise.buffer_min`` within the hour: days worked by hand, the buffer's calibration)."""


def promise_conditions_of(promise_rule: str, conditions: Conditions | None) -> Conditions | None:
    """The conditions a promise is decided under: ``conditions`` (default the climate,
    ``Conditions()``) at the confidence; ``None`` for the buffer rule, which takes none."""
    if promise_rule not in PROMISE_RULES:
        raise InputError("promise_rule", promise_rule, "must be one of " + ", ".join(PROMISE_RULES))
    if promise_rule == "buffer":
        if conditions is not None:
            raise InputError("promise_rule", promise_rule, "the buffer rule takes no conditions")
        return None
    return Conditions() if conditions is None else conditions


@dataclass(frozen=True)
class Parcel:
    """What is being delivered, as far as the last mile cares (drones have payload limits).

    The defaults (1 kg, 5 L) are a typical small e-commerce parcel.
    """

    mass_kg: float = 1.0
    volume_m3: float = 0.005

    def __post_init__(self) -> None:
        for name in ("mass_kg", "volume_m3"):
            require_positive(f"parcel.{name}", getattr(self, name))


DEFAULT_PARCEL = Parcel()
"""A typical small parcel: drone-eligible."""


@dataclass(frozen=True, slots=True)
class EtaOptions:
    """How an ETA is counted: the policy knobs of :func:`eta_to_places` / :func:`eta_to_place`.

    Attributes
    ----------
    wave_wait, order_time
        How the wait for the launch wave is counted (see :func:`wave_wait_s`): exact from the
        order time when one is given, else by the policy (default: the worst case, so a
        promise holds at any hour).
    rotating
        Solve the flights on a rotating Earth (default) or a fixed one.
    allow_ground
        Allow a ground delivery from the origin's own fulfilment centre.
    may_fly
        Allow rocket deliveries (False: ground only).
    """

    wave_wait: WaveWait | str = WaveWait.WORST
    order_time: datetime | None = None
    rotating: bool = True
    allow_ground: bool = True
    may_fly: bool = True


DEFAULT_ETA_OPTIONS = EtaOptions()
"""The worst-case wave wait on a rotating Earth, rocket or ground."""


@dataclass(frozen=True)
class LegBreakdown:
    """Seconds per leg (arrays of the result's shape); rocket legs are 0 for ground deliveries."""

    origin_handling: NDArray[np.float64]
    wave_wait: NDArray[np.float64]
    ascent: NDArray[np.float64]
    coast: NDArray[np.float64]
    descent: NDArray[np.float64]
    vessel_transfer: NDArray[np.float64]
    sea_transfer: NDArray[np.float64]
    boat: NDArray[np.float64]
    port_handling: NDArray[np.float64]
    customs: NDArray[np.float64]
    last_mile: NDArray[np.float64]

    def total_s(self) -> NDArray[np.float64]:
        """Sum of all legs."""
        return np.asarray(sum(getattr(self, name) for name in LEG_NAMES), dtype=np.float64)


@dataclass(frozen=True)
class EtaResult:
    """Earliest delivery from each origin to each place (arrays shaped ``(origins, places)``).

    Attributes
    ----------
    origin_index
        Origin hub of each row, into ``network.hubs``.
    total_s
        Door-to-door seconds of the fastest route.
    destination_index
        Landing site used, into ``network.landing_sites`` (hub ``i``'s own zone is site ``i``;
        the origin's own zone for a ground delivery).
    mode
        ``"rocket"`` or ``"ground"`` per cell.
    last_mile_vehicle
        ``"drone"`` or ``"van"`` per cell.
    last_mile_km
        Great-circle distance of the last mile.
    legs
        :class:`LegBreakdown` of the chosen routes.
    range_km
        Rocket ground range (0 for ground deliveries).
    """

    origin_index: NDArray[np.intp]
    total_s: NDArray[np.float64]
    destination_index: NDArray[np.intp]
    mode: NDArray[np.str_]
    last_mile_vehicle: NDArray[np.str_]
    last_mile_km: NDArray[np.float64]
    range_km: NDArray[np.float64]
    legs: LegBreakdown
    buffer_s: float = 0.0

    def within(self, minutes: float) -> NDArray[np.bool_]:
        """Whether a promise of ``minutes`` holds for each cell (ETA plus the promise buffer)."""
        return np.asarray(self.total_s + self.buffer_s <= minutes * 60.0 + 1e-9)

    def best_over_origins(self) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """Row (origin position) of the fastest origin per place, and its time."""
        row = np.argmin(self.total_s, axis=0)
        return row, np.take_along_axis(self.total_s, row[None, :], axis=0)[0]


def _ready_s(order_time: datetime | None) -> float | None:
    if order_time is None:
        return None
    if order_time.tzinfo is None:
        raise InputError("order_time", order_time, "must be timezone-aware (UTC)")
    return order_time.timestamp()


def wave_wait_s(
    network: Network,
    origin_index: ArrayLike,
    *,
    policy: WaveWait | str = WaveWait.WORST,
    order_time: datetime | None = None,
) -> NDArray[np.float64]:
    """Seconds from "pod loaded" to the next launch wave of each origin hub.

    With ``order_time`` the wait is exact (:func:`~rocketpost.core.doortodoor.next_wave_s`: the
    pod is ready ``handling_min`` after the order). Otherwise the ``policy`` decides (see
    :class:`WaveWait`).
    """
    index = np.asarray(origin_index, dtype=np.intp)
    interval = network.launch_wave_interval_s[index]
    ready = _ready_s(order_time)
    if ready is not None:
        at = ready + network.handling_s[index]
        return np.asarray(next_wave_s(at, interval) - at, dtype=np.float64)
    return policy_wait_s(interval, policy)


def landing_to_port_s(network: Network) -> NDArray[np.float64]:
    """Touchdown to parcels at each destination hub's port: sea transfer, boat, port handling."""
    return network_legs(network).landing_to_port_s.copy()


def last_mile_s(
    network: Network, distance_km: ArrayLike, parcel: Parcel = DEFAULT_PARCEL
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Last-mile seconds for each distance and whether the drone (rather than a van) is used.

    The drone flies the great circle at cruise speed when the place is inside its range and the
    parcel within its payload; otherwise a van drives ``road_factor`` × the great circle.
    """
    legs = network_legs(network)
    return last_mile(legs, distance_km, legs.drone_fits(parcel.mass_kg, parcel.volume_m3))


def _rows(
    legs: NetworkLegs, lat_deg: ArrayLike, lon_deg: ArrayLike, parcel: Parcel, options: EtaOptions
) -> ParcelRows:
    """The kernel's rows: the places, with the parcel and options that hold for all of them."""
    return ParcelRows(
        lat_deg,
        lon_deg,
        ready_s=_ready_s(options.order_time),
        drone_ok=bool(legs.drone_fits(parcel.mass_kg, parcel.volume_m3)),
        may_fly=None if options.may_fly else False,
    )


def eta_to_places(
    network: Network,
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    *,
    origins: Sequence[str] | None = None,
    parcel: Parcel = DEFAULT_PARCEL,
    options: EtaOptions = DEFAULT_ETA_OPTIONS,
) -> EtaResult:
    """Fastest door-to-door time from each origin hub to each place.

    Parameters
    ----------
    network
        The network.
    lat_deg, lon_deg
        Places, 1-D arrays (or scalars) of equal length.
    origins
        Hub ids that hold the stock (default: every hub).
    parcel
        Mass and volume, which decide whether a drone can fly the last mile.
    options
        Wave wait, order time, rotating Earth, rocket and ground allowed (:class:`EtaOptions`).

    Returns
    -------
    EtaResult
        Arrays shaped ``(len(origins), len(places))``.
    """
    legs = network_legs(network, rotating=options.rotating)
    origin = legs.origin_indices(origins)
    routes = door_to_door(
        legs,
        _rows(legs, lat_deg, lon_deg, parcel, options),
        KernelOptions(
            wave_wait=options.wave_wait,
            origins=origin,
            allow_ground=options.allow_ground,
            per_origin=True,
            reach=False,
        ),
    )
    ground = routes.ground
    flown = ~ground
    shape = ground.shape

    by_port = flown & ~routes.vessel

    def rocket_leg(value: ArrayLike) -> NDArray[np.float64]:
        return np.where(flown, value, 0.0)

    return EtaResult(
        origin_index=origin,
        total_s=routes.total_s,
        destination_index=routes.destination,
        mode=np.where(ground, "ground", "rocket"),
        last_mile_vehicle=np.where(routes.drone, "drone", "van"),
        last_mile_km=routes.last_mile_km,
        range_km=rocket_leg(routes.range_km),
        legs=LegBreakdown(
            origin_handling=routes.handling_s,
            wave_wait=rocket_leg(routes.wait_s),
            ascent=rocket_leg(legs.ascent_s),
            coast=rocket_leg(routes.coast_s),
            descent=rocket_leg(legs.descent_s),
            vessel_transfer=np.where(routes.vessel, legs.vessel_transfer_s, 0.0),
            sea_transfer=np.where(by_port, legs.sea_transfer_s, 0.0),
            boat=rocket_leg(routes.boat_s),
            port_handling=np.where(by_port, legs.port_handling_s, 0.0),
            customs=np.zeros(shape),
            last_mile=routes.last_mile_s,
        ),
        buffer_s=network.promise.buffer_s,
    )


@dataclass(frozen=True)
class RouteEta:
    """One origin hub to one place: the leg-by-leg answer a person reads.

    ``destination_hub`` is the landing site's id (a hub's id for its own zone).
    """

    origin_hub: str
    destination_hub: str
    mode: str
    last_mile_vehicle: str
    last_mile_km: float
    range_km: float
    legs_s: dict[str, float]
    total_s: float
    threshold_min: float
    promise_possible: bool
    order_time: datetime | None
    launch_time: datetime | None
    delivery_time: datetime | None
    at_confidence: PromiseAtConfidence | None = None
    """P(on time), P50 / P90 / P99 and the decision at the network's confidence (``None``:
    decided by the buffer)."""


def eta_to_place(  # noqa: PLR0913 - the route, then keyword-only options
    network: Network,
    origin_hub: str,
    lat_deg: float,
    lon_deg: float,
    *,
    parcel: Parcel = DEFAULT_PARCEL,
    threshold_min: float | None = None,
    options: EtaOptions = DEFAULT_ETA_OPTIONS,
    conditions: Conditions | None = None,
    country: str | None = None,
    promise_rule: str = "confidence",
    stock_at: Sequence[str] | None = None,
) -> RouteEta:
    """The fastest route from ``origin_hub`` to one place, leg by leg, and whether the promise
    of ``threshold_min`` (default the network's hour) holds.

    By default the promise is decided at the network's confidence under ``conditions``
    (default the climate; :func:`route_at_confidence`): ``at_confidence`` carries P(on time),
    P50 / P90 / P99 and what breaks it. ``country`` is the place's (ISO code): a route within
    one customs territory cannot be inspected; ``None`` counts it as crossing a border.
    ``promise_rule="buffer"``: the fastest route plus the network's promise buffer must fit.
    Either way, the legs and ``total_s`` give the earliest possible delivery, not a guess.
    ``stock_at``: other hubs that hold the goods too; at the confidence, the promise then
    counts the fallback of the default re-planning policy as the planner does
    (:func:`rocketpost.promise.fallback_promise.promise_with_fallback`; the hub counted is
    ``at_confidence.fallback_hub``).
    """
    conditions = promise_conditions_of(promise_rule, conditions)
    if threshold_min is None:
        threshold_min = network.promise.one_hour_min
    legs = network_legs(network, rotating=options.rotating)
    route = door_to_door(
        legs,
        _rows(legs, lat_deg, lon_deg, parcel, options),
        KernelOptions(
            wave_wait=options.wave_wait,
            origins=legs.origin_indices([origin_hub]),
            allow_ground=options.allow_ground,
        ),
    )
    order_time = options.order_time
    legs_s = route.legs_s(legs)
    total = float(route.total_s[0])
    launch_time = delivery_time = None
    if order_time is not None:
        delivery_time = order_time + timedelta(seconds=total)
        if not route.ground[0]:
            launch_time = order_time + timedelta(
                seconds=legs_s["origin_handling"] + legs_s["wave_wait"]
            )
    hubs = network.hubs
    answer = RouteEta(
        origin_hub=hubs[int(route.origin[0])].hub_id,
        destination_hub=network.site_ids[int(route.destination[0])],
        mode="ground" if route.ground[0] else "rocket",
        last_mile_vehicle="drone" if route.drone[0] else "van",
        last_mile_km=float(route.last_mile_km[0]),
        range_km=0.0 if route.ground[0] else float(route.range_km[0]),
        legs_s=legs_s,
        total_s=total,
        threshold_min=threshold_min,
        promise_possible=bool(total + network.promise.buffer_s <= threshold_min * 60.0 + 1e-9),
        order_time=order_time,
        launch_time=launch_time,
        delivery_time=delivery_time,
    )
    if conditions is None:
        return answer
    decided = route_at_confidence(network, answer, conditions, country=country)
    if stock_at is not None:
        decided = _counting_fallback(
            network, route, conditions, decided, origin=answer.origin_hub, stock_at=stock_at,
            country=country, place=(lat_deg, lon_deg),
        )  # fmt: skip
    return replace(answer, promise_possible=decided.kept, at_confidence=decided)


def _counting_fallback(
    network: Network,
    route: Routes,
    conditions: Conditions,
    decided: PromiseAtConfidence,
    *,
    origin: str,
    stock_at: Sequence[str],
    country: str | None,
    place: tuple[float, float],
) -> PromiseAtConfidence:
    """``decided`` with the fallback from the hubs of ``stock_at`` (and the origin) counted,
    on the kernel's row as the planner counts it (grounded vessel drones: the boat way)."""
    from rocketpost.customs.rules import same_customs_territory
    from rocketpost.promise.fallback_promise import promise_with_fallback, stock_mask
    from rocketpost.promise.recovery import boat_way_extra_s

    hubs = [origin, *(hub for hub in stock_at if hub != origin)]
    counted = promise_with_fallback(
        network,
        route,
        conditions,
        stock=stock_mask(network, hubs, field="stock_at"),
        promise_s=decided.promise_s,
        target=decided.target,
        cross_border=country is None
        or not same_customs_territory(network.hub(origin).country, country),
        grounded_extra_s=float(boat_way_extra_s(network, route, *place)[0]),
    )
    return decided if counted is None else counted.applied_to(decided)


def route_at_confidence(
    network: Network,
    route: RouteEta,
    conditions: Conditions,
    *,
    country: str | None = None,
    promise_s: float | None = None,
) -> PromiseAtConfidence:
    """The decision at the network's confidence for one route under ``conditions``
    (:func:`rocketpost.promise.confidence.promise_at_confidence`, the one decision of
    :mod:`rocketpost.promise.decision`), within ``promise_s`` (default the route's
    ``threshold_min``). ``country``: the destination's; ``None`` counts as cross-border."""
    from rocketpost.customs.rules import same_customs_territory
    from rocketpost.promise.confidence import RouteFacts, promise_at_confidence, route_model

    origin = network.hub(route.origin_hub)
    cross_border = country is None or not same_customs_territory(origin.country, country)
    model = route_model(
        route.legs_s,
        conditions,
        RouteFacts(
            rocket=route.mode == "rocket",
            origin_hub=route.origin_hub,
            landing_site=route.destination_hub or route.origin_hub,
            wave_interval_s=float(origin.launch_interval_min) * 60.0,
            boat_speed_kmh=float(network.boat.speed_kmh),
            cross_border=cross_border,
        ),
    )
    return promise_at_confidence(
        model,
        promise_s=route.threshold_min * 60.0 if promise_s is None else promise_s,
        target=float(network.promise.confidence),
    )
