"""The shipped rocket-hour landing sites (``rocketpost/data/landing_sites.toml``) are the
designer's output for the reference story (stock in China): the file records the command that
designed it, its one-hour rocket reach recomputed from the preset is the figure its header
states, and it beats the same number of sites chosen by drone catchment alone (the selection
the file held before the designer)."""

from __future__ import annotations

import dataclasses
import re
from importlib import resources

import pytest

from rocketpost.core.reach import compute_reach
from rocketpost.design.candidates import CandidateSettings, build_candidates
from rocketpost.design.coverage import candidate_sites
from rocketpost.design.selection import select_sites
from rocketpost.network import load_network

from .conftest import STOCK

FILE = resources.files("rocketpost") / "data" / "landing_sites.toml"


@pytest.mark.slow
def test_shipped_rocket_hour_sites_are_designed_and_beat_catchment_greedy() -> None:
    text = FILE.read_text(encoding="utf-8")
    assert re.search(r"^# Command: rocketpost design solve .*--stock-at HZB,SHA,SZX", text, re.M)
    stated = re.search(r"One-hour rocket promise: ([0-9,]+) people", text)
    assert stated is not None
    designed = load_network(None, preset="rocket-hour")
    reach = compute_reach(designed, stock_hubs=list(STOCK), mode="rocket")
    assert reach.population_covered == int(stated.group(1).replace(",", ""))

    settings = CandidateSettings.for_network(designed, 15_000)
    by_catchment = select_sites(
        build_candidates(settings),
        top_n=len(designed.extra_sites),
        max_per_country=None,
        min_separation_km=10.0,
        drone_radius_km=settings.drone_radius_km,
        min_population=settings.min_population,
    )
    greedy_network = dataclasses.replace(
        designed, extra_sites=candidate_sites(by_catchment, designed.drone)
    )
    greedy = compute_reach(greedy_network, stock_hubs=list(STOCK), mode="rocket")
    assert reach.share > greedy.share
    continents = {area.code for area in reach.continents if area.population_covered > 0}
    assert {"AS", "EU", "AF", "OC"} <= continents
