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
made (:mod:`rocketpost.promise.kernelrows`), so a 200,000-order day builds one model per
(origin, site, boat, last mile, odds) and not per order. Given the hubs holding each row's
stock it counts the fallback of the default re-planning policy: :func:`fallback_terms`, the one
rule the planner, the simulator's dispatcher and (one row at a time, with its percentiles:
:mod:`rocketpost.promise.fallback_promise`) quotes, bookings and ``rocketpost eta`` read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.networklegs import NetworkLegs, network_legs
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
from rocketpost.promise.kernelrows import (
    QUANTUM_S,
    KernelRows,
    declared_arrays,
    kernel_rows,
    row_shapes,
)
from rocketpost.promise.onset import onset_survival
from rocketpost.promise.percondition import by_identity
from rocketpost.promise.waves import waves_lost_pmf

__all__ = [
    "QUANTUM_S",
    "FallbackTerms",
    "fallback_terms",
    "kernel_p_on_time",
    "meets_confidence",
    "p_on_time",
    "shape_of",
    "shaped_distribution",
]


def meets_confidence(p_on_time: ArrayLike, target: float) -> NDArray[np.bool_]:
    """The rule: the hour is promised iff ``P(on time) ≥ target`` (scalars or arrays)."""
    return np.asarray(np.asarray(p_on_time, dtype=np.float64) >= target)


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
    rows = kernel_rows(
        network,
        conditions,
        routes,
        inspection_s=inspection_all[candidate],
        inspection_p=None
        if inspection_p is None
        else np.broadcast_to(np.asarray(inspection_p, float), (n,))[candidate],
        cross_border=np.broadcast_to(np.asarray(cross_border, dtype=bool), (n,))[candidate],
        grounded_extra_s=np.broadcast_to(np.asarray(grounded_extra_s, dtype=np.float64), (n,))[
            candidate
        ],
    )
    p = _rows_p_on_time(network, conditions, rows, promise_s)
    if stock is not None:
        held = np.asarray(stock, dtype=bool)
        held = held[candidate] if held.ndim == 2 else held
        terms = fallback_terms(network, conditions, rows, held, routes.launch_s)
        p = terms.counted(p, promise_s)
    elif conditions.onsets:  # fronts and closures that start after the promise
        rocket = rows.rocket
        p[rocket] *= onset_survival(
            network,
            conditions,
            rows.origin[rocket],
            rows.destination[rocket],
            rows.launch_s[rocket],
            rows.landing_s[rocket],
        )
    out[candidate] = p
    return out


def _rows_p_on_time(
    network: Network, conditions: Conditions, rows: KernelRows, promise_s: float
) -> NDArray[np.float64]:
    """P(on time) of ``rows`` (no onsets, no fallback), one distribution per distinct shape."""
    shapes, which = row_shapes(network, conditions, rows)
    return p_on_time(shapes, which, rows.fixed_s, promise_s)


@dataclass(frozen=True, eq=False)
class FallbackTerms:
    """The fallback each kernel row counts (:func:`fallback_terms`), at any promise.

    ``rows`` are the rows (of those given) with a fallback and ``hub`` its hub; per such row,
    the route that stays (the origin's front cleared before the planned wave) and the route
    from the fallback hub, each as ``(shapes, which, fixed_s)`` of :func:`p_on_time`;
    ``triggered`` (``q``), the fallback hub's onset ``survival`` and the site's
    ``sea_survival``. ``alone_survival`` is, per row given, what multiplies the primary's
    P(on time) where no fallback is counted (the onsets; 1 without them).
    """

    rows: NDArray[np.intp]
    hub: NDArray[np.intp]
    stay: tuple[list[DeliveryModel], NDArray[np.intp], NDArray[np.float64]]
    fallback: tuple[list[DeliveryModel], NDArray[np.intp], NDArray[np.float64]]
    triggered: NDArray[np.float64]
    survival: NDArray[np.float64]
    sea_survival: NDArray[np.float64]
    alone_survival: NDArray[np.float64]

    def p_within(self, t_s: float) -> NDArray[np.float64]:
        """P(delivered within ``t_s``) of ``rows``, the fallback counted
        (:func:`fallbacks.mixture`)."""
        stay = p_on_time(*self.stay, t_s)
        moved = p_on_time(*self.fallback, t_s)
        mixed = fallbacks.mixture(stay, moved, self.triggered, fallback_survival=self.survival)
        return np.asarray(mixed * self.sea_survival)

    def row_cdf(self, k: int) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
        """``t ↦ P(T ≤ t)`` of the ``k``-th row of ``rows`` (for its quantiles: the two
        distributions are looked up once)."""
        (stay, stay_fixed), (moved, moved_fixed) = (
            (shaped_distribution(shapes[int(which[k])]), float(fixed[k]))
            for shapes, which, fixed in (self.stay, self.fallback)
        )
        q, survival, sea = self.triggered[k], self.survival[k], self.sea_survival[k]

        def cdf(t_s: NDArray[np.float64]) -> NDArray[np.float64]:
            t = np.asarray(t_s, dtype=np.float64)
            mixed = fallbacks.mixture(
                stay.p_within_many(t - stay_fixed),
                moved.p_within_many(t - moved_fixed),
                q,
                fallback_survival=survival,
            )
            return np.asarray(mixed * sea)

        return cdf

    def counted(self, p_primary: NDArray[np.float64], promise_s: float) -> NDArray[np.float64]:
        """``p_primary`` (one per row given) with the fallbacks and onsets counted."""
        p = p_primary * self.alone_survival
        if self.rows.size:
            p[self.rows] = self.p_within(promise_s)
        return p


@by_identity
def _legs(network: Network) -> NetworkLegs:
    """The network's legs, found by the network's identity (not its hash: see
    :mod:`rocketpost.promise.percondition`)."""
    return network_legs(network)


def fallback_terms(
    network: Network,
    conditions: Conditions,
    rows: KernelRows,
    stock: NDArray[np.bool_],
    launch_at_s: NDArray[np.float64],
) -> FallbackTerms:
    """Each rocket row's fallback (:mod:`rocketpost.promise.fallbacks`) and the onset survivals
    when ``conditions.onsets``: the one rule :func:`kernel_p_on_time` counts with ``stock``.

    The fallback is triggered when a front holds the planned wave: one over the origin now
    (:func:`fallbacks.trigger_p`) or, with onsets, one that starts before the wave. It flies
    from :func:`fallbacks.best_fallbacks` (re-picked at the planned wave, ``launch_at_s``) to
    the same site, with the same boat, inspection and last mile: its fixed seconds are the
    primary's shifted by the later landing. Rows landing at a closed site that holds flights
    count no fallback (it would wait for the same sea).
    """
    rocket, origin, destination = rows.rocket, rows.origin, rows.destination
    n = rocket.size
    front_mean, closed_at = declared_arrays(network, conditions)
    zeros = np.zeros(n)
    onsets = conditions.onsets
    origin_survival = sea_survival = both_survival = np.ones(n)
    if onsets:
        # The route alone survives both onsets as one rounded onset (what a quote and a row
        # without stock count: onset_survival over launch and landing); the fallback's mixture
        # needs the front's and the sea's apart.
        both_survival = onset_survival(
            network, conditions, origin, destination, rows.launch_s, rows.landing_s
        )
        origin_survival = onset_survival(
            network, conditions, origin, destination, rows.launch_s, zeros
        )
        sea_survival = onset_survival(
            network, conditions, origin, destination, zeros, rows.landing_s
        )
    q = np.where(rocket, fallbacks.trigger_p(rows.launch_s, front_mean[origin]), 0.0)
    triggered = 1.0 - (1.0 - q) * origin_survival
    alone = np.where(rocket, both_survival, 1.0)
    empty = (list[DeliveryModel](), np.zeros(0, dtype=np.intp), np.zeros(0))
    none = np.zeros(0, dtype=np.intp)
    terms = FallbackTerms(none, none, empty, empty, zeros[:0], zeros[:0], zeros[:0], alone)
    eligible = np.flatnonzero(rocket & ~closed_at[destination] & (triggered > 0.0))
    if eligible.size == 0:
        return terms
    # Epoch seconds of the order (0 when the kernel was given no ready time).
    at = np.asarray(launch_at_s, dtype=np.float64)[eligible]
    order_at = np.where(np.isfinite(at), at - rows.launch_s[eligible], 0.0)
    hub, fb_launch, fb_landing = fallbacks.best_fallbacks(
        _legs(network),
        origin[eligible],
        destination[eligible],
        order_at + rows.launch_s[eligible],
        stock if stock.ndim == 1 else stock[eligible],
        np.isnan(front_mean),  # no front over it now (forecast)
    )
    has = hub >= 0
    sub, fb = eligible[has], hub[has]
    if sub.size == 0:
        return terms
    stay_rows = replace(rows.take(sub), front=np.zeros(sub.size, dtype=bool))
    launch_fb = fb_launch[has] - order_at[has]
    landing_fb = fb_landing[has] - order_at[has]
    moved = replace(
        stay_rows,
        origin=fb,
        launch_s=launch_fb,
        landing_s=landing_fb,
        fixed_s=stay_rows.fixed_s + landing_fb - stay_rows.landing_s,
    )
    survival = np.ones(sub.size)
    if onsets:
        survival = onset_survival(
            network, conditions, fb, destination[sub], launch_fb, np.zeros(sub.size)
        )
    return FallbackTerms(
        rows=sub,
        hub=fb,
        stay=(*row_shapes(network, conditions, stay_rows), stay_rows.fixed_s),
        fallback=(*row_shapes(network, conditions, moved), moved.fixed_s),
        triggered=triggered[sub],
        survival=survival,
        sea_survival=sea_survival[sub],
        alone_survival=alone,
    )
