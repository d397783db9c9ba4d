"""The coverage matrix against the kernel run on whole networks: what the matrix says a set of
sites covers is what ``compute_reach --mode rocket`` finds for the network holding them."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import sparse

from rocketpost.core.reach import compute_reach
from rocketpost.design.candidates import CandidateTable
from rocketpost.design.coverage import (
    CoverageMatrix,
    build_coverage,
    candidate_sites,
    colour_groups,
)
from rocketpost.design.demand import Demand
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.world.cities import load_cities

from .conftest import MIN_POPULATION, STOCK


def _reach_share(network: Network, sites: tuple, population: int) -> tuple[np.ndarray, float]:
    net = dataclasses.replace(network, extra_sites=sites)
    result = compute_reach(net, stock_hubs=list(STOCK), min_population=population, mode="rocket")
    return result.covered, result.share


def test_base_coverage_is_reach_of_the_hubs_alone(
    coverage: CoverageMatrix, base_network: Network
) -> None:
    covered, _ = _reach_share(base_network, (), MIN_POPULATION)
    assert np.array_equal(coverage.base_covered, covered)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_set_of_sites_covers_what_the_kernel_finds(
    coverage: CoverageMatrix, base_network: Network, big_candidates: CandidateTable, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(len(big_candidates), size=30, replace=False))
    sites = candidate_sites(big_candidates.subset(chosen), base_network.drone)
    covered, _ = _reach_share(base_network, sites, MIN_POPULATION)
    assert np.array_equal(coverage.covered(chosen), covered)


def test_every_candidate_at_once_is_the_ceiling(
    coverage: CoverageMatrix, base_network: Network, big_candidates: CandidateTable
) -> None:
    covered, _ = _reach_share(
        base_network, candidate_sites(big_candidates, base_network.drone), MIN_POPULATION
    )
    assert np.array_equal(coverage.coverable, covered)
    assert coverage.coverable.sum() > coverage.base_covered.sum()


def test_groups_have_disjoint_reaches() -> None:
    reach = sparse.csr_matrix(
        np.array(
            [
                [1, 1, 0, 0],
                [0, 1, 1, 0],
                [0, 0, 1, 1],
                [1, 0, 0, 0],
                [0, 0, 0, 0],
            ],
            dtype=bool,
        )
    )
    groups = colour_groups(reach)
    assert sorted(np.concatenate(groups).tolist()) == [0, 1, 2, 3, 4]
    for group in groups:
        assert np.asarray(reach[group].sum(axis=0)).max() <= 1


def test_fixed_sites_are_in_the_base(
    rocket_hour: Network, big_candidates: CandidateTable, big_demand: Demand
) -> None:
    fixed = candidate_sites(big_candidates.subset(np.arange(5)), rocket_hour.drone)
    network = dataclasses.replace(rocket_hour, extra_sites=fixed)
    matrix = build_coverage(network, big_candidates, big_demand, stock_hubs=STOCK)
    # A fixed site is never a candidate again, and what it covers is base coverage.
    assert matrix.covers[np.arange(5)].nnz == 0
    covered, _ = _reach_share(
        dataclasses.replace(rocket_hour, extra_sites=()), fixed, MIN_POPULATION
    )
    assert np.array_equal(matrix.base_covered, covered)


def test_pair_times_are_the_promise_rule(coverage: CoverageMatrix) -> None:
    promise = coverage.network.promise
    hit = coverage.pair_time_s + promise.buffer_s <= promise.one_hour_s + 1e-9
    assert coverage.covers.nnz == int(hit.sum())
    legs = coverage.pair_legs_s.sum(axis=1)
    assert np.allclose(legs, coverage.pair_time_s)


def test_orders_demand_and_unknown_hub(
    base_network: Network, big_candidates: CandidateTable, big_demand: Demand
) -> None:
    with pytest.raises(InputError):
        build_coverage(base_network, big_candidates, big_demand, stock_hubs=[])
    with pytest.raises(InputError):
        build_coverage(base_network, big_candidates, big_demand, stock_hubs=["XXX"])
    assert len(big_demand) == len(load_cities(MIN_POPULATION))
