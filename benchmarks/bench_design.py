"""Network designer: coverage matrix, exact solves (HiGHS, CP-SAT), greedy, gap, frontier.

Design for every city of at least MIN_POPULATION people (default 15,000: ~34,000 cities)
against every candidate (2,550), stock at HZB, SHA and SZX, on the rocket-hour network without
its own sites. Issue #15's targets on the 2-core machine: one budget ≤ 60 s, the whole frontier
≤ 5 min, optimality gap ≤ 1 %; the greedy baseline's gap is printed beside it.
Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_design.py [MIN_POPULATION] [CPSAT_S]
[WORKERS]`` (CPSAT_S: CP-SAT's time limit per solve, default 30 s, 0 skips CP-SAT; WORKERS: the
local Dask cluster of the frontier and sensitivity sweeps, default 2, 0 skips the Dask runs).

It prints one budget end to end (inputs, coverage, exact solve and greedy), the whole frontier in
this process and on Dask (the same points), a sensitivity sweep in this process and on Dask, and
the hub choice (stock hubs chosen by the model among a pool, with its gap and the greedy's).
"""

from __future__ import annotations

import dataclasses
import sys
import time

from rocketpost.design.analysis import design
from rocketpost.design.candidates import CandidateSettings, build_candidates
from rocketpost.design.costs import CostModel, default_costs
from rocketpost.design.coverage import CoverageMatrix, build_coverage
from rocketpost.design.demand import Demand, city_demand
from rocketpost.design.hubs import hub_coverages
from rocketpost.design.hubsolve import choose_hubs
from rocketpost.design.mclp import covering_problem, solve
from rocketpost.design.sweeps import ConceptBase, run_frontier, run_sensitivity
from rocketpost.design.table import CandidateTable
from rocketpost.network import Network, load_network
from rocketpost.simulation import dask_client

STOCK = ("HZB", "SHA", "SZX")
SITE_COUNTS = (10, 25, 50, 100, 200, 300, 400, 600, 1000)
BUDGETS_USD = (1e9, 2e9, 3e9, 4e9)
CONCEPTS = (("drone_range_km", 30.0), ("vessel_speed_kmh", 100.0), ("burnout_speed_ms", 7500.0))
HUB_POOL = ("HZB", "SHA", "SZX", "ICN", "TYO", "SIN")


def main() -> None:
    min_population = int(sys.argv[1]) if len(sys.argv) > 1 else 15_000
    cpsat_s = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    begin = start = time.perf_counter()
    network = dataclasses.replace(load_network(None, preset="rocket-hour"), extra_sites=())
    settings = CandidateSettings(min_population=min_population)
    candidates = build_candidates(settings)
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
    start = time.perf_counter()
    result = design(coverage, costs=costs, sites=300)
    print(
        f"one budget (300 sites) end to end             {time.perf_counter() - begin:8.2f} s  "
        f"(solve and greedy {time.perf_counter() - start:.2f} s; gap {result.solution.gap:.3%}, "
        f"greedy gap {result.greedy_gap:.3%})"
    )
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
    _frontiers(coverage, workers)
    _sensitivities(ConceptBase(network, settings, demand, STOCK, costs, 100), workers)
    _hub_choice(network, candidates, demand, costs)
    print(f"\nshare at 300 sites: {result.solution.share:.2%}")


def _frontiers(coverage: CoverageMatrix, workers: int) -> None:
    costs = default_costs()
    start = time.perf_counter()
    points = run_frontier(coverage, costs=costs, site_counts=SITE_COUNTS, budgets_usd=BUDGETS_USD)
    total = coverage.demand.total
    greedy_gap = max((p.bound - p.greedy_share * total) / p.bound for p in points)
    print(
        f"\nfrontier: {len(points)} budgets in this process          "
        f"{time.perf_counter() - start:8.2f} s; largest gap {max(p.gap for p in points):.3%}, "
        f"largest greedy gap {greedy_gap:.3%}"
    )
    for p in points:
        print(
            f"  {p.sites:5d} sites  ${p.annual_usd / 1e6:7,.0f} M/yr  {p.share:.2%}  "
            f"gap {p.gap:.3%}  greedy {p.greedy_share:.2%}  {p.seconds:6.2f} s"
        )
    if workers:
        start = time.perf_counter()
        with dask_client(workers) as client:
            ready = time.perf_counter()
            on_dask = run_frontier(
                coverage,
                costs=costs,
                site_counts=SITE_COUNTS,
                budgets_usd=BUDGETS_USD,
                client=client,
            )
            done = time.perf_counter()
        same = [p.covered for p in on_dask] == [p.covered for p in points]
        print(
            f"frontier on Dask ({workers} workers)                 {done - start:8.2f} s "
            f"(cluster start {ready - start:.2f} s); same points as in process: {same}"
        )


def _sensitivities(base: ConceptBase, workers: int) -> None:
    reference_coverage = build_coverage(
        base.network, build_candidates(base.settings), base.demand, stock_hubs=base.stock_hubs
    )
    reference = design(reference_coverage, costs=base.costs, sites=base.sites).solution.share
    start = time.perf_counter()
    rows = run_sensitivity(base, CONCEPTS, reference_share=reference)
    print(
        f"\nsensitivity: {len(rows)} concepts at {base.sites} sites in this process "
        f"{time.perf_counter() - start:6.2f} s: "
        + ", ".join(f"{r.key} {r.value:g} → {r.share:.2%}" for r in rows)
    )
    if workers:
        start = time.perf_counter()
        with dask_client(workers) as client:
            on_dask = run_sensitivity(base, CONCEPTS, reference_share=reference, client=client)
        print(
            f"sensitivity on Dask ({workers} workers)             "
            f"{time.perf_counter() - start:8.2f} s (cluster start included); same rows: "
            f"{on_dask == rows}"
        )


def _hub_choice(
    network: Network, candidates: CandidateTable, demand: Demand, costs: CostModel
) -> None:
    start = time.perf_counter()
    coverages = hub_coverages(network, candidates, demand, HUB_POOL)
    built = time.perf_counter() - start
    runs: list[tuple[int, int | None, float | None, str]] = [
        (1, 300, None, "auto"),
        (3, 300, None, "auto"),
        (3, None, 3e9, "auto"),
        (1, 300, None, "joint"),
    ]
    for max_hubs, sites, usd, method in runs:
        choice = choose_hubs(
            network, coverages, max_hubs=max_hubs, costs=costs, sites=sites, budget_usd=usd,
            method=method,
        )  # fmt: skip
        s = choice.solution
        budget = f"{sites} sites" if sites is not None else f"${usd / 1e9:g} bn/yr"
        print(
            f"\nhubs chosen ({method}): at most {max_hubs} of {len(HUB_POOL)} "
            f"({', '.join(HUB_POOL)}), {budget}: {', '.join(s.hubs)}; {s.share:.2%}, {s.status}, "
            f"gap {s.gap:.3%}, {s.seconds:.2f} s (+ {built:.1f} s for the {len(HUB_POOL)} hubs' "
            f"coverage); greedy {choice.baseline.share:.2%} (gap {choice.greedy_gap:.3%})"
        )


if __name__ == "__main__":
    main()
