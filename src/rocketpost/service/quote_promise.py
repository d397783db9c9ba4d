"""The one-hour decision of a quote and a booking: one route, the shipment's facts, and the
conditions; with the stock's hubs told, the fallback counted as the planner counts it.

:func:`route_promise` is what :meth:`rocketpost.service.quotes.Quotes.at_confidence` answers:
the route's own distribution (:func:`rocketpost.promise.confidence.route_model`,
:func:`~rocketpost.promise.confidence.promise_at_confidence`) and, when ``stock_hubs`` were
sent, the fallback of the default re-planning policy on the route's kernel row
(:func:`rocketpost.promise.fallback_promise.promise_with_fallback`, which reads the planner's
own :func:`~rocketpost.promise.decision.fallback_terms`). Without ``stock_hubs`` nothing here
costs more than the route's own distribution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from rocketpost.core.routes import Routes
from rocketpost.customs import Clearance
from rocketpost.network import Network
from rocketpost.promise.conditions import Conditions
from rocketpost.promise.confidence import (
    PromiseAtConfidence,
    RouteFacts,
    promise_at_confidence,
    route_model,
)
from rocketpost.promise.fallback_promise import promise_with_fallback, stock_mask
from rocketpost.promise.onset import site_closed_share
from rocketpost.promise.percondition import by_identity
from rocketpost.promise.recovery import route_boat_way_extra_s
from rocketpost.service.consignment import Consignment, ResolvedPlace
from rocketpost.service.quoting import QuoteEngine, RoutePlan

__all__ = [
    "ShipmentFacts",
    "below_message",
    "later_wave",
    "plan_from_stock",
    "route_promise",
]


@dataclass(frozen=True)
class ShipmentFacts:
    """What the decision needs of a shipment besides its route.

    ``inspection_s`` is a known inspection's seconds (already in the route's customs leg);
    ``inspection_p`` the parcel's own odds of an unplanned one (screening; ``None``: the
    conditions' base rate); ``stock`` the hubs holding the goods (``None``: no fallback).
    """

    cross_border: bool
    inspection_s: float = 0.0
    inspection_p: float | None = None
    place: ResolvedPlace | None = None
    stock: tuple[str, ...] | None = None

    @classmethod
    def of(
        cls,
        consignment: Consignment,
        clearance: Clearance | None,
        cross_border: bool,
        inspection_p: float | None,
    ) -> ShipmentFacts:
        """The facts of a consignment, as customs cleared it."""
        known = 0.0
        if clearance is not None and clearance.inspection_delay_s:
            known = float(clearance.inspection_delay_s)
        return cls(
            cross_border=cross_border,
            inspection_s=known,
            inspection_p=inspection_p,
            place=consignment.place,
            stock=consignment.stock_hubs,
        )


def route_promise(
    engine: QuoteEngine,
    conditions: Conditions,
    target: float,
    route: RoutePlan,
    facts: ShipmentFacts,
    *,
    explain: bool,
    kernel: Routes | None = None,
) -> PromiseAtConfidence:
    """The route's delivery distribution under ``conditions``, decided at ``target``.

    With ``facts.stock`` the fallback of the default re-planning policy is counted on the
    route's kernel row (``kernel``, default ``route.kernel``): the planner's very rule and
    number (``choose_service(..., fallbacks=True)``); the answer names the hub
    (``fallback_hub``). ``explain``: name the leg that breaks a failing promise.
    """
    network = engine.network
    place, rocket = facts.place, route.mode == "rocket"
    grounded_extra_s = (
        math.inf
        if place is None or not rocket
        else route_boat_way_extra_s(
            network, route.destination_hub, route.legs_s, place.lat_deg, place.lon_deg
        )
    )
    model = route_model(
        route.legs_s,
        conditions,
        RouteFacts(
            rocket=rocket,
            origin_hub=route.origin_hub,
            landing_site=route.destination_hub,
            wave_interval_s=route.wave_interval_s,
            boat_speed_kmh=float(network.boat.speed_kmh),
            cross_border=facts.cross_border,
            inspection_known=facts.inspection_s > 0.0,
            inspection_p=facts.inspection_p,
            drone=network.drone,  # grounded vessel drones: the boat way
            grounded_extra_s=grounded_extra_s,
            site_closed_share=site_closed_share(network, conditions, route.destination_hub),
        ),
    )
    kernel = route.kernel if kernel is None else kernel
    counting = facts.stock is not None and rocket and kernel is not None
    # With a fallback to count, what limits the route alone is asked only if the promise fails.
    primary = promise_at_confidence(
        model, promise_s=engine.one_hour_s, target=target, explain=explain and not counting
    )
    if not counting:
        return primary
    assert facts.stock is not None and kernel is not None
    counted = promise_with_fallback(
        network,
        kernel,
        conditions,
        stock=_stock_mask(network, facts.stock),
        promise_s=engine.one_hour_s,
        target=target,
        inspection_s=facts.inspection_s,
        inspection_p=facts.inspection_p,
        cross_border=facts.cross_border,
        grounded_extra_s=grounded_extra_s,
    )
    if explain and (counted is None or not counted.kept) and not primary.kept:
        primary = promise_at_confidence(
            model, promise_s=engine.one_hour_s, target=target, explain=True
        )
    return primary if counted is None else counted.applied_to(primary)


def plan_from_stock(
    engine: QuoteEngine, consignment: Consignment, dangerous_goods: set[str]
) -> RoutePlan:
    """The consignment's route: from its ``origin_hub``; else, with ``stock_hubs`` told, the
    fastest from one of them (the planner's ``allowed_origins``: goods leave where they are);
    else from the best hub of the network."""
    c = consignment
    origins: Sequence[str | None] = [c.origin_hub]
    if c.origin_hub is None and c.stock_hubs:
        order = {hub: i for i, hub in enumerate(engine.network.hub_ids)}
        stock: list[str] = sorted(c.stock_hubs, key=order.__getitem__)  # the kernel's tie order
        origins = stock
    plans = [
        engine.plan(
            c.place,
            mass_kg=c.mass_kg,
            volume_m3=c.volume_m3,
            ready_at=c.ready_at,
            origin_hub=origin,
            dangerous_goods=dangerous_goods,
        )
        for origin in origins
    ]
    return min(plans, key=lambda plan: plan.eta_s)  # ties: the first, as the kernel's argmin


def _stock_mask(network: Network, stock: tuple[str, ...]) -> NDArray[np.bool_]:
    """The hubs holding a basket's stock, as the fallback rule reads them (cached per set, the
    network found by identity: hashing it costs more than the mask)."""
    masks = _masks(network)
    mask = masks.get(stock)
    if mask is None:
        mask = stock_mask(network, stock)
        mask.flags.writeable = False
        if len(masks) >= _MASKS_KEPT:
            masks.clear()
        masks[stock] = mask
    return mask


_MASKS_KEPT = 4096


@by_identity
def _masks(network: Network) -> dict[tuple[str, ...], NDArray[np.bool_]]:
    return {}


def later_wave(quoted: RoutePlan, route: RoutePlan) -> Routes | None:
    """The kernel row of ``route``, the quoted route some waves later (booking's search for a
    wave with room; :meth:`RoutePlan.shifted` keeps no kernel row): the same row with the
    longer wave wait, as the planner shifts its rows (``planning.service_choice``)."""
    kernel = quoted.kernel
    if route.kernel is not None or kernel is None:
        return route.kernel
    if route.launch_at is None or quoted.launch_at is None:
        return None
    shift = (route.launch_at - quoted.launch_at).total_seconds()
    row = {f.name: getattr(kernel, f.name) for f in fields(kernel)}
    for name in ("wait_s", "total_s", "launch_s"):
        row[name] = row[name] + shift
    return Routes(**row)


_CAUSE_WORDS = {
    "weather": "launch weather at {hub}",
    "sea_state": "sea state at the landing site",
    "customs": "the odds of a customs inspection",
    "boat": "the boat's time",
    "last_mile": "the last mile's time",
    "vessel_drones": "wind and waves for the recovery vessel's drones",
    "landing": "the odds of a lost landing",
    "onset": "a front or rough sea that may start before the flight",
}


def below_message(c: PromiseAtConfidence, origin_hub: str) -> str:
    """Why a one-hour option the physics allows is not promised at the confidence."""
    cause = "the route's legs" if c.limiting_cause is None else _CAUSE_WORDS[c.limiting_cause]
    earliest = (
        "beyond the forecast horizon"
        if not math.isfinite(c.earliest_at_target_s)
        else f"{c.earliest_at_target_s / 60:.0f} min after ready_at"
    )
    return (
        f"P(on time) {c.p_on_time:.1%} is below the {c.target:.0%} confidence: "
        f"{cause.format(hub=origin_hub)} ({c.limiting_leg or 'all legs'}); "
        f"earliest at {c.target:.0%}: {earliest}"
    )
