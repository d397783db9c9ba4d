"""Maximal covering location: choose landing sites within a budget for the most demand covered.

Given the coverage matrix (:class:`rocketpost.design.coverage.CoverageMatrix`), choose binary
``x_d`` (open candidate ``d``) to maximise the demand weight of the points covered::

    max  Σ_j w_j y_j
    s.t. y_j ≤ Σ_{d covers j} x_d        for every point pattern j
         Σ_d cost_d x_d ≤ budget          (cost_d = 1 for a budget in sites)
         x_d ∈ {0, 1},  0 ≤ y_j ≤ 1

Points the base network already covers are left out (they count whatever is chosen), and points
with the same set of covering candidates are merged into one *pattern* with their summed weight:
the model is the same, smaller. ``y`` may stay continuous: for integral ``x`` the optimum sets
``y_j = 1`` exactly when a covering site is open.

Two exact solvers are wired: HiGHS through :func:`scipy.optimize.milp` (branch and cut on the
LP relaxation, which is tight for covering models: its bound is the proven bound) and OR-Tools
CP-SAT (``y`` boolean). Both report the objective, the proven bound and the gap. The greedy
heuristic (most new demand per cost, one site at a time) is the baseline, and CP-SAT's hint.
``docs/design.md`` gives the measurements behind the default (HiGHS).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from rocketpost.design.coverage import CoverageMatrix
from rocketpost.errors import InputError

__all__ = [
    "SOLVERS",
    "CoveringProblem",
    "Solution",
    "check_solver",
    "covering_problem",
    "greedy",
    "lp_bound",
    "run_cpsat",
    "solve",
]

SOLVERS = ("highs", "cpsat", "greedy")


@dataclass(frozen=True, eq=False)
class CoveringProblem:
    """The reduced model: candidates that cover something × point patterns.

    Attributes
    ----------
    candidates
        Rows of the coverage matrix that cover at least one uncovered point.
    matrix
        ``(candidates, patterns)`` 0/1 CSR: candidate covers pattern.
    weight
        Demand of each pattern.
    cost
        Budget units of each candidate (1 per site, or annual USD).
    budget
        Budget available for the candidates (after fixed costs).
    base_weight
        Demand covered whatever is chosen (the base network).
    total_weight
        All demand (the share's denominator).
    """

    candidates: NDArray[np.intp]
    matrix: sparse.csr_matrix
    weight: NDArray[np.float64]
    cost: NDArray[np.float64]
    budget: float
    base_weight: float
    total_weight: float


@dataclass(frozen=True)
class Solution:
    """A choice of sites and how good it is proven to be.

    ``objective`` and ``bound`` count all covered demand (base included); ``gap`` is
    ``(bound - objective) / bound`` (0 when proven optimal; NaN for the greedy, which has no
    bound of its own).
    """

    chosen: tuple[int, ...]
    objective: float
    bound: float
    gap: float
    solver: str
    status: str
    seconds: float
    cost: float
    share: float


def covering_problem(
    coverage: CoverageMatrix, *, cost: NDArray[np.float64] | None = None, budget: float
) -> CoveringProblem:
    """The reduced model of ``coverage`` for ``budget`` (sites, or the units of ``cost``)."""
    if not (np.isfinite(budget) and budget >= 0):
        raise InputError("budget", budget, "must be a finite number ≥ 0")
    costs = np.ones(len(coverage.candidates)) if cost is None else np.asarray(cost, dtype=float)
    if costs.shape != (len(coverage.candidates),) or np.any(costs <= 0):
        raise InputError("cost", "per candidate", "must be > 0 for every candidate")
    covers = coverage.covers.tocsc()
    useful_points = np.flatnonzero(np.diff(covers.indptr) > 0)
    useful_points = useful_points[~coverage.base_covered[useful_points]]
    rows = sparse.csr_matrix(covers[:, useful_points])
    candidates = np.flatnonzero(np.diff(rows.indptr) > 0)
    reduced = sparse.csc_matrix(rows[candidates])
    # One pattern per distinct column (set of covering candidates).
    keys = [
        reduced.indices[reduced.indptr[j] : reduced.indptr[j + 1]].tobytes()
        for j in range(reduced.shape[1])
    ]
    _, first, inverse = np.unique(
        np.array(keys, dtype=object), return_index=True, return_inverse=True
    )
    weight = np.bincount(
        inverse, weights=coverage.demand.weight[useful_points], minlength=first.size
    ).astype(np.float64)
    matrix = sparse.csr_matrix(reduced[:, first], dtype=np.float64)
    return CoveringProblem(
        candidates=candidates,
        matrix=matrix,
        weight=weight,
        cost=costs[candidates],
        budget=float(budget),
        base_weight=coverage.base_weight,
        total_weight=coverage.demand.total,
    )


def _solution(
    problem: CoveringProblem,
    picked: NDArray[np.bool_],
    *,
    bound: float,
    solver: str,
    status: str,
    seconds: float,
) -> Solution:
    covered = np.asarray(problem.matrix.T @ picked.astype(np.float64)).ravel() > 0
    objective = problem.base_weight + float(problem.weight[covered].sum())
    gap = (bound - objective) / bound if np.isfinite(bound) and bound > 0 else float("nan")
    return Solution(
        chosen=tuple(int(i) for i in problem.candidates[picked]),
        objective=objective,
        bound=bound,
        gap=max(gap, 0.0) if np.isfinite(gap) else gap,
        solver=solver,
        status=status,
        seconds=seconds,
        cost=float(problem.cost[picked].sum()),
        share=objective / problem.total_weight if problem.total_weight else 0.0,
    )


def greedy_pick(problem: CoveringProblem) -> NDArray[np.bool_]:
    """Most new demand per unit of cost, one candidate at a time, while the budget lasts."""
    m = problem.matrix.shape[0]
    picked = np.zeros(m, dtype=bool)
    open_weight = problem.weight.copy()
    left = problem.budget
    while True:
        gain = np.asarray(problem.matrix @ open_weight).ravel()
        ratio = np.where(~picked & (problem.cost <= left + 1e-9), gain / problem.cost, -1.0)
        best = int(np.argmax(ratio)) if m else 0
        if m == 0 or ratio[best] <= 0:
            return picked
        picked[best] = True
        left -= problem.cost[best]
        row = problem.matrix.indices[problem.matrix.indptr[best] : problem.matrix.indptr[best + 1]]
        open_weight[row] = 0.0


def greedy(problem: CoveringProblem) -> Solution:
    """The greedy baseline (no bound of its own)."""
    start = time.perf_counter()
    picked = greedy_pick(problem)
    return _solution(
        problem,
        picked,
        bound=float("nan"),
        solver="greedy",
        status="heuristic",
        seconds=time.perf_counter() - start,
    )


def _linear_model(
    problem: CoveringProblem,
) -> tuple[NDArray[np.float64], list[LinearConstraint]]:
    """The model's objective (minimised: minus the weight of ``y``) and constraints, over
    columns ``x`` then ``y``."""
    m, p = problem.matrix.shape
    objective = np.concatenate([np.zeros(m), -problem.weight])
    link = sparse.hstack([-problem.matrix.T, sparse.identity(p)], format="csr")
    budget_row = sparse.csr_matrix(np.concatenate([problem.cost, np.zeros(p)])[None, :])
    constraints = [
        LinearConstraint(link, -np.inf, 0.0),
        LinearConstraint(budget_row, -np.inf, problem.budget),
    ]
    return objective, constraints


def lp_bound(problem: CoveringProblem) -> float:
    """The LP relaxation's optimum, base included: a bound on every choice (HiGHS, a fraction
    of a second worldwide; nearly tight for covering models)."""
    if problem.matrix.shape[0] == 0:
        return problem.base_weight
    objective, constraints = _linear_model(problem)
    result = milp(objective, constraints=constraints, bounds=Bounds(0.0, 1.0))
    if result.x is None:  # pragma: no cover - the all-zero choice is always feasible
        raise InputError("solver", "highs", f"LP relaxation failed: {result.message}")
    return problem.base_weight - float(result.fun)


def _highs(problem: CoveringProblem, time_limit_s: float, rel_gap: float) -> Solution:
    m, p = problem.matrix.shape
    start = time.perf_counter()
    if m == 0:
        return _solution(
            problem,
            np.zeros(0, bool),
            bound=problem.base_weight,
            solver="highs",
            status="optimal",
            seconds=0.0,
        )
    objective, constraints = _linear_model(problem)
    result = milp(
        objective,
        constraints=constraints,
        integrality=np.concatenate([np.ones(m), np.zeros(p)]),
        bounds=Bounds(0.0, 1.0),
        options={"time_limit": time_limit_s, "mip_rel_gap": rel_gap, "disp": False},
    )
    seconds = time.perf_counter() - start
    if result.x is None:
        raise InputError("solver", "highs", f"found no solution: {result.message}")
    picked = result.x[:m] > 0.5
    dual = getattr(result, "mip_dual_bound", None)
    bound = problem.base_weight + (-float(dual) if dual is not None else -float(result.fun))
    status = "optimal" if result.status == 0 else f"stopped ({result.message})"
    return _solution(problem, picked, bound=bound, solver="highs", status=status, seconds=seconds)


def _cpsat(problem: CoveringProblem, time_limit_s: float, rel_gap: float) -> Solution:
    from ortools.sat.python import cp_model

    m, p = problem.matrix.shape
    start = time.perf_counter()
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{d}") for d in range(m)]
    y = [model.new_bool_var(f"y{j}") for j in range(p)]
    columns = sparse.csc_matrix(problem.matrix)
    for j in range(p):
        covering = columns.indices[columns.indptr[j] : columns.indptr[j + 1]]
        model.add_bool_or([x[int(d)] for d in covering]).only_enforce_if(y[j])
    # CP-SAT is integral: costs in whole units (dollars or sites), weights in whole people.
    model.add(
        sum(int(c) * v for c, v in zip(np.round(problem.cost).astype(np.int64), x, strict=True))
        <= int(np.floor(problem.budget + 1e-9))
    )
    weights = np.round(problem.weight).astype(np.int64)
    model.maximize(sum(int(w) * v for w, v in zip(weights, y, strict=True)))
    for d, value in enumerate(greedy_pick(problem)):
        model.add_hint(x[d], bool(value))
    solver, status = run_cpsat(model, time_limit_s, rel_gap)
    seconds = time.perf_counter() - start
    picked = np.array([solver.boolean_value(v) for v in x], dtype=bool)
    bound = problem.base_weight + float(solver.best_objective_bound)
    return _solution(problem, picked, bound=bound, solver="cpsat", status=status, seconds=seconds)


def check_solver(solver: str, time_limit_s: float, rel_gap: float) -> None:
    """The solver settings every design model takes: a known solver, a positive time limit and a
    relative gap in [0, 1); an :class:`InputError` naming the field otherwise."""
    if solver not in SOLVERS:
        raise InputError("solver", solver, "must be one of " + ", ".join(SOLVERS))
    if not (time_limit_s > 0):
        raise InputError("time_limit_s", time_limit_s, "must be > 0")
    if not (0 <= rel_gap < 1):
        raise InputError("rel_gap", rel_gap, "must be in [0, 1)")


def run_cpsat(model: Any, time_limit_s: float, rel_gap: float) -> tuple[Any, str]:
    """Solve a CP-SAT ``model`` within the limits every design model uses (time, relative gap,
    two workers: the machine's cores); the solver (for values and bound) and ``optimal`` or
    ``feasible (time limit)``. A model with no solution found is an :class:`InputError`."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.relative_gap_limit = float(rel_gap)
    solver.parameters.num_workers = 2
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise InputError("solver", "cpsat", f"found no solution: {solver.status_name(code)}")
    return solver, "optimal" if code == cp_model.OPTIMAL else "feasible (time limit)"


def solve(
    problem: CoveringProblem,
    *,
    solver: str = "highs",
    time_limit_s: float = 60.0,
    rel_gap: float = 1e-4,
) -> Solution:
    """Solve the covering model with ``solver`` (``highs``, ``cpsat`` or ``greedy``).

    ``rel_gap`` is the relative optimality gap at which the exact solvers may stop (default
    0.01 %); ``time_limit_s`` bounds their run, after which the best solution found is returned
    with its proven bound.
    """
    check_solver(solver, time_limit_s, rel_gap)
    if solver == "greedy":
        return greedy(problem)
    if solver == "cpsat":
        return _cpsat(problem, time_limit_s, rel_gap)
    return _highs(problem, time_limit_s, rel_gap)
