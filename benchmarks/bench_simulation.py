"""Simulator speed: events/s against a bare SimPy loop, and one day of 1,000,000 orders.

* The model's cost per event is compared with a bare SimPy loop that processes the same number
  of events (processes doing nothing but ``yield env.timeout``), stepped the same way. Target:
  ≤ 3× bare SimPy per event. Measured on a busy day (short reuse cycle so that airframes fly
  many times and the event loop, not the set-up, dominates) and on the 1 M-order day, over 40
  replicates each (a replicate's loop takes a few milliseconds: 5 replicates moved the ratio
  by ±1×).
* One day of 1 M generated orders, merchants' stock at the Chinese hubs, light flights always
  flown (so that the rocket lanes carry what they can): planning time is printed separately from
  simulation time; a replicate is SimPy over the flights + NumPy over the orders + KPIs.
"""

from __future__ import annotations

import dataclasses
import math
import time
from datetime import date

import numpy as np
import simpy

from rocketpost.network import Network, default_network
from rocketpost.orders.generator import generate_orders
from rocketpost.planning import ConsolidationPolicy, Mode, plan_orders
from rocketpost.planning.params import PlanParams
from rocketpost.simulation import SimConfig, SimInputs, inputs_from_plan, run_replicate
from rocketpost.simulation.engine import _Engine

N = 1_000_000
FLY_ALWAYS = ConsolidationPolicy(max_cost_per_kg_usd=math.inf)


def bare_simpy(events: int, processes: int) -> tuple[int, float]:
    """Seconds for a bare SimPy loop processing about ``events`` events."""
    env = simpy.Environment()
    per = max(1, events // processes - 2)  # + initialize + process-exit events

    def proc(env: simpy.Environment, k: int, delay: float):  # type: ignore[no-untyped-def]
        for _ in range(k):
            yield env.timeout(delay)

    for p in range(processes):
        env.process(proc(env, per, 1.0 + p * 1e-3))
    step = env.step
    done = 0
    start = time.perf_counter()
    try:
        while True:
            step()
            done += 1
    except simpy.core.EmptySchedule:
        pass
    return done, time.perf_counter() - start


def china_stock(network: Network, n: int, merchant: np.ndarray) -> np.ndarray:
    china = np.flatnonzero([h.country == "CN" for h in network.hubs])
    allowed = np.zeros((n, len(network.hubs)), dtype=bool)
    allowed[np.arange(n), china[merchant % len(china)]] = True
    return allowed


def engine_rate(label: str, inputs: SimInputs, config: SimConfig, replicates: int) -> None:
    events, loop_s, total_s = 0, 0.0, 0.0
    for k in range(replicates):
        t0 = time.perf_counter()
        engine = _Engine(inputs, config, np.random.SeedSequence(k))
        t1 = time.perf_counter()
        record = engine.run()
        t2 = time.perf_counter()
        events += record.events_processed
        loop_s += t2 - t1
        total_s += t2 - t0
    bare_events, bare_s = bare_simpy(events // replicates, max(1, inputs.n_flights))
    bare_per = bare_s / bare_events
    ours_loop = loop_s / events
    ours_total = total_s / events
    print(f"[{label}] flights planned: {inputs.n_flights:,}")
    print(f"[{label}] events per replicate: {events / replicates:,.0f}")
    print(f"[{label}] model events/s (event loop): {1 / ours_loop:,.0f}")
    print(f"[{label}] model events/s (incl. weather/sea set-up): {1 / ours_total:,.0f}")
    print(f"[{label}] bare SimPy events/s: {1 / bare_per:,.0f}")
    print(f"[{label}] cost per event vs bare SimPy (event loop): {ours_loop / bare_per:.2f}x")
    print(f"[{label}] cost per event vs bare SimPy (incl. set-up): {ours_total / bare_per:.2f}x")


def main() -> None:
    network = default_network()

    # A busy day: 1 h reuse cycle, so the fleet flies all day and events pile up.
    busy_net = dataclasses.replace(
        network, rocket=dataclasses.replace(network.rocket, recovery_h=0.5, turnaround_h=0.5)
    )
    orders, _ = generate_orders(200_000, day=date(2026, 11, 25), rng=np.random.default_rng(7))
    merchant = np.unique(orders.merchant_id, return_inverse=True)[1]
    allowed = china_stock(busy_net, len(orders), merchant)
    plan = plan_orders(
        busy_net, orders, PlanParams(consolidation=FLY_ALWAYS), allowed_origins=allowed
    )
    busy = inputs_from_plan(plan, busy_net)
    engine_rate("busy day, 200k orders, 1 h reuse cycle", busy, SimConfig(), 40)

    start = time.perf_counter()
    orders, _ = generate_orders(N, day=date(2026, 11, 25), rng=np.random.default_rng(2026))
    print(f"generate {N:,} orders (excluded): {time.perf_counter() - start:.1f} s")
    merchant = np.unique(orders.merchant_id, return_inverse=True)[1]
    allowed = china_stock(network, len(orders), merchant)
    start = time.perf_counter()
    plan = plan_orders(
        network, orders, PlanParams(consolidation=FLY_ALWAYS), allowed_origins=allowed
    )
    print(f"plan {N:,} orders (service, consolidation, fleet): {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    inputs = inputs_from_plan(plan, network)
    print(f"plan -> simulator inputs: {time.perf_counter() - start:.2f} s")
    engine_rate("1M-order day", inputs, SimConfig(), 40)
    one_day("merchants in China", inputs)

    start = time.perf_counter()
    plan = plan_orders(network, orders, PlanParams(consolidation=FLY_ALWAYS))
    print(f"[stock everywhere] plan {N:,} orders: {time.perf_counter() - start:.1f} s")
    one_day("stock everywhere", inputs_from_plan(plan, network))


def one_day(label: str, inputs: SimInputs) -> None:
    rocket = int((inputs.order_mode == Mode.ROCKET).sum())
    print(
        f"[{label}] one-hour orders: {inputs.n_orders:,} (rocket {rocket:,}), flights: "
        f"{inputs.n_flights:,}"
    )
    for detail in (False, True):
        best = math.inf
        for _ in range(3):
            start = time.perf_counter()
            result = run_replicate(inputs, SimConfig(), 1, 0, detail=detail)
            best = min(best, time.perf_counter() - start)
        what = "with per-order table and event log" if detail else "KPIs only"
        print(
            f"[{label}] simulate one day of {N:,} orders, one replicate ({what}): "
            f"{best * 1000:.1f} ms"
        )
    print(f"[{label}] promises kept in that replicate: {result.kpis['promises_kept_share']:.4f}")


if __name__ == "__main__":
    main()
