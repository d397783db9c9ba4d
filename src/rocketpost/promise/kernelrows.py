"""Kernel rows as the one decision reads them (:mod:`rocketpost.promise.decision`).

:func:`kernel_rows` turns N rows of the door-to-door kernel (:class:`rocketpost.core.routes.
Routes`) into the offsets and random legs a promise depends on; :func:`row_shapes` groups them
by their distinct shapes (everything random, fixed seconds apart) before any model is made, so a
200,000-order day builds one model per (origin, site, boat, last mile, odds) and not per order.
The fallback of :mod:`rocketpost.promise.fallbacks` moves rows to another hub and asks for their
shapes again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from rocketpost.core.routes import Routes
from rocketpost.network import Network
from rocketpost.promise.conditions import Conditions
from rocketpost.promise.distribution import DeliveryModel
from rocketpost.promise.percondition import per_conditions
from rocketpost.promise.recovery import kernel_shifts

__all__ = [
    "QUANTUM_S",
    "KernelRows",
    "declared_arrays",
    "kernel_rows",
    "row_shapes",
    "unplanned_inspection_p",
]

QUANTUM_S = 15.0
"""The boat and the last mile are rounded *up* to whole multiples of this (s) before a shape is
made: a promise is at worst 15 s more cautious, and a day's parcels share a few thousand
shapes instead of one each (50,000 orders of the rocket-hour preset: 7,680 → ~2,000)."""


@per_conditions
def declared_arrays(
    network: Network, conditions: Conditions
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """``(front mean seconds per hub, NaN where none; closed and holding, per site)``: the
    declared fronts and closed seas, cached per conditions (read-only)."""
    front = np.array(
        [conditions.front_mean_s(h) or np.nan for h in network.hub_ids], dtype=np.float64
    )
    # Only a declared site can be closed (an undeclared one is open): ask those alone.
    declared = conditions.sites
    closed = np.array(
        [s in declared and conditions.sea_closed_mean_s(s) is not None for s in network.site_ids]
    )
    front.flags.writeable = closed.flags.writeable = False
    return front, closed


def unplanned_inspection_p(
    conditions: Conditions,
    rocket: NDArray[np.bool_],
    cross_border: NDArray[np.bool_],
    inspection_s: NDArray[np.float64],
    inspection_p: NDArray[np.float64] | None,
) -> NDArray[np.float64]:
    """P(an unplanned customs inspection) per row: a rocket parcel that crosses a border and
    has no inspection already planned, at its screened odds (``None``: the conditions' base
    rate); 0 for every other row. The promise counts these odds and the planner records them
    (``outcomes.inspection_p``), so the simulator draws inspections at the very odds promised.
    """
    rocket = np.asarray(rocket, dtype=bool)
    odds = np.broadcast_to(
        np.asarray(conditions.customs_p if inspection_p is None else inspection_p, float),
        rocket.shape,
    )
    planned = np.asarray(inspection_s, dtype=np.float64) > 0
    return np.where(rocket & np.asarray(cross_border, dtype=bool) & ~planned, odds, 0.0)


def kernel_rows(
    network: Network,
    conditions: Conditions,
    routes: Routes,
    *,
    inspection_s: NDArray[np.float64],
    inspection_p: NDArray[np.float64] | None,
    cross_border: NDArray[np.bool_],
    grounded_extra_s: NDArray[np.float64],
) -> KernelRows:
    """The decision's view of ``routes`` (one value per row for every keyword; see
    :func:`rocketpost.promise.decision.kernel_p_on_time` for their meaning)."""
    inspection = np.asarray(inspection_s, dtype=np.float64)
    rocket = ~np.asarray(routes.ground, dtype=bool)
    odds = unplanned_inspection_p(conditions, rocket, cross_border, inspection, inspection_p)
    boat = np.where(rocket, routes.boat_s, 0.0)
    last_mile = np.asarray(routes.last_mile_s, dtype=np.float64)
    fixed = np.asarray(routes.total_s, dtype=np.float64) - boat - last_mile + inspection
    boat = np.ceil(boat / QUANTUM_S - 1e-9) * QUANTUM_S  # as shape_of rounds them
    last_mile = np.ceil(last_mile / QUANTUM_S - 1e-9) * QUANTUM_S
    launch = np.asarray(routes.handling_s + routes.wait_s, dtype=np.float64)
    rocket_spec = network.rocket
    landing = launch + rocket_spec.ascent_s + routes.coast_s + rocket_spec.descent_s
    return KernelRows(
        rocket=rocket,
        origin=np.asarray(routes.origin, dtype=np.intp),
        destination=np.asarray(routes.destination, dtype=np.intp),
        boat_s=boat,
        last_mile_s=last_mile,
        odds=odds,
        launch_s=launch,
        landing_s=landing,
        fixed_s=fixed,
        front=np.ones(rocket.size, dtype=bool),
        vessel=np.asarray(routes.vessel, dtype=bool),
        handling_s=np.asarray(routes.handling_s, dtype=np.float64),
        grounded_extra_s=np.asarray(grounded_extra_s, dtype=np.float64),
    )


@dataclass(frozen=True, eq=False)
class KernelRows:
    """Kernel rows as the decision reads them: offsets after the order, boat and last mile
    rounded to :data:`QUANTUM_S`; ``front``: whether the origin's declared front applies;
    ``vessel``, ``handling_s`` and ``grounded_extra_s`` for the recovery shifts
    (:func:`rocketpost.promise.recovery.kernel_shifts`)."""

    rocket: NDArray[np.bool_]
    origin: NDArray[np.intp]
    destination: NDArray[np.intp]
    boat_s: NDArray[np.float64]
    last_mile_s: NDArray[np.float64]
    odds: NDArray[np.float64]
    launch_s: NDArray[np.float64]
    landing_s: NDArray[np.float64]
    fixed_s: NDArray[np.float64]
    front: NDArray[np.bool_]
    vessel: NDArray[np.bool_]
    handling_s: NDArray[np.float64]
    grounded_extra_s: NDArray[np.float64]
    """Per row: how much later the boat way arrives when the vessel's drones are grounded."""

    def take(self, index: NDArray[np.intp]) -> KernelRows:
        return KernelRows(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


def row_shapes(
    network: Network, conditions: Conditions, rows: KernelRows
) -> tuple[list[DeliveryModel], NDArray[np.intp]]:
    """``(shapes, which)``: the distinct shapes of ``rows`` (no onsets, no fallback; their
    fixed seconds are ``rows.fixed_s``) and each row's index into them."""
    rocket, origin, destination = rows.rocket, rows.origin, rows.destination
    hub_ids, site_ids = network.hub_ids, network.site_ids
    front_mean, closed_at = declared_arrays(network, conditions)
    front_at = ~np.isnan(front_mean)
    front = rocket & rows.front & front_at[origin]
    with_offsets = rocket & (front | closed_at[destination])
    interval = np.asarray(network.launch_wave_interval_s, dtype=np.float64)
    landing, launch = rows.landing_s, rows.launch_s
    grounded, reflight = kernel_shifts(
        network, conditions, destination=destination, vessel=rocket & rows.vessel,
        landing_offset_s=landing, flight_s=landing - launch, handling_s=rows.handling_s,
        interval_s=interval[origin],
    )  # fmt: skip
    up = np.ceil(rows.grounded_extra_s / QUANTUM_S - 1e-9) * QUANTUM_S  # as shape_of rounds
    extra = np.where(np.isnan(up) | (grounded <= 0), math.inf, up)
    key = np.column_stack(
        [
            rocket,
            np.where(rocket, origin, -1),
            np.where(rocket, destination, -1),
            rows.boat_s,
            rows.last_mile_s,
            rows.odds,
            np.where(with_offsets, rows.launch_s, 0.0),
            np.where(with_offsets, rows.landing_s, 0.0),
            np.where(rocket, grounded, 0.0),
            extra,
            np.where(rocket, reflight, math.inf),
            front,
        ]
    ).astype(np.float64)
    unique, which = np.unique(key, axis=0, return_inverse=True)
    which = which.reshape(-1)
    boat_speed = float(network.boat.speed_kmh)
    shapes = []
    for row in unique:
        is_rocket, o, d = bool(row[0]), int(row[1]), int(row[2])
        hub = hub_ids[o] if is_rocket else ""
        site = site_ids[d] if is_rocket else ""
        shapes.append(
            DeliveryModel(
                fixed_s=0.0,
                wave_interval_s=float(interval[o]) if is_rocket else 600.0,
                launch_offset_s=float(row[6]) if is_rocket else None,
                landing_offset_s=float(row[7]) if is_rocket else None,
                scrub_p=conditions.scrub_p(hub) if is_rocket else 0.0,
                front_mean_s=conditions.front_mean_s(hub) if row[11] else None,
                sea_closed_mean_s=conditions.sea_closed_mean_s(site) if is_rocket else None,
                boat_s=float(row[3]),
                detour_s=conditions.detour_km(site) / boat_speed * 3600.0 if is_rocket else 0.0,
                boat_sigma=conditions.boat_spread,
                inspection_p=float(row[5]),
                inspection_median_s=conditions.rates.customs.median_delay_min * 60.0,
                inspection_sigma=conditions.rates.customs.sigma,
                last_mile_s=float(row[4]),
                last_mile_sigma=conditions.last_mile_spread,
                landing_loss_p=conditions.rates.landing.failure_p if is_rocket else 0.0,
                reflight_s=float(row[10]),
                grounded_p=float(row[8]),
                grounded_extra_s=float(row[9]),
            )
        )
    return shapes, which.astype(np.intp)
