"""The one decision at a confidence: is the hour promised, for one route or a million.

A quote, a booking's search for a later wave with room, the planner's service choice,
``rocketpost eta`` and ``reach --confidence`` all decide here:

* :func:`p_on_time` — P(delivered within the promise) of routes, each a
  :class:`~rocketpost.promise.distribution.DeliveryModel` split into its *shape* (everything
  random, with ``fixed_s = 0``) and its fixed seconds. Routes of one shape share one distribution
  (``P(T ≤ D) = P(T − fixed ≤ D − fixed)``), cached: parcels to one city from one hub under the
  same conditions cost one FFT between them, a lane's repeated quotes one cache hit.
* :func:`meets_confidence` — the rule itself: ``P(on time) ≥ target``.

:func:`kernel_p_on_time` builds the shapes of N rows of the door-to-door kernel
(:class:`rocketpost.core.routes.Routes`) grouped by their distinct shapes before any model is
made, so a 200,000-order day builds one model per (origin, site, boat, last mile, odds) and
not per order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.networklegs import network_legs
from rocketpost.core.routes import Routes
from rocketpost.network import Network
from rocketpost.promise import fallbacks
from rocketpost.promise.conditions import Conditions
from rocketpost.promise.distribution import (
    HORIZON_S,
    NO_SHIFTS,
    DeliveryDistribution,
    DeliveryModel,
    delivery_distribution,
)
from rocketpost.promise.onset import onset_survival
from rocketpost.promise.recovery import kernel_shifts
from rocketpost.promise.waves import waves_lost_pmf

__all__ = [
    "kernel_p_on_time",
    "meets_confidence",
    "p_on_time",
    "shape_of",
    "shaped_distribution",
]


def meets_confidence(p_on_time: ArrayLike, target: float) -> NDArray[np.bool_]:
    """The rule: the hour is promised iff ``P(on time) ≥ target`` (scalars or arrays)."""
    return np.asarray(np.asarray(p_on_time, dtype=np.float64) >= target)


QUANTUM_S = 15.0
"""The boat and the last mile are rounded *up* to whole multiples of this (s) before a shape is
made: a promise is at worst 15 s more cautious, and a day's parcels share a few thousand
shapes instead of one each (50,000 orders of the rocket-hour preset: 7,680 → ~2,000)."""


def _up(seconds: float) -> float:
    return math.ceil(seconds / QUANTUM_S - 1e-9) * QUANTUM_S


def shape_of(model: DeliveryModel) -> tuple[DeliveryModel, float]:
    """``(shape, fixed_s)``: the model without its fixed seconds, and those seconds.

    The boat and the last mile are rounded up to :data:`QUANTUM_S`. Without a front or a closed
    sea the launch and landing offsets change nothing (isolated holds are per wave, whatever
    the time): they are zeroed so that every order of a lane shares a shape whatever its wave
    wait.
    """
    changes: dict[str, float | None] = {
        "fixed_s": 0.0,
        "boat_s": _up(model.boat_s),
        "last_mile_s": _up(model.last_mile_s),
    }
    if model.rocket and model.front_mean_s is None and model.sea_closed_mean_s is None:
        changes.update(launch_offset_s=0.0, landing_offset_s=0.0)
    return replace(model, **changes), model.fixed_s  # type: ignore[arg-type]


@lru_cache(maxsize=2048)
def _continuous(model: DeliveryModel) -> DeliveryDistribution:
    """The continuous legs (boat, inspection, last mile) alone: no wave is ever lost."""
    return delivery_distribution(model)


@lru_cache(maxsize=1024)
def _waves(model: DeliveryModel) -> NDArray[np.float64]:
    """``P(N = n)`` of the waves lost, its negligible tail trimmed (as the distribution does)."""
    max_waves = int(HORIZON_S // model.wave_interval_s) if model.rocket else 0
    waves = waves_lost_pmf(model, max_waves)
    nonzero = np.nonzero(np.cumsum(waves[::-1]) > 1e-12)[0]
    return waves[: max(1, len(waves) - (int(nonzero[0]) if nonzero.size else 0))]


@lru_cache(maxsize=2048)
def shaped_distribution(shape: DeliveryModel) -> DeliveryDistribution:
    """The distribution of one shape: :func:`~rocketpost.promise.distribution.
    delivery_distribution`'s mixture, with the wave count and the continuous legs cached apart
    (a continuous part is shared by every origin and site, a wave count by every lane of a hub).
    """
    calm = {"scrub_p": 0.0, "front_mean_s": None, "sea_closed_mean_s": None}
    rocket = shape.rocket
    continuous = _continuous(
        replace(
            shape,
            wave_interval_s=HORIZON_S,  # one wave: the continuous part alone, at no cost
            **NO_SHIFTS,
            launch_offset_s=0.0 if rocket else None,
            landing_offset_s=0.0 if rocket else None,
            **calm,  # type: ignore[arg-type]
        )
    )
    waves = _waves(
        replace(
            shape,
            boat_s=0.0,
            detour_s=0.0,
            last_mile_s=0.0,
            inspection_p=0.0,
            boat_sigma=0.0,
            last_mile_sigma=0.0,
            **NO_SHIFTS,
        )
    )
    return DeliveryDistribution(
        fixed_s=0.0,
        wave_interval_s=shape.wave_interval_s,
        wave_pmf=waves,
        bin_s=continuous.bin_s,
        continuous_cdf=continuous.continuous_cdf,
        **{k: getattr(shape, k) for k in NO_SHIFTS},
    )


def p_on_time(
    shapes: Sequence[DeliveryModel],
    which: NDArray[np.intp],
    fixed_s: NDArray[np.float64],
    promise_s: float,
) -> NDArray[np.float64]:
    """P(delivered within ``promise_s``) of rows ``i``: shape ``shapes[which[i]]`` plus
    ``fixed_s[i]`` seconds."""
    out = np.zeros(which.shape, dtype=np.float64)
    order = np.argsort(which, kind="stable")
    starts = np.searchsorted(which[order], np.arange(len(shapes) + 1))
    for k, shape in enumerate(shapes):
        rows = order[starts[k] : starts[k + 1]]
        if rows.size:
            dist = shaped_distribution(shape)
            out[rows] = dist.p_within_many(promise_s - fixed_s[rows])
    return out


def kernel_p_on_time(  # noqa: PLR0913 - per-row facts of the one decision, all keywords
    network: Network,
    routes: Routes,
    conditions: Conditions,
    *,
    promise_s: float,
    inspection_s: ArrayLike = 0.0,
    inspection_p: ArrayLike | None = None,
    cross_border: ArrayLike = True,
    stock: ArrayLike | None = None,
    grounded_extra_s: ArrayLike = math.inf,
) -> NDArray[np.float64]:
    """P(on time) of N kernel rows under ``conditions`` (see the module docstring); NaN for
    rows whose bare ETA (plus a known inspection) already exceeds ``promise_s``. With
    ``conditions.onsets``, rocket rows must also survive the fronts and sea closures that may
    start after the promise (:func:`rocketpost.promise.onset.onset_survival`).

    Parameters
    ----------
    routes
        The kernel's rows (``ground`` rows have the last mile as their only random leg).
    inspection_s
        A known inspection's seconds (fixed; no second draw of an unplanned one).
    inspection_p
        Per row, the odds of an unplanned inspection (screening's risk); default the
        conditions' ``customs_p``.
    cross_border
        Per row: only a cross-border rocket parcel can be inspected.
    stock
        ``(rows, hubs)`` (or ``(hubs,)``): the hubs holding each row's goods. Given, the
        promise counts the fallback of the default re-planning policy
        (:mod:`rocketpost.promise.fallbacks`): when a front over the origin scrubs the
        planned wave, another hub of the country with the stock and no front flies the
        parcels to the same site. ``None``: no fallback is counted.
    grounded_extra_s
        Per row of a vessel route: how much later the boat way arrives when the vessel's drones
        are grounded (default ``inf``: never on time; :mod:`rocketpost.promise.recovery`).
    """
    n = routes.total_s.shape[0]
    inspection_all = np.broadcast_to(np.asarray(inspection_s, dtype=np.float64), (n,))
    # Only rows whose bare ETA fits the promise can be on time at any confidence above one half
    # (the random legs have median factors of 1 and only add delays): the rest are NaN.
    candidate = np.flatnonzero(routes.total_s + inspection_all <= promise_s)
    out = np.full(n, np.nan)
    if candidate.size == 0:
        return out
    routes = Routes(**{f.name: getattr(routes, f.name)[candidate] for f in fields(routes)})
    inspection = inspection_all[candidate]
    rocket = ~np.asarray(routes.ground, dtype=bool)
    border = np.broadcast_to(np.asarray(cross_border, dtype=bool), (n,))[candidate]
    odds = np.broadcast_to(
        np.asarray(conditions.customs_p if inspection_p is None else inspection_p, float), (n,)
    )[candidate]
    odds = np.where(rocket & border & (inspection <= 0), odds, 0.0)
    boat = np.where(rocket, routes.boat_s, 0.0)
    last_mile = np.asarray(routes.last_mile_s, dtype=np.float64)
    fixed = np.asarray(routes.total_s, dtype=np.float64) - boat - last_mile + inspection
    boat = np.ceil(boat / QUANTUM_S - 1e-9) * QUANTUM_S  # as shape_of rounds them
    last_mile = np.ceil(last_mile / QUANTUM_S - 1e-9) * QUANTUM_S
    launch = np.asarray(routes.handling_s + routes.wait_s, dtype=np.float64)
    rocket_spec = network.rocket
    landing = launch + rocket_spec.ascent_s + routes.coast_s + rocket_spec.descent_s
    rows = _Rows(
        rocket=rocket,
        origin=np.asarray(routes.origin, dtype=np.intp),
        destination=np.asarray(routes.destination, dtype=np.intp),
        boat_s=boat,
        last_mile_s=last_mile,
        odds=odds,
        launch_s=launch,
        landing_s=landing,
        fixed_s=fixed,
        front=np.ones(candidate.size, dtype=bool),
        vessel=np.asarray(routes.vessel, dtype=bool),
        handling_s=np.asarray(routes.handling_s, dtype=np.float64),
        grounded_extra_s=np.broadcast_to(np.asarray(grounded_extra_s, dtype=np.float64), (n,))[
            candidate
        ],
    )
    p = _rows_p_on_time(network, conditions, rows, promise_s)
    if stock is not None:
        held = np.asarray(stock, dtype=bool)
        held = held[candidate] if held.ndim == 2 else held
        p = _counting_fallbacks(network, conditions, rows, p, held, routes.launch_s, promise_s)
    elif conditions.onsets:  # fronts and closures that start after the promise
        p[rocket] *= onset_survival(
            network,
            conditions,
            rows.origin[rocket],
            rows.destination[rocket],
            launch[rocket],
            landing[rocket],
        )
    out[candidate] = p
    return out


@dataclass(frozen=True, eq=False)
class _Rows:
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

    def take(self, index: NDArray[np.intp]) -> _Rows:
        return _Rows(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


def _rows_p_on_time(
    network: Network, conditions: Conditions, rows: _Rows, promise_s: float
) -> NDArray[np.float64]:
    """P(on time) of ``rows`` (no onsets, no fallback), one distribution per distinct shape."""
    rocket, origin, destination = rows.rocket, rows.origin, rows.destination
    hub_ids, site_ids = network.hub_ids, network.site_ids
    front_at = np.array([conditions.front_mean_s(h) is not None for h in hub_ids])
    closed_at = np.array([conditions.sea_closed_mean_s(s) is not None for s in site_ids])
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
    return p_on_time(shapes, which, rows.fixed_s, promise_s)


def _counting_fallbacks(
    network: Network,
    conditions: Conditions,
    rows: _Rows,
    p_primary: NDArray[np.float64],
    stock: NDArray[np.bool_],
    launch_at_s: NDArray[np.float64],
    promise_s: float,
) -> NDArray[np.float64]:
    """``p_primary`` with each rocket row's fallback counted (:func:`fallbacks.mixture`), and
    the onset survivals when ``conditions.onsets``.

    The fallback is triggered when a front holds the planned wave: one over the origin now
    (:func:`fallbacks.trigger_p`) or, with onsets, one that starts before the wave. It flies
    from :func:`fallbacks.best_fallbacks` (re-picked at the planned wave, ``launch_at_s``) to
    the same site, with the same boat, inspection and last mile: its fixed seconds are the
    primary's shifted by the later landing. Rows landing at a closed site that holds flights
    count no fallback (it would wait for the same sea).
    """
    rocket, origin, destination = rows.rocket, rows.origin, rows.destination
    n = rocket.size
    hub_ids = network.hub_ids
    front_mean = np.array([conditions.front_mean_s(h) or np.nan for h in hub_ids], dtype=float)
    closed_at = np.array([conditions.sea_closed_mean_s(s) is not None for s in network.site_ids])
    zeros = np.zeros(n)
    onsets = conditions.onsets
    origin_survival = sea_survival = np.ones(n)
    if onsets:
        origin_survival = onset_survival(
            network, conditions, origin, destination, rows.launch_s, zeros
        )
        sea_survival = onset_survival(
            network, conditions, origin, destination, zeros, rows.landing_s
        )
    q = np.where(rocket, fallbacks.trigger_p(rows.launch_s, front_mean[origin]), 0.0)
    triggered = 1.0 - (1.0 - q) * origin_survival
    p = p_primary.copy()
    eligible = np.flatnonzero(rocket & ~closed_at[destination] & (triggered > 0.0))
    if eligible.size:
        # Epoch seconds of the order (0 when the kernel was given no ready time).
        at = np.asarray(launch_at_s, dtype=np.float64)[eligible]
        order_at = np.where(np.isfinite(at), at - rows.launch_s[eligible], 0.0)
        hub, fb_launch, fb_landing = fallbacks.best_fallbacks(
            network_legs(network),
            origin[eligible],
            destination[eligible],
            order_at + rows.launch_s[eligible],
            stock if stock.ndim == 1 else stock[eligible],
            np.isnan(front_mean),  # no front over it now (forecast)
        )
        has = hub >= 0
        sub, fb = eligible[has], hub[has]
        if sub.size:
            stay_rows = rows.take(sub)
            stay_rows = replace(stay_rows, front=np.zeros(sub.size, dtype=bool))
            stay = _rows_p_on_time(network, conditions, stay_rows, promise_s)
            launch_fb = fb_launch[has] - order_at[has]
            landing_fb = fb_landing[has] - order_at[has]
            moved = replace(
                stay_rows,
                origin=fb,
                launch_s=launch_fb,
                landing_s=landing_fb,
                fixed_s=stay_rows.fixed_s + landing_fb - stay_rows.landing_s,
            )
            p_fallback = _rows_p_on_time(network, conditions, moved, promise_s)
            survival = np.ones(sub.size)
            if onsets:
                survival = onset_survival(
                    network, conditions, fb, destination[sub], launch_fb, np.zeros(sub.size)
                )
            p[sub] = fallbacks.mixture(stay, p_fallback, triggered[sub], fallback_survival=survival)
            p[sub] *= sea_survival[sub]
            rocket = rocket.copy()
            rocket[sub] = False  # done: the onsets below are for the rows without a fallback
    if onsets:
        p[rocket] *= origin_survival[rocket] * sea_survival[rocket]
    return p
