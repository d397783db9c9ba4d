"""Hubs chosen by the model: the joint model against brute force over hubs and sites."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from scipy import sparse

from rocketpost.design.candidates import CandidateTable
from rocketpost.design.coverage import CoverageMatrix
from rocketpost.design.demand import Demand
from rocketpost.design.hubs import hub_choice_problem, hub_coverages, hub_subsets
from rocketpost.design.hubsolve import choose_hubs, solve_hubs
from rocketpost.errors import InputError
from rocketpost.network import Network

from .conftest import STOCK


def _per_hub(
    coverage: CoverageMatrix, big_candidates: CandidateTable, seed: int, hubs: int = 3
) -> list[CoverageMatrix]:
    """A small random instance on real candidate rows: 9 sites × 30 points, per hub."""
    rng = np.random.default_rng(seed)
    m, n = 9, 30
    demand = Demand(
        name=np.array([f"p{i}" for i in range(n)], dtype=object),
        country_code=np.array(["FR"] * n, dtype=object),
        lat_deg=np.zeros(n),
        lon_deg=np.zeros(n),
        weight=rng.integers(1, 1000, n).astype(np.float64),
    )
    result = []
    for h in range(hubs):
        base = rng.random(n) < 0.1
        covers = (rng.random((m, n)) < 0.15) & ~base
        result.append(
            dataclasses.replace(
                coverage,
                stock_hubs=(f"H{h}",),
                demand=demand,
                candidates=big_candidates.subset(np.arange(m)),
                base_covered=base,
                covers=sparse.csr_matrix(covers),
            )
        )
    return result


def _brute_force(
    coverages: list[CoverageMatrix],
    sites: int,
    max_hubs: int,
    budget: float | None = None,
    cost: np.ndarray | None = None,
    hub_cost: np.ndarray | None = None,
) -> float:
    m = len(coverages[0].candidates)
    cost = np.ones(m) if cost is None else cost
    hub_cost = np.zeros(len(coverages)) if hub_cost is None else hub_cost
    limit = float(sites) if budget is None else budget
    best = 0.0
    for k in range(1, max_hubs + 1):
        for hubs in itertools.combinations(range(len(coverages)), k):
            for size in range(m + 1):
                for subset in itertools.combinations(range(m), size):
                    if cost[list(subset)].sum() + hub_cost[list(hubs)].sum() > limit + 1e-9:
                        continue
                    covered = np.zeros(len(coverages[0].demand), dtype=bool)
                    for h in hubs:
                        covered |= coverages[h].covered(list(subset))
                    best = max(best, float(coverages[0].demand.weight[covered].sum()))
    return best


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(("sites", "max_hubs"), [(1, 1), (2, 2), (3, 1), (4, 3)])
def test_joint_model_matches_brute_force(
    coverage: CoverageMatrix,
    big_candidates: CandidateTable,
    seed: int,
    sites: int,
    max_hubs: int,
) -> None:
    coverages = _per_hub(coverage, big_candidates, seed)
    problem = hub_choice_problem(coverages, budget=sites, max_hubs=max_hubs)
    optimum = _brute_force(coverages, sites, max_hubs)
    for solver, method in (("highs", "joint"), ("highs", "subsets"), ("cpsat", "auto")):
        found = solve_hubs(problem, solver=solver, time_limit_s=30, method=method)
        assert found.objective == pytest.approx(optimum), (solver, method)
        assert found.gap <= 1e-4, (solver, method)  # the default rel_gap
        assert len(found.hubs) <= max_hubs and len(found.chosen) <= sites
        # The objective is what the chosen hubs and sites cover, recounted per hub.
        covered = np.zeros(len(coverages[0].demand), dtype=bool)
        for h in found.hubs:
            covered |= coverages[int(h[1:])].covered(list(found.chosen))
        assert float(coverages[0].demand.weight[covered].sum()) == pytest.approx(optimum)
    baseline = solve_hubs(problem, solver="greedy")
    assert baseline.objective <= optimum + 1e-9


@pytest.mark.parametrize("seed", [3, 4])
def test_hub_costs_share_the_budget(
    coverage: CoverageMatrix, big_candidates: CandidateTable, seed: int
) -> None:
    coverages = _per_hub(coverage, big_candidates, seed)
    rng = np.random.default_rng(seed)
    cost = rng.integers(1, 4, 9).astype(np.float64)
    hub_cost = np.array([2.0, 3.0, 1.0])
    problem = hub_choice_problem(coverages, budget=7.0, max_hubs=3, cost=cost, hub_cost=hub_cost)
    optimum = _brute_force(coverages, 0, 3, budget=7.0, cost=cost, hub_cost=hub_cost)
    for solver, method in (("highs", "joint"), ("highs", "subsets"), ("cpsat", "auto")):
        found = solve_hubs(problem, solver=solver, time_limit_s=30, method=method)
        assert found.objective == pytest.approx(optimum), (solver, method)
        assert found.gap <= 1e-4, (solver, method)  # the default rel_gap
        assert found.cost <= 7.0 + 1e-9


def test_bad_pools_and_limits(
    coverage: CoverageMatrix, big_candidates: CandidateTable, base_network: Network
) -> None:
    coverages = _per_hub(coverage, big_candidates, 0)
    with pytest.raises(InputError):
        hub_choice_problem(coverages, budget=2, max_hubs=0)
    with pytest.raises(InputError):
        hub_choice_problem([], budget=2, max_hubs=1)
    with pytest.raises(InputError):
        hub_coverages(base_network, big_candidates, coverage.demand, ["HZB", "HZB"])
    problem = hub_choice_problem(coverages, budget=2, max_hubs=2)
    with pytest.raises(InputError):
        solve_hubs(problem, method="magic")
    assert hub_subsets(problem) == [(0, 1), (0, 2), (1, 2)]  # free hubs: only the largest sets
    priced = hub_choice_problem(coverages, budget=5, max_hubs=2, hub_cost=np.ones(3))
    assert len(hub_subsets(priced)) == 3 + 3


def test_real_pool_from_the_kernel(
    base_network: Network, big_candidates: CandidateTable, big_demand: Demand
) -> None:
    """On the real network: one stock hub chosen of three, each hub's coverage from the kernel;
    the joint optimum is the best of the three sites-only designs."""
    from rocketpost.design.mclp import covering_problem, solve

    coverages = hub_coverages(base_network, big_candidates, big_demand, STOCK)
    problem = hub_choice_problem(coverages, budget=4, max_hubs=1)
    joint = solve_hubs(problem)
    alone = [solve(covering_problem(c, budget=4)).objective for c in coverages]
    assert joint.objective == pytest.approx(max(alone))
    assert len(joint.hubs) == 1
    assert alone[STOCK.index(joint.hubs[0])] == pytest.approx(max(alone))


def test_choose_hubs_by_dollars_drops_the_hubs_left_out(
    base_network: Network, big_candidates: CandidateTable, big_demand: Demand
) -> None:
    from rocketpost.design.analysis import design
    from rocketpost.design.costs import CostModel
    from rocketpost.design.coverage import build_coverage

    costs = CostModel()
    coverages = hub_coverages(base_network, big_candidates, big_demand, STOCK)
    budget = costs.hubs_usd_per_year(len(base_network.hubs) - 1) + 3 * 8_000_000.0
    choice = choose_hubs(base_network, coverages, max_hubs=2, costs=costs, budget_usd=budget)
    assert 1 <= len(choice.solution.hubs) <= 2
    assert choice.solution.gap <= 1e-4 and choice.baseline.objective <= choice.solution.bound
    assert len(choice.network.hubs) == len(base_network.hubs) - 3 + len(choice.solution.hubs)
    # The design continued on the chosen hubs covers at least what the joint model counted.
    coverage = build_coverage(
        choice.network, big_candidates, big_demand, stock_hubs=choice.solution.hubs
    )
    assert coverage.covered_weight(list(choice.solution.chosen)) >= choice.solution.objective
    again = design(coverage, costs=costs, budget_usd=budget)
    assert again.solution.objective >= choice.solution.objective - 1e-6
    with pytest.raises(InputError):
        choose_hubs(base_network, coverages, max_hubs=1, costs=costs, sites=2, budget_usd=1e9)
