"""The designer's sweeps (frontier and sensitivity) on a local Dask cluster give exactly what they
give in this process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from rocketpost.design.analysis import design, frontier, sensitivity
from rocketpost.design.candidates import CandidateSettings, CandidateTable, build_candidates
from rocketpost.design.costs import CostModel
from rocketpost.design.coverage import CoverageMatrix
from rocketpost.design.demand import Demand
from rocketpost.design.sweeps import ConceptBase, run_frontier, run_sensitivity
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.simulation import dask_client

from .conftest import MIN_POPULATION, STOCK

COSTS = CostModel()


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with dask_client(workers=2) as dask:
        yield dask


def test_frontier_on_dask_is_the_in_process_frontier(coverage: CoverageMatrix, client: Any) -> None:
    counts, budgets = [0, 3, 8], [design(coverage, costs=COSTS, sites=5).annual_usd]
    seen: list[tuple[int, int]] = []
    local = run_frontier(coverage, costs=COSTS, site_counts=counts, budgets_usd=budgets)
    remote = run_frontier(
        coverage,
        costs=COSTS,
        site_counts=counts,
        budgets_usd=budgets,
        client=client,
        progress=lambda done, total: seen.append((done, total)),
    )
    strip = [(p.sites, p.annual_usd, p.covered, p.bound, p.greedy_share) for p in local]
    assert strip == [(p.sites, p.annual_usd, p.covered, p.bound, p.greedy_share) for p in remote]
    assert [p.covered for p in local] == [
        p.covered for p in frontier(coverage, costs=COSTS, site_counts=counts, budgets_usd=budgets)
    ]
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)


def test_sensitivity_on_dask_is_the_in_process_sensitivity(
    base_network: Network,
    big_candidates: CandidateTable,
    big_demand: Demand,
    coverage: CoverageMatrix,
    client: Any,
) -> None:
    settings = CandidateSettings.for_network(base_network, MIN_POPULATION)
    base = ConceptBase(base_network, settings, big_demand, STOCK, COSTS, sites=6)
    reference = design(coverage, costs=COSTS, sites=6).solution.share
    concepts = [("drone_range_km", 10.0), ("vessel_speed_kmh", 100.0), ("offshore_km", 4.0)]
    local = run_sensitivity(base, concepts, reference_share=reference)
    remote = run_sensitivity(base, concepts, reference_share=reference, client=client)
    assert local == remote
    serial = sensitivity(
        base_network,
        big_candidates,
        big_demand,
        stock_hubs=STOCK,
        costs=COSTS,
        sites=6,
        changes={"drone_range_km": [10.0], "vessel_speed_kmh": [100.0], "offshore_km": [4.0]},
        candidates_for=lambda km: build_candidates(
            CandidateSettings(min_population=MIN_POPULATION, min_offshore_km=km)
        ),
    )
    assert local == serial
    with pytest.raises(InputError):
        run_sensitivity(base, [("warp_drive", 1.0)], reference_share=reference)
