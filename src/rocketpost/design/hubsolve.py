"""The joint hub + site covering model (:mod:`rocketpost.design.hubs`) solved exactly, with
HiGHS (:func:`scipy.optimize.milp`, default) or OR-Tools CP-SAT, and :func:`choose_hubs`: the
stock hubs and sites for a budget of sites or dollars, with the greedy baseline and the gap."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from rocketpost.design.costs import CostModel
from rocketpost.design.coverage import CoverageMatrix
from rocketpost.design.hubs import (
    MAX_SUBSETS,
    HubChoiceProblem,
    HubSolution,
    greedy_hubs,
    greedy_value,
    hub_choice_problem,
    hub_subsets,
    solution_of,
)
from rocketpost.design.mclp import check_solver, lp_bound, run_cpsat, solve
from rocketpost.design.selection import drones_for
from rocketpost.errors import InputError
from rocketpost.network import Network

__all__ = ["HubChoice", "choose_hubs", "solve_hubs"]


def _pairs(problem: HubChoiceProblem) -> list[tuple[int, int]]:
    """(hub, pattern) pairs where the hub can reach the pattern at all."""
    pairs = []
    for h, matrix in enumerate(problem.matrices):
        reach = problem.base[h] | (np.asarray(matrix.sum(axis=0)).ravel() > 0)
        pairs += [(h, int(j)) for j in np.flatnonzero(reach)]
    return pairs


def _highs(problem: HubChoiceProblem, time_limit_s: float, rel_gap: float) -> HubSolution:
    m, hubs = problem.candidates.size, len(problem.hubs)
    p = problem.weight.size
    pairs = _pairs(problem)
    q = len(pairs)
    start = time.perf_counter()
    # Columns: x (m), z (hubs), v (q), y (p).
    x0, z0, v0, y0 = 0, m, m + hubs, m + hubs + q
    rows, cols, vals, upper = [], [], [], []
    row = 0
    columns = [sparse.csc_matrix(matrix) for matrix in problem.matrices]
    for k, (h, j) in enumerate(pairs):
        rows += [row, row]  # v_hj - z_h ≤ 0
        cols += [v0 + k, z0 + h]
        vals += [1.0, -1.0]
        upper.append(0.0)
        row += 1
        if not problem.base[h, j]:  # v_hj - Σ x_d ≤ 0
            covering = columns[h].indices[columns[h].indptr[j] : columns[h].indptr[j + 1]]
            rows += [row] * (1 + covering.size)
            cols += [v0 + k, *(x0 + covering).tolist()]
            vals += [1.0] + [-1.0] * covering.size
            upper.append(0.0)
            row += 1
    for k, (_h, j) in enumerate(pairs):  # y_j - Σ_h v_hj ≤ 0
        rows.append(row + j)
        cols.append(v0 + k)
        vals.append(-1.0)
    for j in range(p):
        rows.append(row + j)
        cols.append(y0 + j)
        vals.append(1.0)
    upper += [0.0] * p
    row += p
    # Valid cut: y_j ≤ Σ_{d covers j from any hub} x_d + Σ_{h covers j alone} z_h (the LP
    # otherwise spreads y over fractional hubs; this keeps the sites-only model's tightness).
    union = sparse.csc_matrix(sum(columns[1:], columns[0]))
    for j in range(p):
        covering = union.indices[union.indptr[j] : union.indptr[j + 1]]
        alone = np.flatnonzero(problem.base[:, j])
        rows += [row] * (1 + covering.size + alone.size)
        cols += [y0 + j, *(x0 + covering).tolist(), *(z0 + alone).tolist()]
        vals += [1.0] + [-1.0] * (covering.size + alone.size)
        upper.append(0.0)
        row += 1
    rows += [row] * (m + hubs)  # budget
    cols += list(range(m + hubs))
    vals += problem.cost.tolist() + problem.hub_cost.tolist()
    upper.append(problem.budget)
    row += 1
    rows += [row] * hubs  # hub count
    cols += list(range(z0, z0 + hubs))
    vals += [1.0] * hubs
    upper.append(float(problem.max_hubs))
    row += 1
    size = m + hubs + q + p
    matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(row, size))
    objective = np.concatenate([np.zeros(m + hubs + q), -problem.weight])
    result = milp(
        objective,
        constraints=[LinearConstraint(matrix, -np.inf, np.array(upper))],
        integrality=np.concatenate([np.ones(m + hubs), np.zeros(q + p)]),
        bounds=Bounds(0.0, 1.0),
        options={"time_limit": time_limit_s, "mip_rel_gap": rel_gap, "disp": False},
    )
    seconds = time.perf_counter() - start
    if result.x is None:
        raise InputError("solver", "highs", f"found no solution: {result.message}")
    dual = getattr(result, "mip_dual_bound", None)
    bound = -float(dual) if dual is not None else -float(result.fun)
    status = "optimal" if result.status == 0 else f"stopped ({result.message})"
    return solution_of(
        problem,
        result.x[z0:v0] > 0.5,
        result.x[:m] > 0.5,
        bound=bound,
        solver="highs",
        status=status,
        seconds=seconds,
    )


def _cpsat(problem: HubChoiceProblem, time_limit_s: float, rel_gap: float) -> HubSolution:
    from ortools.sat.python import cp_model

    m, hubs = problem.candidates.size, len(problem.hubs)
    start = time.perf_counter()
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{d}") for d in range(m)]
    z = [model.new_bool_var(f"z{h}") for h in range(hubs)]
    y = [model.new_bool_var(f"y{j}") for j in range(problem.weight.size)]
    reaching: list[list[cp_model.IntVar]] = [[] for _ in y]
    columns = [sparse.csc_matrix(matrix) for matrix in problem.matrices]
    for h, j in _pairs(problem):
        v = model.new_bool_var(f"v{h}_{j}")
        model.add_implication(v, z[h])
        if not problem.base[h, j]:
            covering = columns[h].indices[columns[h].indptr[j] : columns[h].indptr[j + 1]]
            model.add_bool_or([x[int(d)] for d in covering]).only_enforce_if(v)
        reaching[j].append(v)
    for j, options in enumerate(reaching):
        model.add_bool_or(options).only_enforce_if(y[j])
    # CP-SAT is integral: costs in whole units (dollars or sites), weights in whole people.
    site_cost = np.round(problem.cost).astype(np.int64)
    hub_cost = np.round(problem.hub_cost).astype(np.int64)
    model.add(
        sum(int(c) * v for c, v in zip(site_cost, x, strict=True))
        + sum(int(c) * v for c, v in zip(hub_cost, z, strict=True))
        <= int(np.floor(problem.budget + 1e-9))
    )
    model.add(sum(z) <= problem.max_hubs)
    weights = np.round(problem.weight).astype(np.int64)
    model.maximize(sum(int(w) * v for w, v in zip(weights, y, strict=True)))
    hint = greedy_hubs(problem)
    chosen = set(hint.chosen)
    for d in range(m):
        model.add_hint(x[d], int(problem.candidates[d]) in chosen)
    for h in range(hubs):
        model.add_hint(z[h], problem.hubs[h] in hint.hubs)
    solver, status = run_cpsat(model, time_limit_s, rel_gap)
    seconds = time.perf_counter() - start
    return solution_of(
        problem,
        np.array([solver.boolean_value(v) for v in z], dtype=bool),
        np.array([solver.boolean_value(v) for v in x], dtype=bool),
        bound=float(solver.best_objective_bound),
        solver="cpsat",
        status=status,
        seconds=seconds,
    )


def _by_subsets(problem: HubChoiceProblem, time_limit_s: float, rel_gap: float) -> HubSolution:
    """Exact by decomposition: the sites-only model (HiGHS, tight) for each hub subset worth
    trying (:func:`hub_subsets`), best greedy value first. A subset whose LP bound cannot beat
    the best found by more than ``rel_gap`` is not solved; the proven bound is the largest of
    the solved subsets' bounds and the skipped subsets' LP bounds."""
    start = time.perf_counter()
    ranked = sorted(hub_subsets(problem), key=lambda s: -greedy_value(problem, s)[0])
    best: tuple[float, tuple[int, ...], NDArray[np.bool_]] = (-1.0, (), np.zeros(0, bool))
    bound, solved, stopped = 0.0, 0, False
    for subset in ranked:
        sites_only = problem.sites_problem(subset)
        if sites_only.budget < 0:
            continue
        relaxed = lp_bound(sites_only)
        if relaxed <= best[0] * (1.0 + rel_gap):
            bound = max(bound, relaxed)
            continue
        found = solve(sites_only, solver="highs", time_limit_s=time_limit_s, rel_gap=rel_gap)
        solved += 1
        bound = max(bound, found.bound)
        stopped |= found.status != "optimal"
        if found.objective > best[0]:
            picked = np.zeros(problem.candidates.size, dtype=bool)
            picked[list(found.chosen)] = True
            best = (found.objective, subset, picked)
    if best[0] < 0:
        raise InputError("budget", problem.budget, "pays for no hub")
    hubs = np.zeros(len(problem.hubs), dtype=bool)
    hubs[list(best[1])] = True
    return solution_of(
        problem,
        hubs,
        best[2],
        bound=bound,
        solver="highs",
        status=("stopped" if stopped else "optimal")
        + f" ({solved} of {len(ranked)} hub subsets solved, the rest bounded by their LP)",
        seconds=time.perf_counter() - start,
    )


def solve_hubs(
    problem: HubChoiceProblem,
    *,
    solver: str = "highs",
    time_limit_s: float = 60.0,
    rel_gap: float = 1e-4,
    method: str = "auto",
) -> HubSolution:
    """Solve the joint model with ``solver`` (``highs``, ``cpsat`` or ``greedy``), as
    :func:`rocketpost.design.mclp.solve` does the sites-only one.

    ``method`` (HiGHS only): ``joint`` solves the joint model in one MILP; ``subsets`` solves
    the sites-only model for every hub subset worth trying (:func:`hub_subsets`); ``auto``
    takes ``subsets`` when there are at most :data:`~rocketpost.design.hubs.MAX_SUBSETS` of
    them. The joint MILP's relaxation is weak (fractional hubs each cover a share of a city),
    so on the worldwide instance it stops at its time limit far from the optimum, while each
    subset solve is as tight as the sites-only model (measured in ``docs/design.md``). A
    joint answer below the greedy baseline is replaced by the baseline (the bound stays).
    """
    if method not in ("auto", "joint", "subsets"):
        raise InputError("method", method, "must be auto, joint or subsets")
    check_solver(solver, time_limit_s, rel_gap)
    if solver == "greedy":
        return greedy_hubs(problem)
    if solver == "highs" and (
        method == "subsets" or (method == "auto" and len(hub_subsets(problem)) <= MAX_SUBSETS)
    ):
        return _by_subsets(problem, time_limit_s, rel_gap)
    exact = (_cpsat if solver == "cpsat" else _highs)(problem, time_limit_s, rel_gap)
    baseline = greedy_hubs(problem)
    if baseline.objective > exact.objective:
        gap = (exact.bound - baseline.objective) / exact.bound if exact.bound > 0 else 0.0
        return dataclasses.replace(
            baseline, bound=exact.bound, gap=max(gap, 0.0), solver=exact.solver,
            status=exact.status + "; greedy kept (better)",
        )  # fmt: skip
    return exact


@dataclass(frozen=True, eq=False)
class HubChoice:
    """Hubs chosen with the sites: the joint solution, its greedy baseline, and the network
    without the pool hubs left out (the network the design continues on)."""

    solution: HubSolution
    baseline: HubSolution
    network: Network

    @property
    def greedy_gap(self) -> float:
        """How far the greedy baseline is below the proven bound (share of the bound)."""
        bound = self.solution.bound
        return (bound - self.baseline.objective) / bound if bound > 0 else 0.0


def choose_hubs(
    network: Network,
    coverages: Sequence[CoverageMatrix],
    *,
    max_hubs: int,
    costs: CostModel,
    sites: int | None = None,
    budget_usd: float | None = None,
    **solve_options: Any,
) -> HubChoice:
    """Choose at most ``max_hubs`` stock hubs of the pool (``coverages``, from
    :func:`hub_coverages` on ``network``) and the sites, for a budget of ``sites`` or
    ``budget_usd`` a year. In dollars, the hubs outside the pool and the fixed sites are paid
    first, and each chosen pool hub pays its spaceport from the budget. ``solve_options``
    (``solver``, ``time_limit_s``, ``rel_gap``, ``method``) go to :func:`solve_hubs`."""
    if (sites is None) == (budget_usd is None):
        raise InputError("budget", (sites, budget_usd), "give exactly one of sites or dollars")
    pool = [c.stock_hubs[0] for c in coverages]
    cost, hub_cost, budget = None, None, float(sites or 0)
    if budget_usd is not None:
        outside = len(network.hubs) - len(pool)
        fixed = costs.site_usd_per_year([s.drones for s in network.extra_sites]).sum()
        budget = budget_usd - costs.hubs_usd_per_year(outside) - float(fixed)
        if budget < 0:
            raise InputError("budget_usd", budget_usd, "does not pay for the fixed hubs and sites")
        first = coverages[0]
        cost = costs.site_usd_per_year(drones_for(first.candidates, first.network.drone))
        hub_cost = np.full(len(pool), costs.hubs_usd_per_year(1))
    problem = hub_choice_problem(
        coverages, budget=budget, max_hubs=max_hubs, cost=cost, hub_cost=hub_cost
    )
    solution = solve_hubs(problem, **solve_options)
    dropped = set(pool) - set(solution.hubs)
    kept = tuple(h for h in network.hubs if h.hub_id not in dropped)
    return HubChoice(
        solution=solution,
        baseline=greedy_hubs(problem),
        network=dataclasses.replace(network, hubs=kept),
    )
