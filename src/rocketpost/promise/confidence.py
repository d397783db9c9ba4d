"""A one-hour promise at a stated confidence, for one route under the conditions.

:func:`route_model` turns the kernel's legs of a route (``core.doortodoor.LEG_NAMES``) and the
:class:`~rocketpost.promise.conditions.Conditions` into a
:class:`~rocketpost.promise.distribution.DeliveryModel`; :func:`promise_at_confidence` answers
P(on time), P50 / P90 / P99, whether the promise holds at the target and, when it does not, the
cause that breaks it (the one whose removal raises P(on time) most) and the earliest time that
*can* be promised at the target (the target quantile).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from rocketpost.errors import InputError
from rocketpost.network import Drone
from rocketpost.promise.conditions import Conditions
from rocketpost.promise.decision import meets_confidence, shape_of, shaped_distribution
from rocketpost.promise.distribution import BIN_S, CAUSE_LEG, CAUSES, DeliveryModel
from rocketpost.promise.onset import onset_p
from rocketpost.promise.recovery import reflight_delay_s, site_grounded_p

__all__ = ["PromiseAtConfidence", "RouteFacts", "promise_at_confidence", "route_model"]

_FLIGHT_LEGS = ("ascent", "coast", "descent")
_RANDOM_LEGS = ("boat", "last_mile")


@dataclass(frozen=True)
class RouteFacts:
    """What the random model needs to know of a route besides its legs.

    Attributes
    ----------
    rocket
        The route flies (else ground: handling and the last mile only).
    origin_hub, landing_site
        Whose weather and whose sea state apply (the landing site is the destination's zone).
    wave_interval_s
        The origin's launch-wave (or on-demand slot) interval: what a scrub costs.
    boat_speed_kmh
        For the detour to an alternate zone when the site is closed.
    cross_border
        An unplanned inspection can only hit a cross-border rocket parcel.
    inspection_known
        Screening already picked the parcel (its delay is in ``customs``): no second draw.
    inspection_p
        The parcel's own odds of an unplanned inspection (screening's risk); ``None``: the
        conditions' base rate.
    drone
        The network's drone, whose wind and wave limits decide whether a vessel route's drones
        fly (:mod:`rocketpost.promise.recovery`); ``None``: the grounding is not counted.
    grounded_extra_s
        How much later the boat way arrives when a vessel route's drones are grounded
        (``inf``: never on time).
    site_closed_share
        The landing site's own closed share for the onset hazard (``None``: the climate's,
        as a hub's zone has).
    """

    rocket: bool
    origin_hub: str
    landing_site: str
    wave_interval_s: float
    boat_speed_kmh: float
    cross_border: bool
    inspection_known: bool = False
    inspection_p: float | None = None
    drone: Drone | None = None
    grounded_extra_s: float = math.inf
    site_closed_share: float | None = None


def route_model(
    legs_s: Mapping[str, float], conditions: Conditions, route: RouteFacts
) -> DeliveryModel:
    """The random model of one route under ``conditions``.

    ``legs_s`` are the seconds per leg of the route, as the kernel gives them
    (``Routes.legs_s``), with a known inspection already in ``customs``.
    """
    rocket, origin_hub, landing_site = route.rocket, route.origin_hub, route.landing_site
    wave_interval_s, boat_speed_kmh = route.wave_interval_s, route.boat_speed_kmh
    cross_border, inspection_known = route.cross_border, route.inspection_known
    fixed = sum(float(v) for k, v in legs_s.items() if k not in _RANDOM_LEGS)
    if not rocket:
        launch = landing = None
    else:
        launch = float(legs_s["origin_handling"]) + float(legs_s["wave_wait"])
        landing = launch + sum(float(legs_s[k]) for k in _FLIGHT_LEGS)
    customs = conditions.rates.customs
    inspected = rocket and cross_border and not inspection_known
    shifts: dict[str, float] = {}
    if rocket:
        assert launch is not None and landing is not None
        flight_s = landing - launch
        shifts["reflight_s"] = float(
            reflight_delay_s(flight_s, legs_s["origin_handling"], wave_interval_s)
        )
        if route.drone is not None and float(legs_s.get("vessel_transfer", 0.0)) > 0:
            shifts["grounded_p"] = site_grounded_p(conditions, route.drone, landing_site, landing)
            shifts["grounded_extra_s"] = route.grounded_extra_s
        if conditions.onsets:
            shifts["onset_p"] = onset_p(
                conditions, origin_hub, landing_site, route.site_closed_share, launch, landing
            )
    return DeliveryModel(
        fixed_s=fixed,
        wave_interval_s=wave_interval_s,
        launch_offset_s=launch,
        landing_offset_s=landing,
        scrub_p=conditions.scrub_p(origin_hub) if rocket else 0.0,
        front_mean_s=conditions.front_mean_s(origin_hub) if rocket else None,
        sea_closed_mean_s=conditions.sea_closed_mean_s(landing_site) if rocket else None,
        boat_s=float(legs_s["boat"]) if rocket else 0.0,
        detour_s=conditions.detour_km(landing_site) / boat_speed_kmh * 3600.0 if rocket else 0.0,
        boat_sigma=conditions.boat_spread,
        inspection_p=(conditions.customs_p if route.inspection_p is None else route.inspection_p)
        if inspected
        else 0.0,
        inspection_median_s=customs.median_delay_min * 60.0,
        inspection_sigma=customs.sigma,
        last_mile_s=float(legs_s["last_mile"]),
        last_mile_sigma=conditions.last_mile_spread,
        landing_loss_p=conditions.rates.landing.failure_p if rocket else 0.0,
        **shifts,
    )


@dataclass(frozen=True)
class PromiseAtConfidence:
    """The answer for one route: the distribution's figures and the decision at ``target``.

    Times are seconds after the order. ``limiting_cause`` / ``limiting_leg`` name what breaks
    the promise (``None`` when it holds, or when no random cause does: the physics alone is
    too slow). ``earliest_at_target_s`` is the earliest time promisable at ``target``.
    ``fallback_hub``: the hub whose fallback the figures count
    (:mod:`rocketpost.promise.fallback_promise`; ``None``: none).
    """

    p_on_time: float
    p50_s: float
    p90_s: float
    p99_s: float
    target: float
    promise_s: float
    kept: bool
    earliest_at_target_s: float
    limiting_cause: str | None
    limiting_leg: str | None
    landing_loss_p: float
    fallback_hub: str | None = None


def promise_at_confidence(
    model: DeliveryModel, *, promise_s: float, target: float, explain: bool = True
) -> PromiseAtConfidence:
    """P(delivered within ``promise_s``) and the decision at ``target`` (see the module doc).

    ``explain``: when the promise fails, find the limiting cause (five more distributions; a
    quote decided by the buffer skips it).
    """
    if not 0.0 < target < 1.0:
        raise InputError("confidence", target, "must be in (0, 1)")
    # The one decision (rocketpost.promise.decision): the shape's distribution, shifted.
    shape, fixed = shape_of(model)
    dist = shaped_distribution(shape)
    p = dist.p_within(promise_s - fixed)
    p50, p90, p99, at_target = np.array(_shape_quantiles_s(shape, target)) + fixed
    kept = bool(meets_confidence(p, target))
    cause = (
        _limiting_cause(shape, math.floor((promise_s - fixed) / BIN_S))
        if not kept and explain
        else None
    )
    return PromiseAtConfidence(
        p_on_time=p,
        p50_s=float(p50),
        p90_s=float(p90),
        p99_s=float(p99),
        target=target,
        promise_s=promise_s,
        kept=kept,
        earliest_at_target_s=float(at_target),
        limiting_cause=cause,
        limiting_leg=None if cause is None else CAUSE_LEG[cause],
        landing_loss_p=model.landing_loss_p,
    )


@lru_cache(maxsize=16384)
def _limiting_cause(shape: DeliveryModel, bins: int) -> str | None:
    """The cause whose removal gains the shape the most P(within ``bins · BIN_S``), or
    ``None`` when none gains anything (the physics alone is too slow). Evaluated at the bin
    below the promise's slack, so the quotes of a lane share it whatever their wave wait (it
    names a cause; the P itself is the exact one)."""
    slack_s = bins * BIN_S
    base = shaped_distribution(shape).p_within(slack_s)
    gains = {c: shaped_distribution(shape.without(c)).p_within(slack_s) - base for c in CAUSES}
    best = max(gains, key=lambda c: gains[c])
    return best if gains[best] > 1e-9 else None


@lru_cache(maxsize=4096)
def _shape_quantiles_s(shape: DeliveryModel, target: float) -> tuple[float, ...]:
    """P50, P90, P99 and the ``target`` quantile of a shape (its fixed seconds are 0): every
    quote of a lane under unchanged conditions shares them, so they are searched once."""
    levels = np.array([0.5, 0.9, 0.99, target])
    return tuple(shaped_distribution(shape).quantiles_s(levels).tolist())


def finite_or_none(value: float) -> float | None:
    """A time for JSON: ``None`` past the horizon."""
    return value if math.isfinite(value) else None
