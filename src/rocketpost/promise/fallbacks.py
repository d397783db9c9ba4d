"""Fallbacks that keep promises: which exist for an order, and what they add to P(on time).

When a front sits over an order's origin hub, its planned wave is scrubbed unless the front
clears first. The re-planning policy (:class:`rocketpost.simulation.replan.ReplanPolicy`, by
default ``other_hub``) then re-picks the parcels at another hub and flies them from there, to
the same landing site; the next pad slot or wave at the origin is already the distribution's
wave count. This module is the one rule of that fallback, for the promise and the simulator:

* :func:`may_stand_in` — hub ``j`` may stand in for hub ``o`` when both are in the same country
  (the parcel's export declaration and duties were made for that country) and ``j ≠ o``;
* :func:`best_fallbacks` — of the hubs that may stand in, hold the order's stock and are usable
  (not under a front now: a front is forecast, an isolated hold is not; the simulator adds "has
  a spare airframe"), the one whose next wave after re-picking (``handling``) lands first, with
  the kernel's own legs (:func:`rocketpost.core.networklegs.network_legs`: handling, the wave
  rule :func:`~rocketpost.core.networklegs.next_wave_s`, the flight to the site);
* :func:`trigger_p` — P(the fallback is triggered): the origin's front still holds the planned
  wave, ``P(R > t_L) = 1 − P(no wave lost to the front)`` for a remaining front
  ``R ~ Exp(μ)`` (from :func:`~rocketpost.promise.waves.waves_lost_pmf`, the
  distribution's own rule);
* :func:`mixture` — ``P(on time) = (1 − q)·P(primary on time | the front cleared before the
  wave) + q·P(fallback on time | triggered)``, with optional onset survivals.

**Correlation.** The simulator draws each hub's front as its own two-state Markov process from
its own draws (:class:`rocketpost.simulation.conditions.Conditions`): fronts at two hubs are
independent, even at hubs 170 km apart. The mixture matches that: given the conditions stated
now (the fallback hub is not under a front), the fallback's own waves are lost only to its
isolated holds, whatever the origin's front does. A real front spans a weather region and
would hit neighbouring hubs together; a weather model with regional fronts would make the
fallback worth less, and this module would have to condition on it.

Not counted: a fallback hub that falls under a front between the order and the re-pick is
counted as late only when ``Conditions.onsets`` is on (its survival multiplies the fallback);
a second fallback (the next hub after the best one) and the simulator's "no spare airframe"
are not counted (both conservative or rare; see docs/promise.md).
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.networklegs import NetworkLegs, next_wave_s
from rocketpost.network import Network
from rocketpost.promise.distribution import DeliveryModel, delivery_distribution
from rocketpost.promise.percondition import by_identity
from rocketpost.promise.waves import waves_lost_pmf

__all__ = [
    "best_fallbacks",
    "may_stand_in",
    "mixture",
    "p_on_time_with_fallback",
    "trigger_p",
    "without_front",
]


@by_identity  # hashing a network walks every hub and site: a quote cannot afford it
def _stand_in(network: Network) -> NDArray[np.bool_]:
    country = np.array([hub.country for hub in network.hubs])
    out = country[:, None] == country[None, :]
    np.fill_diagonal(out, False)
    out.flags.writeable = False
    return out


def may_stand_in(network: Network) -> NDArray[np.bool_]:
    """``(hubs, hubs)``: hub ``j`` (column) may fly the parcels of hub ``o`` (row): same
    country (the export declaration and duties stay valid), ``j ≠ o``. Read-only, cached."""
    return _stand_in(network)


def best_fallbacks(
    legs: NetworkLegs,
    origin: ArrayLike,
    site: ArrayLike,
    scrub_at_s: ArrayLike,
    stock: ArrayLike,
    usable: ArrayLike,
) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.float64]]:
    """Per row, the hub that would fly the parcels when the origin's wave at ``scrub_at_s``
    (epoch seconds) is scrubbed by a front: ``(hub or -1, launch_s, landing_s)``.

    Parameters
    ----------
    origin, site
        The row's origin hub and landing site (the fallback lands at the same site).
    stock
        ``(rows, hubs)`` or ``(hubs,)``: hubs holding the row's goods.
    usable
        ``(rows, hubs)`` or ``(hubs,)``: hubs that can fly now (not under a front; the
        simulator adds a spare airframe).

    The launch is the hub's first wave after re-picking (``scrub_at_s + handling``), the landing
    that plus the flight to ``site``; the earliest landing wins (ties: the lower hub index).
    """
    o = np.atleast_1d(np.asarray(origin, dtype=np.intp))
    d = np.atleast_1d(np.asarray(site, dtype=np.intp))
    n, h = o.size, legs.hub_count
    at = np.broadcast_to(np.asarray(scrub_at_s, dtype=np.float64), (n,))
    launch = next_wave_s(at[:, None] + legs.handling_s[None, :], legs.interval_s[None, :])
    landing = launch + legs.touchdown_s[:, d].T  # (rows, hubs); inf: out of reach or own zone
    ok = (
        may_stand_in(legs.network)[o]
        & np.broadcast_to(np.asarray(stock, dtype=bool), (n, h))
        & np.broadcast_to(np.asarray(usable, dtype=bool), (n, h))
        & np.isfinite(landing)
    )
    landing = np.where(ok, landing, np.inf)
    best = np.argmin(landing, axis=1) if h else np.zeros(n, dtype=np.intp)
    rows = np.arange(n)
    found = ok[rows, best] if h else np.zeros(n, dtype=bool)
    return (
        np.where(found, best, -1).astype(np.intp),
        np.where(found, launch[rows, best], np.nan),
        np.where(found, landing[rows, best], np.nan),
    )


def without_front(model: DeliveryModel) -> DeliveryModel:
    """The route had the origin's front cleared before its planned wave."""
    return replace(model, front_mean_s=None)


def trigger_p(launch_offset_s: ArrayLike, front_mean_s: ArrayLike) -> NDArray[np.float64]:
    """P(the origin's front still holds the planned wave ``launch_offset_s`` after the order):
    the fallback is triggered at that wave. NaN ``front_mean_s``: no front, 0."""
    offset = np.asarray(launch_offset_s, dtype=np.float64)
    mean = np.asarray(front_mean_s, dtype=np.float64)
    offset, mean = np.broadcast_arrays(offset, mean)
    out = np.zeros(offset.shape)
    front = ~np.isnan(mean)
    if not front.any():  # no front anywhere: nothing to trigger (the common case, no loop)
        return out
    if out.size == 1:  # one route (a quote): no grouping
        out[front] = _front_holds_first_wave(float(offset[front][0]), float(mean[front][0]))
        return out
    pairs, which = np.unique(
        np.column_stack([offset[front], mean[front]]), axis=0, return_inverse=True
    )
    values = np.array([_front_holds_first_wave(float(a), float(b)) for a, b in pairs])
    out[front] = values[which.reshape(-1)]
    return out


@lru_cache(maxsize=4096)
def _front_holds_first_wave(launch_offset_s: float, front_mean_s: float) -> float:
    """``1 − P(no wave lost to the front)``, from the distribution's own wave count."""
    front_only = DeliveryModel(
        fixed_s=0.0,
        wave_interval_s=600.0,  # any: only the planned wave (n = 0) is read
        launch_offset_s=launch_offset_s,
        landing_offset_s=launch_offset_s,
        scrub_p=0.0,
        front_mean_s=front_mean_s,
        sea_closed_mean_s=None,
        boat_s=0.0,
        detour_s=0.0,
        boat_sigma=0.0,
        inspection_p=0.0,
        inspection_median_s=0.0,
        inspection_sigma=0.0,
        last_mile_s=0.0,
        last_mile_sigma=0.0,
    )
    return float(1.0 - waves_lost_pmf(front_only, 0)[0])


def mixture(
    p_stay: ArrayLike,
    p_fallback: ArrayLike,
    triggered_p: ArrayLike,
    *,
    fallback_survival: ArrayLike = 1.0,
) -> NDArray[np.float64]:
    """``(1 − q)·P(stay on time) + q·S·P(fallback on time)``: the promise counting its fallback.

    ``p_stay`` is P(on time) given the fallback was not triggered (the origin's front cleared
    before the planned wave), ``triggered_p`` is ``q``, ``fallback_survival`` ``S`` the
    fallback hub's chance of no front onset before its launch (1 without onsets). A row
    without a fallback passes ``p_fallback = 0``.
    """
    q = np.asarray(triggered_p, dtype=np.float64)
    fallback = np.asarray(p_fallback, dtype=np.float64) * np.asarray(fallback_survival, float)
    return np.asarray((1.0 - q) * np.asarray(p_stay, dtype=np.float64) + q * fallback)


def p_on_time_with_fallback(
    primary: DeliveryModel, fallback: DeliveryModel | None, promise_s: float
) -> float:
    """P(on time) of one route under a front at its origin, counting its fallback.

    ``fallback`` is the route from the fallback hub, its launch and landing offsets and its
    fixed seconds those of the re-pick after the primary's planned wave (see
    :func:`best_fallbacks`), with the fallback hub's own weather (not under a front).
    ``None``: no fallback exists; the primary's own distribution (so too when the landing site
    is closed and holds flights: the fallback would wait for the same sea).
    """
    if fallback is None or primary.front_mean_s is None or primary.sea_closed_mean_s is not None:
        return delivery_distribution(primary).p_within(promise_s)
    assert primary.launch_offset_s is not None
    q = trigger_p(primary.launch_offset_s, primary.front_mean_s)
    stay = delivery_distribution(without_front(primary)).p_within(promise_s)
    return float(mixture(stay, delivery_distribution(fallback).p_within(promise_s), q))
