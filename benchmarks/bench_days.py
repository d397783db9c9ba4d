"""Several days planned at once, then simulated: does every day's rocket promise come true?

``.venv/bin/python benchmarks/bench_days.py`` generates ``--days`` consecutive days of
``--orders`` orders each (``rocketpost orders generate --days``), plans them as one file with
stock in China and no cost ceiling (the demo's day, repeated: ``rocketpost plan ORDERS
--stock-at HZB,SHA,SZX --max-cost-per-kg 0``), and simulates the plan ``--replicates`` times in
one clock, so an airframe flown, ferried, held by weather or lost on one day is missing or late
on the next. Per UTC day of the orders it prints the flights launched (cargo and empty
repositioning), the rocket promises made, and the share kept with its Wilson interval, pooled
over the replicates (parcels of one flight fail together, so the interval is narrower than the
truth: docs/simulation.md).

The one-day demo flies the fleet home and ready; the days after fly what the days before left.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import time
from datetime import date

import numpy as np

from rocketpost.network import default_network
from rocketpost.orders.generator import generate_days
from rocketpost.planning import plan_day
from rocketpost.planning.params import PlanParams
from rocketpost.planning.service_choice import Mode
from rocketpost.promise.reliability import wilson_interval
from rocketpost.simulation import SimConfig, inputs_from_plan, run_replicate

STOCK = ("HZB", "SHA", "SZX")
DAY_S = 86_400


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000, help="orders a day")
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--date", default="2026-11-25", help="the first day")
    parser.add_argument("--seed", type=int, default=1, help="the orders' seed")
    parser.add_argument("--replicates", type=int, default=200)
    args = parser.parse_args()

    network = default_network()
    started = time.perf_counter()
    orders, items = generate_days(
        args.orders,
        first_day=date.fromisoformat(args.date),
        days=args.days,
        seed=args.seed,
        rocket=network.rocket,
    )
    allowed = np.zeros((len(orders), len(network.hubs)), dtype=bool)
    allowed[:, [network.hub_index(h) for h in STOCK]] = True
    params = PlanParams()
    params = dataclasses.replace(
        params,
        consolidation=dataclasses.replace(params.consolidation, max_cost_per_kg_usd=math.inf),
    )
    plan = plan_day(network, orders, items, params, allowed_origins=allowed)
    planned_s = time.perf_counter() - started
    inputs = inputs_from_plan(plan, network, stock=allowed)

    config = SimConfig()
    order_day = (inputs.order_created_s // DAY_S).astype(np.int64)
    rocket = inputs.order_mode == Mode.ROCKET
    days = np.unique(order_day)
    made = np.zeros(len(days), dtype=np.int64)
    kept = np.zeros(len(days), dtype=np.int64)
    started = time.perf_counter()
    for i in range(args.replicates):
        table = run_replicate(inputs, config, 0, i, detail=True).orders
        assert table is not None
        promised = rocket & table.column("promise_made").to_numpy(zero_copy_only=False)
        on_time = table.column("on_time").to_numpy(zero_copy_only=False)
        for k, day in enumerate(days):
            here = promised & (order_day == day)
            made[k] += int(here.sum())
            kept[k] += int((here & on_time).sum())
    simulated_s = time.perf_counter() - started

    flights = plan.flights
    launch_day = (flights.launch_s // DAY_S).astype(np.int64)
    print(
        f"{args.days} days of {args.orders:,} orders from {args.date} (seed {args.seed}), stock in "
        f"{', '.join(STOCK)}: planned in {planned_s:.0f} s; {args.replicates} replicates in "
        f"{simulated_s:.0f} s"
    )
    print(
        f"{'UTC day':<12}{'cargo':>7}{'ferries':>9}{'rocket promises':>17}"
        f"{'kept':>9}   95 % interval"
    )
    for k, day in enumerate(days.tolist()):
        cargo = int(((launch_day == day) & ~flights.repositioning).sum())
        ferries = int(((launch_day == day) & flights.repositioning).sum())
        label = np.datetime64(day, "D").astype(str)
        if made[k] == 0:
            print(f"{label:<12}{cargo:>7}{ferries:>9}{0:>17}")
            continue
        low, high = wilson_interval(int(kept[k]), int(made[k]))
        print(
            f"{label:<12}{cargo:>7}{ferries:>9}{made[k] / args.replicates:>17.1f}"
            f"{kept[k] / made[k]:>9.2%}   {low:.2%} – {high:.2%}"
        )
    low, high = wilson_interval(int(kept.sum()), int(made.sum()))
    print(
        f"{'all':<12}{int((~flights.repositioning).sum()):>7}{int(flights.repositioning.sum()):>9}"
        f"{made.sum() / args.replicates:>17.1f}{kept.sum() / max(made.sum(), 1):>9.2%}"
        f"   {low:.2%} – {high:.2%}"
    )


if __name__ == "__main__":
    main()
