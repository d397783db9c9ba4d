"""Frontier, marginal values, binding legs, sensitivity and the inverse question."""

from __future__ import annotations

import numpy as np
import pytest

from rocketpost.design.analysis import (
    binding_legs,
    design,
    frontier,
    marginal_values,
    sensitivity,
    sites_needed,
)
from rocketpost.design.candidates import CandidateTable
from rocketpost.design.costs import CostModel, default_costs
from rocketpost.design.coverage import CoverageMatrix
from rocketpost.design.demand import Demand
from rocketpost.errors import InputError
from rocketpost.network import Network

from .conftest import STOCK

COSTS = CostModel()


def test_design_by_sites_and_by_dollars(coverage: CoverageMatrix) -> None:
    by_sites = design(coverage, costs=COSTS, sites=8)
    assert len(by_sites.solution.chosen) <= 8
    assert by_sites.solution.objective >= by_sites.baseline.objective - 1e-6
    assert 0 <= by_sites.greedy_gap < 0.2
    budget = by_sites.annual_usd
    by_usd = design(coverage, costs=COSTS, budget_usd=budget)
    assert by_usd.annual_usd <= budget + 1e-3
    assert by_usd.solution.objective >= by_sites.solution.objective - 1e-6
    with pytest.raises(InputError):
        design(coverage, costs=COSTS, sites=3, budget_usd=1e9)
    with pytest.raises(InputError):
        design(coverage, costs=COSTS, budget_usd=1.0)  # not even the hubs


def test_frontier_never_falls(coverage: CoverageMatrix) -> None:
    points = frontier(coverage, costs=COSTS, site_counts=[0, 2, 5, 10, 20])
    shares = [p.share for p in points]
    assert shares == sorted(shares)
    assert points[0].share == pytest.approx(coverage.base_weight / coverage.demand.total)
    assert all(p.greedy_share <= p.share + 1e-12 for p in points)


def test_marginal_value_is_what_closing_the_site_loses(coverage: CoverageMatrix) -> None:
    chosen = np.array(design(coverage, costs=COSTS, sites=10).solution.chosen)
    values = marginal_values(coverage, chosen)
    everything = coverage.covered_weight(chosen)
    for k in range(chosen.size):
        without = coverage.covered_weight(np.delete(chosen, k))
        assert values[k] == pytest.approx(everything - without)


def test_binding_legs_profiles(coverage: CoverageMatrix) -> None:
    chosen = design(coverage, costs=COSTS, sites=10).solution.chosen
    covered, near = binding_legs(coverage, chosen)
    assert covered.over_hour_min <= 0 < near.over_hour_min or near.points == 0
    assert sum(covered.legs_min.values()) == pytest.approx(covered.total_min)


def test_sensitivity_and_the_inverse_question(
    base_network: Network, big_candidates: CandidateTable, big_demand: Demand
) -> None:
    rows = sensitivity(
        base_network,
        big_candidates,
        big_demand,
        stock_hubs=STOCK,
        costs=COSTS,
        sites=10,
        changes={"drone_range_km": [10.0, 40.0], "burnout_speed_ms": [7000.0]},
    )
    by_value = {(r.lever, r.value): r for r in rows}
    assert by_value[("drone_range_km", 40.0)].share >= by_value[("drone_range_km", 10.0)].share
    assert by_value[("drone_range_km", 40.0)].delta_share >= 0
    assert by_value[("burnout_speed_ms", 7000.0)].delta_share <= 0  # slower arcs
    with pytest.raises(InputError):
        sensitivity(
            base_network,
            big_candidates,
            big_demand,
            stock_hubs=STOCK,
            costs=COSTS,
            sites=3,
            changes={"warp_drive": [1.0]},
        )


def test_sites_needed(coverage: CoverageMatrix) -> None:
    total = coverage.demand.total
    ceiling = float(coverage.demand.weight[coverage.coverable].sum()) / total
    target = (coverage.base_weight / total + ceiling) / 2
    needed = sites_needed(coverage, target, costs=COSTS)
    assert needed is not None and needed > 0
    assert design(coverage, costs=COSTS, sites=needed).solution.share >= target
    assert design(coverage, costs=COSTS, sites=needed - 1).solution.share < target
    assert sites_needed(coverage, min(1.0, ceiling + 0.01), costs=COSTS) is None


def test_default_costs_file_is_the_dataclass_default() -> None:
    assert default_costs() == CostModel()
