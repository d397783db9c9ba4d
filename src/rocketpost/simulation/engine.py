"""Discrete-event execution of a plan's flights (SimPy), one replicate at a time.

One :class:`simpy.Environment` owns the clock (float UTC epoch seconds). Each planned flight is
a process; pads and boats are :class:`simpy.Resource` s; an airframe is a small state record
whose ``free`` event wakes the next flight waiting for it. Events at equal times are processed
in SimPy's ``(time, priority, sequence)`` order, and every random number is drawn up front (or
from a dedicated stream in that deterministic order), so a replicate is a pure function of its
seed.

A flight's life::

    wait for the planned wave ─> airframe at the origin (the planned one, else a spare)
      ─> weather at this wave? scrub: re-plan (next wave / other hub / standard)
      ─> landing zone open at the landing time? else the alternate zone (divert), else hold
      ─> a free pad (the dispatcher's order when more are ready than pads)? else the next wave
      ─> launch ─> coast ─> landing at a site: failure (airframe and cargo lost, cargo
         re-dispatched from the origin on a spare airframe) or touchdown
      ─> the vessel's drones fly if wind and waves allow (the one rule,
         :func:`rocketpost.core.vesseldrone.vessel_drones_fly`); boat (a resource per site) ─> port
      airframe: recovery + turnaround at the site's hub, or, at a site without a pad, shipped to
         the nearest hub first (days at sea), then ready

Parcels are not processes: :mod:`rocketpost.simulation.outcomes` turns the flights' port times
into per-order delivery times with NumPy.

Here: the flight process and the re-plan decisions. The pieces it runs on have their own
modules: the settings (:mod:`~rocketpost.simulation.config`), the weather and sea drawn up
front (:mod:`~rocketpost.simulation.conditions`), the airframes
(:mod:`~rocketpost.simulation.airframes`) and the flights' columns and final record
(:mod:`~rocketpost.simulation.flight_record`).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy
from numpy.typing import NDArray

from rocketpost.core.eta import flight_matrix
from rocketpost.core.networklegs import network_legs
from rocketpost.core.vesseldrone import vessel_drones_fly
from rocketpost.planning.pads import PadBook
from rocketpost.promise.fallbacks import best_fallbacks, may_stand_in
from rocketpost.simulation.airframes import AirframePool
from rocketpost.simulation.conditions import ALTERNATE_ZONE, NO_ZONE, Conditions
from rocketpost.simulation.config import SimConfig
from rocketpost.simulation.disruptions import child_seed
from rocketpost.simulation.eventlog import EventKind, EventLog
from rocketpost.simulation.flight_record import FlightColumns, FlightRecord, FlightStatus
from rocketpost.simulation.inputs import SimInputs
from rocketpost.simulation.paddispatch import PadDispatcher
from rocketpost.simulation.replan import ReplanAction

__all__ = ["KEEP_FOR_REFLIGHT", "replicate_conditions", "simulate_flights"]

_EPS = 1e-6

KEEP_FOR_REFLIGHT = 1
"""Spare airframes a hub keeps from a front's fallback: the one that re-flies a lost landing's
parcels, which every promise counts (:func:`rocketpost.promise.recovery.reflight_delay_s`) and
the plan holds back (``PlanParams.reserve_airframes_per_hub``); ``spare_airframes_per_hub``
adds the ones a fallback may take."""
_DAY_S = 86400.0
_HOUR_S = 3600.0


def _horizon(inputs: SimInputs, config: SimConfig) -> tuple[float, float]:
    """The span the weather and sea are drawn over (past the last hold and a sea return)."""
    return inputs.start_s, inputs.end_s + config.policy.max_hold_s + 2 * _DAY_S


def replicate_conditions(
    inputs: SimInputs, config: SimConfig, seed: np.random.SeedSequence
) -> Conditions:
    """The weather and sea of the replicate seeded ``seed`` (the engine's own draw): what a
    dispatcher inside it sees at any moment is :meth:`Conditions.seen_at`."""
    weather_seed, sea_seed = child_seed(seed, 0), child_seed(seed, 1)
    start, end = _horizon(inputs, config)
    return Conditions(
        inputs.network,
        config,
        np.random.Generator(np.random.PCG64(weather_seed)),
        np.random.Generator(np.random.PCG64(sea_seed)),
        start,
        end,
        rng_metocean=np.random.Generator(np.random.PCG64(child_seed(seed, 3))),
    )


def _flight_stock(inputs: SimInputs) -> list[NDArray[np.bool_]]:
    """Per planned flight, the hubs holding the goods of every order on board (all of them
    for a flight without orders, or when the inputs carry no stock: stock everywhere)."""
    n_hubs = len(inputs.network.hubs)
    stock = np.ones((inputs.n_flights, n_hubs), dtype=bool)
    if inputs.order_stock is not None:
        on_board = np.flatnonzero(inputs.order_flight >= 0)
        np.logical_and.at(stock, inputs.order_flight[on_board], inputs.order_stock[on_board])
    return list(stock)


def hold_limits_s(inputs: SimInputs, max_hold_s: float) -> NDArray[np.float64]:
    """Per planned flight, the latest wave it may still launch at.

    A cargo flight is held ``max_hold_s`` past its planned wave, then its parcels go standard.
    An empty repositioning flight carries no promise of its own: it is there to put its
    airframe at the next planned flight's hub, so it keeps trying as long as the airframe,
    landing and turned round, could still fly that flight within *its* hold (and at least
    ``max_hold_s``, as before, when nothing is planned after it). A plan across days ferries
    airframes days ahead; cancelling such a ferry after six hours of weather would ground a
    flight it had days of slack for.
    """
    launch = np.asarray(inputs.flight_launch_s, dtype=np.float64)
    limit = launch + max_hold_s
    airframe = np.asarray(inputs.flight_airframe, dtype=np.int64)
    if len(launch) < 2:
        return limit
    order = np.lexsort((launch, airframe))  # each airframe's flights in launch order
    same = airframe[order][1:] == airframe[order][:-1]
    this, after = order[:-1][same], order[1:][same]
    ferry = np.asarray(inputs.flight_repositioning, dtype=bool)[this]
    this, after = this[ferry], after[ferry]
    cycle = inputs.network.rocket.reuse_cycle_s
    latest = limit[after] - np.asarray(inputs.flight_duration_s, dtype=np.float64)[this] - cycle
    limit[this] = np.maximum(limit[this], latest)
    return limit


class _Engine:
    """One replicate: the environment, its conditions and airframes, a process per flight."""

    def __init__(
        self,
        inputs: SimInputs,
        config: SimConfig,
        seed: np.random.SeedSequence,
        conditions: Conditions | None = None,
    ) -> None:
        network = inputs.network
        self.inputs = inputs
        self.config = config
        self.policy = config.policy
        d = config.disruptions
        self.env = simpy.Environment(initial_time=inputs.start_s)
        self.log = EventLog()
        self.fl = FlightColumns(inputs)
        flight_seed = child_seed(seed, 2)
        self.rng = np.random.Generator(np.random.PCG64(flight_seed))
        n_hubs = len(network.hubs)
        self.n_hubs = n_hubs
        self.hub_ids = network.hub_ids
        self.site_ids = network.site_ids  # flights land at sites (hub i's zone is site i)
        self.country = [h.country for h in network.hubs]
        self.handling = network.handling_s.tolist()
        self.flight_s = np.asarray(flight_matrix(network).flight_s, dtype=np.float64)
        self.cycle_s = network.rocket.reuse_cycle_s
        boat = network.boat
        self.boat_fixed_s = (boat.transfer_min + boat.port_handling_min) * 60.0
        self.boat_speed_kms = boat.speed_kmh / _HOUR_S
        self.route_km = network.site_boat_route_km.tolist()
        n_sites = len(self.site_ids)
        # Where an airframe landing at each site flies from next, after how long at sea.
        self.return_hub = inputs.site_return_hub.tolist()
        self.return_s = inputs.site_return_s.tolist()
        self.vessel_site = (
            np.asarray(network.site_drones > 0) & bool(network.drone.from_vessel)
        ).tolist()
        self.alt_extra_km = d.sea_state.alternate_extra_km
        self.fail_p = d.landing.failure_p
        self.boat_sigma = d.noise.boat_sigma
        self.hold_until_s = hold_limits_s(inputs, self.policy.max_hold_s).tolist()
        self.conditions = (
            replicate_conditions(inputs, config, seed) if conditions is None else conditions
        )
        # Wind and waves per site, drawn with the conditions (a stream of their own).
        self.metocean = self.conditions.metocean
        self.drone = network.drone
        # Fallbacks: who may stand in for whom, and the hubs holding every parcel of a flight.
        self.legs = network_legs(network)
        self.stand_in = may_stand_in(network)
        # The same, as lists: a scrub asks them of a handful of hubs, one at a time.
        self.stand_in_hubs = [np.flatnonzero(row).tolist() for row in self.stand_in]
        # (origin, site, usable hubs) for which the rule found no hub: it never will, whatever
        # the time (a hub either reaches the site or not; a launch is always some wave).
        self.no_fallback: set[tuple[int, int, tuple[int, ...]]] = set()
        self.flight_stock = _flight_stock(inputs)

        # Per planned flight draws; re-dispatched flights draw from self.rng as they appear.
        nf = inputs.n_flights
        self.fail_u = self.rng.random(nf).tolist()
        self.boat_u = self.rng.standard_normal(nf).tolist()

        # Pads: the network's, booked by the plan's rule (planning.pads), given out at each
        # wave by the dispatcher's order (simulation.paddispatch); boats per landing site.
        interval = self.conditions.interval
        self.pads = PadDispatcher(
            self.env,
            PadBook(network, pads=config.pads_per_hub, turnaround_min=config.pad_reset_min),
            PadDispatcher.priority(
                self.fl.latest_launch,
                self.fl.promises,
                self.fl.planned,
                self.fl.repositioning,
                lambda f: float(interval[self.fl.origin[f]]),
            ),
        )
        self.boats = [  # per landing site (``boats_per_hub`` at every site)
            simpy.Resource(self.env, capacity=config.boats_per_hub) for _ in range(n_sites)
        ]

        # Airframes: the plan's, then the reserve (``HUB-R1`` ...) at every hub.
        hubs = inputs.airframe_hub.tolist()
        for h in range(n_hubs):
            hubs.extend([h] * config.spare_airframes_per_hub)
        remaining = (
            np.bincount(inputs.flight_airframe, minlength=len(hubs))
            if nf
            else np.zeros(len(hubs), dtype=np.int64)
        )
        self.airframes = AirframePool(self.env, hubs, remaining.tolist())

    def hold_until(self, f: int) -> float:
        """The last wave flight ``f`` may launch at (a re-dispatched flight: its planned wave
        plus the policy's hold)."""
        if f < len(self.hold_until_s):
            return self.hold_until_s[f]
        return self.fl.planned[f] + self.policy.max_hold_s

    def draw_fail(self, f: int) -> float:
        return self.fail_u[f] if f < len(self.fail_u) else float(self.rng.random())

    def draw_boat(self, f: int) -> float:
        return self.boat_u[f] if f < len(self.boat_u) else float(self.rng.standard_normal())

    def to_standard(self, f: int, h: int, why: str) -> None:
        self.fl.status[f] = FlightStatus.STANDARD
        if not self.fl.repositioning[f]:
            self.log.add(self.env.now, EventKind.STANDARD, f, h, why)

    def redispatch(self, f: int, h: int, planned_s: float, duration_s: float, why: str) -> int:
        g = self.fl.add(f, h, planned_s, duration_s)
        self.flight_stock.append(self.flight_stock[f])  # the same parcels on board
        self.log.add(self.env.now, EventKind.REDISPATCH, f, h, f"{why} -> {self.fl.flight_id[g]}")
        self.env.process(self.flight(g))
        return g

    def other_hub(self, f: int, t_s: float) -> int:
        """Re-dispatch ``f`` from the hub the promise counted as its fallback, or -1.

        The one rule (:func:`rocketpost.promise.fallbacks.best_fallbacks`): a hub of the
        origin's country holding the stock of every parcel on board, not under a front now (a
        forecast; an isolated hold is not, so the new flight may still wait out its own holds)
        and with a spare airframe beyond the one kept to re-fly a lost landing (what every
        promise counts: :data:`KEEP_FOR_REFLIGHT`); of those, the one landing first at the
        same site.
        """
        fl = self.fl
        o, d = fl.origin[f], fl.destination[f]
        stock = self.flight_stock[f]
        in_front, spares = self.conditions.in_front, self.airframes.spares
        usable_hubs = [
            h
            for h in self.stand_in_hubs[o]
            if stock[h] and not in_front(h, t_s) and spares(h) > KEEP_FOR_REFLIGHT
        ]
        if not usable_hubs:  # the rule's answer without its arrays (no reserve: the default)
            return -1
        asked = (o, d, tuple(usable_hubs))
        if asked in self.no_fallback:
            return -1
        candidates = self.stand_in[o] & stock
        usable = np.zeros(self.n_hubs, dtype=bool)
        usable[usable_hubs] = True
        hub, launch, _ = best_fallbacks(self.legs, o, d, t_s, candidates, usable)
        best = int(hub[0])
        if best < 0:
            self.no_fallback.add(asked)
            return -1
        fl.status[f] = FlightStatus.REPLACED
        spare = self.airframes.reserve_spare(best)  # nobody else takes it before the launch
        g = self.redispatch(f, best, float(launch[0]), float(self.flight_s[best, d]), "front")
        fl.planned_airframe[g] = spare
        return g

    def flight(self, f: int) -> Generator[Any, Any, None]:
        """One planned flight as a SimPy process: wait for a launch, fly, boat to the port."""
        cleared = yield from self._wait_for_launch(f)
        if cleared is None:
            return
        a, zone = cleared
        landed = yield from self._fly(f, a, zone)
        if landed and not self.fl.repositioning[f]:
            yield from self._boat_to_port(f, zone)

    def _wait_for_launch(self, f: int) -> Generator[Any, Any, tuple[int, int] | None]:
        """Wave after wave from the planned one: an airframe, no scrub, a landing zone, a pad.

        Returns the airframe and the landing zone at launch time, or ``None`` when the flight
        does not launch here (held too long, no airframe, scrubbed to standard or to another
        hub).
        """
        env, fl, log = self.env, self.fl, self.log
        o, d = fl.origin[f], fl.destination[f]
        interval = self.conditions.interval[o]
        duration = fl.duration[f]
        planned = fl.planned[f]
        t = planned
        a = -1
        scrubbed, open_zone = self.conditions.scrubbed, self.conditions.open_zone
        while True:
            if t > env.now:
                yield env.timeout(t - env.now)
            if t > self.hold_until(f) + _EPS:
                if a >= 0:
                    self.airframes.release(a)
                self.to_standard(f, o, "max hold")
                return None
            if a < 0:
                a = yield from self.airframes.acquire(fl.planned_airframe[f], o)
                if a < 0:
                    log.add(env.now, EventKind.NO_AIRFRAME, f, o)
                    self.to_standard(f, o, "no airframe")
                    return None
                if env.now > t + _EPS:
                    t = self.conditions.next_wave(o, env.now)
                    continue
            if scrubbed(o, t):
                if self._scrub_ends_flight(f, t, a):
                    return None
                t += interval
                continue
            zone = open_zone(d, t + duration)
            if zone == NO_ZONE:
                fl.holds[f] += 1
                log.add(t, EventKind.HOLD, f, d)
                t += interval
                continue
            if not (yield self.pads.request(f, o, t)):
                log.add(t, EventKind.PAD_BUSY, f, o)
                t += interval
                continue
            return a, zone

    def _scrub_ends_flight(self, f: int, t: float, a: int) -> bool:
        """Record a scrub at wave ``t``; True when the re-plan policy takes the flight away
        (its cargo goes standard, or another hub in front of the weather flies it)."""
        fl = self.fl
        o = fl.origin[f]
        cargo = not fl.repositioning[f]
        action = self.policy.action
        fl.scrubs[f] += 1
        self.log.add(t, EventKind.SCRUB, f, o)
        if cargo and action is ReplanAction.STANDARD:
            self.airframes.release(a)
            self.to_standard(f, o, "scrub")
            return True
        if (
            cargo
            and action is ReplanAction.OTHER_HUB
            and self.conditions.in_front(o, t)
            and self.other_hub(f, t) >= 0
        ):
            self.airframes.release(a)
            return True
        return False

    def _fly(self, f: int, a: int, zone: int) -> Generator[Any, Any, bool]:
        """Launch on airframe ``a`` and land in ``zone``; False when the landing fails (the
        airframe is lost and a cargo flight is re-dispatched)."""
        env, fl, log = self.env, self.fl, self.log
        o, d = fl.origin[f], fl.destination[f]
        duration = fl.duration[f]
        fl.launch[f] = env.now
        fl.airframe[f] = a
        self.airframes.flew[a] = True
        if zone == ALTERNATE_ZONE:
            fl.diverted[f] = True
            log.add(env.now, EventKind.DIVERT, f, d)
        log.add(env.now, EventKind.LAUNCH, f, o, self.site_ids[d])
        yield env.timeout(duration)
        fl.landing[f] = env.now
        if self.draw_fail(f) < self.fail_p:
            fl.status[f] = FlightStatus.LOST
            self.airframes.lost[a] = True
            self.airframes.release(a)  # wakes anyone waiting on it: they find it lost
            log.add(env.now, EventKind.LOST, f, d)
            if not fl.repositioning[f]:
                ready = self.conditions.next_wave(o, env.now + self.handling[o])
                self.redispatch(f, o, ready, duration, "lost")
            return False
        log.add(env.now, EventKind.LANDING, f, d)
        if self.vessel_site[d]:
            wind, waves = self.metocean.at(d, env.now)
            fly = zone != ALTERNATE_ZONE and bool(vessel_drones_fly(self.drone, wind, waves))
            fl.vessel_drones[f] = fly
            if not fly:
                log.add(
                    env.now, EventKind.GROUNDED, f, d, f"wind {wind:.1f} m/s, waves {waves:.1f} m"
                )
        at_sea = self.return_s[d]
        self.airframes.move(a, self.return_hub[d])
        if at_sea > 0:
            log.add(
                env.now, EventKind.SEA_RETURN, f, self.return_hub[d], f"{at_sea / _DAY_S:.2f} d"
            )
        self.airframes.ready_after(a, at_sea + self.cycle_s)
        return True

    def _boat_to_port(self, f: int, zone: int) -> Generator[Any, Any, None]:
        """A fast boat takes the landed pod to the port (farther from the alternate zone) and
        sails back empty."""
        env = self.env
        d = self.fl.destination[f]
        boats = self.boats[d]
        boat = boats.request()
        yield boat
        km = self.route_km[d] + (self.alt_extra_km if zone == ALTERNATE_ZONE else 0.0)
        sail_s = km / self.boat_speed_kms * math.exp(self.boat_sigma * self.draw_boat(f))
        yield env.timeout(self.boat_fixed_s + sail_s)
        self.fl.port[f] = env.now
        self.log.add(env.now, EventKind.PORT, f, d)

        def boat_back(_event: simpy.Event) -> None:
            boats.release(boat)

        env.timeout(sail_s).callbacks.append(boat_back)

    def run(self) -> FlightRecord:
        for f in range(self.inputs.n_flights):
            self.env.process(self.flight(f))
        step = self.env.step
        processed = 0
        try:
            while True:
                step()
                processed += 1
        except simpy.core.EmptySchedule:
            pass
        pool = self.airframes
        return self.fl.record(
            airframes_total=len(pool),
            airframes_flown=int(sum(pool.flew)),
            airframes_lost=int(sum(pool.lost)),
            events_processed=processed,
            log=self.log,
        )


def simulate_flights(
    inputs: SimInputs,
    config: SimConfig,
    seed: np.random.SeedSequence,
    conditions: Conditions | None = None,
) -> FlightRecord:
    """Run the discrete-event model of one replicate (flights only; see the module doc).
    ``conditions``: the replicate's :func:`replicate_conditions` of ``seed``, when the caller
    already drew them (they are only read)."""
    return _Engine(inputs, config, seed, conditions).run()
