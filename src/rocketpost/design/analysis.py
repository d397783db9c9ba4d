"""What a planner reads from a design: the reach-vs-budget frontier, each site's marginal value,
which leg binds, and what a better drone, boat, offshore rule or rocket would add.

Every figure is a re-solve of the covering model (:mod:`rocketpost.design.mclp`) on a coverage
matrix (:mod:`rocketpost.design.coverage`) built by the door-to-door kernel: a sensitivity is
the same design question asked of a network with one parameter changed, never an estimate.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rocketpost.core.routes import LEG_NAMES
from rocketpost.design.costs import CostModel
from rocketpost.design.coverage import CoverageMatrix, build_coverage
from rocketpost.design.demand import Demand
from rocketpost.design.mclp import Solution, covering_problem, greedy, solve
from rocketpost.design.selection import drones_for
from rocketpost.design.table import CandidateTable
from rocketpost.errors import InputError
from rocketpost.network import Network

__all__ = [
    "LEVERS",
    "Design",
    "FrontierPoint",
    "LegProfile",
    "SensitivityRow",
    "binding_legs",
    "concept_network",
    "design",
    "frontier",
    "frontier_point",
    "marginal_values",
    "sensitivity",
    "sensitivity_row",
    "sites_needed",
]


@dataclass(frozen=True, eq=False)
class Design:
    """One solved design: the coverage, the exact solution, the greedy baseline and the costs."""

    coverage: CoverageMatrix
    solution: Solution
    baseline: Solution
    costs: CostModel
    budget_sites: int | None
    budget_usd: float | None
    build_s: float

    @property
    def chosen(self) -> NDArray[np.intp]:
        """Chosen candidate rows, in candidate order."""
        return np.array(sorted(self.solution.chosen), dtype=np.intp)

    @property
    def site_usd_per_year(self) -> NDArray[np.float64]:
        """Annual cost of each chosen site."""
        coverage = self.coverage
        drones = drones_for(coverage.candidates.subset(self.chosen), coverage.network.drone)
        return self.costs.site_usd_per_year(drones)

    @property
    def annual_usd(self) -> float:
        """Chosen sites, fixed sites and every hub's spaceport, per year."""
        network = self.coverage.network
        fixed = self.costs.site_usd_per_year([s.drones for s in network.extra_sites]).sum()
        hubs = self.costs.hubs_usd_per_year(len(network.hubs))
        return float(self.site_usd_per_year.sum() + fixed + hubs)

    @property
    def greedy_gap(self) -> float:
        """How far the greedy baseline is below the proven bound (share of the bound)."""
        bound = self.solution.bound
        return (bound - self.baseline.objective) / bound if bound > 0 else 0.0


def candidate_costs(coverage: CoverageMatrix, costs: CostModel) -> NDArray[np.float64]:
    """Annual cost of every candidate (its vessel, crew and drone deck)."""
    return costs.site_usd_per_year(drones_for(coverage.candidates, coverage.network.drone))


def _budget(
    coverage: CoverageMatrix, costs: CostModel, sites: int | None, usd: float | None
) -> tuple[NDArray[np.float64] | None, float]:
    if (sites is None) == (usd is None):
        raise InputError("budget", (sites, usd), "give exactly one of a site count or dollars")
    if sites is not None:
        if isinstance(sites, bool) or not isinstance(sites, int) or sites < 0:
            raise InputError("sites", sites, "must be a whole number ≥ 0")
        return None, float(sites)
    assert usd is not None
    network = coverage.network
    fixed = costs.site_usd_per_year([s.drones for s in network.extra_sites]).sum()
    left = usd - costs.hubs_usd_per_year(len(network.hubs)) - float(fixed)
    if left < 0:
        raise InputError(
            "budget_usd", usd, f"does not pay for the hubs and fixed sites ({usd - left:,.0f})"
        )
    return candidate_costs(coverage, costs), left


def design(
    coverage: CoverageMatrix,
    *,
    costs: CostModel,
    sites: int | None = None,
    budget_usd: float | None = None,
    solver: str = "highs",
    time_limit_s: float = 60.0,
    rel_gap: float = 1e-4,
) -> Design:
    """Solve the covering model for a budget of ``sites`` or ``budget_usd`` (per year; hubs and
    fixed sites are paid first), with the greedy baseline beside it."""
    start = time.perf_counter()
    cost, budget = _budget(coverage, costs, sites, budget_usd)
    problem = covering_problem(coverage, cost=cost, budget=budget)
    solution = solve(problem, solver=solver, time_limit_s=time_limit_s, rel_gap=rel_gap)
    return Design(
        coverage=coverage,
        solution=solution,
        baseline=greedy(problem),
        costs=costs,
        budget_sites=sites,
        budget_usd=budget_usd,
        build_s=time.perf_counter() - start,
    )


@dataclass(frozen=True)
class FrontierPoint:
    """One budget of the reach-vs-budget curve."""

    sites: int
    annual_usd: float
    covered: float
    share: float
    bound: float
    gap: float
    greedy_share: float
    seconds: float


def frontier(
    coverage: CoverageMatrix,
    *,
    costs: CostModel,
    site_counts: Sequence[int] = (),
    budgets_usd: Sequence[float] = (),
    solver: str = "highs",
    time_limit_s: float = 60.0,
    rel_gap: float = 1e-3,
) -> list[FrontierPoint]:
    """The covered demand at each site count and each annual budget (one exact solve each,
    stopped at ``rel_gap``: 0.1 % by default, since dollar budgets make a knapsack that HiGHS
    closes slowly below that)."""
    runs: list[tuple[int | None, float | None]] = [(k, None) for k in site_counts]
    runs += [(None, usd) for usd in budgets_usd]
    return [
        frontier_point(
            coverage,
            costs=costs,
            sites=sites,
            budget_usd=usd,
            solver=solver,
            time_limit_s=time_limit_s,
            rel_gap=rel_gap,
        )
        for sites, usd in runs
    ]


def frontier_point(
    coverage: CoverageMatrix,
    *,
    costs: CostModel,
    sites: int | None = None,
    budget_usd: float | None = None,
    solver: str = "highs",
    time_limit_s: float = 60.0,
    rel_gap: float = 1e-3,
) -> FrontierPoint:
    """One point of the frontier: the best design for one budget (sites or dollars)."""
    result = design(
        coverage,
        costs=costs,
        sites=sites,
        budget_usd=budget_usd,
        solver=solver,
        time_limit_s=time_limit_s,
        rel_gap=rel_gap,
    )
    total = coverage.demand.total
    return FrontierPoint(
        sites=len(result.solution.chosen),
        annual_usd=result.annual_usd,
        covered=result.solution.objective,
        share=result.solution.share,
        bound=result.solution.bound,
        gap=result.solution.gap,
        greedy_share=result.baseline.objective / total if total else 0.0,
        seconds=result.solution.seconds,
    )


def marginal_values(
    coverage: CoverageMatrix, chosen: Sequence[int] | NDArray[np.intp]
) -> NDArray[np.float64]:
    """Demand each chosen site alone holds: what would be lost if it closed (others open)."""
    index = np.asarray(chosen, dtype=np.intp)
    if index.size == 0:
        return np.zeros(0)
    rows = coverage.covers[index].astype(np.int32)
    count = np.asarray(rows.sum(axis=0)).ravel()
    alone = (count == 1) & ~coverage.base_covered
    weight = np.where(alone, coverage.demand.weight, 0.0)
    return np.asarray(rows @ weight, dtype=np.float64).ravel()


@dataclass(frozen=True)
class LegProfile:
    """Demand-weighted mean legs (minutes) of a set of routes, and how much they miss by."""

    label: str
    points: int
    demand: float
    legs_min: dict[str, float]
    total_min: float
    over_hour_min: float


def binding_legs(
    coverage: CoverageMatrix, chosen: Sequence[int] | NDArray[np.intp], slack_min: float = 20.0
) -> list[LegProfile]:
    """Which leg binds: mean legs of the covered routes and of the near misses.

    Near misses are points in reach of a chosen site that the design does not cover, whose
    route via that site misses the promise hour by at most ``slack_min``. The leg that is
    largest among them and that a parameter controls (coast: burnout speed; last mile: drone
    range and speed; boat: vessel speed and offshore distance) is the one to push.
    """
    hour_s = coverage.network.promise.one_hour_s
    buffer_s = coverage.network.promise.buffer_s
    is_chosen = np.zeros(len(coverage.candidates), dtype=bool)
    is_chosen[np.asarray(chosen, dtype=np.intp)] = True
    covered = coverage.covered(chosen)
    pair_in = is_chosen[coverage.pair_candidate]
    promise = coverage.pair_time_s + buffer_s
    hit = pair_in & (promise <= hour_s + 1e-9)
    near = (
        pair_in
        & ~covered[coverage.pair_point]
        & (promise > hour_s)
        & (promise <= hour_s + slack_min * 60.0)
    )
    profiles = []
    for label, mask in (("covered", hit), (f"missed by ≤ {slack_min:g} min", near)):
        weight = coverage.demand.weight[coverage.pair_point[mask]]
        total = float(weight.sum())
        mean = (weight @ coverage.pair_legs_s[mask]) / total if total else np.zeros(len(LEG_NAMES))
        time_s = float(weight @ coverage.pair_time_s[mask] / total) if total else 0.0
        profiles.append(
            LegProfile(
                label=label,
                points=int(mask.sum()),
                demand=total,
                legs_min={name: float(mean[i]) / 60.0 for i, name in enumerate(LEG_NAMES)},
                total_min=time_s / 60.0,
                over_hour_min=(time_s + buffer_s - hour_s) / 60.0,
            )
        )
    return profiles


NetworkChange = Callable[[Network, float], Network]


def _drone(field: str) -> NetworkChange:
    def change(network: Network, value: float) -> Network:
        changed: dict[str, Any] = {field: value}
        return dataclasses.replace(network, drone=dataclasses.replace(network.drone, **changed))

    return change


def _boat_speed(network: Network, value: float) -> Network:
    return dataclasses.replace(network, boat=dataclasses.replace(network.boat, speed_kmh=value))


def _burnout(network: Network, value: float) -> Network:
    rocket = dataclasses.replace(
        network.rocket, trajectory="fastest", max_burnout_speed_ms=float(value)
    )
    return dataclasses.replace(network, rocket=rocket)


LEVERS: dict[str, tuple[str, NetworkChange]] = {
    "drone_range_km": ("drone.range_km", _drone("range_km")),
    "drone_speed_kmh": ("drone.speed_kmh", _drone("speed_kmh")),
    "vessel_speed_kmh": ("boat.speed_kmh", _boat_speed),
    "burnout_speed_ms": ("rocket.max_burnout_speed_ms", _burnout),
}
"""Network parameters the sensitivity can change: name → (network key, how to change it).
The offshore distance changes the candidates themselves (``min_offshore_km``): see
:func:`sensitivity`'s ``candidates_for``."""


@dataclass(frozen=True)
class SensitivityRow:
    """The design re-solved with one parameter changed."""

    lever: str
    key: str
    value: float
    share: float
    covered: float
    delta_share: float
    ceiling_share: float
    gap: float


def concept_network(network: Network, lever: str, value: float) -> tuple[str, Network]:
    """The network key a sensitivity lever changes, and ``network`` with it set to ``value``
    (``"offshore_km"`` changes the safety distance; its candidates must be rebuilt too)."""
    if lever == "offshore_km":
        safety = dataclasses.replace(network.safety, min_offshore_km=float(value))
        return "safety.min_offshore_km", dataclasses.replace(network, safety=safety)
    if lever not in LEVERS:
        raise InputError("lever", lever, "must be one of offshore_km, " + ", ".join(LEVERS))
    key, change = LEVERS[lever]
    return key, change(network, float(value))


def sensitivity(
    network: Network,
    candidates: CandidateTable,
    demand: Demand,
    *,
    stock_hubs: Sequence[str],
    costs: CostModel,
    sites: int,
    changes: dict[str, Sequence[float]],
    candidates_for: Callable[[float], CandidateTable] | None = None,
) -> list[SensitivityRow]:
    """The best design with ``sites`` sites when one parameter takes each value of ``changes``.

    ``changes`` maps a lever of :data:`LEVERS` (or ``"offshore_km"``, which needs
    ``candidates_for(km)``: the candidates built at that safety distance) to values to try.
    ``delta_share`` is against the same design question on ``network`` unchanged.
    """
    reference = build_coverage(network, candidates, demand, stock_hubs=stock_hubs)
    reference_share = design(reference, costs=costs, sites=sites).solution.share
    rows = []
    for lever, values in changes.items():
        for value in values:
            if lever == "offshore_km" and candidates_for is None:
                raise InputError("offshore_km", value, "needs candidates_for(km)")
            key, net = concept_network(network, lever, float(value))
            cands = candidates
            if lever == "offshore_km" and candidates_for is not None:
                cands = candidates_for(float(value))
            coverage = build_coverage(net, cands, demand, stock_hubs=stock_hubs)
            rows.append(
                sensitivity_row(
                    coverage,
                    lever=lever,
                    key=key,
                    value=float(value),
                    costs=costs,
                    sites=sites,
                    reference_share=reference_share,
                )
            )
    return rows


def sensitivity_row(
    coverage: CoverageMatrix,
    *,
    lever: str,
    key: str,
    value: float,
    costs: CostModel,
    sites: int,
    reference_share: float,
) -> SensitivityRow:
    """The design with ``sites`` sites on ``coverage`` (a network with ``lever`` = ``value``)."""
    result = design(coverage, costs=costs, sites=sites)
    demand = coverage.demand
    return SensitivityRow(
        lever=lever,
        key=key,
        value=value,
        share=result.solution.share,
        covered=result.solution.objective,
        delta_share=result.solution.share - reference_share,
        ceiling_share=float(demand.weight[coverage.coverable].sum()) / demand.total,
        gap=result.solution.gap,
    )


def sites_needed(coverage: CoverageMatrix, target_share: float, *, costs: CostModel) -> int | None:
    """Fewest sites whose best design reaches ``target_share`` (None when even every candidate
    falls short): bisection on the site count, each step an exact solve."""
    if not (0 < target_share <= 1):
        raise InputError("target_share", target_share, "must be in (0, 1]")
    total = coverage.demand.total
    if float(coverage.demand.weight[coverage.coverable].sum()) < target_share * total - 1e-6:
        return None
    if coverage.base_weight >= target_share * total:
        return 0
    low, high = 0, int(np.count_nonzero(np.diff(coverage.covers.indptr)))
    while high - low > 1:
        mid = (low + high) // 2
        if design(coverage, costs=costs, sites=mid).solution.objective >= target_share * total:
            high = mid
        else:
            low = mid
    return high
