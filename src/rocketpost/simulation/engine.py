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
      ─> a free pad? else the next wave
      ─> launch ─> coast ─> landing: failure (airframe and cargo lost, cargo re-dispatched from
         the origin on a spare airframe) or touchdown ─> boat (a resource per hub) ─> port
      airframe: recovery + turnaround at the destination, then ready

Parcels are not processes: :mod:`rocketpost.simulation.outcomes` turns the flights' port times
into per-order delivery times with NumPy.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy
from numpy.typing import NDArray

from rocketpost.core.eta import flight_matrix
from rocketpost.errors import InputError
from rocketpost.simulation.disruptions import (
    Disruptions,
    TwoStatePath,
    child_seed,
    sample_two_state,
)
from rocketpost.simulation.eventlog import EventKind, EventLog
from rocketpost.simulation.inputs import SimInputs
from rocketpost.simulation.replan import ReplanAction, ReplanPolicy

__all__ = ["FlightRecord", "FlightStatus", "SimConfig", "simulate_flights"]

_EPS = 1e-6
_DAY_S = 86400.0


class FlightStatus:
    """Final state of a flight (int8 codes in :attr:`FlightRecord.status`)."""

    DELIVERED = 0  # landed, pod at the port (repositioning flights: landed)
    LOST = 1  # landing failure
    STANDARD = 2  # cancelled, cargo to the standard service
    REPLACED = 3  # cancelled, cargo re-dispatched on ``replaced_by``
    NAMES = ("delivered", "lost", "standard", "replaced")


@dataclass(frozen=True)
class SimConfig:
    """Operational settings and disruptions of a simulation.

    Parameters
    ----------
    disruptions
        Rates of everything that can go wrong (:class:`Disruptions`).
    policy
        What to do after a scrub (:class:`ReplanPolicy`).
    landing_zones
        Landing zones per hub: 1 (hold when it is closed) or 2 (divert to the alternate zone,
        ``sea_state.alternate_extra_km`` farther from the port).
    boats_per_hub
        Fast boats per destination hub; a boat takes a pod to the port and comes back.
    pads_per_hub
        Pads per hub; ``None`` gives each hub as many as the plan launches at once there.
    pad_reset_min
        A pad is busy this long after a launch (design choice: clear, load, erect the next).
    spare_airframes_per_hub
        Airframes held back from the plan at every hub (the fleet reserve), used when a planned
        airframe is lost or a flight is re-dispatched.
    scripted_scrubs
        ``(hub_id, wave time s)`` pairs always scrubbed, on top of the weather model (for
        hand-worked scenarios and what-ifs).
    """

    disruptions: Disruptions = field(default_factory=Disruptions)
    policy: ReplanPolicy = field(default_factory=ReplanPolicy)
    landing_zones: int = 1
    boats_per_hub: int = 3
    pads_per_hub: int | None = None
    pad_reset_min: float = 5.0
    spare_airframes_per_hub: int = 0
    scripted_scrubs: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        if self.landing_zones not in (1, 2):
            raise InputError("landing_zones", self.landing_zones, "must be 1 or 2")
        for name in ("boats_per_hub", "spare_airframes_per_hub"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InputError(name, value, "must be a whole number ≥ 0")
        if self.boats_per_hub < 1:
            raise InputError("boats_per_hub", self.boats_per_hub, "must be ≥ 1")
        if self.pads_per_hub is not None and (
            not isinstance(self.pads_per_hub, int) or self.pads_per_hub < 1
        ):
            raise InputError("pads_per_hub", self.pads_per_hub, "must be ≥ 1 (or None)")
        if not (isinstance(self.pad_reset_min, int | float) and self.pad_reset_min >= 0):
            raise InputError("pad_reset_min", self.pad_reset_min, "must be ≥ 0")


@dataclass(frozen=True, eq=False)
class FlightRecord:
    """What happened to every flight of a replicate (planned flights first, then re-dispatches).

    Times are float epoch seconds, NaN when it did not happen. ``parent`` is the flight whose
    cargo a re-dispatch carries (-1 for planned flights), ``replaced_by`` the reverse link.
    """

    flight_id: NDArray[np.int64]
    origin: NDArray[np.int64]
    destination: NDArray[np.int64]
    planned_s: NDArray[np.float64]
    launch_s: NDArray[np.float64]
    landing_s: NDArray[np.float64]
    port_s: NDArray[np.float64]
    status: NDArray[np.int8]
    replaced_by: NDArray[np.int64]
    parent: NDArray[np.int64]
    scrubs: NDArray[np.int64]
    holds: NDArray[np.int64]
    diverted: NDArray[np.bool_]
    airframe: NDArray[np.int64]
    mass_kg: NDArray[np.float64]
    repositioning: NDArray[np.bool_]
    airframes_total: int
    airframes_flown: int
    airframes_lost: int
    events_processed: int
    log: EventLog


class _Flights:
    """Growing columns of flights (planned ones first)."""

    def __init__(self, inputs: SimInputs) -> None:
        self.flight_id = inputs.flight_id.tolist()
        self.origin = inputs.flight_origin.tolist()
        self.destination = inputs.flight_destination.tolist()
        self.planned = inputs.flight_launch_s.tolist()
        self.duration = inputs.flight_duration_s.tolist()
        self.planned_airframe = inputs.flight_airframe.tolist()
        self.mass = inputs.flight_mass_kg.tolist()
        self.repositioning = inputs.flight_repositioning.tolist()
        n = len(self.flight_id)
        self.parent = [-1] * n
        self.launch = [math.nan] * n
        self.landing = [math.nan] * n
        self.port = [math.nan] * n
        self.status = [FlightStatus.DELIVERED] * n
        self.replaced_by = [-1] * n
        self.scrubs = [0] * n
        self.holds = [0] * n
        self.diverted = [False] * n
        self.airframe = [-1] * n
        self.next_id = (max(self.flight_id) + 1) if n else 0

    def add(self, parent: int, origin: int, planned_s: float, duration_s: float) -> int:
        g = len(self.flight_id)
        self.flight_id.append(self.next_id)
        self.next_id += 1
        self.origin.append(origin)
        self.destination.append(self.destination[parent])
        self.planned.append(planned_s)
        self.duration.append(duration_s)
        self.planned_airframe.append(-1)
        self.mass.append(self.mass[parent])
        self.repositioning.append(False)
        self.parent.append(parent)
        self.launch.append(math.nan)
        self.landing.append(math.nan)
        self.port.append(math.nan)
        self.status.append(FlightStatus.DELIVERED)
        self.replaced_by.append(-1)
        self.scrubs.append(0)
        self.holds.append(0)
        self.diverted.append(False)
        self.airframe.append(-1)
        self.replaced_by[parent] = g
        return g


class _Engine:
    def __init__(self, inputs: SimInputs, config: SimConfig, seed: np.random.SeedSequence) -> None:
        network = inputs.network
        self.inputs = inputs
        self.config = config
        self.policy = config.policy
        d = config.disruptions
        self.env = simpy.Environment(initial_time=inputs.start_s)
        self.log = EventLog()
        self.fl = _Flights(inputs)
        weather_seed, sea_seed, flight_seed = (child_seed(seed, k) for k in range(3))
        rng_weather = np.random.Generator(np.random.PCG64(weather_seed))
        rng_sea = np.random.Generator(np.random.PCG64(sea_seed))
        self.rng = np.random.Generator(np.random.PCG64(flight_seed))
        n_hubs = len(network.hubs)
        self.n_hubs = n_hubs
        self.hub_ids = network.hub_ids
        self.country = [h.country for h in network.hubs]
        self.interval = network.launch_wave_interval_s.tolist()
        self.handling = network.handling_s.tolist()
        self.flight_s = np.asarray(flight_matrix(network).flight_s, dtype=np.float64)
        rocket = network.rocket
        self.cycle_s = rocket.reuse_cycle_s
        boat = network.boat
        self.boat_fixed_s = (boat.transfer_min + boat.port_handling_min) * 60.0
        self.boat_speed_kms = boat.speed_kmh / 3600.0
        self.route_km = network.boat_route_km.tolist()
        self.alt_extra_km = d.sea_state.alternate_extra_km
        self.fail_p = d.landing.failure_p
        self.boat_sigma = d.noise.boat_sigma
        self.max_hold_s = self.policy.max_hold_s
        start, end = inputs.start_s, inputs.end_s + self.max_hold_s + 2 * _DAY_S
        self.horizon_s = (start, end)

        # Weather: per hub, scrubbed-or-not for every wave of the horizon (fronts + holds).
        weather = d.weather
        scripted: dict[int, set[int]] = {}
        for hub_id, t_s in config.scripted_scrubs:
            h = network.hub_index(hub_id)
            scripted.setdefault(h, set()).add(round(t_s / self.interval[h]))
        self.fronts: list[TwoStatePath] = []
        self.wave0: list[int] = []
        self.scrubbed_wave: list[NDArray[np.bool_]] = []
        for h in range(n_hubs):
            path = sample_two_state(
                rng_weather, weather.front_share, weather.mean_front_h * 3600.0, start, end
            )
            k0 = math.floor(start / self.interval[h])
            k1 = math.ceil(end / self.interval[h])
            waves = np.arange(k0, k1 + 1, dtype=np.float64) * self.interval[h]
            isolated = rng_weather.random(len(waves)) < weather.isolated_scrub_p
            scrub = path.bad(waves) | isolated
            for k in scripted.get(h, ()):
                if k0 <= k <= k1:
                    scrub[k - k0] = True
            self.fronts.append(path)
            self.wave0.append(k0)
            self.scrubbed_wave.append(scrub)
        self.front_switch = [p.switch_s.tolist() for p in self.fronts]

        # Sea state: per hub and zone (0 = primary, 1 = alternate), as bisect-able switch lists.
        sea = d.sea_state
        self.zone_switch: list[list[tuple[list[float], bool]]] = []
        for _h in range(n_hubs):
            zones = []
            for _z in range(config.landing_zones):
                p = sample_two_state(
                    rng_sea, sea.closed_share, sea.mean_closed_h * 3600.0, *(start, end)
                )
                zones.append((p.switch_s.tolist(), p.bad_at_start))
            self.zone_switch.append(zones)

        # Per planned flight draws; re-dispatched flights draw from self.rng as they appear.
        nf = inputs.n_flights
        self.fail_u = self.rng.random(nf).tolist()
        self.boat_u = self.rng.standard_normal(nf).tolist()

        # Pads and boats.
        if config.pads_per_hub is not None:
            pads = [config.pads_per_hub] * n_hubs
        else:
            pads = [1] * n_hubs
            if nf:
                keys = inputs.flight_origin * 10**12 + np.round(inputs.flight_launch_s).astype(
                    np.int64
                )
                values, counts = np.unique(keys, return_counts=True)
                for key, c in zip(values.tolist(), counts.tolist(), strict=True):
                    h = key // 10**12
                    pads[h] = max(pads[h], c)
        self.pads = [simpy.Resource(self.env, capacity=c) for c in pads]
        self.boats = [
            simpy.Resource(self.env, capacity=config.boats_per_hub) for _ in range(n_hubs)
        ]
        self.pad_reset_s = config.pad_reset_min * 60.0

        # Airframes: the plan's, then the reserve (``HUB-R1`` ...) at every hub.
        hubs = inputs.airframe_hub.tolist()
        for h in range(n_hubs):
            hubs.extend([h] * config.spare_airframes_per_hub)
        na = len(hubs)
        self.af_loc = hubs
        self.af_busy = [False] * na
        self.af_lost = [False] * na
        self.af_flew = [False] * na
        self.af_free: list[simpy.Event] = [self.env.event() for _ in range(na)]
        remaining = np.bincount(inputs.flight_airframe, minlength=na) if nf else np.zeros(na)
        self.af_remaining = [int(x) for x in remaining]

    # -- lookups -------------------------------------------------------------------------------

    def next_wave(self, h: int, t_s: float) -> float:
        i = self.interval[h]
        return math.ceil(t_s / i - 1e-9) * i

    def scrubbed(self, h: int, t_s: float) -> bool:
        k = round(t_s / self.interval[h]) - self.wave0[h]
        waves = self.scrubbed_wave[h]
        return bool(waves[k]) if 0 <= k < len(waves) else False

    def in_front(self, h: int, t_s: float) -> bool:
        path = self.fronts[h]
        return (bisect_right(self.front_switch[h], t_s) % 2 == 1) ^ path.bad_at_start

    def open_zone(self, h: int, t_s: float) -> int:
        """The first open landing zone of hub ``h`` at ``t_s`` (0 primary, 1 alternate), or -1."""
        for z, (switch, bad_at_start) in enumerate(self.zone_switch[h]):
            if not ((bisect_right(switch, t_s) % 2 == 1) ^ bad_at_start):
                return z
        return -1

    def draw_fail(self, f: int) -> float:
        return self.fail_u[f] if f < len(self.fail_u) else float(self.rng.random())

    def draw_boat(self, f: int) -> float:
        return self.boat_u[f] if f < len(self.boat_u) else float(self.rng.standard_normal())

    # -- airframes -----------------------------------------------------------------------------

    def spare(self, h: int) -> int:
        """A ready airframe at ``h`` with no planned flight left (lowest index), or -1."""
        for a, loc in enumerate(self.af_loc):
            if (
                loc == h
                and not self.af_busy[a]
                and not self.af_lost[a]
                and self.af_remaining[a] <= 0
            ):
                return a
        return -1

    def take(self, a: int) -> int:
        self.af_busy[a] = True
        self.af_free[a] = self.env.event()
        return a

    def release(self, a: int) -> None:
        self.af_busy[a] = False
        free = self.af_free[a]
        if not free.triggered:
            free.succeed()

    def airframe(self, f: int, h: int) -> Generator[Any, Any, int]:
        a = self.fl.planned_airframe[f]
        if a >= 0:
            while self.af_busy[a] and not self.af_lost[a]:
                yield self.af_free[a]
            self.af_remaining[a] -= 1
            if not self.af_lost[a] and self.af_loc[a] == h:
                return self.take(a)
        spare = self.spare(h)
        return self.take(spare) if spare >= 0 else -1

    def ready_later(self, a: int) -> None:
        def ready(_event: simpy.Event) -> None:
            self.release(a)

        self.env.timeout(self.cycle_s).callbacks.append(ready)

    # -- flights -------------------------------------------------------------------------------

    def to_standard(self, f: int, h: int, why: str) -> None:
        self.fl.status[f] = FlightStatus.STANDARD
        if not self.fl.repositioning[f]:
            self.log.add(self.env.now, EventKind.STANDARD, f, h, why)

    def redispatch(self, f: int, h: int, planned_s: float, duration_s: float, why: str) -> int:
        g = self.fl.add(f, h, planned_s, duration_s)
        self.log.add(self.env.now, EventKind.REDISPATCH, f, h, f"{why} -> {self.fl.flight_id[g]}")
        self.env.process(self.flight(g))
        return g

    def other_hub(self, f: int, t_s: float) -> int:
        """Re-dispatch ``f`` from the best clear hub of its origin's country, or -1."""
        fl = self.fl
        o, d = fl.origin[f], fl.destination[f]
        best, best_arrival, best_launch = -1, math.inf, 0.0
        for h in range(self.n_hubs):
            if h in (o, d) or self.country[h] != self.country[o]:
                continue
            duration = float(self.flight_s[h, d])
            launch = self.next_wave(h, t_s + self.handling[h])
            if (
                not math.isfinite(duration)
                or self.scrubbed(h, launch)
                or self.open_zone(d, launch + duration) < 0
                or self.spare(h) < 0
            ):
                continue
            if launch + duration < best_arrival - _EPS:
                best, best_arrival, best_launch = h, launch + duration, launch
        if best < 0:
            return -1
        fl.status[f] = FlightStatus.REPLACED
        return self.redispatch(f, best, best_launch, float(self.flight_s[best, d]), "front")

    def flight(self, f: int) -> Generator[Any, Any, None]:
        env, fl, log = self.env, self.fl, self.log
        o, d = fl.origin[f], fl.destination[f]
        cargo = not fl.repositioning[f]
        interval = self.interval[o]
        duration = fl.duration[f]
        planned = fl.planned[f]
        t = planned
        a = -1
        action = self.policy.action
        while True:
            if t > env.now:
                yield env.timeout(t - env.now)
            if t - planned > self.max_hold_s + _EPS:
                if a >= 0:
                    self.release(a)
                self.to_standard(f, o, "max hold")
                return
            if a < 0:
                a = yield from self.airframe(f, o)
                if a < 0:
                    log.add(env.now, EventKind.NO_AIRFRAME, f, o)
                    self.to_standard(f, o, "no airframe")
                    return
                if env.now > t + _EPS:
                    t = self.next_wave(o, env.now)
                    continue
            if self.scrubbed(o, t):
                fl.scrubs[f] += 1
                log.add(t, EventKind.SCRUB, f, o)
                if cargo and action is ReplanAction.STANDARD:
                    self.release(a)
                    self.to_standard(f, o, "scrub")
                    return
                if (
                    cargo
                    and action is ReplanAction.OTHER_HUB
                    and self.in_front(o, t)
                    and self.other_hub(f, t) >= 0
                ):
                    self.release(a)
                    return
                t += interval
                continue
            zone = self.open_zone(d, t + duration)
            if zone < 0:
                fl.holds[f] += 1
                log.add(t, EventKind.HOLD, f, d)
                t += interval
                continue
            pad = self.pads[o]
            request = pad.request()
            if not request.triggered:
                request.cancel()
                log.add(t, EventKind.PAD_BUSY, f, o)
                t += interval
                continue

            def free_pad(
                _event: simpy.Event, pad: simpy.Resource = pad, req: Any = request
            ) -> None:
                pad.release(req)

            env.timeout(self.pad_reset_s).callbacks.append(free_pad)
            break

        # Launch.
        fl.launch[f] = env.now
        fl.airframe[f] = a
        self.af_flew[a] = True
        if zone == 1:
            fl.diverted[f] = True
            log.add(env.now, EventKind.DIVERT, f, d)
        log.add(env.now, EventKind.LAUNCH, f, o, self.hub_ids[d])
        yield env.timeout(duration)
        fl.landing[f] = env.now
        if self.draw_fail(f) < self.fail_p:
            fl.status[f] = FlightStatus.LOST
            self.af_lost[a] = True
            self.release(a)  # wakes anyone waiting on it: they find it lost
            log.add(env.now, EventKind.LOST, f, d)
            if cargo:
                ready = self.next_wave(o, env.now + self.handling[o])
                self.redispatch(f, o, ready, duration, "lost")
            return
        log.add(env.now, EventKind.LANDING, f, d)
        self.af_loc[a] = d
        self.ready_later(a)
        if not cargo:
            return
        boats = self.boats[d]
        boat = boats.request()
        yield boat
        km = self.route_km[d] + (self.alt_extra_km if zone == 1 else 0.0)
        sail_s = km / self.boat_speed_kms * math.exp(self.boat_sigma * self.draw_boat(f))
        yield env.timeout(self.boat_fixed_s + sail_s)
        fl.port[f] = env.now
        log.add(env.now, EventKind.PORT, f, d)

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
        fl = self.fl
        lost = sum(self.af_lost)
        return FlightRecord(
            flight_id=np.asarray(fl.flight_id, dtype=np.int64),
            origin=np.asarray(fl.origin, dtype=np.int64),
            destination=np.asarray(fl.destination, dtype=np.int64),
            planned_s=np.asarray(fl.planned, dtype=np.float64),
            launch_s=np.asarray(fl.launch, dtype=np.float64),
            landing_s=np.asarray(fl.landing, dtype=np.float64),
            port_s=np.asarray(fl.port, dtype=np.float64),
            status=np.asarray(fl.status, dtype=np.int8),
            replaced_by=np.asarray(fl.replaced_by, dtype=np.int64),
            parent=np.asarray(fl.parent, dtype=np.int64),
            scrubs=np.asarray(fl.scrubs, dtype=np.int64),
            holds=np.asarray(fl.holds, dtype=np.int64),
            diverted=np.asarray(fl.diverted, dtype=bool),
            airframe=np.asarray(fl.airframe, dtype=np.int64),
            mass_kg=np.asarray(fl.mass, dtype=np.float64),
            repositioning=np.asarray(fl.repositioning, dtype=bool),
            airframes_total=len(self.af_loc),
            airframes_flown=int(sum(self.af_flew)),
            airframes_lost=int(lost),
            events_processed=processed,
            log=self.log,
        )


def simulate_flights(
    inputs: SimInputs, config: SimConfig, seed: np.random.SeedSequence
) -> FlightRecord:
    """Run the discrete-event model of one replicate (flights only; see the module doc)."""
    return _Engine(inputs, config, seed).run()
