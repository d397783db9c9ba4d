"""One route's promise counting its fallback: what a quote, a booking and ``rocketpost eta`` say.

The planner counts the fallback of the default re-planning policy through
:func:`rocketpost.promise.decision.kernel_p_on_time` (``stock=``); a quote, a booking and
``rocketpost eta`` decide one route and also answer its percentiles. Both read the same
:func:`~rocketpost.promise.decision.fallback_terms` (which hub, the trigger, the route that
stays and the route from the fallback hub): :func:`promise_with_fallback` evaluates that
mixture at the promise — the planner's very number — and searches its quantiles.

Cost: only a route whose fallback can be triggered (a front over its origin now, or with
onsets one that may start before its wave) and that has a fallback hub pays anything beyond
the stock mask: :func:`~rocketpost.promise.fallbacks.best_fallbacks` is O(hubs) NumPy, the
two routes' distributions come from the decision's caches (one per shape), the quantiles a
bracket search of a few vectorised evaluations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.routes import Routes
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.promise.conditions import Conditions
from rocketpost.promise.confidence import PromiseAtConfidence
from rocketpost.promise.decision import (
    FallbackTerms,
    fallback_terms,
    meets_confidence,
    shaped_distribution,
)
from rocketpost.promise.kernelrows import kernel_rows

__all__ = ["FallbackPromise", "promise_with_fallback", "stock_mask"]

_LEVELS = (0.5, 0.9, 0.99)


@dataclass(frozen=True)
class FallbackPromise:
    """One route's promise with its fallback counted (times in seconds after the order).

    ``hub`` is the hub that would fly the parcels if a front scrubs the origin's planned wave;
    ``triggered_p`` the chance it does; ``p_on_time`` and the percentiles are those of the
    mixture (:func:`rocketpost.promise.fallbacks.mixture`); ``kept``: ``p_on_time ≥ target``.
    """

    hub: str
    triggered_p: float
    p_on_time: float
    p50_s: float
    p90_s: float
    p99_s: float
    target: float
    kept: bool
    earliest_at_target_s: float

    def applied_to(self, primary: PromiseAtConfidence) -> PromiseAtConfidence:
        """``primary`` (the route's own answer) with this fallback counted: P(on time), the
        percentiles and the decision are the mixture's; what limits it stays the primary's
        (the origin's weather, typically) while the promise still fails."""
        return replace(
            primary,
            p_on_time=self.p_on_time,
            p50_s=self.p50_s,
            p90_s=self.p90_s,
            p99_s=self.p99_s,
            kept=self.kept,
            earliest_at_target_s=self.earliest_at_target_s,
            limiting_cause=None if self.kept else primary.limiting_cause,
            limiting_leg=None if self.kept else primary.limiting_leg,
            fallback_hub=self.hub,
        )


def stock_mask(
    network: Network, hub_ids: Sequence[str], field: str = "stock_hubs"
) -> NDArray[np.bool_]:
    """``(hubs,)``: the hubs of ``hub_ids`` (unknown or repeated ids: ``InputError`` on
    ``field``)."""
    index = {hub: i for i, hub in enumerate(network.hub_ids)}
    mask = np.zeros(len(index), dtype=bool)
    for hub in hub_ids:
        if hub not in index:
            raise InputError(field, hub, f"unknown hub; one of {', '.join(network.hub_ids)}")
        if mask[index[hub]]:
            raise InputError(field, hub, "is listed twice")
        mask[index[hub]] = True
    return mask


def promise_with_fallback(  # noqa: PLR0913 - one kernel row's facts, all keywords
    network: Network,
    route: Routes,
    conditions: Conditions,
    *,
    stock: ArrayLike,
    promise_s: float,
    target: float,
    inspection_s: float = 0.0,
    inspection_p: float | None = None,
    cross_border: bool = True,
    grounded_extra_s: float = math.inf,
) -> FallbackPromise | None:
    """The promise of one kernel row (``route``, one row) counting its fallback from the hubs
    in ``stock`` (``(hubs,)`` booleans); ``None`` when none is counted (a ground route, no
    trigger, no clear hub of the country holding the stock, or a closed site that holds
    flights): the route's own distribution then decides, as without stock.

    The keywords mean what they mean to :func:`rocketpost.promise.decision.kernel_p_on_time`.
    """
    if route.total_s.shape != (1,):
        raise InputError("route", route.total_s.shape, "must be one kernel row")
    rows = kernel_rows(
        network,
        conditions,
        route,
        inspection_s=np.array([float(inspection_s)]),
        inspection_p=None if inspection_p is None else np.array([float(inspection_p)]),
        cross_border=np.array([bool(cross_border)]),
        grounded_extra_s=np.array([float(grounded_extra_s)]),
    )
    terms = fallback_terms(network, conditions, rows, np.asarray(stock, dtype=bool), route.launch_s)
    if terms.rows.size == 0:
        return None
    p = float(terms.p_within(promise_s)[0])
    p50, p90, p99, at_target = _quantiles_s(terms, (*_LEVELS, target))
    return FallbackPromise(
        hub=network.hub_ids[int(terms.hub[0])],
        triggered_p=float(terms.triggered[0]),
        p_on_time=p,
        p50_s=p50,
        p90_s=p90,
        p99_s=p99,
        target=target,
        kept=bool(meets_confidence(p, target)),
        earliest_at_target_s=at_target,
    )


def _quantiles_s(terms: FallbackTerms, levels: tuple[float, ...]) -> list[float]:
    """The times the mixture of the first row reaches ``levels`` (to 0.5 s; ``inf`` if its
    horizon holds less): the bracket search of
    :meth:`~rocketpost.promise.distribution.DeliveryDistribution.quantiles_s`."""
    qs = np.asarray(levels, dtype=np.float64)
    ends = [
        (float(fixed[0]), shaped_distribution(shapes[int(which[0])]).horizon_s + float(fixed[0]))
        for shapes, which, fixed in (terms.stay, terms.fallback)
    ]
    low = np.full(qs.shape, min(a for a, _ in ends))
    high = np.full(qs.shape, max(b for _, b in ends))
    cdf = terms.row_cdf(0)
    beyond = cdf(high) < qs - 1e-12
    steps = np.linspace(0.0, 1.0, 65)
    rows = np.arange(qs.size)
    while float((high - low).max(initial=0.0)) > 0.5:
        grid = low[:, None] + (high - low)[:, None] * steps
        below = cdf(grid) < qs[:, None]
        first = np.minimum(below.sum(axis=1), 64)  # the CDF is monotone: count = index
        high = grid[rows, first]
        low = grid[rows, np.maximum(first - 1, 0)]
    return [float(x) for x in np.where(beyond, math.inf, high)]
