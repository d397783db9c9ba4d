"""The promises a dispatcher would have made inside a simulated day, and at what P(on time).

The plan promises under the conditions known when it was made (by default the climate: no
front declared, the vessels' wind and waves unknown). Inside a replicate, an order placed while
a front sits over its origin, while its landing site is closed, or (a vessel-drone order) while
the wind and waves at its site make grounded drones likelier than an undeclared site's (flying
now, :mod:`rocketpost.promise.recovery`), would have
been quoted under *those* conditions
(:meth:`rocketpost.simulation.conditions.Conditions.seen_at` at the order time, and nothing
later). :func:`dispatcher_promises` re-makes the one decision
(:func:`rocketpost.promise.decision.kernel_p_on_time` and
:func:`~rocketpost.promise.decision.meets_confidence`) for those orders on their planned route;
the others keep the plan's P(on time) (a plan promised by the flat buffer records none and is
simulated as it was promised). A promise the dispatcher would not have made is
*withdrawn*: that order was never promised the hour, so the share kept is over the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rocketpost.core.routes import Routes
from rocketpost.planning.service_choice import Mode
from rocketpost.promise.conditions import Conditions as PromiseConditions
from rocketpost.promise.decision import kernel_p_on_time, meets_confidence
from rocketpost.promise.recovery import driver_now, grounded_p
from rocketpost.simulation.conditions import PRIMARY_ZONE, Conditions
from rocketpost.simulation.inputs import SimInputs

__all__ = ["DispatcherPromises", "dispatcher_promises", "planned_route_p"]


@dataclass(frozen=True, eq=False)
class DispatcherPromises:
    """Per one-hour order of the plan: promised by the dispatcher, and at what P(on time)."""

    promised: NDArray[np.bool_]
    p_on_time: NDArray[np.float64]
    reconsidered: NDArray[np.bool_]
    """Orders placed under a front at the origin, a closed landing site or worse wind and
    waves at their vessel than an undeclared site's (decided again)."""


def _planned_last_mile_s(inputs: SimInputs, rows: NDArray[np.intp]) -> NDArray[np.float64]:
    """The plan's last mile of orders ``rows``: from the port (or the vessel's deck) to the
    door (only those rows: the dispatcher asks a minute's orders at a time)."""
    planned = inputs.order_planned_s[rows] - inputs.order_port_s[rows]
    return np.asarray(np.maximum(planned - inputs.order_inspection_s[rows], 0.0))


def _kernel_rows(
    inputs: SimInputs, rows: NDArray[np.intp], last_mile_s: NDArray[np.float64]
) -> Routes:
    """The planned route of rocket orders ``rows`` as kernel rows (times from the plan; their
    planned last mile ``last_mile_s``)."""
    network = inputs.network
    o = inputs.order_origin[rows]
    d = inputs.order_destination[rows]
    f = inputs.order_flight[rows]
    created = inputs.order_created_s[rows]
    launch = inputs.flight_launch_s[f]
    duration = inputs.flight_duration_s[f]
    landing = launch + duration
    port = inputs.order_port_s[rows]
    inspection = inputs.order_inspection_s[rows]
    handling = network.handling_s[o]
    rocket = network.rocket
    zeros = np.zeros(rows.size)
    return Routes(
        origin=o.astype(np.intp),
        destination=d.astype(np.intp),
        ground=np.zeros(rows.size, dtype=bool),
        vessel=inputs.order_vessel[rows],
        drone=np.zeros(rows.size, dtype=bool),
        total_s=inputs.order_planned_s[rows] - created - inspection,
        handling_s=handling,
        wait_s=launch - created - handling,
        coast_s=duration - rocket.ascent_s - rocket.descent_s,
        boat_s=port - landing,
        last_mile_s=last_mile_s,
        last_mile_km=zeros,
        range_km=zeros,
        launch_s=launch,
        nearest_port_s=zeros,
    )


def planned_route_p(
    inputs: SimInputs,
    rows: NDArray[np.intp],
    conditions: PromiseConditions,
    *,
    stock: NDArray[np.bool_] | None = None,
) -> NDArray[np.float64]:
    """The one decision's P(on time) of rocket orders ``rows`` on their planned route (the
    flight they are planned on, its launch and landing; the boat way where grounded drones
    would send a vessel parcel) under ``conditions``, counting the fallback from ``stock``."""
    network = inputs.network
    last_mile = _planned_last_mile_s(inputs, rows)
    drone_way = network.drone.vessel_transfer_min * 60.0 + last_mile
    boat_way = inputs.order_port_instead_s[rows] + inputs.order_last_mile_instead_s[rows]
    vessel = inputs.order_vessel[rows]
    return kernel_p_on_time(
        network,
        _kernel_rows(inputs, rows, last_mile),
        conditions,
        promise_s=network.promise.one_hour_s,
        inspection_s=inputs.order_inspection_s[rows],
        # The plan's odds (0 where no border is crossed): what the promise counted.
        inspection_p=inputs.order_inspection_p[rows],
        stock=stock,
        grounded_extra_s=np.where(vessel, np.maximum(boat_way - drone_way, 0.0), np.inf),
    )


def dispatcher_promises(
    inputs: SimInputs,
    conditions: Conditions,
    p_planned: NDArray[np.float64] | None = None,
    *,
    fallbacks: bool = False,
) -> DispatcherPromises:
    """Re-make the promise of every rocket order placed under a front or a closed site.

    Parameters
    ----------
    conditions
        The replicate's weather and sea (the engine's, drawn from the same seeds).
    p_planned
        The plan's P(on time) per order (default: ``inputs.order_p_on_time``).
    fallbacks
        Count the ``other_hub`` fallback (:mod:`rocketpost.promise.fallbacks`) from the hubs
        holding each order's stock (``inputs.order_stock``; ``None``: every hub), as the
        replicate's policy executes it.
    """
    network = inputs.network
    n = inputs.n_orders
    p = np.array(inputs.order_p_on_time if p_planned is None else p_planned, dtype=np.float64)
    # A plan promised by the flat buffer (no P recorded) is simulated as it was promised.
    rocket = np.flatnonzero(
        (inputs.order_mode == Mode.ROCKET) & (inputs.order_flight >= 0) & np.isfinite(p)
    )
    reconsidered = np.zeros(n, dtype=bool)
    metocean = conditions.rates.metocean
    for i in rocket.tolist():
        t = float(inputs.order_created_s[i])
        o, d = int(inputs.order_origin[i]), int(inputs.order_destination[i])
        reconsidered[i] = conditions.in_front(o, t) or conditions.open_zone(d, t) != PRIMARY_ZONE
    # Vessel orders: grounded likelier from the wind and waves seen than from an undeclared
    # site's (every such order at once: the rule is elementwise).
    vessel = rocket[~reconsidered[rocket] & inputs.order_vessel[rocket]]
    if vessel.size:
        created = inputs.order_created_s[vessel]
        z_now = np.array(
            [
                driver_now(metocean, *conditions.metocean.at(int(d), float(t)))
                for d, t in zip(inputs.order_destination[vessel], created, strict=True)
            ]
        )
        flight = inputs.order_flight[vessel]
        landing = inputs.flight_launch_s[flight] - created + inputs.flight_duration_s[flight]
        seen = grounded_p(metocean, network.drone, z_now, landing)
        undeclared = grounded_p(metocean, network.drone, np.full(vessel.size, math.nan), landing)
        reconsidered[vessel] = seen > undeclared
    rows = np.flatnonzero(reconsidered)
    stock = (
        np.ones(len(network.hubs), dtype=bool) if inputs.order_stock is None else inputs.order_stock
    )
    # One seen_at per minute of order time (the fronts and seas change over hours).
    minutes = np.floor(inputs.order_created_s[rows] / 60.0)
    for minute in np.unique(minutes).tolist():
        group = rows[minutes == minute]
        p[group] = planned_route_p(
            inputs,
            group,
            conditions.seen_at(minute * 60.0, inputs.order_destination[group].tolist()),
            stock=None if not fallbacks else stock if stock.ndim == 1 else stock[group],
        )
    promised = np.ones(n, dtype=bool)
    target = float(network.promise.confidence)
    promised[rows] = meets_confidence(np.nan_to_num(p[rows], nan=0.0), target)
    return DispatcherPromises(promised=promised, p_on_time=p, reconsidered=reconsidered)
