"""Why rocket promises were missed: the misses of a simulated plan by what happened to their
flights, against the misses the promised P(on time) expected, and the onset check.

Run after ``make demo`` (or on any plan directory)::

    .venv/bin/python benchmarks/miss_causes.py demo-output/plan --replicates 100 --seed 1

It prints, over the replicates (the CLI's default policy, ``other_hub``, and config):

* the rocket promises made (the dispatcher's: withdrawn ones left out), how many were missed
  and how many the promised P expected (the sum of ``1 − p_on_time``);
* the misses grouped by the events of their planned and final flights (``scrub73`` is a flight
  scrubbed at 73 launch slots, ``hold``: landing site closed, ``pad_busy``, ``lost``,
  ``no_airframe``, ``grounded`` vessel drones, ``redispatch``, ``standard``, and ``customs``
  for a parcel an inspection delayed), then every miss;
* the onset check: fronts starting between the order and the planned launch, and sea closures
  between the order and the landing, observed against what the onset hazards expected
  (:mod:`rocketpost.promise.onset`).

This is the diagnostic behind session 8's figures in docs/promise.md; it reads what the
simulator already records (no second model).
"""

from __future__ import annotations

import argparse
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from rocketpost.planning.service_choice import Mode
from rocketpost.promise.onset import onset_rates
from rocketpost.simulation import ReplanPolicy, SimConfig, SimInputs, load_inputs
from rocketpost.simulation.conditions import PRIMARY_ZONE
from rocketpost.simulation.disruptions import child_seed
from rocketpost.simulation.engine import replicate_conditions
from rocketpost.simulation.montecarlo import replicate_seed, run_replicate

KINDS = ("scrub", "hold", "pad_busy", "lost", "no_airframe", "grounded", "redispatch", "standard")
CONFIG = SimConfig(policy=ReplanPolicy(action="other_hub"))

Miss = tuple[int, str, str, str, float, float, str]


def misses_of(inputs: SimInputs, seed: int, index: int) -> tuple[int, float, list[Miss]]:
    """``(rocket promises made, misses expected, the misses)`` of one replicate."""
    result = run_replicate(inputs, CONFIG, seed, index, detail=True)
    assert result.orders is not None and result.events is not None
    orders = result.orders.to_pandas()
    events = result.events.to_pandas()
    made = orders[(orders["mode"] == "rocket") & orders["promise_made"]]
    out: list[Miss] = []
    for row in made[~made["on_time"]].itertuples():
        flights = {row.planned_flight_id, row.flight_id}
        kinds = Counter(events[events.flight_id.isin(flights)].kind)
        tags = [f"{k}{kinds[k]}" for k in KINDS if kinds.get(k)]
        if row.customs_delay_s > 0:
            tags.append("customs")
        late_min = round(float(row.lateness_s) / 60.0, 1)
        p = round(float(row.p_on_time), 4)
        out.append((index, row.order_id, row.origin, row.destination, late_min, p, " ".join(tags)))
    return len(made), float((1.0 - made["p_on_time"]).sum()), out


def onset_check(inputs: SimInputs, seed: int, replicates: int) -> str:
    """Fronts before the launch and closures before the landing: observed against expected."""
    network = inputs.network
    rows = np.flatnonzero((inputs.order_mode == Mode.ROCKET) & (inputs.order_flight >= 0))
    expected_front = expected_sea = 0.0
    front = sea = orders = 0
    for i in range(replicates):
        c = replicate_conditions(inputs, CONFIG, child_seed(replicate_seed(seed, i), 0))
        for j in rows.tolist():
            t = float(inputs.order_created_s[j])
            o, d = int(inputs.order_origin[j]), int(inputs.order_destination[j])
            f = int(inputs.order_flight[j])
            launch = float(inputs.flight_launch_s[f])
            landing = launch + float(inputs.flight_duration_s[f])
            if c.in_front(o, t) or c.open_zone(d, t) != PRIMARY_ZONE:
                continue  # the dispatcher re-decides these under what it sees
            orders += 1
            hubs, sites = onset_rates(network, c.seen_at(t))
            expected_front += float(-np.expm1(-hubs[o] * (launch - t)))
            expected_sea += float(-np.expm1(-sites[d] * (landing - t)))
            front += c.in_front(o, launch)
            sea += c.open_zone(d, landing) != PRIMARY_ZONE
    return (
        f"onsets over {orders:,} rocket orders: a front before the launch {front} observed, "
        f"{expected_front:.2f} expected; a sea closure before the landing {sea} observed, "
        f"{expected_sea:.2f} expected"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plan_dir", type=Path)
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    inputs = load_inputs(args.plan_dir, None)
    n = args.replicates
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(misses_of, [inputs] * n, [args.seed] * n, range(n)))
    made = sum(r[0] for r in results)
    expected = sum(r[1] for r in results)
    misses = [m for r in results for m in r[2]]
    kept = 1.0 - len(misses) / made if made else float("nan")
    print(
        f"{n} replicates, seed {args.seed}: {made:,} rocket promises, {len(misses)} missed "
        f"({kept:.2%} kept), {expected:.1f} expected from the promised P"
    )
    for tags, count in Counter(m[6] for m in misses).most_common():
        print(f"{count:5d}  {tags or '(none recorded)'}")
    for miss in misses:
        replicate, order, origin, site, late_min, p, tags = miss
        where = f"{order} {origin} -> {site}"
        print(f"  replicate {replicate}: {where}, {late_min} min late, promised P {p}: {tags}")
    print(onset_check(inputs, args.seed, n))


if __name__ == "__main__":
    main()
