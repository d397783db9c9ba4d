"""Several days planned at once, then simulated: does every day's rocket promise come true?

``.venv/bin/python benchmarks/bench_days.py`` generates ``--days`` consecutive days of
``--orders`` orders each (``rocketpost orders generate --days``), plans them as one file with
stock in China and no cost ceiling (the demo's day, repeated: ``rocketpost plan ORDERS
--stock-at HZB,SHA,SZX --max-cost-per-kg 0``), and simulates the plan ``--replicates`` times in
one clock, so an airframe flown, ferried, held by weather or lost on one day is missing or late
on the next. Per UTC day of the orders it prints the flights launched (cargo and empty
repositioning), the rocket promises made, the mean P(on time) they were made at (the share a
calibrated promise keeps), and the share kept, pooled over the replicates, with its 95 %
interval over replicates as clusters: ``rocketpost calibrate --days``'s check
(rocketpost.simulation.validation.validate_inputs) on ``plan_day``'s plan, customs
pre-clearance included. ``--first-replicate`` starts at another replicate, for a second sample
independent of the first.

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
from rocketpost.simulation import inputs_from_plan
from rocketpost.simulation.validation import KeptShare, validate_inputs

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

    started = time.perf_counter()
    result = validate_inputs(
        inputs,
        replicates=args.replicates,
        first_replicate=args.first_replicate,
        orders=len(orders),
    )
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

    def row(label: str, cargo: int, ferries: int, share: KeptShare | None) -> str:
        if share is None or share.promised == 0:
            return f"{label:<12}{cargo:>7}{ferries:>9}{0:>17}"
        return (
            f"{label:<12}{cargo:>7}{ferries:>9}{share.promised / args.replicates:>17.1f}"
            f"{share.stated:>9.2%}{share.share:>9.2%}   {share.low:.2%} – {share.high:.2%}"
        )

    rocket_by_day = {s.group: s for s in result.days if s.kind == "rocket"}
    for day in np.unique(inputs.order_created_s // DAY_S).astype(np.int64).tolist():
        cargo = int(((launch_day == day) & ~flights.repositioning).sum())
        ferries = int(((launch_day == day) & flights.repositioning).sum())
        label = str(np.datetime64(day, "D"))
        print(row(label, cargo, ferries, rocket_by_day.get(label)))
    overall = next(s for s in result.shares if s.group == "all" and s.kind == "rocket")
    cargo, ferries = int((~flights.repositioning).sum()), int(flights.repositioning.sum())
    print(row("all", cargo, ferries, overall))


if __name__ == "__main__":
    main()
