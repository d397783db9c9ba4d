"""Shared inputs of the designer's tests: the rocket-hour network without its extra sites, the
candidates and the demand of cities of a million or more (fast), and their coverage matrix."""

from __future__ import annotations

import dataclasses

import pytest

from rocketpost.design.candidates import CandidateSettings, CandidateTable, build_candidates
from rocketpost.design.coverage import CoverageMatrix, build_coverage
from rocketpost.design.demand import Demand, city_demand
from rocketpost.network import Network, load_network

MIN_POPULATION = 1_000_000
STOCK = ("HZB", "SHA", "SZX")


@pytest.fixture(scope="session")
def rocket_hour() -> Network:
    return load_network(None, preset="rocket-hour")


@pytest.fixture(scope="session")
def base_network(rocket_hour: Network) -> Network:
    return dataclasses.replace(rocket_hour, extra_sites=())


@pytest.fixture(scope="session")
def big_candidates() -> CandidateTable:
    return build_candidates(CandidateSettings(min_population=MIN_POPULATION))


@pytest.fixture(scope="session")
def big_demand() -> Demand:
    return city_demand(MIN_POPULATION)


@pytest.fixture(scope="session")
def coverage(
    base_network: Network, big_candidates: CandidateTable, big_demand: Demand
) -> CoverageMatrix:
    return build_coverage(base_network, big_candidates, big_demand, stock_hubs=STOCK)
