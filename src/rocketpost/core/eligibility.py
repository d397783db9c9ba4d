"""One eligibility rule: one-hour (rocket or ground) or standard, and why, for N parcels.

The planner's service choice, a quote (one row) and the simulator's re-dispatch all decide with
:func:`decide_service`, on routes from the one door-to-door kernel
(:func:`rocketpost.core.doortodoor.door_to_door`), so a parcel gets the same answer whichever
door it comes in by. ``docs/reasons.md`` is the table of the reasons.

The rule, in priority order (the first that bites is the reason reported):

1. ``customs_hold`` — customs holds the parcel: it never travels on the one-hour network.
2. ``ok`` — the fastest route the parcel *may* take keeps the promise (ETA + customs inspection
   + the calibrated buffer ≤ the one-hour promise). What it may take: UN dangerous-goods classes
   1–8 fly neither on the rocket nor on a delivery drone (both are aircraft; class 9 flies, as
   lithium batteries do as air cargo under IATA DGR), so they may only go by van from the
   origin's fulfilment centre; a parcel over the rocket's payload (mass or volume) may only go
   by ground.
3. ``customs_inspection`` — the route keeps the promise, the inspection delay does not.
4. ``dangerous_goods`` / ``too_heavy`` — barred from the rocket (or the drone) and too far for
   the ground.
5. ``no_stock`` — no hub that may ship it holds the stock.
6. ``no_landing_zone_in_reach`` — even the port nearest the door cannot be reached in time.
7. ``last_mile_too_long`` — the port is reached in time, the door is not.

**At a confidence.** Given ``on_time`` — the decision at the network's confidence,
``P(on time) ≥ target`` under the conditions, made for these rows by
:mod:`rocketpost.promise.decision` (a layer above: this module only takes its answer) — rule 2
is that decision instead of ETA + buffer, and a parcel whose route fits the hour but not at
the confidence is ``below_confidence`` (between rules 2 and 3); the other reasons compare the
bare ETA with the hour.

``no_capacity`` and ``light_load`` are given later, by consolidation (a full wave, a flight not
worth flying); they are part of the same :class:`Reason` code list.

**Same-day by rocket** (:func:`same_day_reasons`, :func:`decide_same_day`): the second rocket
tier, filling the room one-hour flights leave. A parcel that cannot get the hour (or asks for
same-day: B2B freight in the planner, ``service: same_day`` at the API) goes same-day when its
fastest route flies by rocket and reaches the door, inspection and promise buffer included,
within :data:`SAME_DAY_WINDOW_S` (12 h) of the order; it may wait for any later flight of its
lane that still keeps that promise. Customs holds, dangerous goods (classes 1–8) and loads over
the rocket's payload never fly, exactly as for the hour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.doortodoor import (
    KernelOptions,
    NetworkLegs,
    ParcelRows,
    Routes,
    door_to_door,
)
from rocketpost.errors import InputError
from rocketpost.network import Network

__all__ = [
    "FORBIDDEN_DANGEROUS_GOODS",
    "REASONS",
    "SAME_DAY_WINDOW_S",
    "Eligibility",
    "Mode",
    "Reason",
    "assess_parcels",
    "decide_same_day",
    "decide_service",
    "exceeds_rocket",
    "forbidden_dangerous_goods",
    "keeps_promise",
    "parcel_routes",
    "reason_code",
    "same_day_reasons",
]

FORBIDDEN_DANGEROUS_GOODS: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7", "8")
"""UN classes that may fly neither on the rocket nor on a delivery drone. Class 9 (lithium
batteries packed with equipment) flies, as it does as air cargo under IATA DGR with the right
packing; the rest may go by van from the origin's fulfilment centre, or standard."""


class Reason(StrEnum):
    """Why a parcel is not delivered within the hour (``ok`` when it is); see docs/reasons.md."""

    OK = "ok"
    CUSTOMS_HOLD = "customs_hold"
    DANGEROUS_GOODS = "dangerous_goods"
    TOO_HEAVY = "too_heavy"
    NO_STOCK = "no_stock"
    NO_LANDING_ZONE_IN_REACH = "no_landing_zone_in_reach"
    LAST_MILE_TOO_LONG = "last_mile_too_long"
    NO_CAPACITY = "no_capacity"
    LIGHT_LOAD = "light_load"
    CUSTOMS_INSPECTION = "customs_inspection"
    SAME_DAY_REQUESTED = "same_day_requested"
    NO_ROCKET_ROUTE = "no_rocket_route"
    BEYOND_SAME_DAY = "beyond_same_day"
    BELOW_CONFIDENCE = "below_confidence"


REASONS: tuple[Reason, ...] = tuple(Reason)
"""Reason codes in the order of their int8 index (new codes are appended, never inserted)."""

_CODE = {reason: np.int8(i) for i, reason in enumerate(REASONS)}

NEEDS_NEAREST_PORT = frozenset({Reason.NO_LANDING_ZONE_IN_REACH, Reason.LAST_MILE_TOO_LONG})
"""The reasons :func:`decide_service` can only tell apart with the nearest port's time (routes
with ``reach``): the last rules of its list. Routes without it (NaN) decide every other reason
the same; a caller that routed without ``reach`` routes again only for these."""

SAME_DAY_WINDOW_S: float = 12 * 60 * 60.0
"""The same-day promise: delivered within 12 hours of the order (ready time). A fixed window
rather than "by the end of the recipient's local day": it needs no time zone per door, it is
the same promise for an order at 08:00 and at 20:00, and 12 h is long enough to wait for any
later wave of the lane (waves run every few minutes to hours) yet short enough to be a day's
service. A parcel is same-day when ETA + inspection + the promise buffer fits in it."""


class Mode(IntEnum):
    """How a parcel travels: one-hour by rocket or ground, same-day by rocket, or standard
    (standard parcels leave the rocket network)."""

    STANDARD = 0
    ROCKET = 1
    GROUND = 2
    SAME_DAY = 3
    """Same-day by rocket: flies on a flight of its lane with room, promised within
    :data:`SAME_DAY_WINDOW_S` (not a one-hour service)."""


def reason_code(reason: Reason) -> np.int8:
    """Index of ``reason`` in :data:`REASONS` (the int8 stored per order)."""
    return _CODE[reason]


def forbidden_dangerous_goods(classes: Iterable[str]) -> list[str]:
    """The UN classes (``"3"``, ``"4.1"``…) among ``classes`` that may not fly, sorted."""
    return sorted(c for c in classes if c.split(".")[0] in FORBIDDEN_DANGEROUS_GOODS)


def keeps_promise(
    network: Network, eta_s: ArrayLike, one_hour_s: float | None = None
) -> NDArray[np.bool_]:
    """Whether an ETA (seconds after the order, inspection included) plus the calibrated buffer
    fits in the one-hour promise (``network.promise.one_hour_s`` unless ``one_hour_s`` is
    given), so that disruptions eat the buffer rather than the promise."""
    promise = network.promise
    limit = promise.one_hour_s if one_hour_s is None else one_hour_s
    return np.asarray(np.asarray(eta_s) + promise.buffer_s <= limit + 1e-6)


@dataclass(frozen=True, eq=False)
class Eligibility:
    """The decision for N parcels: ``mode`` (:class:`Mode`, int8), ``reason`` (int8 into
    :data:`REASONS`), the routes decided on, and ``earliest_s`` (route plus inspection, seconds
    after the order)."""

    mode: NDArray[np.int8]
    reason: NDArray[np.int8]
    routes: Routes
    earliest_s: NDArray[np.float64]

    def reason_names(self) -> NDArray[np.str_]:
        """Reason codes as strings."""
        return np.array([r.value for r in REASONS])[self.reason]


def _rows(value: ArrayLike | None, n: int, name: str, dtype: type, default: object) -> NDArray[Any]:
    if value is None:
        return np.full(n, default, dtype=dtype)
    array: NDArray[Any] = np.asarray(value, dtype=dtype)
    if array.ndim == 0:
        return np.full(n, array, dtype=dtype)
    if array.shape != (n,):
        raise InputError(name, array.shape, f"must have one value per parcel ({n})")
    return array


def exceeds_rocket(network: Network, mass_kg: Any, volume_m3: Any) -> Any:
    """Whether parcels exceed one rocket's payload (mass or volume); scalars or arrays."""
    rocket = network.rocket
    return (mass_kg > rocket.payload_mass_kg + 1e-9) | (volume_m3 > rocket.payload_volume_m3 + 1e-9)


# The options of an any-origin call, made once (a quote is routed in ~50 µs; each construction
# costs ~1 µs).
_EVERY_ORIGIN = {reach: KernelOptions(reach=reach) for reach in (False, True)}


def parcel_routes(  # noqa: PLR0913 - per-parcel arrays (keyword-only), then origins and reach
    legs: NetworkLegs,
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    *,
    ready_s: ArrayLike,
    mass_kg: ArrayLike,
    volume_m3: ArrayLike,
    dangerous: ArrayLike = False,
    allowed: ArrayLike | None = None,
    origins: NDArray[np.intp] | None = None,
    reach: bool = True,
) -> Routes:
    """The routes parcels *may* take: no rocket for dangerous goods (classes 1–8) or over the
    rocket's payload, no drone for dangerous goods or over the drone's payload; the kernel
    (:func:`~rocketpost.core.doortodoor.door_to_door`) finds the fastest of what is left.

    Scalars (a quote's one parcel) are decided in plain Python, arrays element-wise.
    """
    drone = legs.network.drone
    if isinstance(mass_kg, float) and isinstance(volume_m3, float) and isinstance(dangerous, bool):
        heavy: ArrayLike = exceeds_rocket(legs.network, mass_kg, volume_m3)
        drone_ok: ArrayLike = (
            not dangerous and mass_kg <= drone.max_parcel_kg and volume_m3 <= drone.max_parcel_m3
        )
        may_fly: ArrayLike = not (heavy or dangerous)
    else:
        mass, volume = np.asarray(mass_kg), np.asarray(volume_m3)
        is_dg = np.asarray(dangerous, dtype=bool)
        heavy = exceeds_rocket(legs.network, mass, volume)
        drone_ok = legs.drone_fits(mass, volume) & ~is_dg
        may_fly = ~(is_dg | heavy)
    rows = ParcelRows(lat_deg, lon_deg, ready_s, drone_ok, may_fly, allowed)
    options = (
        _EVERY_ORIGIN[reach] if origins is None else KernelOptions(origins=origins, reach=reach)
    )
    return door_to_door(legs, rows, options)


def decide_service(  # noqa: PLR0913 - per-row masks (keyword-only), then the promise
    network: Network,
    routes: Routes,
    *,
    held: NDArray[np.bool_],
    inspection_s: NDArray[np.float64],
    dangerous: NDArray[np.bool_],
    too_heavy: NDArray[np.bool_],
    has_stock: NDArray[np.bool_],
    one_hour_s: float | None = None,
    on_time: NDArray[np.bool_] | None = None,
) -> tuple[NDArray[np.int8], NDArray[np.int8]]:
    """Mode and reason per row, from routes the parcels may take (see the module docstring;
    ``on_time``: the decision at the confidence, which replaces the buffer rule).

    ``routes`` must come from :func:`~rocketpost.core.doortodoor.door_to_door` with
    ``may_fly = ~(dangerous | too_heavy)`` and no drone for dangerous goods, as
    :func:`assess_parcels` calls it.
    """
    if on_time is None:
        late = ~keeps_promise(network, routes.total_s + inspection_s, one_hour_s)
        late_anyway = ~keeps_promise(network, routes.total_s, one_hour_s)
        in_reach = keeps_promise(network, routes.nearest_port_s, one_hour_s)
        fits = np.zeros(routes.total_s.shape, dtype=bool)
    else:
        hour = network.promise.one_hour_s if one_hour_s is None else one_hour_s
        late = ~np.asarray(on_time, dtype=bool)
        fits = routes.total_s + inspection_s <= hour + 1e-6
        late_anyway = ~(routes.total_s <= hour + 1e-6)
        in_reach = routes.nearest_port_s <= hour + 1e-6
    reason = np.full(routes.total_s.shape, _CODE[Reason.LAST_MILE_TOO_LONG], dtype=np.int8)
    rules = [
        (held, Reason.CUSTOMS_HOLD),
        (~late, Reason.OK),
        (fits, Reason.BELOW_CONFIDENCE),
        (~late_anyway, Reason.CUSTOMS_INSPECTION),
        (dangerous, Reason.DANGEROUS_GOODS),
        (too_heavy, Reason.TOO_HEAVY),
        (~has_stock, Reason.NO_STOCK),
        (~in_reach, Reason.NO_LANDING_ZONE_IN_REACH),
    ]
    for mask, why in reversed(rules):  # the first rule in the list wins
        reason[np.asarray(mask, dtype=bool)] = _CODE[why]
    ok = reason == _CODE[Reason.OK]
    mode = np.where(ok, np.where(routes.ground, Mode.GROUND, Mode.ROCKET), Mode.STANDARD)
    return mode.astype(np.int8), reason


def assess_parcels(  # noqa: PLR0913 - per-parcel arrays (keyword-only), then origins, promise
    legs: NetworkLegs,
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    *,
    ready_s: ArrayLike,
    mass_kg: ArrayLike,
    volume_m3: ArrayLike,
    dangerous: ArrayLike | None = None,
    held: ArrayLike | None = None,
    inspection_s: ArrayLike | None = None,
    allowed: ArrayLike | None = None,
    origins: NDArray[np.intp] | None = None,
    one_hour_s: float | None = None,
    on_time_of: Callable[[Routes, NDArray[np.float64]], NDArray[np.bool_]] | None = None,
) -> Eligibility:
    """Route and decide N parcels: the one-hour rule as one vectorised call.

    Parameters
    ----------
    legs
        The network's fixed legs (:func:`rocketpost.core.doortodoor.network_legs`).
    lat_deg, lon_deg
        Doors.
    ready_s
        Order (ready) times, epoch seconds: the launch wave is exact.
    mass_kg, volume_m3
        Parcels (drone payload, rocket payload).
    dangerous
        Per parcel: carries a UN class of :data:`FORBIDDEN_DANGEROUS_GOODS` (default none).
    held
        Per parcel: customs holds it (default none).
    inspection_s
        Per parcel: seconds a customs inspection adds (default 0).
    allowed
        ``(N, origins)`` mask of origins holding the stock (default: all).
    origins
        Hub positions considered (default every hub).
    one_hour_s
        The promise decided against (default the network's ``promise.one_hour_s``).
    on_time_of
        The decision at a confidence of the routes found, given them and the inspection
        seconds (:func:`rocketpost.promise.decision.kernel_p_on_time` and
        :func:`~rocketpost.promise.decision.meets_confidence`); default the buffer rule.

    Returns
    -------
    Eligibility
        Mode, reason, the routes the parcels may take, and the earliest delivery.
    """
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
    n = lat.size
    mass = _rows(mass_kg, n, "mass_kg", np.float64, 0.0)
    volume = _rows(volume_m3, n, "volume_m3", np.float64, 0.0)
    is_dg = _rows(dangerous, n, "dangerous", np.bool_, False)
    is_held = _rows(held, n, "held", np.bool_, False)
    inspection = _rows(inspection_s, n, "inspection_delay_s", np.float64, 0.0)
    if np.any(inspection < 0) or not np.all(np.isfinite(inspection)):
        raise InputError("inspection_delay_s", "negative or not finite", "must be ≥ 0 seconds")
    heavy = exceeds_rocket(legs.network, mass, volume)
    routes = parcel_routes(
        legs,
        lat,
        lon_deg,
        ready_s=ready_s,
        mass_kg=mass,
        volume_m3=volume,
        dangerous=is_dg,
        allowed=allowed,
        origins=origins,
    )
    if allowed is None:
        has_stock = np.ones(n, dtype=bool)
    else:
        has_stock = np.broadcast_to(np.asarray(allowed, dtype=bool).any(axis=-1), (n,))
    mode, reason = decide_service(
        legs.network,
        routes,
        held=is_held,
        inspection_s=inspection,
        dangerous=is_dg,
        too_heavy=heavy,
        has_stock=has_stock,
        one_hour_s=one_hour_s,
        on_time=None if on_time_of is None else on_time_of(routes, inspection),
    )
    return Eligibility(mode, reason, routes, routes.total_s + inspection)


def same_day_reasons(
    network: Network,
    routes: Routes,
    *,
    held: NDArray[np.bool_],
    inspection_s: NDArray[np.float64],
    dangerous: NDArray[np.bool_],
    too_heavy: NDArray[np.bool_],
    has_stock: NDArray[np.bool_],
    window_s: float | None = None,
) -> NDArray[np.int8]:
    """Why a parcel may or may not go same-day by rocket (``ok`` when it may), per row.

    The same routes as :func:`decide_service` (may-fly already applied). In priority order:
    ``customs_hold``, ``dangerous_goods`` (classes 1–8 never fly), ``too_heavy`` (over one
    rocket), ``no_stock``, ``no_rocket_route`` (the fastest route is by ground: it does not
    fly), ``beyond_same_day`` (ETA + inspection + the promise buffer exceeds ``window_s``,
    default :data:`SAME_DAY_WINDOW_S`), else ``ok``.
    """
    window = SAME_DAY_WINDOW_S if window_s is None else float(window_s)
    late = ~keeps_promise(network, routes.total_s + inspection_s, window)
    reason = np.full(routes.total_s.shape, _CODE[Reason.OK], dtype=np.int8)
    rules = [
        (held, Reason.CUSTOMS_HOLD),
        (dangerous, Reason.DANGEROUS_GOODS),
        (too_heavy, Reason.TOO_HEAVY),
        (~has_stock, Reason.NO_STOCK),
        (routes.ground, Reason.NO_ROCKET_ROUTE),
        (late, Reason.BEYOND_SAME_DAY),
    ]
    for mask, why in reversed(rules):  # the first rule in the list wins
        reason[np.asarray(mask, dtype=bool)] = _CODE[why]
    return reason


def decide_same_day(
    mode: NDArray[np.int8],
    reason: NDArray[np.int8],
    same_day_reason: NDArray[np.int8],
    *,
    requested: ArrayLike = False,
) -> tuple[NDArray[np.int8], NDArray[np.int8]]:
    """The one-hour decision (:func:`decide_service`) with the same-day tier added.

    A row goes :attr:`Mode.SAME_DAY` when :func:`same_day_reasons` says ``ok`` and either the
    hour is out of reach (``standard``: it keeps the reason why) or it asks for same-day
    (``requested``: B2B freight, ``service: same_day``) while it would fly by rocket within
    the hour (reason ``same_day_requested``). A one-hour ground delivery stays one-hour: it
    does not fly.
    """
    may = same_day_reason == _CODE[Reason.OK]
    wants = np.broadcast_to(np.asarray(requested, dtype=bool), mode.shape)
    by_choice = may & wants & (mode == Mode.ROCKET)
    same_day = may & ((mode == Mode.STANDARD) | by_choice)
    new_mode = np.where(same_day, np.int8(Mode.SAME_DAY), mode).astype(np.int8)
    new_reason = np.where(by_choice, _CODE[Reason.SAME_DAY_REQUESTED], reason).astype(np.int8)
    return new_mode, new_reason
