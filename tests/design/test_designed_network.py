"""The shipped designed network (``rocketpost/data/designed_network.toml``): loads with every
world check, and its one-hour rocket reach for the reference story (stock in China), recomputed
from the file, is the figure its header states and beats today's rocket-hour landing sites."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from rocketpost.core.reach import compute_reach
from rocketpost.network import load_network

from .conftest import STOCK

FILE = resources.files("rocketpost") / "data" / "designed_network.toml"


@pytest.mark.slow
def test_designed_network_flies_the_reference_story() -> None:
    text = FILE.read_text(encoding="utf-8")
    assert re.search(r"^# Command: rocketpost design solve .*--stock-at HZB,SHA,SZX", text, re.M)
    stated = re.search(r"One-hour rocket promise: ([0-9,]+) people", text)
    assert stated is not None
    with resources.as_file(FILE) as path:
        designed = load_network(path)
    reach = compute_reach(designed, stock_hubs=list(STOCK), mode="rocket")
    assert reach.population_covered == int(stated.group(1).replace(",", ""))
    today = compute_reach(
        load_network(None, preset="rocket-hour"), stock_hubs=list(STOCK), mode="rocket"
    )
    assert len(designed.extra_sites) == len(today.network.extra_sites)
    assert reach.share > today.share
    continents = {area.code for area in reach.continents if area.population_covered > 0}
    assert {"AS", "EU", "AF", "OC"} <= continents
