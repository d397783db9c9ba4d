"""Several days planned at once, then simulated: does every day's rocket promise come true?

``.venv/bin/python benchmarks/bench_days.py`` generates ``--days`` consecutive days of
``--orders`` orders each (``rocketpost orders generate --days``), plans them as one file with
stock in China and no cost ceiling (the demo's day, repeated: ``rocketpost plan ORDERS
--stock-at HZB,SHA,SZX --max-cost-per-kg 0``), and simulates the plan ``--replicates`` times in
one clock, so an airframe flown, ferried, held by weather or lost on one day is missing or late
on the next. Per UTC day of the orders it prints the flights launched (cargo and empty
repositioning), the rocket promises made, the mean P(on time) they were made at (the share a
calibrated promise keeps), and the share kept, pooled over the replicates, with its 95 %
interval over replicates as clusters (promises of one replicate fail together:
rocketpost.promise.reliability.clustered_wilson_interval). ``--first-replicate`` starts at
another replicate, for a second sample independent of the first.

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
from rocketpost.promise.reliability import clustered_wilson_interval
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
    parser.add_argument("--first-replicate", type=int, default=0, help="the first one's index")
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
    # Per day and replicate: promises made, kept, and the sum of their P(on time).
    made = np.zeros((len(days), args.replicates), dtype=np.int64)
    kept = np.zeros_like(made)
    stated = np.zeros(made.shape, dtype=np.float64)
    started = time.perf_counter()
    for r in range(args.replicates):
        table = run_replicate(inputs, config, 0, args.first_replicate + r, detail=True).orders
        assert table is not None
        promised = rocket & table.column("promise_made").to_numpy(zero_copy_only=False)
        on_time = table.column("on_time").to_numpy(zero_copy_only=False)
        p_on_time = np.asarray(table.column("p_on_time").to_numpy(zero_copy_only=False), float)
        for k, day in enumerate(days):
            here = promised & (order_day == day)
            made[k, r] = int(here.sum())
            kept[k, r] = int((here & on_time).sum())
            stated[k, r] = float(np.nansum(p_on_time[here]))
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
        f"{'stated':>9}{'kept':>9}   95 % interval (by replicate)"
    )

    def row(label: str, cargo: int, ferries: int, m: np.ndarray, k: np.ndarray, p: float) -> str:
        total = int(m.sum())
        if total == 0:
            return f"{label:<12}{cargo:>7}{ferries:>9}{0:>17}"
        low, high = clustered_wilson_interval(k, m)
        return (
            f"{label:<12}{cargo:>7}{ferries:>9}{total / args.replicates:>17.1f}"
            f"{p / total:>9.2%}{int(k.sum()) / total:>9.2%}   {low:.2%} – {high:.2%}"
        )

    for k, day in enumerate(days.tolist()):
        cargo = int(((launch_day == day) & ~flights.repositioning).sum())
        ferries = int(((launch_day == day) & flights.repositioning).sum())
        label = str(np.datetime64(day, "D"))
        print(row(label, cargo, ferries, made[k], kept[k], float(stated[k].sum())))
    print(
        row(
            "all",
            int((~flights.repositioning).sum()),
            int(flights.repositioning.sum()),
            made.sum(axis=0),
            kept.sum(axis=0),
            float(stated.sum()),
        )
    )


if __name__ == "__main__":
    main()
