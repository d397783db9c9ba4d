"""Network designer: coverage matrix, exact solves (HiGHS, CP-SAT), greedy, gap, frontier.

Design for every city of at least MIN_POPULATION people (default 15,000: ~34,000 cities)
against every candidate (2,550), stock at HZB, SHA and SZX, on the rocket-hour network without
its own sites. Issue #15's targets on the 2-core machine: one budget ≤ 60 s, the whole frontier
≤ 5 min, optimality gap ≤ 1 %; the greedy baseline's gap is printed beside it.
Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_design.py [MIN_POPULATION] [CPSAT_S]``
(CPSAT_S: CP-SAT's time limit per solve, default 30 s; 0 skips CP-SAT).
"""

from __future__ import annotations

import dataclasses
import sys
import time

from rocketpost.design.analysis import design, frontier
from rocketpost.design.candidates import CandidateSettings, build_candidates
from rocketpost.design.costs import default_costs
from rocketpost.design.coverage import build_coverage
from rocketpost.design.demand import city_demand
from rocketpost.design.mclp import covering_problem, solve
from rocketpost.network import load_network

STOCK = ("HZB", "SHA", "SZX")
SITE_COUNTS = (10, 25, 50, 100, 200, 300, 400, 600, 1000)
BUDGETS_USD = (1e9, 2e9, 3e9, 4e9)


def main() -> None:
    min_population = int(sys.argv[1]) if len(sys.argv) > 1 else 15_000
    cpsat_s = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    start = time.perf_counter()
    network = dataclasses.replace(load_network(None, preset="rocket-hour"), extra_sites=())
    candidates = build_candidates(CandidateSettings(min_population=min_population))
    demand = city_demand(min_population)
    print(f"inputs (network, candidates, cities)          {time.perf_counter() - start:8.2f} s")
    start = time.perf_counter()
    coverage = build_coverage(network, candidates, demand, stock_hubs=STOCK)
    print(
        f"coverage matrix                               {time.perf_counter() - start:8.2f} s  "
        f"({len(candidates):,} candidates × {len(demand):,} cities, {coverage.groups} kernel "
        f"calls, {coverage.covers.nnz:,} covering pairs)"
    )
    costs = default_costs()
    for sites in (100, 300):
        start = time.perf_counter()
        problem = covering_problem(coverage, budget=sites)
        print(
            f"\n{sites} sites: model {problem.matrix.shape[0]:,} candidates × "
            f"{problem.matrix.shape[1]:,} point patterns ({time.perf_counter() - start:.2f} s)"
        )
        solvers = ["highs", "greedy"] + (["cpsat"] if cpsat_s > 0 else [])
        exact = None
        for solver in solvers:
            solution = solve(problem, solver=solver, time_limit_s=cpsat_s or 60.0)
            exact = solution if solver == "highs" else exact
            gap = solution.gap
            if solver == "greedy" and exact is not None:
                gap = (exact.bound - solution.objective) / exact.bound
            print(
                f"  {solver:<7} {solution.seconds:7.2f} s  share {solution.share:.4%}  "
                f"gap {gap:.3%}  ({solution.status})"
            )
    start = time.perf_counter()
    result = design(coverage, costs=costs, sites=300)
    print(f"\none budget end to end (300 sites, with greedy) {time.perf_counter() - start:7.2f} s")
    start = time.perf_counter()
    points = frontier(coverage, costs=costs, site_counts=SITE_COUNTS, budgets_usd=BUDGETS_USD)
    print(
        f"frontier: {len(points)} budgets                          "
        f"{time.perf_counter() - start:8.2f} s; largest gap {max(p.gap for p in points):.3%}"
    )
    for p in points:
        print(
            f"  {p.sites:5d} sites  ${p.annual_usd / 1e6:7,.0f} M/yr  {p.share:.2%}  "
            f"gap {p.gap:.3%}  greedy {p.greedy_share:.2%}  {p.seconds:6.2f} s"
        )
    print(f"\nshare at 300 sites: {result.solution.share:.2%}")


if __name__ == "__main__":
    main()
