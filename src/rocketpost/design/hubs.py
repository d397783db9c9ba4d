"""Hubs chosen by the model: which hubs of a pool hold the stock, chosen jointly with the sites.

The covering model of :mod:`rocketpost.design.mclp` takes the stock hubs as given. Here they are
a choice too: a pool of the network's hubs, of which at most ``max_hubs`` hold stock (and, with
a budget in dollars, each pays its spaceport from the budget). A point is covered when *some
open hub* reaches it: by its own network (its zone, the hubs outside the pool and the fixed
sites) or through an open candidate site::

    max  Σ_j w_j y_j
    s.t. y_j ≤ Σ_h v_hj                       for every point pattern j
         v_hj ≤ z_h                           hub h must be open (hold stock)
         v_hj ≤ Σ_{d covers j from h} x_d     unless h's own network covers j
         Σ_d cost_d x_d + Σ_h hub_cost_h z_h ≤ budget,   Σ_h z_h ≤ max_hubs
         x, z ∈ {0, 1},  0 ≤ v, y ≤ 1

For integral ``x`` and ``z`` the optimum sets ``v_hj = 1`` exactly when hub ``h`` is open and
reaches ``j``, so ``v`` and ``y`` may stay continuous (HiGHS) or be booleans (CP-SAT), as in the
sites-only model. Points with the same covering structure over all hubs merge into one pattern.

Each hub's coverage is built by the kernel on the network *without the other pool hubs*
(:func:`hub_coverages`): a pool hub that is not chosen is not built, so it cannot be a landing
pad either. A rocket from one open pool hub landing on another open pool hub's pad is therefore
not counted by the joint model: the designed network (the chosen hubs together, coverage rebuilt)
can only cover more. The exact solvers and :func:`choose_hubs` are in
:mod:`rocketpost.design.hubsolve`. The greedy baseline tries every hub subset (when there
are at most :data:`MAX_SUBSETS`; else it adds hubs one at a time) with the sites-only greedy
for each.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from rocketpost.design.coverage import CoverageMatrix, build_coverage
from rocketpost.design.demand import Demand
from rocketpost.design.mclp import CoveringProblem, Solution, greedy_pick
from rocketpost.design.table import CandidateTable
from rocketpost.errors import InputError
from rocketpost.network import Network

__all__ = [
    "MAX_SUBSETS",
    "HubChoiceProblem",
    "HubSolution",
    "greedy_hubs",
    "hub_choice_problem",
    "hub_coverages",
    "hub_subsets",
    "solution_of",
]

MAX_SUBSETS = 64
"""The greedy baseline enumerates hub subsets up to this many, else adds hubs greedily."""


def hub_coverages(
    network: Network, candidates: CandidateTable, demand: Demand, pool: Sequence[str]
) -> list[CoverageMatrix]:
    """One coverage matrix per pool hub: stock at that hub alone, on the network without the
    other pool hubs (the hubs outside the pool and the fixed sites stay)."""
    ids = [network.hub(h).hub_id for h in pool]
    if len(set(ids)) != len(ids) or not ids:
        raise InputError("hubs", list(pool), "must name distinct hubs of the network")
    result = []
    for hub_id in ids:
        others = set(ids) - {hub_id}
        alone = dataclasses.replace(
            network, hubs=tuple(h for h in network.hubs if h.hub_id not in others)
        )
        result.append(build_coverage(alone, candidates, demand, stock_hubs=[hub_id]))
    return result


@dataclass(frozen=True, eq=False)
class HubChoiceProblem:
    """The reduced joint model: candidates × patterns for each pool hub.

    Attributes
    ----------
    hubs
        The pool's hub ids, in the order of :attr:`matrices`.
    candidates
        Candidate rows that cover something from at least one hub.
    matrices
        Per hub, ``(candidates, patterns)`` 0/1 CSR: candidate covers pattern from that hub.
    base
        ``(hubs, patterns)``: the hub's own network covers the pattern with no candidate.
    weight, cost, budget, total_weight
        As in :class:`rocketpost.design.mclp.CoveringProblem` (nothing is covered whatever
        is chosen: every point needs an open hub).
    hub_cost
        Budget units of each hub (0 for a budget in sites).
    max_hubs
        At most this many hubs hold stock.
    """

    hubs: tuple[str, ...]
    candidates: NDArray[np.intp]
    matrices: tuple[sparse.csr_matrix, ...]
    base: NDArray[np.bool_]
    weight: NDArray[np.float64]
    cost: NDArray[np.float64]
    hub_cost: NDArray[np.float64]
    budget: float
    max_hubs: int
    total_weight: float

    def sites_problem(self, open_hubs: Sequence[int]) -> CoveringProblem:
        """The sites-only model once the hubs ``open_hubs`` (indices) are fixed."""
        index = list(open_hubs)
        base = self.base[index].any(axis=0) if index else np.zeros(self.weight.size, bool)
        union = sparse.csr_matrix(self.matrices[0].shape, dtype=np.float64)
        for h in index:
            union = union + self.matrices[h]
        union = sparse.csr_matrix((union > 0).astype(np.float64)[:, ~base])
        return CoveringProblem(
            candidates=np.arange(self.candidates.size),
            matrix=union,
            weight=self.weight[~base],
            cost=self.cost,
            budget=self.budget - float(self.hub_cost[index].sum()),
            base_weight=float(self.weight[base].sum()),
            total_weight=self.total_weight,
        )


@dataclass(frozen=True)
class HubSolution(Solution):
    """Hubs and sites chosen jointly, and how good the choice is proven to be: a
    :class:`rocketpost.design.mclp.Solution` (``chosen`` are candidate rows of the coverage's
    candidate table) with the ``hubs`` chosen, as hub ids."""

    hubs: tuple[str, ...]


def hub_choice_problem(
    coverages: Sequence[CoverageMatrix],
    *,
    budget: float,
    max_hubs: int,
    cost: NDArray[np.float64] | None = None,
    hub_cost: NDArray[np.float64] | None = None,
) -> HubChoiceProblem:
    """The joint model of ``coverages`` (one per pool hub, from :func:`hub_coverages`)."""
    if not coverages:
        raise InputError("hubs", [], "the pool needs at least one hub")
    if isinstance(max_hubs, bool) or not isinstance(max_hubs, int) or max_hubs < 1:
        raise InputError("max_hubs", max_hubs, "must be a whole number ≥ 1")
    if not (np.isfinite(budget) and budget >= 0):
        raise InputError("budget", budget, "must be a finite number ≥ 0")
    first = coverages[0]
    m, n = first.covers.shape
    costs = np.ones(m) if cost is None else np.asarray(cost, dtype=float)
    hub_costs = np.zeros(len(coverages)) if hub_cost is None else np.asarray(hub_cost, float)
    if costs.shape != (m,) or np.any(costs <= 0):
        raise InputError("cost", "per candidate", "must be > 0 for every candidate")
    if hub_costs.shape != (len(coverages),) or np.any(hub_costs < 0):
        raise InputError("hub_cost", "per hub", "must be ≥ 0 for every hub")
    covers = [sparse.csr_matrix(c.covers, dtype=np.int8) for c in coverages]
    any_cover = sum((c for c in covers), sparse.csr_matrix((m, n), dtype=np.int8))
    base = np.array([c.base_covered for c in coverages])
    useful = np.flatnonzero(base.any(axis=0) | (np.asarray(any_cover.sum(axis=0)).ravel() > 0))
    candidates = np.flatnonzero(np.asarray(any_cover[:, useful].sum(axis=1)).ravel() > 0)
    reduced = [sparse.csc_matrix(c[candidates][:, useful]) for c in covers]
    keys = []
    for j in range(useful.size):
        parts = [
            b"*" if base[h, useful[j]] else r.indices[r.indptr[j] : r.indptr[j + 1]].tobytes()
            for h, r in enumerate(reduced)
        ]
        keys.append(b"|".join(parts))
    _, first_index, inverse = np.unique(
        np.array(keys, dtype=object), return_index=True, return_inverse=True
    )
    weight = np.bincount(inverse, weights=first.demand.weight[useful], minlength=first_index.size)
    return HubChoiceProblem(
        hubs=tuple(c.stock_hubs[0] for c in coverages),
        candidates=candidates,
        matrices=tuple(sparse.csr_matrix(r[:, first_index], dtype=np.float64) for r in reduced),
        base=base[:, useful[first_index]],
        weight=weight.astype(np.float64),
        cost=costs[candidates],
        hub_cost=hub_costs,
        budget=float(budget),
        max_hubs=min(max_hubs, len(coverages)),
        total_weight=first.demand.total,
    )


def solution_of(
    problem: HubChoiceProblem,
    hubs: NDArray[np.bool_],
    sites: NDArray[np.bool_],
    *,
    bound: float,
    solver: str,
    status: str,
    seconds: float,
) -> HubSolution:
    covered = problem.base[hubs].any(axis=0)
    picked = sites.astype(np.float64)
    for h in np.flatnonzero(hubs):
        covered |= np.asarray(problem.matrices[h].T @ picked).ravel() > 0
    objective = float(problem.weight[covered].sum())
    gap = (bound - objective) / bound if np.isfinite(bound) and bound > 0 else float("nan")
    return HubSolution(
        hubs=tuple(problem.hubs[h] for h in np.flatnonzero(hubs)),
        chosen=tuple(int(i) for i in problem.candidates[sites]),
        objective=objective,
        bound=bound,
        gap=max(gap, 0.0) if np.isfinite(gap) else gap,
        solver=solver,
        status=status,
        seconds=seconds,
        cost=float(problem.cost[sites].sum() + problem.hub_cost[hubs].sum()),
        share=objective / problem.total_weight if problem.total_weight else 0.0,
    )


def hub_subsets(problem: HubChoiceProblem) -> list[tuple[int, ...]]:
    """The hub subsets worth trying (as hub indices). When hubs cost nothing (a budget in
    sites) another hub never covers less, so only subsets of ``max_hubs`` hubs; when they pay
    from the budget, every size from 1 to ``max_hubs``."""
    count = len(problem.hubs)
    free = not np.any(problem.hub_cost > 0)
    sizes = [problem.max_hubs] if free else list(range(1, problem.max_hubs + 1))
    return [s for size in sizes for s in itertools.combinations(range(count), size)]


def greedy_hubs(problem: HubChoiceProblem) -> HubSolution:
    """The baseline: for each hub subset (or hubs added greedily), the sites-only greedy."""
    start = time.perf_counter()
    subsets = hub_subsets(problem)
    h_count = len(problem.hubs)
    if len(subsets) > MAX_SUBSETS:
        current: tuple[int, ...] = ()
        subsets = []
        for _ in range(problem.max_hubs):
            options = [(*current, h) for h in range(h_count) if h not in current]
            current = max(options, key=lambda s: greedy_value(problem, s)[0])
            subsets.append(current)
    best: tuple[float, tuple[int, ...], NDArray[np.bool_]] = (-1.0, (), np.zeros(0, bool))
    for subset in subsets:
        value, sites = greedy_value(problem, subset)
        if value > best[0]:
            best = (value, subset, sites)
    hubs = np.zeros(h_count, dtype=bool)
    hubs[list(best[1])] = True
    return solution_of(
        problem,
        hubs,
        best[2],
        bound=float("nan"),
        solver="greedy",
        status="heuristic",
        seconds=time.perf_counter() - start,
    )


def greedy_value(
    problem: HubChoiceProblem, subset: Sequence[int]
) -> tuple[float, NDArray[np.bool_]]:
    """The sites-only greedy's covered demand with the hubs ``subset`` open, and its sites
    (-1 when the hubs alone overrun the budget)."""
    sites_only = problem.sites_problem(subset)
    if sites_only.budget < 0:
        return -1.0, np.zeros(problem.candidates.size, dtype=bool)
    picked = greedy_pick(sites_only)
    covered = np.asarray(sites_only.matrix.T @ picked.astype(np.float64)).ravel() > 0
    return sites_only.base_weight + float(sites_only.weight[covered].sum()), picked
