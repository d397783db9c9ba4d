"""Service choice: the one-hour service where the physics and the rules allow it, else same-day by
rocket where the lane flies within the same-day window, else standard.

Every order is routed by the one door-to-door kernel
(:func:`rocketpost.core.doortodoor.door_to_door`, in blocks so that a million orders never build
the full ``orders × origins × destinations`` cube at once) and decided by the one eligibility
rule (:func:`rocketpost.core.eligibility.assess_parcels`, which a quote also uses for its one
row), then by its same-day tier (:func:`~rocketpost.core.eligibility.same_day_reasons`,
:func:`~rocketpost.core.eligibility.decide_same_day`). A downgrade always carries a
:class:`Reason` (``docs/reasons.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.doortodoor import Routes, network_legs
from rocketpost.core.eligibility import (
    FORBIDDEN_DANGEROUS_GOODS,
    REASONS,
    SAME_DAY_WINDOW_S,
    Mode,
    Reason,
    assess_parcels,
    decide_same_day,
    exceeds_rocket,
    reason_code,
    same_day_reasons,
)
from rocketpost.core.eta import PROMISE_RULES, promise_conditions_of
from rocketpost.customs.rules import same_customs_territory
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.orders.table import OrderTable
from rocketpost.promise.conditions import Conditions
from rocketpost.promise.decision import kernel_p_on_time, meets_confidence
from rocketpost.promise.kernelrows import unplanned_inspection_p
from rocketpost.promise.recovery import boat_way_extra_s

__all__ = [
    "FORBIDDEN_DANGEROUS_GOODS",
    "PROMISE_RULES",
    "REASONS",
    "Mode",
    "Reason",
    "ServiceChoice",
    "choose_service",
    "promise_conditions_of",
    "reason_code",
]


@dataclass(frozen=True, eq=False)
class ServiceChoice:
    """Per-order service and timing, aligned with the order table's rows.

    Times are float UTC epoch seconds. ``launch_s``, ``landing_s`` and ``port_s`` are NaN for
    orders that do not fly; for same-day orders they are those of the earliest wave (the
    consolidation may move them later, within the promise). ``delivery_s`` is the planned
    delivery for one-hour and same-day orders and the standard promise for the rest.
    ``vessel`` marks the parcels a drone flies straight from the landing site's recovery vessel;
    their ``port_s`` is the parcel on the drone deck (landing + vessel transfer), where their
    last mile starts. ``p_on_time`` is the P(delivered within the hour) the one-hour decision was
    made at (NaN where it was not computed: decided by the buffer, or no route fits the hour);
    ``latest_launch_s`` the latest launch of a rocket order that still keeps its promise: at the
    confidence when decided at one, else the plan's own delivery against the promise.
    ``inspection_p`` the odds of an unplanned customs inspection the decision counted
    (:func:`rocketpost.promise.kernelrows.unplanned_inspection_p`; NaN where not decided at a
    confidence), which the simulator draws inspections at. ``p_by_wave[:, k]`` is the P(on time)
    of a launch ``k`` waves after the earliest (column 0 is ``p_on_time``; NaN past the latest
    wave that meets the confidence): what a consolidation hold leaves of the promise
    (:meth:`p_at_launch`).
    """

    mode: NDArray[np.int8]
    reason: NDArray[np.int8]
    origin: NDArray[np.intp]
    destination: NDArray[np.intp]
    created_s: NDArray[np.float64]
    launch_s: NDArray[np.float64]
    landing_s: NDArray[np.float64]
    port_s: NDArray[np.float64]
    last_mile_s: NDArray[np.float64]
    inspection_s: NDArray[np.float64]
    delivery_s: NDArray[np.float64]
    promised_s: NDArray[np.float64]
    best_total_s: NDArray[np.float64]
    vessel: NDArray[np.bool_]
    p_on_time: NDArray[np.float64]
    latest_launch_s: NDArray[np.float64]
    inspection_p: NDArray[np.float64]
    p_by_wave: NDArray[np.float64]

    def p_at_launch(
        self, launch_s: NDArray[np.float64], interval_s: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Per order, the P(on time) of the decision at the launch it was planned on
        (``launch_s``, a whole number of waves of ``interval_s`` after the earliest): the
        consolidation may hold a light flight, and the promise it keeps is the held wave's.
        NaN where no P was stated or the launch is past the waves recorded."""
        waves = np.round((launch_s - self.launch_s) / interval_s)
        known = np.isfinite(waves) & (waves >= 0) & (waves < self.p_by_wave.shape[1])
        out = np.full(len(self.mode), np.nan)
        rows = np.flatnonzero(known)
        out[rows] = self.p_by_wave[rows, waves[rows].astype(np.intp)]
        return out

    @property
    def one_hour(self) -> NDArray[np.bool_]:
        """True for orders that keep the one-hour service (rocket or ground)."""
        return np.asarray((self.mode == Mode.ROCKET) | (self.mode == Mode.GROUND))

    @property
    def same_day(self) -> NDArray[np.bool_]:
        """True for orders of the same-day rocket tier."""
        return np.asarray(self.mode == Mode.SAME_DAY)

    def reason_names(self) -> NDArray[np.str_]:
        """Reason codes as strings."""
        return np.array([r.value for r in REASONS])[self.reason]


def _optional(values: ArrayLike | None, n: int, name: str, dtype: type) -> NDArray[Any]:
    if values is None:
        return np.zeros(n, dtype=dtype)
    array: NDArray[Any] = np.asarray(values, dtype=dtype)
    if array.shape != (n,):
        raise InputError(name, array.shape, f"must have one value per order ({n})")
    return array


def _at_confidence(
    network: Network,
    orders: OrderTable,
    conditions: Conditions,
    one_hour_s: float,
    inspection_p: ArrayLike | None,
    stated: dict[str, NDArray[np.float64]],
    stock: NDArray[np.bool_] | None,
) -> Callable[[Routes, NDArray[np.float64]], NDArray[np.bool_]]:
    """The decision at the network's confidence for the routes the kernel finds, counting the
    fallback of the default re-planning policy from the hubs in ``stock`` (the allowed
    origins: :mod:`rocketpost.promise.fallbacks`; ``None``: no fallback).

    The P(on time) it was made at is left in ``stated["p"]``, and in ``stated["latest"]`` the
    latest launch that still meets the confidence (the promise made explicit for the
    consolidation, which may hold a light flight to a later wave: a hold that spent the waves
    the confidence counts on would keep the plan's times and break the promise).
    """
    origin_countries = np.array([hub.country for hub in network.hubs])
    destination = np.asarray(orders.destination_country)
    odds = (
        None
        if inspection_p is None
        else _optional(inspection_p, len(orders), "inspection_p", np.float64)
    )

    def on_time(routes: Routes, inspection_s: NDArray[np.float64]) -> NDArray[np.bool_]:
        lat, lon = orders.destination_lat_deg, orders.destination_lon_deg
        extra = boat_way_extra_s(network, routes, lat, lon)  # grounded vessel drones
        pairs = np.char.add(np.char.add(origin_countries[routes.origin], ">"), destination)
        unique, which = np.unique(pairs, return_inverse=True)
        crossing = np.array(
            [not same_customs_territory(*pair.split(">")) for pair in unique.tolist()], dtype=bool
        )
        p = kernel_p_on_time(
            network,
            routes,
            conditions,
            promise_s=one_hour_s,
            inspection_s=inspection_s,
            inspection_p=odds,
            cross_border=crossing[which.reshape(-1)],
            stock=stock,
            grounded_extra_s=extra,
        )
        target = float(network.promise.confidence)
        stated["p"] = p
        stated["inspection_p"] = unplanned_inspection_p(
            conditions, ~np.asarray(routes.ground, bool), crossing[which.reshape(-1)],
            np.broadcast_to(inspection_s, p.shape), odds,
        )  # fmt: skip
        meets = meets_confidence(p, target)
        border = crossing[which.reshape(-1)]

        def p_later(later: Routes, rows: NDArray[np.intp]) -> NDArray[np.float64]:
            return kernel_p_on_time(
                network,
                later,
                conditions,
                promise_s=one_hour_s,
                inspection_s=np.broadcast_to(inspection_s, border.shape)[rows],
                inspection_p=None if odds is None else odds[rows],
                cross_border=border[rows],
                stock=None if stock is None else stock[rows],
                grounded_extra_s=extra[rows],
            )

        stated["latest"], stated["p_by_wave"] = _latest_launch(
            routes, p, target, p_later, np.asarray(network.launch_wave_interval_s, float)
        )
        return meets

    return on_time


MAX_HOLD_WAVES = 12
"""The latest launch at the confidence is searched this many waves past the earliest (a light
flight is never held longer than the hour allows anyway)."""


def _latest_launch(
    routes: Routes,
    p: NDArray[np.float64],
    target: float,
    p_later: Callable[[Routes, NDArray[np.intp]], NDArray[np.float64]],
    interval_s: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per row, the launch of the latest wave (from the earliest, one interval at a time) at
    which the parcel still meets the confidence (NaN for rows that do not meet it at all), and
    the P(on time) at each of those waves (``(rows, MAX_HOLD_WAVES + 1)``, NaN past it)."""
    meets = meets_confidence(p, target)
    latest = np.where(meets, routes.launch_s, np.nan)
    by_wave = np.full((len(p), MAX_HOLD_WAVES + 1), np.nan)
    by_wave[:, 0] = p
    step = interval_s[routes.origin]
    rows = np.flatnonzero(meets & ~np.asarray(routes.ground, dtype=bool))
    for k in range(1, MAX_HOLD_WAVES + 1):
        if rows.size == 0:
            break
        shift = k * step[rows]
        sub = {f.name: getattr(routes, f.name)[rows] for f in fields(routes)}
        sub["wait_s"] = sub["wait_s"] + shift
        sub["total_s"] = sub["total_s"] + shift
        sub["launch_s"] = sub["launch_s"] + shift
        p_k = np.asarray(p_later(Routes(**sub), rows), dtype=np.float64)
        ok = meets_confidence(p_k, target)
        rows = rows[ok]
        by_wave[rows, k] = p_k[ok]
        latest[rows] = routes.launch_s[rows] + k * step[rows]
    return latest, by_wave


def choose_service(  # noqa: PLR0913 - the day, then keyword-only hooks and options
    network: Network,
    orders: OrderTable,
    *,
    promise_s: float | None = None,
    standard_days: float | None = None,
    inspection_delay_s: ArrayLike | None = None,
    held: ArrayLike | None = None,
    allowed_origins: ArrayLike | None = None,
    same_day: bool = True,
    same_day_requested: ArrayLike | None = None,
    conditions: Conditions | None = None,
    inspection_p: ArrayLike | None = None,
    promise_rule: str = "confidence",
    fallbacks: bool = False,
) -> ServiceChoice:
    """Choose the service, origin and destination hub and the planned timing of every order.

    Parameters
    ----------
    network
        The network.
    orders
        The day's orders.
    promise_s
        The one-hour promise (seconds after the order); default the network's
        ``promise.one_hour_s``. Another value decides as if the network promised that.
    standard_days
        Promise of the standard service (default: the network's ``promise.standard_days``).
    inspection_delay_s
        Hook for customs: per-order extra seconds at the destination port (default 0).
    held
        Hook for customs: per-order "held" flag; a held order goes standard (``customs_hold``).
    allowed_origins
        Inventory hook: boolean ``(orders, hubs)`` matrix of hubs holding the stock (default:
        stock everywhere). An order's ``origin_hub`` column always restricts it to that hub.
    same_day
        Offer the same-day rocket tier (``False``: one hour or standard, as before it existed).
    same_day_requested
        Per order: asks for same-day (the planner passes B2B freight) even where it could fly
        within the hour (default none).
    conditions
        Decide at the network's confidence (``promise.confidence``) under these conditions:
        the one decision of :mod:`rocketpost.promise.decision`, as quotes and bookings make it.
        Default: the climate (``Conditions()``).
    inspection_p
        Per order, the odds of an unplanned customs inspection (screening's risk through
        :meth:`~rocketpost.promise.conditions.Conditions.inspection_odds`); default the
        conditions' base rate.
    promise_rule
        ``"confidence"`` (default) or ``"buffer"``: the flat buffer (``promise.buffer_min``),
        opted into, without conditions (:data:`PROMISE_RULES`).
    fallbacks
        With ``conditions``: count the ``other_hub`` fallback from the hubs of
        ``allowed_origins`` (:mod:`rocketpost.promise.fallbacks`), for a fleet that keeps a
        reserve airframe at its hubs to fly it (default off: no reserve known).

    Returns
    -------
    ServiceChoice
        Aligned with ``orders``.
    """
    conditions = promise_conditions_of(promise_rule, conditions)
    one_hour_s = network.promise.one_hour_s if promise_s is None else float(promise_s)
    n, h = len(orders), len(network.hubs)
    inspection = _optional(inspection_delay_s, n, "inspection_delay_s", np.float64)
    is_held = _optional(held, n, "held", np.bool_)
    allowed = (
        np.ones((n, h), dtype=bool)
        if allowed_origins is None
        else np.asarray(allowed_origins, dtype=bool)
    )
    if allowed.shape != (n, h):
        raise InputError("allowed_origins", allowed.shape, f"must be ({n}, {h})")
    fixed_origin = orders.origin_hub != ""
    if fixed_origin.any():
        codes = {hub: i for i, hub in enumerate(network.hub_ids)}
        unknown = sorted(set(np.unique(orders.origin_hub[fixed_origin]).tolist()) - set(codes))
        if unknown:
            raise InputError("origin_hub", unknown[0], "is not a hub of this network")
        origin_index = np.array([codes.get(x, -1) for x in orders.origin_hub.tolist()])
        mask = np.zeros((n, h), dtype=bool)
        mask[np.flatnonzero(fixed_origin), origin_index[fixed_origin]] = True
        allowed = np.where(fixed_origin[:, None], allowed & mask, allowed)

    legs = network_legs(network)
    created = orders.created_at_s.astype(np.float64)
    dangerous = orders.carries_dangerous_goods(*FORBIDDEN_DANGEROUS_GOODS)
    stated: dict[str, NDArray[np.float64]] = {}
    decided = assess_parcels(
        legs,
        orders.destination_lat_deg,
        orders.destination_lon_deg,
        ready_s=created,
        mass_kg=orders.mass_kg,
        volume_m3=orders.volume_m3,
        dangerous=dangerous,
        held=is_held,
        inspection_s=inspection,
        allowed=allowed,
        one_hour_s=one_hour_s,
        on_time_of=None
        if conditions is None
        else _at_confidence(
            network,
            orders,
            conditions,
            one_hour_s,
            inspection_p,
            stated,
            allowed if fallbacks else None,
        ),
    )
    routes, mode, reason = decided.routes, decided.mode, decided.reason
    if same_day:
        has_stock = np.asarray(allowed.any(axis=1), dtype=bool)
        same_day_reason = same_day_reasons(
            network,
            routes,
            held=is_held,
            inspection_s=inspection,
            dangerous=dangerous,
            too_heavy=np.asarray(exceeds_rocket(network, orders.mass_kg, orders.volume_m3)),
            has_stock=has_stock,
        )
        requested = _optional(same_day_requested, n, "same_day_requested", np.bool_)
        mode, reason = decide_same_day(mode, reason, same_day_reason, requested=requested)
    origin, destination = routes.origin, routes.destination
    rocket = (mode == Mode.ROCKET) | (mode == Mode.SAME_DAY)
    launch = np.where(rocket, routes.launch_s, np.nan)
    landing = launch + legs.flight_s[origin, destination]
    # Where the last mile starts: the port (boat), or the recovery vessel's drone deck.
    vessel = rocket & routes.vessel
    port = landing + np.where(vessel, legs.vessel_transfer_s, legs.landing_to_port_s[destination])
    ground_ready = created + routes.handling_s
    delivery = np.where(routes.ground, ground_ready, port) + routes.last_mile_s + inspection
    standard = mode == Mode.STANDARD
    days = network.promise.standard_days if standard_days is None else standard_days
    promised = np.where(standard, created + days * 86400.0, created + one_hour_s)
    promised = np.where(mode == Mode.SAME_DAY, created + SAME_DAY_WINDOW_S, promised)
    return ServiceChoice(
        mode=mode,
        reason=reason,
        origin=origin,
        destination=destination,
        created_s=created,
        launch_s=launch,
        landing_s=landing,
        port_s=port,
        last_mile_s=routes.last_mile_s,
        inspection_s=inspection,
        delivery_s=np.where(standard, promised, delivery),
        promised_s=promised,
        best_total_s=routes.total_s,
        vessel=vessel,
        p_on_time=stated.get("p", np.full(n, np.nan)),
        inspection_p=stated.get("inspection_p", np.full(n, np.nan)),
        p_by_wave=stated.get("p_by_wave", np.full((n, 1), np.nan)),
        latest_launch_s=np.where(
            mode == Mode.ROCKET,
            stated["latest"] if "latest" in stated else promised - (delivery - launch),
            np.nan,
        ),
    )
