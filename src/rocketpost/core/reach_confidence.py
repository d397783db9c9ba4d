"""Reach at the network's confidence: a city counts when its promise holds at ``P(on time) ≥
promise.confidence``, under declared conditions or averaged over the weather climate.

:func:`reach_at_confidence` routes every city once through the door-to-door kernel (the fastest
route from the stock hubs in the result's mode, ordered at :data:`REACH_READY_S`, the worst
wave wait) and decides it by the one decision at a confidence
(:func:`rocketpost.promise.decision.kernel_p_on_time` and
:func:`~rocketpost.promise.decision.meets_confidence`), which groups the cities by the shape of
their distribution: a few hundred distributions for 34,000 cities, each cached per lane.

**Averaged over the climate** (``climate=True``). Each stock hub whose weather was not declared
is under a front a share ``f = WeatherModel.front_share`` of the time (the simulator's
stationary two-state Markov front: 18 % with the default rates) and otherwise in the climate's
front-free state (isolated holds at ``WeatherModel.isolated_scrub_p``). At a random moment a
front's remaining duration is exponential with the mean front duration (the front is
memoryless), which is what :class:`~rocketpost.promise.conditions.HubWeather` ``front`` assumes
by default. A city's route leaves from one hub, so its share of time promised is::

    share = (1 − f) · [P(on time | no front) ≥ target] + f · [P(on time | front) ≥ target]

(0 or 1 for a ground route or one from a declared hub), and the population-weighted sum of the
shares is the **expected number of city people promised the hour at the confidence at a random
moment** (equally: the time-average of the population promised). The route is the kernel's
fastest, as a quote takes it: a city whose fastest hub is under a front is not counted as served
from another stock hub with a clear sky (re-routing is a fallback, not the quote's route), so
the average is a lower bound when several hubs hold the stock. Landing sites stay open (sea
closures are not averaged) and fronts that start after the order are not counted
(``Conditions.onsets``), as a quote makes the promise.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from rocketpost.core.doortodoor import KernelOptions, ParcelRows, door_to_door, network_legs
from rocketpost.core.eligibility import exceeds_rocket
from rocketpost.core.eta import DEFAULT_PARCEL, Parcel, WaveWait
from rocketpost.core.reach import ReachResult, _areas
from rocketpost.core.routes import Routes
from rocketpost.customs.rules import same_customs_territory
from rocketpost.errors import InputError
from rocketpost.promise.conditions import Conditions, HubWeather, Weather
from rocketpost.promise.decision import kernel_p_on_time, meets_confidence

__all__ = ["REACH_READY_S", "ConfidenceRule", "reach_at_confidence"]

REACH_READY_S = 1_795_651_200.0 + 1.0
"""Order time of :func:`reach_at_confidence`: one second after a midnight (UTC), when every
hub's wave has just left (waves are whole multiples of their interval from the epoch): the
worst wave wait, so that the reach holds at any hour."""


@dataclass(frozen=True)
class ConfidenceRule:
    """How reach decides at the confidence: the conditions, and whether the undeclared stock
    hubs' weather is averaged over the climate (see the module docstring).

    Attributes
    ----------
    conditions
        Declared weather (and the climate's rates, ``conditions.rates``).
    climate
        Average each undeclared stock hub over front / no front at the climate's stationary
        shares (else: undeclared hubs are in the climate's front-free state, as a quote
        assumes them).
    ready_s
        Order time of every city (default: the worst wave wait).
    parcel
        Parcel size (drone eligibility, and whether it may fly at all).
    """

    conditions: Conditions = dataclasses.field(default_factory=Conditions)
    climate: bool = False
    ready_s: float = REACH_READY_S
    parcel: Parcel = DEFAULT_PARCEL

    def __post_init__(self) -> None:
        if not isinstance(self.conditions, Conditions):
            raise InputError("conditions", self.conditions, "must be a Conditions")
        if not isinstance(self.climate, bool):
            raise InputError("climate", self.climate, "must be true or false")
        if not np.isfinite(self.ready_s):
            raise InputError("ready_s", self.ready_s, "must be a finite epoch second")


def _candidates(result: ReachResult, rule: ConfidenceRule) -> NDArray[np.intp]:
    """The cities whose delivery at ``rule.ready_s`` may fit the threshold; only these are
    routed again.

    An exact wave wait is in ``[0, interval)`` and a policy's is in ``[0, interval]``, so no
    route ordered at any time beats ``result.best_s`` (the same parcel, the same Earth) by more
    than the longest wave interval of the stock hubs. Otherwise every city.
    """
    n = len(result.cities)
    if rule.parcel != result.parcel or not result.rotating:
        return np.arange(n)
    network = result.network
    hubs = [network.hub_index(h) for h in result.stock_hubs]
    margin_s = float(np.max(network.launch_wave_interval_s[hubs])) + 1.0
    return np.flatnonzero(result.best_s - margin_s <= result.threshold_min * 60.0)


def _routes(result: ReachResult, rule: ConfidenceRule, rows: NDArray[np.intp]) -> Routes:
    """The kernel's fastest route to the cities ``rows`` in the result's mode, ordered at
    ``rule.ready_s``."""
    network = result.network
    cities = result.cities
    legs = network_legs(network)
    parcel = rule.parcel
    heavy = bool(exceeds_rocket(network, parcel.mass_kg, parcel.volume_m3))
    return door_to_door(
        legs,
        ParcelRows(
            cities.lat_deg[rows],
            cities.lon_deg[rows],
            ready_s=np.full(rows.size, float(rule.ready_s)),
            drone_ok=bool(legs.drone_fits(parcel.mass_kg, parcel.volume_m3)),
            may_fly=False if heavy or result.mode == "ground" else None,
        ),
        KernelOptions(
            origins=legs.origin_indices(list(result.stock_hubs)),
            allow_ground=result.mode != "rocket",
            per_origin=rows.size == 1,  # keep the row axis of a single city
            reach=False,
        ),
    )


def _cross_border(result: ReachResult, routes: Routes, rows: NDArray[np.intp]) -> NDArray[np.bool_]:
    """Per routed city: its route crosses a customs border (only then can it be inspected)."""
    hub_country = np.array([h.country for h in result.network.hubs])[routes.origin]
    country = result.cities.country_code.astype(str)[rows]
    pairs = np.char.add(np.char.add(hub_country, ">"), country)
    unique, which = np.unique(pairs, return_inverse=True)
    crossing = np.array(
        [not same_customs_territory(*pair.split(">")) for pair in unique.tolist()], dtype=bool
    )
    return np.asarray(crossing[which.reshape(-1)])


def _under_fronts(result: ReachResult, conditions: Conditions) -> Conditions:
    """``conditions`` with every undeclared stock hub under a front of the climate's mean."""
    for hub_id in result.stock_hubs:
        if not conditions.declared(hub_id):
            conditions = conditions.with_hub(hub_id, HubWeather(Weather.FRONT))
    return conditions


def reach_at_confidence(
    result: ReachResult,
    conditions: Conditions | ConfidenceRule,
    *,
    climate: bool = False,
    ready_s: float = REACH_READY_S,
    parcel: Parcel = DEFAULT_PARCEL,
) -> ReachResult:
    """``result``'s cities covered when the promise holds at the network's confidence.

    Parameters
    ----------
    result
        A reach (:func:`~rocketpost.core.reach.compute_reach`): its cities, stock hubs, mode
        (``any``, ``rocket`` or ``ground``) and threshold are kept; the times of the cities that
        may fit the threshold are replaced by those of the kernel's routes ordered at
        ``ready_s`` (the others, beyond reach whatever the order time, keep the result's).
    conditions
        What operations declared (the rest is the climate), or a whole
        :class:`ConfidenceRule` (then ``climate``, ``ready_s`` and ``parcel`` are its own).
    climate
        Average the undeclared stock hubs' weather over the climate (module docstring): each
        city then carries the share of time it is promised (``promised_share``) and the
        population covered is the expected population promised at a random moment.
    ready_s, parcel
        Order time (default: the worst wave wait) and parcel.

    Returns
    -------
    ReachResult
        With ``p_on_time`` per city (NaN where even the bare ETA misses the threshold),
        ``covered`` (promised at the confidence; over the climate: at least some of the time),
        ``promised_share`` over the climate, and ``rule``.
    """
    rule = (
        conditions
        if isinstance(conditions, ConfidenceRule)
        else ConfidenceRule(conditions, climate=climate, ready_s=ready_s, parcel=parcel)
    )
    network = result.network
    target = float(network.promise.confidence)
    rows = _candidates(result, rule)
    if rows.size == 0:  # nothing may fit: route one city all the same, for the shapes below
        rows = np.arange(min(1, len(result.cities)))
    routes = _routes(result, rule, rows)
    if rows.size == 1:  # per_origin kept the row axis: the best origin of the one city
        best = int(np.argmin(routes.total_s[:, 0]))
        one = slice(best, best + 1)
        routes = Routes(**{f.name: getattr(routes, f.name)[one] for f in fields(routes)})
    border = _cross_border(result, routes, rows)
    promise_s = result.threshold_min * 60.0
    n = len(result.cities)

    def promised(under: Conditions) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        p = np.full(n, np.nan)
        p[rows] = kernel_p_on_time(network, routes, under, promise_s=promise_s, cross_border=border)
        return p, meets_confidence(np.nan_to_num(p, nan=0.0), target)

    p, covered = promised(rule.conditions)
    share = None
    if rule.climate:
        _, covered_in_front = promised(_under_fronts(result, rule.conditions))
        front = rule.conditions.rates.weather.front_share
        share = (1.0 - front) * covered + front * covered_in_front
        covered = share > 0.0
    countries, continents = _areas(result.cities, covered if share is None else share)
    best_s, origin = result.best_s.copy(), result.best_origin.copy()
    destination, mode = result.best_destination.copy(), result.best_mode.copy()
    best_s[rows] = routes.total_s
    origin[rows] = routes.origin
    destination[rows] = routes.destination
    mode[rows] = np.where(routes.ground, "ground", "rocket")
    return dataclasses.replace(
        result,
        best_s=best_s,
        best_origin=origin,
        best_destination=destination,
        best_mode=mode,
        covered=covered,
        countries=countries,
        continents=continents,
        wave_wait=WaveWait.WORST if rule.ready_s == REACH_READY_S else result.wave_wait,
        p_on_time=p,
        promised_share=share,
        rule=rule,
    )
