"""Fleet scheduling: physical airframes fly the packed flights, or the flights do not go.

Each airframe has an id, a location (hub), a count of flights flown and the time it is ready
again (landing + recovery + turnaround). An airframe that lands at a landing site without a pad
cannot launch from there: it is recovered to the site's port and shipped to the port of the
nearest hub (sea-lane distance from searoute at ``rocket.return_ship_speed_kmh``), where it is
ready after its turnaround; the days at sea are in the schedule (:attr:`FleetSchedule.
flight_return_s`) and in the plan's KPIs. Flights (bins) are served in launch order. A flight
takes a ready airframe at its origin; when there is none, an airframe at another hub that is
*spare* (its hub has more usable airframes than flights still waiting there) is repositioned,
provided it lands at the origin and finishes its reuse cycle before the launch. Otherwise the
flight's orders are downgraded with ``no_capacity``. An airframe is never used where it is not.
A flight planned days ahead may be held by the weather, so an airframe that flew counts as
ready again (:func:`ready_again_s`) only its flight's weather margin (:func:`weather_margin_s`)
after its cycle, a ferry's included.

When airframes are scarce, a light flight early in the day would take an airframe that a fuller
flight later needs: with ``reserve_for_fuller`` a flight is skipped when the hub has no more
usable airframes than it has fuller flights still to come within a day of it (not on the later
days of an orders file of several: their orders are not known on the day).

A lost landing's parcels are re-flown on a reserve airframe at the origin (what a promise counts:
:func:`rocketpost.promise.recovery.reflight_delay_s`), so the plan keeps ``held`` airframes out of
the schedule (:func:`reserve_mask`: ``reserve_airframes_per_hub`` of every hub, the readiest):
the simulator finds them as the hub's spares.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from rocketpost.core.eta import flight_matrix
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.planning.pads import PadBook
from rocketpost.promise.rates import Disruptions

__all__ = [
    "MARGIN_SHARE_OF_ROOM",
    "Airframe",
    "FleetSchedule",
    "home_ready_s",
    "initial_fleet",
    "longest_home_ready_s",
    "next_wave_s",
    "ready_again_s",
    "reserve_mask",
    "schedule_fleet",
    "site_returns",
    "weather_margin_s",
    "weather_wait_tail",
]

_S_PER_H = 3600.0  # km/h to seconds
_FULLER_HORIZON_S = 86_400.0
"""How far ahead ``reserve_for_fuller`` looks for a fuller flight: a day, the orders a plan
knows (a generated day's orders span ~50 h of UTC, its flights about one UTC day)."""


@lru_cache(maxsize=8)
def _sea_km(from_lat: float, from_lon: float, to_lat: float, to_lon: float) -> float:
    import searoute

    route = searoute.searoute([from_lon, from_lat], [to_lon, to_lat], units="km")
    return float(route["properties"]["length"])


@lru_cache(maxsize=16)
def site_returns(network: Network) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Per landing site: the hub an airframe landing there flies from next, and the seconds at
    sea to get there (0 and the hub itself for a hub's own landing zone).

    The hub is the one whose port is nearest the site's port on the great circle; the time is
    the searoute sea-lane distance between the two ports at ``rocket.return_ship_speed_kmh``.
    Only sites without a pad are routed (one searoute call each, cached per network).
    """
    h, sites = len(network.hubs), len(network.landing_sites)
    hub_of = np.arange(sites, dtype=np.intp)
    seconds = np.zeros(sites, dtype=np.float64)
    if sites == h:
        return hub_of, seconds
    from rocketpost.core.geo import great_circle_km

    speed = network.rocket.return_ship_speed_kmh
    port_lat, port_lon = network.site_port_lat_deg, network.site_port_lon_deg
    for s in range(h, sites):
        km = great_circle_km(port_lat[s], port_lon[s], port_lat[:h], port_lon[:h])
        hub = int(np.argmin(km))
        hub_of[s] = hub
        sea_km = _sea_km(
            float(port_lat[s]), float(port_lon[s]), float(port_lat[hub]), float(port_lon[hub])
        )
        seconds[s] = sea_km / speed * _S_PER_H
    return hub_of, seconds


def next_wave_s(
    network: Network, hub: NDArray[np.intp], t_s: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The first launch wave of ``hub`` at or after ``t_s`` (waves every
    ``launch_wave_interval_s`` from the epoch)."""
    interval = network.launch_wave_interval_s[hub]
    return np.asarray(np.ceil(t_s / interval - 1e-9) * interval, dtype=np.float64)


MARGIN_SHARE_OF_ROOM = 0.1
"""The share of the promise's room (``1 − promise.confidence``) an airframe's earlier flight may
spend: a flight (cargo or ferry) is held past its weather margin (:func:`weather_margin_s`) at
most this share as often as a promise may be broken, so that a promise flown on the airframe
next still holds."""


def _two_state_step(bad_share: float, mean_bad_s: float, step_s: float) -> NDArray[np.float64]:
    """``P[i, j]``: from state ``i`` to state ``j`` (0 clear, 1 bad) ``step_s`` later, for the
    simulator's two-state spells (bad for ``bad_share`` of the time, bad spells ``Exp(mean)``)."""
    if bad_share <= 0.0:
        return np.array([[1.0, 0.0], [1.0, 0.0]])
    rate = 1.0 / (mean_bad_s * (1.0 - bad_share))  # onset + recovery rates, summed
    stay = np.exp(-rate * step_s)
    return np.array(
        [
            [1.0 - bad_share * (1.0 - stay), bad_share * (1.0 - stay)],
            [(1.0 - bad_share) * (1.0 - stay), bad_share + (1.0 - bad_share) * stay],
        ]
    )


@lru_cache(maxsize=8)
def weather_wait_tail(interval_s: float) -> NDArray[np.float64]:
    """``P(waves lost > m)`` for ``m = 0, 1, …`` of a flight at a wave chosen days ahead,
    under the climate (read-only).

    Exact for the simulator's weather and sea: the launch hub's fronts and the landing
    zone's closed seas are two-state spells (:mod:`rocketpost.simulation.disruptions`), so
    the pair is a four-state Markov chain sampled at every wave, starting from its long-run
    shares; a wave flies when neither is bad and no isolated hold falls on it. Over a ferry's
    long wait the spells that *start* while it waits count, which the promise's waves lost
    (:mod:`rocketpost.promise.waves`, an hour ahead) leave to its onsets. Checked against the
    simulator's own draws (``tests/planning/test_fleet.py``).
    """
    rates = Disruptions()
    weather, sea = rates.weather, rates.sea_state
    front = _two_state_step(weather.front_share, weather.mean_front_h * _S_PER_H, interval_s)
    closed = _two_state_step(sea.closed_share, sea.mean_closed_h * _S_PER_H, interval_s)
    step = np.kron(front, closed)  # state 2·front + closed
    waiting = np.kron(  # the long-run shares: where the wave chosen days ahead finds them
        [1.0 - weather.front_share, weather.front_share],
        [1.0 - sea.closed_share, sea.closed_share],
    )
    held = np.array([weather.isolated_scrub_p, 1.0, 1.0, 1.0])  # P(no launch) per state
    max_waves = int(
        np.ceil(20.0 * max(weather.mean_front_h, sea.mean_closed_h) * _S_PER_H / interval_s)
    )
    tail = np.empty(max_waves + 1)
    for m in range(max_waves + 1):
        waiting = waiting * held  # still on the ground after wave m
        tail[m] = waiting.sum()
        waiting = waiting @ step
    tail.flags.writeable = False
    return tail


def _margin_for(interval_s: float, late_p: float) -> float:
    """The smallest whole number of waves ``m·interval_s`` with ``P(waves lost > m) ≤ late_p``."""
    tail = weather_wait_tail(interval_s)
    max_waves = len(tail) - 1
    within = np.flatnonzero(tail <= late_p)
    return float(within[0] if within.size else max_waves) * interval_s


@lru_cache(maxsize=16)
def weather_margin_s(network: Network) -> NDArray[np.float64]:
    """Per hub, the weather margin of a flight from it planned days ahead: the waves it may be
    held, at its hub's wave interval, before it is late more often than
    ``MARGIN_SHARE_OF_ROOM × (1 − promise.confidence)`` (a front or a closed landing zone
    under the climate, :func:`weather_wait_tail`). An airframe counts as ready for its next
    flight only that margin after its cycle, and a ferried one that margin before the launch
    it serves: the planner (:func:`schedule_fleet`) and the service's fleet across days
    (:func:`home_ready_s`) alike. At the shipped climate, a 5-minute wave and 99 %: 51.6 h.
    The network's ``promise.weather_margin_h``, when set, instead."""
    if network.promise.weather_margin_h is not None:
        margin = np.full(len(network.hubs), network.promise.weather_margin_h * _S_PER_H)
    else:
        late_p = MARGIN_SHARE_OF_ROOM * (1.0 - network.promise.confidence)
        intervals = network.launch_wave_interval_s.tolist()
        margin = np.array([_margin_for(float(i), late_p) for i in intervals])
    margin.flags.writeable = False  # cached: shared by every caller
    return margin


def ready_again_s(
    network: Network,
    origin: NDArray[np.intp] | int,
    site: NDArray[np.intp] | int,
    landing_s: NDArray[np.float64] | float,
    margin: NDArray[np.float64],
) -> NDArray[np.float64]:
    """When an airframe that flew from hub ``origin`` and landed at ``site`` at ``landing_s``
    (as planned) counts as ready to fly again, at the hub :func:`site_returns` sends it to: the
    flight's weather margin at its origin (``margin``, per hub: :func:`weather_margin_s` or a
    plan's own), its days at sea and the reuse cycle. The one rule of an airframe's turn: the
    planner's schedule and the service's fleet across days (:func:`home_ready_s`) read it."""
    _, return_s = site_returns(network)
    landed = np.asarray(landing_s, dtype=np.float64) + margin[origin]
    return np.asarray(landed + return_s[site] + network.rocket.reuse_cycle_s, dtype=np.float64)


def home_ready_s(
    network: Network,
    home: NDArray[np.intp],
    site: NDArray[np.intp],
    landing_s: NDArray[np.float64],
) -> NDArray[np.float64]:
    """When an airframe of hub ``home`` that landed at ``site`` at ``landing_s`` (as planned)
    counts as back home and ready to fly again: the weather margin of its flight at home
    (:func:`weather_margin_s`: the flight may be held that long), its days at sea
    (:func:`site_returns`) and reuse cycle, and, when that leaves it at another hub, an empty
    ferry flight home on that hub's next wave, with that hub's weather margin, and a second
    reuse cycle (the service's fleet across days: docs/service.md, *The fleet across
    days*)."""
    return_hub, _ = site_returns(network)
    home, site = np.asarray(home, dtype=np.intp), np.asarray(site, dtype=np.intp)
    there = return_hub[site]
    margin = weather_margin_s(network)
    ready_there = ready_again_s(network, home, site, landing_s, margin)
    flight_s = np.asarray(flight_matrix(network).flight_s, dtype=np.float64)
    ferry_landing = next_wave_s(network, there, ready_there) + flight_s[there, home]
    # A hub's index is its own zone's site index: the ferry lands home, no days at sea.
    ferried = ready_again_s(network, there, home, ferry_landing, margin)
    return np.where(there == home, ready_there, ferried)


def longest_home_ready_s(network: Network) -> float:
    """An upper bound of :func:`home_ready_s` less the launch, over every flight: the widest
    weather margin, the longest flight, the longest days at sea, a cycle, then the longest
    ferry a wave late, the widest margin again and a second cycle."""
    _, return_s = site_returns(network)
    flight_s = np.asarray(flight_matrix(network).flight_s, dtype=np.float64)
    longest = float(np.nanmax(np.where(np.isfinite(flight_s), flight_s, np.nan)))
    ferry = longest + float(network.launch_wave_interval_s.max())
    margin = float(weather_margin_s(network).max(initial=0.0))
    cycle = network.rocket.reuse_cycle_s
    return margin + longest + float(return_s.max(initial=0.0)) + cycle + ferry + margin + cycle


@dataclass
class Airframe:
    """One physical rocket (mutable while scheduling; the schedule keeps the final states)."""

    airframe_id: str
    home: int
    location: int
    flights: int
    ready_s: float

    def __post_init__(self) -> None:
        if self.flights < 0:
            raise InputError("airframe.flights", self.flights, "must be ≥ 0")


def initial_fleet(network: Network, day_start_s: float) -> list[Airframe]:
    """The fleet of every hub, ready at the start of the day (``HUB-01``, ``HUB-02`` ...)."""
    return [
        Airframe(f"{hub.hub_id}-{k + 1:02d}", i, i, 0, day_start_s)
        for i, hub in enumerate(network.hubs)
        for k in range(hub.fleet)
    ]


@dataclass(frozen=True, eq=False)
class FleetSchedule:
    """Flights flown (cargo and repositioning) and the airframes' final states.

    ``flight_bin`` is the consolidation bin a flight carries (-1 for an empty repositioning).
    ``bin_flight`` maps each bin to its flight (-1 when no airframe could fly it).
    ``flight_return_s`` is the time the airframe spends at sea after the flight, on its way
    from a landing site without a pad to the nearest hub (0 when it lands at a hub).
    """

    flight_bin: NDArray[np.int64]
    flight_airframe: NDArray[np.int64]
    flight_origin: NDArray[np.intp]
    flight_destination: NDArray[np.intp]
    flight_launch_s: NDArray[np.float64]
    flight_landing_s: NDArray[np.float64]
    flight_return_s: NDArray[np.float64]
    bin_flight: NDArray[np.int64]
    airframes: list[Airframe]
    initial_location: NDArray[np.intp]

    @property
    def repositioning(self) -> NDArray[np.bool_]:
        return np.asarray(self.flight_bin < 0)

    def airframes_used(self) -> int:
        """Airframes that flew at least once in the plan."""
        return len(np.unique(self.flight_airframe))

    def utilisation(self) -> float:
        """Share of the fleet that flew at least once (a 66 h reuse cycle allows one a day)."""
        return self.airframes_used() / len(self.airframes) if self.airframes else 0.0


def reserve_mask(fleet: list[Airframe], n_hubs: int, per_hub: int) -> NDArray[np.bool_]:
    """The airframes a plan holds in reserve: ``per_hub`` at every hub (all it has when it has
    fewer), the ones ready first (a reserve is there to fly now), ties to the last id."""
    held = np.zeros(len(fleet), dtype=bool)
    if per_hub <= 0:
        return held
    location = np.array([a.location for a in fleet], dtype=np.intp)
    ready = np.array([a.ready_s for a in fleet], dtype=np.float64)
    index = np.arange(len(fleet))
    for h in range(n_hubs):
        here = index[location == h]
        if here.size:
            readiest = here[np.lexsort((-here, ready[here]))]
            held[readiest[:per_hub]] = True
    return held


def schedule_fleet(  # noqa: PLR0913 - the bins' columns, then keyword-only settings
    network: Network,
    bin_origin: NDArray[np.intp],
    bin_destination: NDArray[np.intp],
    bin_launch_s: NDArray[np.float64],
    bin_fill: NDArray[np.float64],
    *,
    fleet: list[Airframe],
    reserve_for_fuller: bool = True,
    held: NDArray[np.bool_] | None = None,
    weather_margin: NDArray[np.float64] | None = None,
    pads: PadBook | None = None,
    bin_latest_s: NDArray[np.float64] | None = None,
) -> FleetSchedule:
    """Assign airframes to bins (sorted by launch time), repositioning where it helps; the
    ``held`` airframes (:func:`reserve_mask`) are never assigned. An airframe that flew is
    ready for its next flight ``weather_margin`` (per hub the flight left; default
    :func:`weather_margin_s`) after its cycle, and a repositioned one must be ready that
    margin before the launch it serves. With ``pads`` (the plan's :class:`~rocketpost.
    planning.pads.PadBook`), every flight launches on its hub's first wave with a free pad and
    is booked there: a cargo flight no later than ``bin_latest_s`` (the latest launch its
    orders keep their promise from; default its planned wave), or it does not fly."""
    limit = network.rocket.flights_per_airframe
    flight_s = np.asarray(flight_matrix(network).flight_s, dtype=np.float64)
    h = len(network.hubs)
    nbins = len(bin_origin)
    if np.any(np.diff(bin_launch_s) < 0):
        raise InputError("bin_launch_s", "unsorted", "bins must be sorted by launch time")
    return_hub, return_s = site_returns(network)
    margin = weather_margin_s(network) if weather_margin is None else np.asarray(weather_margin)
    book = PadBook(network, unlimited=True) if pads is None else pads
    initial = np.array([a.location for a in fleet], dtype=np.intp)
    waiting = np.bincount(bin_origin, minlength=h).astype(np.int64)
    by_origin = [np.flatnonzero(bin_origin == o) for o in range(h)]
    out_bin: list[int] = []
    out_af: list[int] = []
    out_o: list[int] = []
    out_d: list[int] = []
    out_t: list[float] = []
    out_l: list[float] = []
    out_r: list[float] = []
    bin_flight = np.full(nbins, -1, dtype=np.int64)

    loc = initial.copy()
    flown = np.array([a.flights for a in fleet], dtype=np.int64)
    ready_at = np.array([a.ready_s for a in fleet], dtype=np.float64)
    reserved = np.zeros(len(fleet), dtype=bool) if held is None else np.asarray(held, dtype=bool)
    if reserved.shape != (len(fleet),):
        raise InputError("held", reserved.shape, f"must have one flag per airframe ({len(fleet)})")

    def fly(af: int, b: int, o: int, d: int, t: float) -> None:
        landing = t + float(flight_s[o, d])
        out_bin.append(b)
        out_af.append(af)
        out_o.append(o)
        out_d.append(d)
        out_t.append(t)
        out_l.append(landing)
        at_sea = float(return_s[d])  # a site without a pad: shipped to the nearest hub first
        out_r.append(at_sea)
        loc[af], flown[af] = return_hub[d], flown[af] + 1
        # Counted ready for its next flight the weather margin after its cycle: the flight
        # just planned may be held that long at its origin (or cancelled there).
        ready_at[af] = float(ready_again_s(network, o, d, landing, margin))

    for b in range(nbins):
        o, d, t = int(bin_origin[b]), int(bin_destination[b]), float(bin_launch_s[b])
        waiting[o] -= 1
        alive = (flown < limit) & ~reserved
        here = alive & (loc == o)
        ready = np.flatnonzero(here & (ready_at <= t + 1e-6))
        if reserve_for_fuller and len(ready):
            # Fuller flights within a day of this one: a plan knows a day's orders, and an
            # orders file of several days must not keep today's airframe for next week's.
            mine = by_origin[o]
            later = mine[(mine > b) & (bin_launch_s[mine] < t + _FULLER_HORIZON_S)]
            fuller_later = int(np.count_nonzero(bin_fill[later] > bin_fill[b] + 1e-9))
            if fuller_later >= int(here.sum()):
                continue  # keep the airframe for a fuller flight later today
        # A pad by the latest launch its orders keep their promise from (NaN: none in time).
        t = book.earliest(o, t, t if bin_latest_s is None else float(bin_latest_s[b]))
        if math.isnan(t):
            continue
        if len(ready):
            # Earliest-ready first, then the least flown: spreads wear across the fleet.
            af = int(ready[np.lexsort((ready, flown[ready], ready_at[ready]))[0]])
        else:
            usable = np.bincount(loc[alive], minlength=h)
            spare_hub = usable > np.maximum(waiting, 0)
            cand = np.flatnonzero((flown + 2 <= limit) & ~reserved & (loc != o) & spare_hub[loc])
            if len(cand) == 0:
                continue
            src = loc[cand]
            launch = book.earliest_each(src, next_wave_s(network, src, ready_at[cand]))
            landing = launch + flight_s[src, o]
            ok = ready_again_s(network, src, o, landing, margin) <= t + 1e-6  # held or not
            if not ok.any():
                continue
            pick = int(np.flatnonzero(ok)[np.argmin(landing[ok])])
            af = int(cand[pick])
            fly(af, -1, int(src[pick]), o, float(launch[pick]))
            book.book(int(src[pick]), float(launch[pick]))
        bin_flight[b] = len(out_bin)
        fly(af, b, o, d, t)
        book.book(o, t)

    for i, a in enumerate(fleet):
        a.location, a.flights, a.ready_s = int(loc[i]), int(flown[i]), float(ready_at[i])
    order = np.argsort(np.asarray(out_t), kind="stable")
    new_index = np.empty(len(order), dtype=np.int64)
    new_index[order] = np.arange(len(order))
    assigned = bin_flight >= 0
    bin_flight[assigned] = new_index[bin_flight[assigned]]
    return FleetSchedule(
        flight_bin=np.asarray(out_bin, dtype=np.int64)[order],
        flight_airframe=np.asarray(out_af, dtype=np.int64)[order],
        flight_origin=np.asarray(out_o, dtype=np.intp)[order],
        flight_destination=np.asarray(out_d, dtype=np.intp)[order],
        flight_launch_s=np.asarray(out_t, dtype=np.float64)[order],
        flight_landing_s=np.asarray(out_l, dtype=np.float64)[order],
        flight_return_s=np.asarray(out_r, dtype=np.float64)[order],
        bin_flight=bin_flight,
        airframes=fleet,
        initial_location=initial,
    )
