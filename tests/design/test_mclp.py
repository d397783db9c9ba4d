"""The covering model: exact solvers against brute force, the greedy below them, bounds above."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from scipy import sparse

from rocketpost.design.candidates import CandidateTable
from rocketpost.design.coverage import CoverageMatrix
from rocketpost.design.demand import Demand
from rocketpost.design.mclp import covering_problem, greedy, lp_bound, solve
from rocketpost.errors import InputError


def _synthetic(
    coverage: CoverageMatrix, big_candidates: CandidateTable, seed: int
) -> CoverageMatrix:
    """A small random instance on real candidate rows (12 sites × 40 points)."""
    rng = np.random.default_rng(seed)
    m, n = 12, 40
    covers = sparse.csr_matrix(rng.random((m, n)) < 0.15)
    demand = Demand(
        name=np.array([f"p{i}" for i in range(n)], dtype=object),
        country_code=np.array(["FR"] * n, dtype=object),
        lat_deg=np.zeros(n),
        lon_deg=np.zeros(n),
        weight=rng.integers(1, 1000, n).astype(np.float64),
    )
    return dataclasses.replace(
        coverage,
        demand=demand,
        candidates=big_candidates.subset(np.arange(m)),
        base_covered=rng.random(n) < 0.1,
        covers=covers,
    )


def _brute_force(matrix: CoverageMatrix, k: int, cost: np.ndarray | None = None) -> float:
    m = len(matrix.candidates)
    cost = np.ones(m) if cost is None else cost
    best = 0.0
    for size in range(k + 1):
        for subset in itertools.combinations(range(m), size):
            if cost[list(subset)].sum() <= k + 1e-9:
                best = max(best, matrix.covered_weight(list(subset)))
    return best


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("k", [1, 3, 5])
def test_exact_solvers_match_brute_force(
    coverage: CoverageMatrix, big_candidates: CandidateTable, seed: int, k: int
) -> None:
    matrix = _synthetic(coverage, big_candidates, seed)
    problem = covering_problem(matrix, budget=k)
    optimum = _brute_force(matrix, k)
    for solver in ("highs", "cpsat"):
        solution = solve(problem, solver=solver, rel_gap=0.0)
        assert solution.objective == pytest.approx(optimum)
        assert solution.bound >= optimum - 1e-6 and solution.gap <= 1e-6
        assert len(solution.chosen) <= k
        assert matrix.covered_weight(list(solution.chosen)) == pytest.approx(optimum)
    baseline = greedy(problem)
    assert baseline.objective <= optimum + 1e-9
    assert lp_bound(problem) >= optimum - 1e-6  # the relaxation bounds every choice


def test_cost_budget_is_respected(coverage: CoverageMatrix, big_candidates: CandidateTable) -> None:
    matrix = _synthetic(coverage, big_candidates, 7)
    cost = np.arange(1, 13, dtype=float)
    problem = covering_problem(matrix, cost=cost, budget=6)
    solution = solve(problem, rel_gap=0.0)
    assert cost[list(solution.chosen)].sum() <= 6
    assert solution.objective == pytest.approx(_brute_force(matrix, 6, cost))


def test_real_instance_is_solved_to_optimality(coverage: CoverageMatrix) -> None:
    problem = covering_problem(coverage, budget=10)
    exact = solve(problem)
    assert exact.status == "optimal" and exact.gap <= 1e-4
    assert greedy(problem).objective <= exact.bound + 1e-6
    # Independent count of what the chosen sites cover.
    assert coverage.covered_weight(list(exact.chosen)) == pytest.approx(exact.objective)


def test_bad_arguments_are_refused(coverage: CoverageMatrix) -> None:
    with pytest.raises(InputError):
        covering_problem(coverage, budget=-1)
    with pytest.raises(InputError):
        solve(covering_problem(coverage, budget=1), solver="simplex")
